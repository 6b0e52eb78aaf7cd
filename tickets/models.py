"""Access requests on the official forms, their approval chains and history (SPEC §3)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import YearlyCounter, utcnow
from portal.extensions import db
from portal.models import Dependency, StoredFile, TimelineEvent, User, enum_column


class RequestForm(StrEnum):
    CREACION = "FO-M11-P2-05"
    CLAVE = "FO-M11-P2-12"
    ROLES = "FO-M11-P2-13"

    @property
    def label(self) -> str:
        return FORM_TITLES[self]

    @property
    def slug(self) -> str:
        return self.value.lower()


FORM_TITLES = {
    RequestForm.CREACION: "Creación, activación o retiro de usuario",
    RequestForm.CLAVE: "Olvido de clave o bloqueo por intentos fallidos",
    RequestForm.ROLES: "Modificación de roles",
}


class RequestAction(StrEnum):
    CREAR = "crear"
    ACTIVAR = "activar"
    RETIRAR = "retirar"
    DESBLOQUEAR = "desbloquear"
    INICIALIZAR = "inicializar"
    MODIFICAR_ROLES = "modificar_roles"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS = {
    RequestAction.CREAR: "Creación de usuario",
    RequestAction.ACTIVAR: "Activación de usuario",
    RequestAction.RETIRAR: "Retiro de usuario",
    RequestAction.DESBLOQUEAR: "Desbloqueo (recuerda la clave)",
    RequestAction.INICIALIZAR: "Inicialización de clave",
    RequestAction.MODIFICAR_ROLES: "Modificación de roles",
}

FORM_ACTIONS: dict[RequestForm, tuple[RequestAction, ...]] = {
    RequestForm.CREACION: (RequestAction.CREAR, RequestAction.ACTIVAR, RequestAction.RETIRAR),
    RequestForm.CLAVE: (RequestAction.DESBLOQUEAR, RequestAction.INICIALIZAR),
    RequestForm.ROLES: (RequestAction.MODIFICAR_ROLES,),
}


class RequestState(StrEnum):
    BORRADOR = "borrador"
    RADICADA = "radicada"
    EN_APROBACION = "en_aprobacion"
    DEVUELTA = "devuelta"
    APROBADA = "aprobada"
    EN_EJECUCION = "en_ejecucion"
    RESUELTA = "resuelta"
    CERRADA = "cerrada"
    RECHAZADA = "rechazada"
    CANCELADA = "cancelada"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS = {
    RequestState.BORRADOR: "Borrador",
    RequestState.RADICADA: "Radicada",
    RequestState.EN_APROBACION: "En aprobación",
    RequestState.DEVUELTA: "Devuelta",
    RequestState.APROBADA: "Aprobada",
    RequestState.EN_EJECUCION: "En ejecución",
    RequestState.RESUELTA: "Resuelta",
    RequestState.CERRADA: "Cerrada",
    RequestState.RECHAZADA: "Rechazada",
    RequestState.CANCELADA: "Cancelada",
}

#: States in which the approval chain is running.
APPROVAL_STATES = frozenset({RequestState.RADICADA, RequestState.EN_APROBACION})
#: States the requester may cancel from (SPEC §3).
CANCELLABLE_STATES = frozenset({RequestState.BORRADOR, RequestState.RADICADA, RequestState.EN_APROBACION, RequestState.DEVUELTA})
EDITABLE_STATES = frozenset({RequestState.BORRADOR, RequestState.DEVUELTA})
OPEN_STATES = frozenset(
    {RequestState.RADICADA, RequestState.EN_APROBACION, RequestState.DEVUELTA, RequestState.APROBADA, RequestState.EN_EJECUCION}
)


class DocumentType(StrEnum):
    CC = "CC"
    CE = "CE"
    PA = "PA"

    @property
    def label(self) -> str:
        return {"CC": "Cédula de ciudadanía", "CE": "Cédula de extranjería", "PA": "Pasaporte"}[self.value]


class LinkType(StrEnum):
    PLANTA = "planta"
    CONTRATISTA = "contratista"

    @property
    def label(self) -> str:
        return {"planta": "Planta", "contratista": "Contratista"}[self.value]


class Priority(StrEnum):
    NORMAL = "normal"
    ALTA = "alta"

    @property
    def label(self) -> str:
        return {"normal": "Normal", "alta": "Alta"}[self.value]


class StepKind(StrEnum):
    """Who decides a step of the chain: the head of the beneficiary's dependency, security, the approver."""

    JEFE = "jefe"
    SEGURIDAD = "seguridad"
    APROBADOR = "aprobador"

    @property
    def label(self) -> str:
        return {
            "jefe": "Jefe de la dependencia",
            "seguridad": "Seguridad de la información",
            "aprobador": "Líder de economía digital",
        }[self.value]


class StepState(StrEnum):
    PENDIENTE = "pendiente"
    APROBADO = "aprobado"
    RECHAZADO = "rechazado"
    DEVUELTO = "devuelto"
    #: approved at once by the Secretario's exception
    EXCEPCION = "excepcion"
    #: the request left the chain (returned, rejected or cancelled) before this step was reached
    ANULADO = "anulado"

    @property
    def label(self) -> str:
        return {
            "pendiente": "Pendiente",
            "aprobado": "Aprobado",
            "rechazado": "Rechazado",
            "devuelto": "Devuelto",
            "excepcion": "Aprobado por excepción del Secretario",
            "anulado": "Sin decisión",
        }[self.value]


class Connector(StrEnum):
    LDAP = "ldap"
    MANUAL = "manual"


class TargetSystem(db.Model):  # type: ignore[name-defined,misc]
    """A system people get access to; ``ldap`` ones are provisioned automatically (SPEC §3)."""

    __tablename__ = "target_systems"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    connector: Mapped[Connector] = mapped_column(enum_column(Connector, "connector"))
    #: portal role name -> LDAP group DN (``ldap`` systems) or the role's name in the system (``manual``)
    role_map: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: what the service desk does by hand in a ``manual`` system
    instructions: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())


class ApprovalPolicy(db.Model):  # type: ignore[name-defined,misc]
    """The chain of steps for a form; data, editable by ``admin`` (defaults in ``config/``)."""

    __tablename__ = "approval_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    form: Mapped[RequestForm] = mapped_column(enum_column(RequestForm, "request_form"), unique=True)
    steps: Mapped[list[str]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RequestCounter(YearlyCounter, db.Model):  # type: ignore[name-defined,misc]
    """Last number given per year; incremented in the submitting transaction, so numbers have no gaps."""

    __tablename__ = "request_counters"


class AccessRequest(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "access_requests"
    __table_args__ = (
        CheckConstraint("(filed_at IS NULL) OR (number IS NOT NULL)", name="filed_has_number"),
        CheckConstraint(
            "(filed_at IS NULL) OR (beneficiary_name IS NOT NULL AND beneficiary_document IS NOT NULL "
            "AND beneficiary_email IS NOT NULL AND link_type IS NOT NULL AND justification IS NOT NULL)",
            name="filed_is_complete",
        ),
        CheckConstraint("(NOT is_exception) OR (exception_justification IS NOT NULL)", name="exception_justified"),
        CheckConstraint(
            "(filed_at IS NULL) OR (link_type <> 'contratista') OR (contract_end_date IS NOT NULL)", name="contractor_end_date"
        ),
        Index("ix_access_requests_state_dependency", "state", "dependency_id"),
        # the ANS report's open requests by age: an index-only scan on PostgreSQL
        Index("ix_access_requests_state_filed_at", "state", "filed_at", postgresql_include=["dependency_id"]),
        Index(
            "ix_access_requests_exception_approved",
            "approved_at",
            postgresql_where=text("is_exception"),
            sqlite_where=text("is_exception"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SOL-YYYY-NNNNN, given when the request is filed (radicada)
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    form: Mapped[RequestForm] = mapped_column(enum_column(RequestForm, "request_form"))
    action: Mapped[RequestAction] = mapped_column(enum_column(RequestAction, "request_action"))
    state: Mapped[RequestState] = mapped_column(enum_column(RequestState, "request_state"), default=RequestState.BORRADOR)
    priority: Mapped[Priority] = mapped_column(enum_column(Priority, "priority"), default=Priority.NORMAL)
    system_id: Mapped[int] = mapped_column(ForeignKey("target_systems.id"))
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: the beneficiary's dependency: it decides scope and the first signer
    dependency_id: Mapped[int] = mapped_column(ForeignKey("dependencies.id"))

    beneficiary_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    beneficiary_name: Mapped[str | None] = mapped_column(String(200))
    beneficiary_document_type: Mapped[DocumentType | None] = mapped_column(enum_column(DocumentType, "document_type"))
    beneficiary_document: Mapped[str | None] = mapped_column(String(20))
    beneficiary_email: Mapped[str | None] = mapped_column(String(254))
    beneficiary_position: Mapped[str | None] = mapped_column(String(200))
    beneficiary_username: Mapped[str | None] = mapped_column(String(120))
    link_type: Mapped[LinkType | None] = mapped_column(enum_column(LinkType, "link_type"))
    contract_end_date: Mapped[date | None]

    justification: Mapped[str | None] = mapped_column(Text)
    roles_to_add: Mapped[list[str]] = mapped_column(JSON, default=list)
    roles_to_remove: Mapped[list[str]] = mapped_column(JSON, default=list)
    roles_end_date: Mapped[date | None]

    is_exception: Mapped[bool] = mapped_column(default=False, server_default=false())
    exception_justification: Mapped[str | None] = mapped_column(Text)
    exception_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: approval rounds: a returned request starts a new round when filed again
    round: Mapped[int] = mapped_column(default=1)
    #: filed and approved by the portal itself (expiry of roles or of a contract)
    is_automatic: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: for an automatic request, the request whose access it ends
    origin_request_id: Mapped[int | None] = mapped_column(ForeignKey("access_requests.id"), index=True)
    #: the dependency was warned that this request's access ends soon (5 business days before)
    expiry_warned_at: Mapped[datetime | None]

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    filed_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    system: Mapped[TargetSystem] = relationship(lazy="joined")
    requester: Mapped[User] = relationship(foreign_keys=[requester_id], lazy="joined")
    dependency: Mapped[Dependency] = relationship(lazy="joined")
    beneficiary_user: Mapped[User | None] = relationship(foreign_keys=[beneficiary_user_id], lazy="raise_on_sql")
    exception_by: Mapped[User | None] = relationship(foreign_keys=[exception_by_id], lazy="raise_on_sql")
    steps: Mapped[list[ApprovalStep]] = relationship(
        back_populates="request", order_by="(ApprovalStep.round, ApprovalStep.position)", lazy="raise_on_sql"
    )
    events: Mapped[list[RequestEvent]] = relationship(order_by="RequestEvent.id", lazy="raise_on_sql")
    comments: Mapped[list[RequestComment]] = relationship(order_by="RequestComment.id", lazy="raise_on_sql")
    attachments: Mapped[list[RequestAttachment]] = relationship(order_by="RequestAttachment.id", lazy="raise_on_sql")

    @property
    def label(self) -> str:
        return self.number or f"Borrador {self.id}"

    def snapshot(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "state": self.state.value,
            "form": self.form.value,
            "action": self.action.value,
            "system": self.system_id,
            "beneficiary": self.beneficiary_name,
            "round": self.round,
        }


#: The queues and the API list in their default order ("recientes"), each behind its filter: a
#: page reads its rows in index order and stops, whatever the number of requests. PostgreSQL only
#: (SQLite, used by the unit tests, has no NULLS LAST in an index).
for _name, _filter in {
    "ix_access_requests_recent": (),
    "ix_access_requests_requester_recent": (AccessRequest.requester_id,),
    "ix_access_requests_dependency_recent": (AccessRequest.dependency_id,),
    "ix_access_requests_state_recent": (AccessRequest.state,),
    # the queues sorted by priority (``?orden=prioridad``), the newest first inside each priority
    "ix_access_requests_priority_recent": (AccessRequest.priority,),
}.items():
    Index(_name, *_filter, AccessRequest.filed_at.desc().nulls_last(), AccessRequest.id.desc()).ddl_if(dialect="postgresql")
#: The API's keyset orders where they differ from the page's: "antiguas" with the drafts (no
#: filing date) last, all of them and one requester's; "estado" then the newest id.
Index("ix_access_requests_oldest", AccessRequest.filed_at, AccessRequest.id)
Index("ix_access_requests_requester_oldest", AccessRequest.requester_id, AccessRequest.filed_at, AccessRequest.id)
Index("ix_access_requests_state_id", AccessRequest.state, AccessRequest.id.desc())
#: The approvers' queue ("por aprobar"): only the requests in approval, a small share of all of
#: them, in the default order; the page reads its rows in index order whatever the entity's history.
Index(
    "ix_access_requests_approval_recent",
    AccessRequest.filed_at.desc().nulls_last(),
    AccessRequest.id.desc(),
    postgresql_where=text("state IN ('radicada', 'en_aprobacion')"),
).ddl_if(dialect="postgresql")


class ApprovalStep(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "approval_steps"
    __table_args__ = (
        UniqueConstraint("request_id", "round", "position", name="uq_approval_steps_request_round_position"),
        CheckConstraint(
            "(state IN ('pendiente', 'anulado')) OR (decided_by_id IS NOT NULL AND decided_at IS NOT NULL)",
            name="decided_has_decider",
        ),
        CheckConstraint("(state NOT IN ('rechazado', 'devuelto')) OR (comment IS NOT NULL)", name="refusal_has_reason"),
        CheckConstraint("(NOT is_suplencia) OR (state IN ('aprobado', 'rechazado', 'devuelto'))", name="suplencia_is_a_decision"),
        Index("ix_approval_steps_pending", "state", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("access_requests.id"), index=True)
    round: Mapped[int] = mapped_column(default=1)
    position: Mapped[int]
    kind: Mapped[StepKind] = mapped_column(enum_column(StepKind, "step_kind"))
    state: Mapped[StepState] = mapped_column(enum_column(StepState, "step_state"), default=StepState.PENDIENTE)
    #: who clicked; for a delegate, the delegate
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: for a delegated decision, the approver the delegate acted for
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    comment: Mapped[str | None] = mapped_column(Text)
    #: when the step became the current one (its approver's clock starts)
    started_at: Mapped[datetime | None]
    #: decided by the secretario because every holder of the step was excluded (not an exception)
    is_suplencia: Mapped[bool] = mapped_column(default=False, server_default=false())

    request: Mapped[AccessRequest] = relationship(back_populates="steps", lazy="raise_on_sql")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id], lazy="joined")
    on_behalf_of: Mapped[User | None] = relationship(foreign_keys=[on_behalf_of_id], lazy="joined")


class Delegation(db.Model):  # type: ignore[name-defined,misc]
    """An approver hands the steps of one kind to an eligible delegate for a date range (SPEC §3)."""

    __tablename__ = "delegations"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="range_ordered"),
        CheckConstraint("delegator_id <> delegate_id", name="not_self"),
        CheckConstraint("(revoked_at IS NULL) OR (revoke_reason IS NOT NULL)", name="revoked_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delegator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: the kind of step delegated: a delegation covers one kind (SPEC §3)
    step_kind: Mapped[StepKind] = mapped_column(enum_column(StepKind, "step_kind"))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: ended early (by the delegator or an admin, or by the migration that introduced the rules)
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoke_reason: Mapped[str | None] = mapped_column(String(300))

    delegator: Mapped[User] = relationship(foreign_keys=[delegator_id], lazy="joined")
    delegate: Mapped[User] = relationship(foreign_keys=[delegate_id], lazy="joined")
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id], lazy="joined")


class RequestEvent(TimelineEvent, db.Model):  # type: ignore[name-defined,misc]
    """The request's timeline: every transition and decision, who made it, on whose behalf."""

    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("access_requests.id"), index=True)
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    on_behalf_of: Mapped[User | None] = relationship(foreign_keys=[on_behalf_of_id], lazy="joined")


class RequestComment(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "request_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("access_requests.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    #: internal notes are visible to staff only, never to the requester's side
    is_internal: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship(lazy="joined")


class RequestAttachment(StoredFile, db.Model):  # type: ignore[name-defined,misc]
    """The signed form scan and other supports: PDF or image, checked by content, at most 10 MB."""

    __tablename__ = "request_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("access_requests.id"), index=True)
