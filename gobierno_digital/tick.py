"""The plan's periodic check (``gd.tick``, CLI twin ``flask gd tick --now ISO``): open the period's
checklists of the enlaces, remind the measurements of closed periods, notify the overdue ones, alert
the late milestones and the overdue checklists. Each notice once (a column records it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from gobierno_digital.duties import services as duties
from gobierno_digital.indicators import services as indicators
from gobierno_digital.settings import get_settings
from gobierno_digital.supervision import services as supervision
from portal.db import DbSession
from sla.services.entity_calendar import get_calendar


@dataclass
class TickReport:
    checklists_opened: list[int] = field(default_factory=list)
    reminded: list[int] = field(default_factory=list)
    overdue_measurements: list[int] = field(default_factory=list)
    late_milestones: list[int] = field(default_factory=list)
    overdue_checklists: list[int] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"Listas de deberes abiertas: {len(self.checklists_opened)} · recordatorios de medición: {len(self.reminded)} · "
            f"mediciones vencidas: {len(self.overdue_measurements)} · hitos atrasados: {len(self.late_milestones)} · "
            f"listas vencidas: {len(self.overdue_checklists)}."
        )

    def as_dict(self) -> dict[str, int]:
        return {name: len(values) for name, values in vars(self).items()}


def tick(session: DbSession, now: datetime) -> TickReport:
    """Run every check at ``now``; the caller commits (the mails leave after the commit)."""
    settings = get_settings(session)
    calendar = get_calendar(session)
    report = TickReport()
    report.checklists_opened = [
        c.id
        for c in duties.open_checklists(
            session, now=now, periodicity=settings.duty_periodicity, due_days=settings.duty_due_days, calendar=calendar
        )
    ]
    report.reminded = [m.id for m in indicators.send_reminders(session, now)]
    report.overdue_measurements = [m.id for m in indicators.notify_overdue(session, now)]
    report.late_milestones = [
        m.id
        for m in supervision.alert_late_milestones(session, calendar=calendar, late_days=settings.milestone_late_days, now=now)
    ]
    report.overdue_checklists = [c.id for c in duties.notify_overdue_checklists(session, now)]
    return report
