"""The committee's report to the head of the entity every four months (SPEC §6: January–April,
May–August, September–December): sessions held, decisions, initiatives by state and by
habilitador, commitments and the ANS figures of the period; as PDF, XLSX and JSON.

Everything is counted by the database (GROUP BY) or read as plain columns, in a fixed number of
queries whatever the size of the period. Periods are local (Bogotá) dates; a session belongs to
the period in which it was closed.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import aliased

from catalog.documents import MAYOR_REPORT_DOCUMENT, CommitteePdf, document_code, local_time, short_date
from catalog.meeting_models import AttendanceKind, Commitment, CommitmentState, ItemDecision, ItemOutcome, SessionAttendance
from catalog.models import (
    AgendaItem,
    CommitteeMember,
    CommitteeSession,
    Enabler,
    Initiative,
    InitiativeEnabler,
    InitiativeEvent,
    InitiativeState,
    SessionKind,
    SessionState,
)
from config.profiles import Profile
from portal.clock import BOGOTA, local_date
from portal.db import DbSession, utcnow
from portal.errors import ValidationFailed
from portal.models import Dependency, User
from sla.models import SlaMetric
from sla.reports import MONTHS, AnsReport, ReportFilters, Stats, build_report

REPORT_TITLE = "Informe cuatrimestral del comité"
REPORT_VERSION = "01"
#: to whom the report goes, by profile (SPEC §6: "report to the mayor"); the entity's head otherwise
ADDRESSEES = {
    "valle": "Despacho del Gobernador del Valle del Cauca",
    "cartagena": "Despacho del Alcalde Mayor de Cartagena de Indias",
}
DEFAULT_ADDRESSEE = "Despacho del representante legal de la entidad"
PERIODS_PER_YEAR = 3
MONTHS_PER_PERIOD = 4
MIN_YEAR, MAX_YEAR = 2000, 2100
_PERIOD_RE = re.compile(r"^\s*(\d{4})-(?:C)?([1-3])\s*$", re.IGNORECASE)


# ---------------------------------------------------------------- periods


@dataclass(frozen=True, order=True)
class Period:
    """A four-month period (cuatrimestre) of a year: 1 = enero–abril, 2 = mayo–agosto, 3 = septiembre–diciembre."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= PERIODS_PER_YEAR:
            raise ValidationFailed("El periodo no es válido.", fields={"periodo": ["El cuatrimestre es 1, 2 o 3."]})
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise ValidationFailed("El periodo no es válido.", fields={"periodo": [f"El año va de {MIN_YEAR} a {MAX_YEAR}."]})

    @classmethod
    def parse(cls, text: str | None) -> Period:
        """``2026-1`` (or ``2026-C1``) → the first period of 2026."""
        match = _PERIOD_RE.match(text or "")
        if match is None:
            raise ValidationFailed(
                "El periodo no es válido.", fields={"periodo": ["Use AAAA-N, con N = 1, 2 o 3 (por ejemplo 2026-1)."]}
            )
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def key(self) -> str:
        return f"{self.year}-{self.number}"

    @property
    def first_month(self) -> int:
        return MONTHS_PER_PERIOD * (self.number - 1) + 1

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        """The last day of the period (included)."""
        if self.number == PERIODS_PER_YEAR:
            return date(self.year, 12, 31)
        return date(self.year, self.first_month + MONTHS_PER_PERIOD, 1) - timedelta(days=1)

    @property
    def start_at(self) -> datetime:
        """Local midnight of the first day, in UTC."""
        return datetime.combine(self.start, time(0), BOGOTA).astimezone(UTC)

    @property
    def end_at(self) -> datetime:
        """The first instant after the period (local midnight after its last day), in UTC."""
        return datetime.combine(self.end + timedelta(days=1), time(0), BOGOTA).astimezone(UTC)

    @property
    def label(self) -> str:
        """``enero–abril de 2026``."""
        last = self.first_month + MONTHS_PER_PERIOD - 1
        return f"{MONTHS[self.first_month - 1]}–{MONTHS[last - 1]} de {self.year}"

    def previous(self) -> Period:
        return Period(self.year - 1, PERIODS_PER_YEAR) if self.number == 1 else Period(self.year, self.number - 1)

    def contains(self, instant: datetime) -> bool:
        return self.start_at <= instant < self.end_at


def period_of(day: date) -> Period:
    """The period a local date falls in (30 April → 2026-1; 1 May → 2026-2)."""
    return Period(day.year, (day.month - 1) // MONTHS_PER_PERIOD + 1)


# ---------------------------------------------------------------- the report


@dataclass(frozen=True)
class SessionRow:
    session_id: int
    label: str
    kind: SessionKind
    day: date
    opened_at: datetime | None
    closed_at: datetime
    place: str
    #: members in the room, in person or by delegate, with or without vote
    members_present: int
    voting_present: int
    #: from the decisions of the session (the count frozen at the vote), else the current voting seats
    voting_members: int
    guests: int

    @property
    def has_quorum(self) -> bool:
        """More than half of the voting members present (SPEC §6)."""
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

    @property
    def final_outcome(self) -> ItemOutcome:
        return self.casting_decision or self.outcome

    @property
    def counts_text(self) -> str:
        return f"A favor {self.votes_for} · En contra {self.votes_against} · Abstención {self.abstentions}"

    @property
    def casting_text(self) -> str | None:
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
                func.count(distinct(case((CommitteeMember.is_voting.is_(True), SessionAttendance.member_id)))),
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


def _addressee(profile: Profile) -> str:
    return ADDRESSEES.get(profile.code, DEFAULT_ADDRESSEE)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} %".replace(".", ",")


def _stats_dict(stats: Stats) -> dict[str, Any]:
    return {"measured": stats.total, "within_target": stats.met, "compliance_percent": stats.percent, "breaches": stats.breached}


def mayor_report_dict(report: MayorReport) -> dict[str, Any]:
    """The report for the JSON API: ISO dates and instants, enum values with their labels."""
    counts = report.commitment_counts
    return {
        "period": {
            "key": report.period.key,
            "year": report.period.year,
            "number": report.period.number,
            "label": report.period.label,
            "from": report.period.start.isoformat(),
            "to": report.period.end.isoformat(),
        },
        "generated_at": report.generated_at.isoformat(),
        "cutoff_at": report.cutoff_at.isoformat(),
        "sessions": [
            {
                "id": s.session_id,
                "label": s.label,
                "kind": s.kind.value,
                "date": s.day.isoformat(),
                "opened_at": s.opened_at.isoformat() if s.opened_at else None,
                "closed_at": s.closed_at.isoformat(),
                "place": s.place,
                "members_present": s.members_present,
                "voting_present": s.voting_present,
                "voting_members": s.voting_members,
                "guests": s.guests,
                "has_quorum": s.has_quorum,
            }
            for s in report.sessions
        ],
        "decisions": [
            {
                "session": d.session_label,
                "date": d.day.isoformat(),
                "position": d.position,
                "title": d.title,
                "initiative_code": d.initiative_code,
                "initiative_title": d.initiative_title,
                "voting_members": d.voting_members,
                "present_voting": d.present_voting,
                "votes": {
                    "a_favor": d.votes_for,
                    "en_contra": d.votes_against,
                    "abstencion": d.abstentions,
                    "sin_voto": d.not_voted,
                },
                "outcome": d.outcome.value,
                "final_outcome": d.final_outcome.value,
                "casting": d.casting_text,
            }
            for d in report.decisions
        ],
        "initiatives": {
            "total": report.initiatives_total,
            "by_state": [{"state": s.value, "label": s.label, "count": n} for s, n in report.initiatives_by_state],
            "by_enabler": [{"enabler": e.value, "label": e.label, "count": n} for e, n in report.initiatives_by_enabler],
            "decided": [
                {
                    "code": d.code,
                    "title": d.title,
                    "dependency": d.dependency,
                    "decision": d.decision.value,
                    "decided_at": d.decided_at.isoformat(),
                }
                for d in report.decided
            ],
        },
        "commitments": {
            "total": counts.total,
            "met": counts.met,
            "pending": counts.pending,
            "overdue": counts.overdue,
            "cancelled": counts.cancelled,
            "items": [
                {
                    "session": c.session_label,
                    "description": c.description,
                    "responsible": c.responsible,
                    "due_date": c.due_date.isoformat(),
                    "state": c.state.value,
                    "is_overdue": c.is_overdue,
                }
                for c in report.commitments
            ],
        },
        "ans": {
            "compliance_percent": report.ans.compliance_percent,
            "measured": report.ans.measured,
            "within_target": report.ans.within_target,
            "breaches": report.ans.breaches,
            "exceptions": report.ans.exceptions,
            "uses_placeholder_targets": report.ans.uses_placeholders,
            "by_metric": {m.value: _stats_dict(s) for m, s in report.ans.summary.items()},
            "by_form": [
                {"form": label, "metrics": {m.value: _stats_dict(s) for m, s in stats.items()}}
                for label, stats in report.ans.by_form
            ],
        },
    }


# ---------------------------------------------------------------- PDF

PLACEHOLDER_WARNING = "Algunas metas de ANS son valores provisionales del sistema, no las del Manual ANS de la entidad."


def render_mayor_report_pdf(report: MayorReport, *, profile: Profile) -> bytes:
    """The report as a PDF with the institutional header and one section per subject."""
    pdf = CommitteePdf(
        entity=profile.entity_name,
        office=profile.it_office_name,
        title=f"{REPORT_TITLE.upper()} · {report.period.label.upper()}",
        code=document_code(profile, MAYOR_REPORT_DOCUMENT),
        version=REPORT_VERSION,
        date_text=short_date(local_date(report.generated_at)),
    )
    pdf.add_page()
    period = report.period
    pdf.pairs(
        [
            ("Dirigido a", _addressee(profile)),
            ("Comité", profile.committee_name),
            ("Periodo", f"{period.label} ({short_date(period.start)} a {short_date(period.end)})"),
            ("Corte", report.cutoff_text),
        ]
    )
    pdf.ln(3)

    pdf.section(f"1. Sesiones realizadas: {len(report.sessions)}")
    if report.sessions:
        pdf.grid(
            ["Fecha", "Sesión", "Tipo", "Integrantes presentes", "Con voto presentes", "Invitados", "Quórum"],
            [
                [
                    short_date(s.day),
                    s.label,
                    s.kind.label,
                    str(s.members_present),
                    f"{s.voting_present} de {s.voting_members}",
                    str(s.guests),
                    "Sí" if s.has_quorum else "No",
                ]
                for s in report.sessions
            ],
            [20, 56, 24, 24, 24, 18, 20],
        )
    else:
        pdf.paragraph("El comité no sesionó en el periodo.")
        pdf.ln(2)

    pdf.section(f"2. Decisiones: {len(report.decisions)}")
    if report.decisions:
        pdf.grid(
            ["Sesión", "Punto", "Votación", "Resultado", "Decisión"],
            [
                [
                    f"{d.session_label} ({short_date(d.day)})",
                    d.title,
                    f"{d.counts_text} (de {d.present_voting} presentes con voto)",
                    d.outcome.label,
                    d.casting_text or d.final_outcome.label,
                ]
                for d in report.decisions
            ],
            [34, 52, 42, 20, 38],
        )
    else:
        pdf.paragraph("No se votaron decisiones en el periodo.")
        pdf.ln(2)

    pdf.section(f"3. Iniciativas del catálogo: {report.initiatives_total}")
    pdf.grid(["Estado", "Iniciativas"], [[s.label, str(n)] for s, n in report.initiatives_by_state], [70, 30])
    pdf.grid(
        ["Habilitador de Gobierno Digital", "Iniciativas"],
        [[e.label, str(n)] for e, n in report.initiatives_by_enabler],
        [90, 30],
    )
    pdf.paragraph(f"Iniciativas decididas por el comité en el periodo: {len(report.decided)}", style="B")
    if report.decided:
        pdf.grid(
            ["Código", "Iniciativa", "Dependencia", "Decisión", "Fecha"],
            [[d.code, d.title, d.dependency, d.decision.label, short_date(local_date(d.decided_at))] for d in report.decided],
            [28, 70, 46, 22, 20],
        )
    pdf.ln(2)

    counts = report.commitment_counts
    pdf.section(f"4. Compromisos adquiridos en el periodo: {counts.total}")
    pdf.paragraph(
        f"Cumplidos: {counts.met} · Pendientes: {counts.pending} (vencidos: {counts.overdue}) · "
        f"Cancelados: {counts.cancelled}. Estado al corte del {report.cutoff_text}."
    )
    pdf.ln(1)
    if report.commitments:
        pdf.grid(
            ["Compromiso", "Responsable", "Fecha límite", "Estado", "Sesión"],
            [
                [
                    c.description,
                    c.responsible,
                    short_date(c.due_date),
                    c.state.label + (" (vencido)" if c.is_overdue else ""),
                    c.session_label,
                ]
                for c in report.commitments
            ],
            [66, 40, 22, 24, 34],
        )

    ans = report.ans
    pdf.section("5. Acuerdos de nivel de servicio (ANS) de la mesa de servicio")
    pdf.paragraph(
        f"Cumplimiento global: {_percent(ans.compliance_percent)} ({ans.within_target} de {ans.measured} mediciones en meta). "
        f"Incumplimientos: {ans.breaches}. Excepciones del Secretario: {ans.exceptions}."
    )
    if ans.uses_placeholders:
        pdf.paragraph(PLACEHOLDER_WARNING, style="I", size=8)
    pdf.ln(1)
    pdf.grid(
        ["Medición", "Medidas", "En meta", "Cumplimiento", "Incumplimientos"],
        [[m.label, str(s.total), str(s.met), _percent(s.percent), str(s.breached)] for m, s in ans.summary.items()],
        [56, 28, 28, 32, 32],
    )
    if ans.by_form:
        pdf.grid(
            ["Formato", "Medición", "Medidas", "Cumplimiento", "Incumplimientos"],
            [
                [label, metric.label, str(s.total), _percent(s.percent), str(s.breached)]
                for label, stats in ans.by_form
                for metric, s in stats.items()
            ],
            [70, 40, 22, 26, 28],
        )
    pdf.paragraph(f"Generado el {short_date(local_date(report.generated_at))} a las {local_time(report.generated_at)}", size=8)
    return bytes(pdf.output())


# ---------------------------------------------------------------- XLSX

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="004884")
_DATE = "DD/MM/YYYY"
_DATETIME = "DD/MM/YYYY HH:MM"
_PERCENT = "0.0%"
#: the row of each sheet's column headings, under the title rows; panes freeze below it
HEADER_ROW = 4


def _naive_local(instant: datetime | None) -> datetime | None:
    """A Bogotá wall-clock time for a spreadsheet cell (Excel has no time zones)."""
    return instant.astimezone(BOGOTA).replace(tzinfo=None) if instant else None


def _sheet(
    workbook: Workbook, title: str, heading: str, report: MayorReport, columns: list[tuple[str, int]], first: bool = False
) -> Worksheet:
    sheet = workbook.active if first else workbook.create_sheet()
    assert sheet is not None
    sheet.title = title
    sheet["A1"] = heading
    sheet["A1"].font = Font(bold=True, size=12)
    sheet["A2"] = f"Periodo: {report.period.label} · corte: {report.cutoff_text}"
    for index, (name, width) in enumerate(columns, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=index, value=name)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    return sheet


def _append(sheet: Worksheet, values: list[Any], formats: dict[int, str] | None = None) -> None:
    row = sheet.max_row + 1
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=value)
        if formats and column in formats:
            cell.number_format = formats[column]


def _bold_row(sheet: Worksheet, values: list[Any]) -> None:
    _append(sheet, values)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def render_mayor_report_xlsx(report: MayorReport, *, profile: Profile) -> bytes:
    """The report as a workbook (Sesiones, Decisiones, Iniciativas, Compromisos, ANS): numbers and
    dates are real cells, the heading row is bold and stays in view (frozen panes)."""
    workbook = Workbook()
    workbook.properties.title = f"{REPORT_TITLE} · {report.period.label}"
    workbook.properties.creator = profile.it_office_name
    title = f"{profile.entity_name} · {profile.committee_name} · {REPORT_TITLE}"

    sessions = _sheet(
        workbook,
        "Sesiones",
        title,
        report,
        [
            ("Fecha", 12),
            ("Sesión", 34),
            ("Tipo", 15),
            ("Instalada", 17),
            ("Cerrada", 17),
            ("Integrantes presentes", 12),
            ("Con voto presentes", 12),
            ("Integrantes con voto", 12),
            ("Invitados", 10),
            ("Quórum", 9),
        ],
        first=True,
    )
    for s in report.sessions:
        _append(
            sessions,
            [
                s.day,
                s.label,
                s.kind.label,
                _naive_local(s.opened_at),
                _naive_local(s.closed_at),
                s.members_present,
                s.voting_present,
                s.voting_members,
                s.guests,
                "Sí" if s.has_quorum else "No",
            ],
            {1: _DATE, 4: _DATETIME, 5: _DATETIME},
        )

    decisions = _sheet(
        workbook,
        "Decisiones",
        title,
        report,
        [
            ("Fecha", 12),
            ("Sesión", 30),
            ("Punto", 6),
            ("Título", 50),
            ("Iniciativa", 15),
            ("Integrantes con voto", 11),
            ("Presentes con voto", 11),
            ("A favor", 9),
            ("En contra", 9),
            ("Abstención", 10),
            ("Sin voto", 9),
            ("Resultado", 13),
            ("Decisión", 13),
            ("Decisión dirimente", 50),
        ],
    )
    for d in report.decisions:
        _append(
            decisions,
            [
                d.day,
                d.session_label,
                d.position,
                d.title,
                d.initiative_code,
                d.voting_members,
                d.present_voting,
                d.votes_for,
                d.votes_against,
                d.abstentions,
                d.not_voted,
                d.outcome.label,
                d.final_outcome.label,
                d.casting_text,
            ],
            {1: _DATE},
        )

    initiatives = _sheet(workbook, "Iniciativas", title, report, [("Agrupación", 22), ("Categoría", 44), ("Iniciativas", 12)])
    for state, count in report.initiatives_by_state:
        _append(initiatives, ["Estado", state.label, count])
    for enabler, count in report.initiatives_by_enabler:
        _append(initiatives, ["Habilitador", enabler.label, count])
    _bold_row(initiatives, ["Total", "", report.initiatives_total])
    _append(initiatives, [])
    _bold_row(initiatives, ["Decididas en el periodo"])
    _bold_row(initiatives, ["Código", "Iniciativa", "Dependencia", "Decisión", "Fecha"])
    for decided in report.decided:
        _append(
            initiatives,
            [decided.code, decided.title, decided.dependency, decided.decision.label, _naive_local(decided.decided_at)],
            {5: _DATETIME},
        )
    for column, width in ((4, 14), (5, 17)):
        initiatives.column_dimensions[get_column_letter(column)].width = width

    commitments = _sheet(
        workbook,
        "Compromisos",
        title,
        report,
        [("Sesión", 30), ("Compromiso", 60), ("Responsable", 30), ("Fecha límite", 12), ("Estado al corte", 14), ("Vencido", 9)],
    )
    for c in report.commitments:
        _append(
            commitments,
            [c.session_label, c.description, c.responsible, c.due_date, c.state.label, "Sí" if c.is_overdue else "No"],
            {4: _DATE},
        )
    counts = report.commitment_counts
    _append(commitments, [])
    for label, value in (
        ("Total", counts.total),
        ("Cumplidos", counts.met),
        ("Pendientes", counts.pending),
        ("Vencidos", counts.overdue),
        ("Cancelados", counts.cancelled),
    ):
        _append(commitments, [label, value])

    ans = _sheet(
        workbook,
        "ANS",
        title,
        report,
        [("Grupo", 44), ("Medición", 20), ("Medidas", 10), ("En meta", 10), ("Cumplimiento", 13), ("Incumplimientos", 15)],
    )
    figures = report.ans
    overall = figures.within_target / figures.measured if figures.measured else None
    _bold_row(ans, ["Global", "Todas", figures.measured, figures.within_target, overall, figures.breaches])
    ans.cell(row=ans.max_row, column=5).number_format = _PERCENT
    for metric, stats in figures.summary.items():
        fraction = stats.met / stats.total if stats.total else None
        _append(ans, ["Total", metric.label, stats.total, stats.met, fraction, stats.breached], {5: _PERCENT})
    for label, by_metric in figures.by_form:
        for metric, stats in by_metric.items():
            fraction = stats.met / stats.total if stats.total else None
            _append(ans, [label, metric.label, stats.total, stats.met, fraction, stats.breached], {5: _PERCENT})
    _append(ans, [])
    _append(ans, ["Excepciones del Secretario", "", figures.exceptions])
    if figures.uses_placeholders:
        _append(ans, [PLACEHOLDER_WARNING])

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
