"""What an access request's form must hold (SPEC §3), checked in one pass: every field error at
once, in Spanish (issue 17). Drafts may be incomplete; a filed request may not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from email_validator import EmailNotValidError, validate_email

from portal.db import DbSession
from portal.models import Dependency
from tickets.models import FORM_ACTIONS, DocumentType, LinkType, Priority, RequestAction, RequestForm, TargetSystem
from tickets.services.common import MIN_JUSTIFICATION

DOCUMENT_PATTERNS = {
    DocumentType.CC: re.compile(r"^\d{5,10}$"),
    DocumentType.CE: re.compile(r"^[A-Za-z0-9]{3,15}$"),
    DocumentType.PA: re.compile(r"^[A-Za-z0-9]{5,20}$"),
}
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
#: what people type between the digits of a document number: "1.144.556.677", "1 144 556 677"
DOCUMENT_SEPARATORS = re.compile(r"[\s.]+")
#: Fields that apply only to some actions (issue 17): the form shows them only for those, and the
#: service neither asks for them nor keeps them for the others. The link type and the contract's
#: end date are beneficiary data on every form (SPEC §3; a filed request always has them).
ACTION_FIELDS: dict[str, frozenset[RequestAction]] = {
    "roles_to_add": frozenset({RequestAction.CREAR, RequestAction.MODIFICAR_ROLES}),
    "roles_to_remove": frozenset({RequestAction.MODIFICAR_ROLES}),
    "roles_end_date": frozenset({RequestAction.MODIFICAR_ROLES}),
}


def applies(field_name: str, action: RequestAction) -> bool:
    """Whether the form asks for ``field_name`` when the request's action is ``action``."""
    actions = ACTION_FIELDS.get(field_name)
    return actions is None or action in actions


def normalize_document(value: str | None) -> str | None:
    """A document number as stored: without the dots and spaces people type in a cédula
    ("1.144.556.677" → "1144556677"), letters in upper case; None when empty."""
    cleaned = DOCUMENT_SEPARATORS.sub("", value or "").upper()
    return cleaned or None


#: Actions on an account that already exists in the system: the beneficiary's username is needed.
EXISTING_ACCOUNT_ACTIONS = frozenset(
    {
        RequestAction.ACTIVAR,
        RequestAction.RETIRAR,
        RequestAction.DESBLOQUEAR,
        RequestAction.INICIALIZAR,
        RequestAction.MODIFICAR_ROLES,
    }
)


@dataclass
class RequestData:
    """What the enlace fills in on the form; drafts may leave beneficiary fields empty."""

    form: RequestForm
    action: RequestAction
    system_id: int
    dependency_id: int
    priority: Priority = Priority.NORMAL
    beneficiary_name: str | None = None
    beneficiary_document_type: DocumentType | None = None
    beneficiary_document: str | None = None
    beneficiary_email: str | None = None
    beneficiary_position: str | None = None
    beneficiary_username: str | None = None
    link_type: LinkType | None = None
    contract_end_date: date | None = None
    justification: str | None = None
    roles_to_add: list[str] = field(default_factory=list)
    roles_to_remove: list[str] = field(default_factory=list)
    roles_end_date: date | None = None


def validate_request_data(
    session: DbSession, data: RequestData, *, email_domain: str, today: date, complete: bool
) -> dict[str, list[str]]:
    """Field errors in Spanish; ``complete`` asks for everything a filed request needs."""
    errors: dict[str, list[str]] = {}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if data.action not in FORM_ACTIONS[data.form]:
        err("action", f"La acción no corresponde al formato {data.form.value}.")
    system = session.get(TargetSystem, data.system_id)
    if system is None or not system.is_active:
        err("system_id", "Seleccione un sistema del catálogo.")
    dependency = session.get(Dependency, data.dependency_id)
    if dependency is None or not dependency.is_active:
        err("dependency_id", "Seleccione una dependencia activa.")

    required = {
        "beneficiary_name": "Escriba el nombre completo del beneficiario.",
        "beneficiary_document_type": "Seleccione el tipo de documento.",
        "beneficiary_document": "Escriba el número de documento.",
        "beneficiary_email": "Escriba el correo institucional.",
        "beneficiary_position": "Escriba el cargo.",
        "link_type": "Seleccione el tipo de vinculación.",
        "justification": "Escriba la justificación de la solicitud.",
    }
    if complete:
        for name, message in required.items():
            if applies(name, data.action) and getattr(data, name) in (None, ""):
                err(name, message)

    document = normalize_document(data.beneficiary_document)
    if document and data.beneficiary_document_type:
        if not DOCUMENT_PATTERNS[data.beneficiary_document_type].match(document):
            err(
                "beneficiary_document",
                "La cédula de ciudadanía lleva de 5 a 10 dígitos (puede escribirla con puntos)."
                if data.beneficiary_document_type is DocumentType.CC
                else "Use solo letras y números, sin espacios ni puntos.",
            )
    if data.beneficiary_email:
        try:
            normalized = validate_email(data.beneficiary_email, check_deliverability=False).normalized
        except EmailNotValidError:
            err("beneficiary_email", "El correo no es válido.")
        else:
            domain = normalized.rsplit("@", 1)[-1].lower()
            if domain != email_domain and not domain.endswith("." + email_domain):
                err("beneficiary_email", f"Debe ser un correo institucional (@{email_domain}).")
    if data.link_type is LinkType.CONTRATISTA and applies("contract_end_date", data.action):
        if data.contract_end_date is None:
            if complete:
                err("contract_end_date", "Para un contratista, indique la fecha de terminación del contrato.")
        elif data.contract_end_date < today:
            err("contract_end_date", "La fecha de terminación del contrato ya pasó.")
    if data.beneficiary_username and not USERNAME_PATTERN.match(data.beneficiary_username):
        err("beneficiary_username", "El usuario lleva minúsculas, números, punto, guion o guion bajo.")
    if complete and not data.beneficiary_username:
        err(
            "beneficiary_username",
            "Indique el usuario existente del beneficiario."
            if data.action in EXISTING_ACCOUNT_ACTIONS
            else "Indique el usuario que se creará (por ejemplo, nombre.apellido).",
        )
    if data.justification and complete and len(data.justification.strip()) < MIN_JUSTIFICATION:
        err("justification", f"La justificación debe tener al menos {MIN_JUSTIFICATION} caracteres.")

    known_roles = set(system.role_map) if system is not None else set()
    for name in ("roles_to_add", "roles_to_remove"):
        unknown = [r for r in getattr(data, name) if r not in known_roles]
        if unknown and system is not None:
            err(name, f"Roles que no existen en el sistema {system.name}: " + ", ".join(unknown))
    if set(data.roles_to_add) & set(data.roles_to_remove):
        err("roles_to_remove", "Un rol no puede agregarse y retirarse a la vez.")
    if data.action is RequestAction.MODIFICAR_ROLES:
        if complete and not data.roles_to_add and not data.roles_to_remove:
            err("roles_to_add", "Indique al menos un rol para agregar o retirar.")
        if data.roles_end_date is not None and data.roles_end_date <= today:
            err("roles_end_date", "La fecha de vencimiento de los roles debe ser futura.")
    elif data.roles_to_remove:
        err("roles_to_remove", "Solo el formato FO-M11-P2-13 retira roles.")
    if data.action not in (RequestAction.CREAR, RequestAction.MODIFICAR_ROLES) and data.roles_to_add:
        err("roles_to_add", "Los roles se asignan al crear el usuario o con el formato FO-M11-P2-13.")
    return errors
