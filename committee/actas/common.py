"""What the acta's workflow, body and page share: the rules' defaults, the lock and the audit trail,
writing a version, who signs (SPEC §6, seed Mesa §4 and §6) and the commitments of a session as the
acta lists them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from committee.actas.content import CommitmentEntry, body_digest
from committee.actas.models import ActaState, ActaVersion, ActaVersionKind, CommitteeActa
from committee.commitments.models import Commitment
from committee.deadlines import acta_path, notify
from committee.models import CommitteeMember, CommitteeSession
from committee.room.models import AttendanceKind, SessionAttendance
from committee.sessions.common import CommitteeContext
from config.committee import CommitteeRules
from portal.audit import record_event
from portal.db import DbSession
from portal.errors import NotAllowed, WrongState
from portal.models import User
from portal.roles import Role

#: the rules of the seeds (both shipped profiles use them) when the caller gives no context
DEFAULT_CONTEXT = CommitteeContext(committee_name="Comité", entity_name="", email_domain="", rules=CommitteeRules())
MAX_TEXT = 20_000
MIN_OBSERVATION = 10
#: what an acta still being worked on may hold: a draft, or one whose final version is due
EDITABLE_STATES = frozenset({ActaState.BORRADOR, ActaState.CON_OBSERVACIONES})
ANSWERABLE_STATES = frozenset({ActaState.ENVIADA, ActaState.CON_OBSERVACIONES})


def acta_title(acta: CommitteeActa) -> str:
    """ "Acta N.º 2 de 2026": consecutive per year in the order actas are created."""
    return acta.title


def require_secretariat(actor: User) -> None:
    if not actor.has_role(Role.SECRETARIA_TECNICA):
        raise NotAllowed("Las actas las elabora, envía y ajusta la secretaría técnica del comité.")


def lock_acta(session: DbSession, acta_id: int) -> CommitteeActa:
    acta = session.execute(
        select(CommitteeActa)
        .where(CommitteeActa.id == acta_id)
        .with_for_update(of=CommitteeActa)
        .execution_options(populate_existing=True)
    ).scalar()
    if acta is None:
        raise WrongState("El acta no existe.")
    return acta


def acta_for_session(session: DbSession, session_id: int) -> CommitteeActa | None:
    return session.execute(select(CommitteeActa).where(CommitteeActa.session_id == session_id)).scalar()


def previous_acta(session: DbSession, committee_session: CommitteeSession) -> CommitteeActa | None:
    """The acta read at the fixed item "Lectura y aprobación del acta anterior": the last one created
    for a session that started before this one."""
    return session.execute(
        select(CommitteeActa)
        .join(CommitteeSession, CommitteeSession.id == CommitteeActa.session_id)
        .where(CommitteeSession.id != committee_session.id, CommitteeSession.starts_at < committee_session.starts_at)
        .order_by(CommitteeActa.created_at.desc(), CommitteeActa.id.desc())
        .limit(1)
    ).scalar()


def audit_acta(
    session: DbSession, acta: CommitteeActa, actor: User | None, action: str, before: dict[str, Any] | None, **extra: Any
) -> None:
    record_event(
        session,
        actor=actor,
        action=f"acta.{action}",
        object_type="acta_comite",
        object_id=acta.id,
        before=before,
        after=acta.snapshot() | extra,
    )


def _wrong_state(acta: CommitteeActa, what: str) -> WrongState:
    return WrongState(f"El acta está {acta.state.label.lower()}: no se puede {what}.")


def _member_rank(member: CommitteeMember) -> tuple[bool, bool, bool, int]:
    """The order of ``active_members``: the chair, the voting members, the others, the secretariat."""
    return (not member.is_chair, not member.is_voting, member.is_technical_secretariat, member.id)


# ---------------------------------------------------------------- versions


def current_version(session: DbSession, acta: CommitteeActa) -> ActaVersion:
    return session.execute(
        select(ActaVersion).where(ActaVersion.acta_id == acta.id, ActaVersion.number == acta.current_version)
    ).scalar_one()


def write_version(
    session: DbSession,
    acta: CommitteeActa,
    *,
    actor: User | None,
    kind: ActaVersionKind,
    body: dict[str, Any],
    note: str | None,
    now: datetime,
) -> ActaVersion:
    """The next version of the acta (versions are never changed), with the SHA-256 of its body;
    ``actor`` None when the portal writes it (an express or tacit approval)."""
    version = ActaVersion(
        acta_id=acta.id,
        number=acta.current_version + 1,
        kind=kind,
        body=body,
        sha256=body_digest(body),
        note=(note or "").strip() or None,
        created_by_id=actor.id if actor is not None else None,
        created_at=now,
    )
    session.add(version)
    acta.current_version = version.number
    acta.updated_at = now
    session.flush()
    return version


# ---------------------------------------------------------------- who signs


def _attendance(session: DbSession, committee_session: CommitteeSession) -> list[SessionAttendance]:
    return list(
        session.execute(
            select(SessionAttendance)
            .where(SessionAttendance.session_id == committee_session.id)
            .order_by(SessionAttendance.arrived_at, SessionAttendance.id)
        )
        .scalars()
        .unique()
    )


def _secretariat_members(session: DbSession) -> list[CommitteeMember]:
    return list(
        session.execute(
            select(CommitteeMember)
            .where(CommitteeMember.is_technical_secretariat.is_(True), CommitteeMember.is_active.is_(True))
            .order_by(CommitteeMember.id)
        ).scalars()
    )


@dataclass(frozen=True)
class Signatory:
    """A seat that signs the acta, and who signs in it: the member who attended in person (or the
    secretariat), or the delegate who attended for the member."""

    member: CommitteeMember
    #: the delegate's attendance when the member was represented
    delegate: SessionAttendance | None = None

    @property
    def name(self) -> str:
        return self.delegate.name if self.delegate is not None else self.member.user.full_name

    @property
    def position(self) -> str:
        if self.delegate is None:
            return self.member.position
        return f"{self.delegate.position or 'Delegado'}, en representación de {self.represents}"

    @property
    def represents(self) -> str | None:
        if self.delegate is None:
            return None
        return f"{self.member.user.full_name} ({self.member.position})"

    @property
    def signer(self) -> User:
        """Who signs in the portal: the delegate with an account, else the member."""
        if self.delegate is not None and self.delegate.user is not None:
            return self.delegate.user
        return self.member.user

    def may_sign(self, user: User) -> bool:
        return self.signer.id == user.id


def signatories(
    session: DbSession, committee_session: CommitteeSession, attendance: Sequence[SessionAttendance] | None = None
) -> list[Signatory]:
    """Who signs the acta (seed Mesa §4: "suscribir las actas de cada sesión"): every member who
    attended in person, the delegate of every member represented (who signs in its place: with its
    portal account, or else the member signs), and the technical secretariat (seed Mesa §6)."""
    rows = _attendance(session, committee_session) if attendance is None else attendance
    found: dict[int, Signatory] = {}
    for a in rows:
        if a.member is None:
            continue
        if a.kind is AttendanceKind.INTEGRANTE:
            found[a.member.id] = Signatory(a.member)
        elif a.kind is AttendanceKind.DELEGADO:
            found[a.member.id] = Signatory(a.member, a)
    for member in _secretariat_members(session):
        found.setdefault(member.id, Signatory(member))
    return sorted(found.values(), key=lambda s: _member_rank(s.member))


def signatory_members(
    session: DbSession, committee_session: CommitteeSession, attendance: Sequence[SessionAttendance] | None = None
) -> list[CommitteeMember]:
    """The seats that sign the acta (see ``signatories``)."""
    return [s.member for s in signatories(session, committee_session, attendance)]


def approving_members(found: Iterable[Signatory]) -> list[CommitteeMember]:
    """Whose approvals make an express approval: the members who attended in person, but the
    secretariat that wrote it (a represented member answers the draft, but is not required to)."""
    return [s.member for s in found if s.delegate is None and not s.member.is_technical_secretariat]


def _ask_signatures(session: DbSession, acta: CommitteeActa, found: Iterable[Signatory], how: str) -> int:
    committee_session = acta.session
    return notify(
        session,
        [s.signer for s in found],
        subject=f"{acta_title(acta)} aprobada: firma pendiente",
        heading=f"El {acta_title(acta)} de la {committee_session.label} quedó aprobada ({how}).",
        message=(
            "Como integrante que asistió a la sesión, delegado de un integrante o secretaría técnica, suscriba "
            "la versión aprobada del acta en el portal."
        ),
        path=acta_path(acta.id),
    )


# ---------------------------------------------------------------- the commitments, as the acta lists them


def _commitment_entries(session: DbSession, committee_session: CommitteeSession) -> list[CommitmentEntry]:
    found = session.execute(
        select(Commitment).where(Commitment.session_id == committee_session.id).order_by(Commitment.id)
    ).scalars()
    return [
        {
            "description": c.description,
            "responsible": c.responsible_name,
            "due_date": c.due_date.isoformat(),
            "state": c.state.value,
            "session": committee_session.label,
        }
        for c in found
    ]
