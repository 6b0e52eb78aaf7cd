"""What the acta's workflow, body and page share: the rules' defaults, the lock and the audit trail, who
signs (SPEC §6, seed Mesa §4 and §6) and the commitments of a session as the acta lists them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select

from committee.actas.content import CommitmentEntry
from committee.actas.models import ActaState, CommitteeActa
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


def acta_title(committee_session: CommitteeSession) -> str:
    """ "Acta n.º 2 de 2026": the acta takes the number of its session in the year."""
    return f"Acta n.º {committee_session.number} de {committee_session.year}"


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


def signatory_members(
    session: DbSession, committee_session: CommitteeSession, attendance: Sequence[SessionAttendance] | None = None
) -> list[CommitteeMember]:
    """Who signs the acta: every member who attended in person (delegates do not sign for the
    member they stood for), plus the technical secretariat (SPEC §6, seed Mesa §4 and §6)."""
    rows = _attendance(session, committee_session) if attendance is None else attendance
    found = {a.member.id: a.member for a in rows if a.kind is AttendanceKind.INTEGRANTE and a.member is not None}
    for member in _secretariat_members(session):
        found.setdefault(member.id, member)
    return sorted(found.values(), key=_member_rank)


def approving_members(signatories: Iterable[CommitteeMember]) -> list[CommitteeMember]:
    """Whose approvals make an express approval: the signatories but the secretariat that wrote it."""
    return [m for m in signatories if not m.is_technical_secretariat]


def _ask_signatures(session: DbSession, acta: CommitteeActa, signatories: Iterable[CommitteeMember], how: str) -> int:
    committee_session = acta.session
    return notify(
        session,
        [m.user for m in signatories],
        subject=f"{acta_title(committee_session)} aprobada: firma pendiente",
        heading=f"El acta de la {committee_session.label} quedó aprobada ({how}).",
        message="Como integrante que asistió a la sesión, o como secretaría técnica, suscriba el acta en el portal.",
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
