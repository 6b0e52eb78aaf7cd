"""The requests a designation prepares when it takes effect (SPEC §2; seed PR-M2-P6-01 §5: the
designated servant "debe de diligenciar los formatos respectivos de creación, roles y perfiles o
modificación").

Read from the directory, never guessed:

- the incoming enlace gets FO-M11-P2-05 ``crear`` only when the directory has no account with
  their username or e-mail; otherwise FO-M11-P2-13 adding the enlace's groups they lack;
- the outgoing enlace gets FO-M11-P2-13 removing every group the directory holds for them that the
  systems catalogue maps to a role. The handover closes once that request is resolved.

The drafts are filed by the incoming enlace (they are its requests), but the history and the audit
trail attribute them to the head who designated: "preparado por la designación de …".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from enlaces.models import Designation
from portal.db import DbSession
from portal.directory import Directory, DirectoryAccount
from portal.models import Dependency, User

CC_PATTERN = re.compile(r"^\d{5,10}$")


@dataclass
class PreparedDrafts:
    request_ids: list[int] = field(default_factory=list)
    #: the FO-M11-P2-13 that removes the outgoing enlace's groups, if there is something to remove
    removal_request_id: int | None = None
    notes: list[str] = field(default_factory=list)


def _account(directory: Directory, person: User) -> DirectoryAccount | None:
    found = directory.find_accounts(username=person.username, email=person.email)
    exact = [a for a in found if a.person.username.lower() == person.username.lower()]
    return (exact or found)[0] if found else None


def _roles_held(directory: Directory, username: str, role_map: dict[str, str]) -> tuple[list[str], list[str]]:
    """The catalogue roles whose groups the directory holds for ``username``, and the other groups."""
    by_group = {dn.lower(): role for role, dn in role_map.items()}
    groups = directory.groups_of(username)
    roles = sorted({by_group[g.lower()] for g in groups if g.lower() in by_group})
    unmapped = [g for g in groups if g.lower() not in by_group]
    return roles, unmapped


def prepare_drafts(
    session: DbSession,
    *,
    designation: Designation,
    outgoing: User | None,
    incoming: User,
    directory: Directory,
    email_domain: str,
    today: date,
) -> PreparedDrafts:
    """Create the drafts described in the module docstring (raises ``DirectoryUnavailable``)."""
    from tickets.models import Connector, DocumentType, RequestAction, RequestForm, TargetSystem
    from tickets.services import filing

    prepared = PreparedDrafts()
    system = (
        session.execute(
            select(TargetSystem)
            .where(TargetSystem.is_active.is_(True), TargetSystem.connector == Connector.LDAP)
            .order_by(TargetSystem.id)
        )
        .scalars()
        .first()
    )
    if system is None:
        prepared.notes.append("No hay un sistema con conector LDAP en el catálogo: no se prepararon solicitudes.")
        return prepared
    dependency = session.get(Dependency, designation.dependency_id)
    assert dependency is not None
    head = designation.designated_by
    note = (
        f"Preparado por la designación de {head.full_name} ({designation.act_type.label} {designation.act_number}): "
        f"{incoming.full_name} como enlace TIC de {dependency.name}."
    )

    def beneficiary(person: User, account: DirectoryAccount | None) -> dict[str, object]:
        found = account.person if account is not None else None
        email = (found.email if found else None) or person.email
        document = found.document if found else None
        return {
            "beneficiary_name": (found.full_name if found else None) or person.full_name,
            "beneficiary_email": email if email and email.lower().endswith("@" + email_domain) else None,
            "beneficiary_position": (found.position if found else None) or person.position,
            "beneficiary_username": person.username,
            "beneficiary_document": document,
            "beneficiary_document_type": DocumentType.CC if document and CC_PATTERN.match(document) else None,
        }

    enlace_roles: list[str] = []
    drafts: list[tuple[str, filing.RequestData]] = []
    if outgoing is not None and outgoing.id != incoming.id:
        enlace_roles, unmapped = _roles_held(directory, outgoing.username, system.role_map)
        if unmapped:
            prepared.notes.append(
                f"Grupos de {outgoing.full_name} sin rol en el catálogo (retírelos a mano): {', '.join(unmapped)}."
            )
        if enlace_roles:
            drafts.append(
                (
                    "removal",
                    filing.RequestData(
                        form=RequestForm.ROLES,
                        action=RequestAction.MODIFICAR_ROLES,
                        system_id=system.id,
                        dependency_id=dependency.id,
                        roles_to_remove=enlace_roles,
                        justification=f"Retiro de los privilegios del enlace TIC saliente de {dependency.name}.",
                        **beneficiary(outgoing, _account(directory, outgoing)),  # type: ignore[arg-type]
                    ),
                )
            )
        else:
            prepared.notes.append(f"El directorio no registra grupos del catálogo para {outgoing.full_name}.")
    account = _account(directory, incoming)
    if account is None:
        drafts.append(
            (
                "credentials",
                filing.RequestData(
                    form=RequestForm.CREACION,
                    action=RequestAction.CREAR,
                    system_id=system.id,
                    dependency_id=dependency.id,
                    roles_to_add=enlace_roles,
                    justification=f"Credenciales del enlace TIC designado para {dependency.name}.",
                    **{**beneficiary(incoming, None), "beneficiary_position": incoming.position or "Enlace TIC"},  # type: ignore[arg-type]
                ),
            )
        )
    else:
        held, _unmapped = _roles_held(directory, incoming.username, system.role_map)
        missing = [r for r in enlace_roles if r not in held]
        if missing:
            drafts.append(
                (
                    "credentials",
                    filing.RequestData(
                        form=RequestForm.ROLES,
                        action=RequestAction.MODIFICAR_ROLES,
                        system_id=system.id,
                        dependency_id=dependency.id,
                        roles_to_add=missing,
                        justification=f"Roles del enlace TIC designado para {dependency.name}.",
                        **beneficiary(incoming, account),  # type: ignore[arg-type]
                    ),
                )
            )
        else:
            prepared.notes.append(f"{incoming.full_name} ya tiene cuenta en el directorio; no le faltan roles de enlace.")
    for purpose, data in drafts:
        request = filing.create_draft(
            session, actor=incoming, data=data, email_domain=email_domain, today=today, prepared_by=head, note=note
        )
        prepared.request_ids.append(request.id)
        if purpose == "removal":
            prepared.removal_request_id = request.id
    return prepared
