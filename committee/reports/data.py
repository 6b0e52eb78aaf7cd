"""The report of a period as data: sessions held, decisions, initiatives, commitments and the ANS
figures, counted by the database in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.orm import aliased

from catalog.models import Enabler, Initiative, InitiativeEnabler, InitiativeEvent, InitiativeState
from committee.commitments.models import Commitment, CommitmentState
from committee.documents import short_date
from committee.models import AgendaItem, CommitteeMember, CommitteeSession, SessionKind, SessionState
from committee.reports.period import Period
from committee.room.models import AttendanceKind, ItemDecision, ItemOutcome, NoDecisionReason, SessionAttendance
from portal.clock import local_date
from portal.db import DbSession, utcnow
from portal.models import Dependency, User
from sla.models import SlaMetric
from sla.reports.assembly import AnsReport, build_report
from sla.reports.queries import ReportFilters, Stats

REPORT_TITLE = "Informe cuatrimestral del comité"
PLACEHOLDER_WARNING = "Algunas metas de ANS son valores provisionales del sistema, no las del Manual ANS de la entidad."


@dataclass(frozen=True)
class SessionRow:
    session_id: int
    label: str
    kind: SessionKind
    day: date
    opened_at: datetime | None
    closed_at: datetime
    place: str
    #: members who attended, in person or by delegate, with or without vote
    members_present: int
    #: voting members in the room when the session closed (not everyone who ever came in)
    voting_present: int
    #: from the decisions of the session (the count frozen at the vote), else the current voting seats
    voting_members: int
    guests: int

    @property
    def has_quorum(self) -> bool:
        """More than half of the voting members present when the session closed (SPEC §6)."""
        return self.voting_present > self.voting_members / 2


@dataclass(frozen=True)
class DecisionRow:
    session_label: str
    day: date
    position: int
    title: str
    initiative_code: str | None
    initiative_title: str | None
    voting_members: int
    present_voting: int
    votes_for: int
    votes_against: int
    abstentions: int
    not_voted: int
    outcome: ItemOutcome
    casting_decision: ItemOutcome | None
    casting_by: str | None
    casting_note: str | None
    no_decision_reason: NoDecisionReason | None = None

    @property
    def final_outcome(self) -> ItemOutcome:
        if self.no_decision_reason is NoDecisionReason.EMPATE_NO_DIRIMIDO:
            return ItemOutcome.SIN_DECISION
        return self.casting_decision or self.outcome

    @property
    def counts_text(self) -> str:
        return f"A favor {self.votes_for} · En contra {self.votes_against} · Abstención {self.abstentions}"

    @property
    def casting_text(self) -> str | None:
        """The casting decision with its reason, or why there was no decision."""
        if self.no_decision_reason is not None:
            return f"Sin decisión: {self.no_decision_reason.label}."
        if self.casting_decision is None:
            return None
        text = f"Empate dirimido por {self.casting_by or 'el presidente'}: {self.casting_decision.label.lower()}."
        return f"{text} {self.casting_note}" if self.casting_note else text


@dataclass(frozen=True)
class DecidedInitiative:
    code: str
    title: str
    dependency: str
    decision: InitiativeState
    decided_at: datetime


@dataclass(frozen=True)
class CommitmentRow:
    session_label: str
    description: str
    responsible: str
    due_date: date
    #: the state at the cut-off (a commitment met after it still counts as pending here)
    state: CommitmentState
    is_overdue: bool
    closed_at: datetime | None


@dataclass(frozen=True)
class CommitmentCounts:
    total: int
    met: int
    #: pending at the cut-off, overdue ones included
    pending: int
    overdue: int
    cancelled: int


@dataclass(frozen=True)
class AnsFigures:
    """The ANS figures of the period, taken from ``sla.reports.build_report``."""

    summary: dict[SlaMetric, Stats]
    #: (form label, {metric: stats})
    by_form: list[tuple[str, dict[SlaMetric, Stats]]]
    exceptions: int
    uses_placeholders: bool

    @property
    def measured(self) -> int:
        return sum(s.total for s in self.summary.values())

    @property
    def within_target(self) -> int:
        return sum(s.met for s in self.summary.values())

    @property
    def breaches(self) -> int:
        return self.measured - self.within_target

    @property
    def compliance_percent(self) -> float | None:
        """Every measured timer of the period (atención, solución and approval steps) together."""
        return round(100 * self.within_target / self.measured, 1) if self.measured else None

    @classmethod
    def from_report(cls, report: AnsReport) -> AnsFigures:
        def ordered(stats: dict[SlaMetric, Stats]) -> dict[SlaMetric, Stats]:
            return {metric: stats[metric] for metric in SlaMetric if metric in stats}

        return cls(
            summary=ordered(report.summary),
            by_form=[(row.label, ordered(row.stats)) for row in report.by_form],
            exceptions=report.exception_count,
            uses_placeholders=report.uses_placeholders,
        )


@dataclass(frozen=True)
class MayorReport:
    period: Period
    generated_at: datetime
    #: commitments are judged as they stood at this instant: the end of the period, or now if earlier
    cutoff_at: datetime
    sessions: list[SessionRow]
    decisions: list[DecisionRow]
    initiatives_by_state: list[tuple[InitiativeState, int]]
    initiatives_by_enabler: list[tuple[Enabler, int]]
    decided: list[DecidedInitiative]
    commitments: list[CommitmentRow]
    ans: AnsFigures

    @property
    def cutoff_day(self) -> date:
        """The first local day not covered: a commitment due before it and still pending is overdue."""
        return local_date(self.cutoff_at)

    @property
    def cutoff_text(self) -> str:
        """The last day covered, as printed."""
        return short_date(local_date(self.cutoff_at - timedelta(microseconds=1)))

    @property
    def initiatives_total(self) -> int:
        return sum(n for _, n in self.initiatives_by_state)

    @property
    def commitment_counts(self) -> CommitmentCounts:
        states = [c.state for c in self.commitments]
        return CommitmentCounts(
            total=len(states),
            met=states.count(CommitmentState.CUMPLIDO),
            pending=states.count(CommitmentState.PENDIENTE),
            overdue=sum(c.is_overdue for c in self.commitments),
            cancelled=states.count(CommitmentState.CANCELADO),
        )


def _session_label(kind: SessionKind, number: int, year: int) -> str:
    return f"Sesión {kind.label.lower()} N.º {number} de {year}"


def build_mayor_report(session: DbSession, period: Period, *, now: datetime | None = None) -> MayorReport:
    """The report of ``period`` as known at ``now`` (default: the current instant), in eight queries
    plus the ANS report's.

    A session counts when it was held (``realizada``) and closed within the period; its decisions
    and commitments come with it. Initiatives by state and by habilitador are today's counts; the
    initiatives decided in the period are the committee's decisions recorded in it. A commitment
    is judged at the cut-off (the period's end, or ``now`` if earlier): met or cancelled if it was
    closed by then, else pending, and overdue when its due date passed before the cut-off day.
    """
    now = now or utcnow()
    cutoff_at = min(period.end_at, now)
    sessions, decisions = _sessions_and_decisions(session, period)
    labels = {s.session_id: s.label for s in sessions}
    by_state = dict(session.execute(select(Initiative.state, func.count()).group_by(Initiative.state)).tuples().all())
    by_enabler = dict(
        session.execute(select(InitiativeEnabler.enabler, func.count()).group_by(InitiativeEnabler.enabler)).tuples().all()
    )
    return MayorReport(
        period=period,
        generated_at=now,
        cutoff_at=cutoff_at,
        sessions=sessions,
        decisions=decisions,
        initiatives_by_state=[(state, int(by_state.get(state, 0))) for state in InitiativeState],
        initiatives_by_enabler=[(enabler, int(by_enabler.get(enabler, 0))) for enabler in Enabler],
        decided=_decided_initiatives(session, period),
        commitments=_commitments(session, labels, cutoff_at),
        ans=AnsFigures.from_report(build_report(session, ReportFilters(period.start, period.end), now)),
    )


def _sessions_and_decisions(session: DbSession, period: Period) -> tuple[list[SessionRow], list[DecisionRow]]:
    """The sessions closed in the period with their attendance counted in SQL, and their decisions."""
    held = session.execute(
        select(
            CommitteeSession.id,
            CommitteeSession.kind,
            CommitteeSession.number,
            CommitteeSession.year,
            CommitteeSession.starts_at,
            CommitteeSession.opened_at,
            CommitteeSession.closed_at,
            CommitteeSession.place,
            CommitteeSession.virtual_link,
        )
        .where(
            CommitteeSession.state == SessionState.REALIZADA,
            CommitteeSession.closed_at >= period.start_at,
            CommitteeSession.closed_at < period.end_at,
        )
        .order_by(CommitteeSession.closed_at, CommitteeSession.id)
    ).all()
    ids = [row.id for row in held]
    labels = {row.id: _session_label(row.kind, row.number, row.year) for row in held}
    days = {row.id: local_date(row.starts_at) for row in held}

    attendance = {
        row[0]: row[1:]
        for row in session.execute(
            select(
                SessionAttendance.session_id,
                func.count(distinct(SessionAttendance.member_id)),
                func.count(
                    distinct(
                        case(
                            (
                                and_(CommitteeMember.is_voting.is_(True), SessionAttendance.left_at.is_(None)),
                                SessionAttendance.member_id,
                            )
                        )
                    )
                ),
                func.count(case((SessionAttendance.kind == AttendanceKind.INVITADO, SessionAttendance.id))),
            )
            .outerjoin(CommitteeMember, CommitteeMember.id == SessionAttendance.member_id)
            .where(SessionAttendance.session_id.in_(ids))
            .group_by(SessionAttendance.session_id)
        ).tuples()
    }
    voting_seats = session.execute(
        select(func.count(CommitteeMember.id)).where(CommitteeMember.is_voting.is_(True), CommitteeMember.is_active.is_(True))
    ).scalar_one()

    casting_user = aliased(User)
    decision_rows = session.execute(
        select(
            AgendaItem.session_id,
            AgendaItem.position,
            AgendaItem.title,
            Initiative.code,
            Initiative.title,
            ItemDecision.voting_members,
            ItemDecision.present_voting,
            ItemDecision.votes_for,
            ItemDecision.votes_against,
            ItemDecision.abstentions,
            ItemDecision.not_voted,
            ItemDecision.outcome,
            ItemDecision.casting_decision,
            casting_user.full_name,
            ItemDecision.casting_note,
            ItemDecision.no_decision_reason,
        )
        .join(AgendaItem, AgendaItem.id == ItemDecision.item_id)
        .outerjoin(Initiative, Initiative.id == AgendaItem.initiative_id)
        .outerjoin(casting_user, casting_user.id == ItemDecision.casting_by_id)
        .where(AgendaItem.session_id.in_(ids))
    ).all()
    order = {session_id: index for index, session_id in enumerate(ids)}
    decisions = [DecisionRow(labels[r[0]], days[r[0]], *r[1:]) for r in sorted(decision_rows, key=lambda r: (order[r[0]], r[1]))]
    #: the voting seats counted at the session's votes, which may differ from today's
    frozen_seats: dict[int, int] = {}
    for r in decision_rows:
        frozen_seats[r[0]] = max(frozen_seats.get(r[0], 0), r[5])

    sessions = []
    for row in held:
        members_present, voting_present, guests = attendance.get(row.id, (0, 0, 0))
        sessions.append(
            SessionRow(
                session_id=row.id,
                label=labels[row.id],
                kind=row.kind,
                day=days[row.id],
                opened_at=row.opened_at,
                closed_at=row.closed_at,
                place=row.place or row.virtual_link or "",
                members_present=int(members_present),
                voting_present=int(voting_present),
                voting_members=frozen_seats.get(row.id, int(voting_seats)),
                guests=int(guests),
            )
        )
    return sessions, decisions


def _decided_initiatives(session: DbSession, period: Period) -> list[DecidedInitiative]:
    """The committee's decisions on initiatives recorded in the period (their timeline events)."""
    rows = session.execute(
        select(InitiativeEvent.at, InitiativeEvent.to_state, Initiative.code, Initiative.title, Dependency.name)
        .join(Initiative, Initiative.id == InitiativeEvent.initiative_id)
        .join(Dependency, Dependency.id == Initiative.dependency_id)
        .where(
            InitiativeEvent.kind == "decision_comite",
            InitiativeEvent.at >= period.start_at,
            InitiativeEvent.at < period.end_at,
        )
        .order_by(InitiativeEvent.at, InitiativeEvent.id)
    ).tuples()
    return [
        DecidedInitiative(code, title, dependency, InitiativeState(to_state), at)
        for at, to_state, code, title, dependency in rows
        if to_state is not None
    ]


def _commitments(session: DbSession, labels: dict[int, str], cutoff_at: datetime) -> list[CommitmentRow]:
    """The commitments made in the sessions of ``labels``, each in the state it had at the cut-off."""
    cutoff_day = local_date(cutoff_at)
    commitments = []
    for session_id, description, responsible, due_date, state, closed_at in session.execute(
        select(
            Commitment.session_id,
            Commitment.description,
            Commitment.responsible_name,
            Commitment.due_date,
            Commitment.state,
            Commitment.closed_at,
        )
        .where(Commitment.session_id.in_(list(labels)))
        .order_by(Commitment.due_date, Commitment.id)
    ).tuples():
        closed_by_cutoff = closed_at is not None and closed_at < cutoff_at
        as_of = state if closed_by_cutoff else CommitmentState.PENDIENTE
        commitments.append(
            CommitmentRow(
                session_label=labels[session_id],
                description=description,
                responsible=responsible,
                due_date=due_date,
                state=as_of,
                is_overdue=as_of is CommitmentState.PENDIENTE and due_date < cutoff_day,
                closed_at=closed_at if closed_by_cutoff else None,
            )
        )
    return commitments
