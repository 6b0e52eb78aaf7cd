"""Administration of the request catalogue: the approval policies (chains of steps per form), the
systems people get access to, and the default catalogue created on first setup.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import insert, select

from config.approval import DEFAULT_APPROVAL_POLICIES
from portal.audit import record_event
from portal.db import DbSession, utcnow
from portal.errors import AlreadyExists, NotAllowed, ValidationFailed
from portal.models import User
from portal.roles import Role
from tickets.models import (
    ApprovalPolicy,
    Connector,
    RequestForm,
    StepKind,
    TargetSystem,
)
from tickets.services.common import clean


def policy_steps(session: DbSession, form: RequestForm) -> list[StepKind]:
    policy = session.execute(select(ApprovalPolicy).where(ApprovalPolicy.form == form)).scalar()
    steps = policy.steps if policy is not None else DEFAULT_APPROVAL_POLICIES[form.value]
    return [StepKind(s) for s in steps]


def ensure_default_catalogue(session: DbSession, *, groups_dn: str) -> list[str]:
    """Create the default approval policies and systems that are missing (idempotent)."""
    from config.approval import default_systems

    done: list[str] = []
    for form_value, steps in DEFAULT_APPROVAL_POLICIES.items():
        form = RequestForm(form_value)
        if session.execute(select(ApprovalPolicy.id).where(ApprovalPolicy.form == form)).scalar() is None:
            session.execute(insert(ApprovalPolicy).values(form=form, steps=steps, updated_at=utcnow()))
            done.append(f"política {form_value}")
    for system in default_systems(groups_dn):
        if session.execute(select(TargetSystem.id).where(TargetSystem.code == system["code"])).scalar() is None:
            session.add(TargetSystem(**system))
            done.append(f"sistema {system['code']}")
    session.flush()
    return done


ROLE_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,59}$")


def save_approval_policy(
    session: DbSession, *, actor: User | None, form: RequestForm, steps: Sequence[StepKind]
) -> ApprovalPolicy:
    """Change the chain of a form. It must end with the approver: every request is "sujeta a la
    aprobación por el líder de economía digital" (seed PR-M2-P6-01). Filed requests keep their chain.
    ``actor`` is None for the operator's command line.
    """
    if actor is not None and not actor.has_role(Role.ADMIN):
        raise NotAllowed("Solo un administrador cambia las políticas de aprobación.")
    if not steps:
        raise ValidationFailed("La cadena necesita al menos un paso.", fields={"steps": ["Agregue un paso."]})
    if len(set(steps)) != len(steps):
        raise ValidationFailed("Un tipo de paso aparece dos veces.", fields={"steps": ["Sin pasos repetidos."]})
    if steps[-1] is not StepKind.APROBADOR:
        raise ValidationFailed(
            "El último paso debe ser el del líder de economía digital.", fields={"steps": ["Termine en el aprobador."]}
        )
    policy = session.execute(select(ApprovalPolicy).where(ApprovalPolicy.form == form)).scalar()
    before = {"steps": list(policy.steps)} if policy else None
    if policy is None:
        policy = ApprovalPolicy(form=form, steps=[])
        session.add(policy)
    policy.steps = [s.value for s in steps]
    session.flush()
    record_event(
        session,
        actor=actor,
        action="politica.modificar",
        object_type="politica_aprobacion",
        object_id=form.value,
        before=before,
        after={"steps": policy.steps},
    )
    return policy


@dataclass
class SystemData:
    code: str
    name: str
    connector: Connector
    role_map: dict[str, str]
    instructions: str | None = None
    is_active: bool = True


def save_system(session: DbSession, *, actor: User | None, data: SystemData, system: TargetSystem | None = None) -> TargetSystem:
    """Create or change a system of the catalogue; LDAP roles map to group DNs that must parse.

    A code another system has is ``AlreadyExists`` (409) once the rest is valid; ``actor`` is None
    for the operator's command line.
    """
    from ldap3.core.exceptions import LDAPInvalidDnError
    from ldap3.utils.dn import parse_dn

    if actor is not None and not actor.has_role(Role.ADMIN):
        raise NotAllowed("Solo un administrador modifica el catálogo de sistemas.")
    errors: dict[str, list[str]] = {}
    code = data.code.strip().lower()
    if not ROLE_NAME_PATTERN.match(code):
        errors["code"] = ["Use minúsculas, números, punto, guion o guion bajo."]
    if not data.name.strip():
        errors["name"] = ["Escriba el nombre."]
    for role, target in data.role_map.items():
        if not ROLE_NAME_PATTERN.match(role):
            errors.setdefault("role_map", []).append(f"Nombre de rol no válido: {role}")
        if data.connector is Connector.LDAP:
            try:
                parse_dn(target)
            except LDAPInvalidDnError:
                errors.setdefault("role_map", []).append(f"El grupo del rol {role} no es un DN válido.")
    if data.connector is Connector.MANUAL and not (data.instructions or "").strip():
        errors["instructions"] = ["Describa qué hace la mesa de servicio en este sistema."]
    if errors:
        raise ValidationFailed("Revise los campos marcados.", fields=errors)
    clash = session.execute(select(TargetSystem).where(TargetSystem.code == code)).scalar()
    if clash is not None and clash is not system:
        raise AlreadyExists(
            _("Ya existe un sistema con el código %(code)s.", code=code),
            fields={"code": [_("Ya existe un sistema con ese código.")]},
        )
    before = None
    if system is None:
        system = TargetSystem(code=code, name=data.name, connector=data.connector, role_map={})
        session.add(system)
    else:
        before = {
            "code": system.code,
            "connector": system.connector.value,
            "role_map": dict(system.role_map),
            "is_active": system.is_active,
        }
    system.code = code
    system.name = data.name.strip()
    system.connector = data.connector
    system.role_map = dict(data.role_map)
    system.instructions = clean(data.instructions)
    system.is_active = data.is_active
    session.flush()
    record_event(
        session,
        actor=actor,
        action="sistema.guardar",
        object_type="sistema",
        object_id=system.id,
        before=before,
        after={
            "code": system.code,
            "connector": system.connector.value,
            "role_map": system.role_map,
            "is_active": system.is_active,
        },
    )
    return system
