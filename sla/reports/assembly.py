"""The ANS report for the Secretario (SPEC §5), assembled from its queries (``sla.reports.queries``):
the compliance tables by form, action, dependency and month, the approvers' step times, open
requests by age and breaches, the worst breaches and the Secretario's exceptions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from portal.db import DbSession
from portal.models import Dependency, User
from sla.models import SlaMetric, SlaTimer
from sla.reports.queries import (
    BreachRow,
    ExceptionRow,
    ReportFilters,
    Stats,
    dimension_stats,
    exceptions_in_period,
    grouped_stats,
    open_breached,
    open_by_age,
    uses_placeholder_targets,
    worst_breaches,
)
from sla.services import get_calendar
from tickets.models import ACTION_LABELS, FORM_TITLES, RequestAction, RequestForm

MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)


@dataclass
class GroupRow:
    key: str
    label: str
    stats: dict[SlaMetric, Stats] = field(default_factory=dict)


@dataclass
class AnsReport:
    filters: ReportFilters
    now: datetime
    dependency_name: str | None
    summary: dict[SlaMetric, Stats]
    by_form: list[GroupRow]
    by_action: list[GroupRow]
    by_dependency: list[GroupRow]
    by_month: list[GroupRow]
    approvers: list[GroupRow]
    open_by_age: list[tuple[str, int]]
    open_breached: dict[SlaMetric, int]
    worst_breaches: list[BreachRow]
    exceptions: list[ExceptionRow]
    exception_count: int
    uses_placeholders: bool

    @property
    def breached_total(self) -> int:
        return sum(s.breached for s in self.summary.values())

    def dimensions(self) -> list[tuple[str, str, list[GroupRow]]]:
        """(key, title, rows) of the compliance tables, in the order they are shown and exported."""
        return [
            ("formato", "Cumplimiento por formato", self.by_form),
            ("accion", "Cumplimiento por acción", self.by_action),
            ("dependencia", "Cumplimiento por dependencia", self.by_dependency),
            ("mes", "Cumplimiento por mes", self.by_month),
        ]

    def as_dict(self) -> dict[str, Any]:
        def groups(rows: list[GroupRow]) -> list[dict[str, Any]]:
            return [{"key": r.key, "label": r.label, "metrics": {m.value: s.as_dict() for m, s in r.stats.items()}} for r in rows]

        return {
            "period": {"from": self.filters.start.isoformat(), "to": self.filters.end.isoformat()},
            "dependency_id": self.filters.dependency_id,
            "dependency": self.dependency_name,
            "generated_at": self.now.isoformat(),
            "uses_placeholder_targets": self.uses_placeholders,
            "summary": {m.value: s.as_dict() for m, s in self.summary.items()},
            "by_form": groups(self.by_form),
            "by_action": groups(self.by_action),
            "by_dependency": groups(self.by_dependency),
            "by_month": groups(self.by_month),
            "approvers": groups(self.approvers),
            "open_by_age": [{"band": label, "count": count} for label, count in self.open_by_age],
            "open_breached": {m.value: n for m, n in self.open_breached.items()},
            "breaches": [
                {
                    "request_id": b.request_id,
                    "number": b.number,
                    "metric": b.metric.value,
                    "dependency": b.dependency,
                    "target_hours": b.target_hours,
                    "elapsed_hours": b.elapsed_hours,
                    "over_hours": b.over_hours,
                    "stopped_at": b.stopped_at.isoformat(),
                }
                for b in self.worst_breaches
            ],
            "exceptions": {
                "count": self.exception_count,
                "requests": [
                    {
                        "request_id": e.request_id,
                        "number": e.number,
                        "approved_at": e.approved_at.isoformat() if e.approved_at else None,
                        "dependency": e.dependency,
                        "authorised_by": e.authorised_by,
                        "justification": e.justification,
                    }
                    for e in self.exceptions
                ],
            },
        }


def month_label(key: str) -> str:
    """``2026-07`` → ``julio de 2026``."""
    year, month = key.split("-")
    return f"{MONTHS[int(month) - 1]} de {year}"


def _rows(stats: dict[tuple[Any, ...], Stats], labels: dict[Any, str], order: list[Any] | None = None) -> list[GroupRow]:
    rows: dict[Any, GroupRow] = {}
    for (key, metric), value in stats.items():
        row = rows.setdefault(key, GroupRow(str(getattr(key, "value", key)), labels.get(key, str(key))))
        row.stats[metric] = value
    keys = [k for k in (order or []) if k in rows] + sorted((k for k in rows if k not in (order or [])), key=str)
    return [rows[k] for k in keys]


def build_report(session: DbSession, filters: ReportFilters, now: datetime) -> AnsReport:
    """The whole ANS report for a period (and optionally a dependency), in about ten queries."""
    calendar = get_calendar(session)

    stats = dimension_stats(session, filters)
    summary = {key[0]: value for key, value in stats["summary"].items()}
    by_form = _rows(stats["form"], {f: f"{f.value} {FORM_TITLES[f]}" for f in RequestForm}, list(RequestForm))
    by_action = _rows(stats["action"], dict(ACTION_LABELS.items()), list(RequestAction))
    dependency_names = dict(
        session.execute(select(Dependency.id, Dependency.name).where(Dependency.id.in_({k[0] for k in stats["dependency"]})))
        .tuples()
        .all()
    )
    by_dependency = sorted(_rows(stats["dependency"], dependency_names), key=lambda r: r.label)
    by_month = _rows(stats["month"], {k[0]: month_label(k[0]) for k in stats["month"]})
    approver_stats = grouped_stats(session, filters, [SlaTimer.approver_id], metrics=(SlaMetric.PASO,))
    approver_names = dict(
        session.execute(select(User.id, User.full_name).where(User.id.in_({k[0] for k in approver_stats}))).tuples().all()
    )
    approvers = sorted(_rows(approver_stats, approver_names), key=lambda r: r.label)
    breached_now = open_breached(session, filters, now)
    worst = worst_breaches(session, filters)
    exceptions, exception_count = exceptions_in_period(session, filters)
    placeholders = uses_placeholder_targets(session, filters)
    dependency_name = (
        session.execute(select(Dependency.name).where(Dependency.id == filters.dependency_id)).scalar()
        if filters.dependency_id is not None
        else None
    )
    return AnsReport(
        filters=filters,
        now=now,
        dependency_name=dependency_name,
        summary={m: summary[m] for m in SlaMetric if m in summary},
        by_form=by_form,
        by_action=by_action,
        by_dependency=by_dependency,
        by_month=by_month,
        approvers=approvers,
        open_by_age=open_by_age(session, calendar, now, filters.dependency_id),
        open_breached=breached_now,
        worst_breaches=worst,
        exceptions=exceptions,
        exception_count=exception_count,
        uses_placeholders=placeholders,
    )
