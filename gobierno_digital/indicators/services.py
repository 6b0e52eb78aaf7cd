"""Activities 6–7: define indicators, open their periods with due dates on the ANS business calendar,
record measurements, remind and list the overdue ones. The only code that changes indicator data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from gobierno_digital.common import Component, Periodicity, audit, day_text, lock, periods_of, role_holders
from gobierno_digital.indicators.models import Direction, Indicator, Measurement
from gobierno_digital.notifications import notify
from gobierno_digital.permissions import require_reporter, require_runner
from portal.clock import BOGOTA
from portal.db import DbSession
from portal.errors import ValidationFailed, WrongState
from portal.models import User
from portal.roles import Role
from sla.calendar import BusinessCalendar

#: the reminder of a period goes out from 08:00 of the day after it ends
REMINDER_TIME = time(8)


@dataclass(frozen=True)
class IndicatorData:
    name: str
    formula: str
    unit: str
    baseline: float
    target: float
    periodicity: Periodicity
    vigencia: int
    component: Component
    responsible_id: int
    direction: Direction = Direction.ASCENDENTE
    project_id: int | None = None


def due_of(calendar: BusinessCalendar, period_end: date, due_days: int) -> datetime:
    """Due at 23:59:59 Bogotá of the ``due_days``-th business day after the period ends (SPEC §5, §6)."""
    return calendar.business_day_deadline(period_end, due_days)


def define_indicator(
    session: DbSession, *, data: IndicatorData, calendar: BusinessCalendar, due_days: int, actor: User | None, now: datetime
) -> Indicator:
    """Define an indicator and open one measurement per period of its vigencia, each with its due date."""
    require_runner(actor)
    errors: dict[str, list[str]] = {}
    for name in ("name", "formula", "unit"):
        if not getattr(data, name).strip():
            errors[name] = ["Obligatorio."]
    if data.direction is Direction.ASCENDENTE and data.target == 0:
        errors["target"] = ["La meta de un indicador ascendente no puede ser cero."]
    person = session.get(User, data.responsible_id)
    if person is None or not person.is_active_account:
        errors["responsible_id"] = ["Seleccione una persona activa."]
    if not 2000 <= data.vigencia <= 2100:
        errors["vigencia"] = ["Indique un año entre 2000 y 2100."]
    if errors:
        raise ValidationFailed("Revise el indicador.", fields=errors)
    indicator = Indicator(
        name=data.name.strip(),
        formula=data.formula.strip(),
        unit=data.unit.strip(),
        baseline=data.baseline,
        target=data.target,
        direction=data.direction,
        periodicity=data.periodicity,
        vigencia=data.vigencia,
        component=data.component,
        project_id=data.project_id,
        responsible_id=data.responsible_id,
        created_by_id=actor.id if actor else None,
        created_at=now,
    )
    session.add(indicator)
    session.flush()
    for period in periods_of(data.vigencia, data.periodicity):
        session.add(
            Measurement(
                indicator_id=indicator.id,
                period_start=period.start,
                period_end=period.end,
                label=period.label,
                remind_at=datetime.combine(period.end + timedelta(days=1), REMINDER_TIME, tzinfo=BOGOTA),
                due_at=due_of(calendar, period.end, due_days),
            )
        )
    session.flush()
    session.refresh(indicator)
    audit(
        session,
        actor,
        "indicador.definir",
        "indicador",
        indicator.id,
        after={
            "name": indicator.name,
            "target": indicator.target,
            "periodicity": indicator.periodicity.value,
            "vigencia": indicator.vigencia,
        },
    )
    return indicator


def record_measurement(
    session: DbSession, measurement: Measurement, *, value: float, note: str | None, actor: User | None, now: datetime
) -> Measurement:
    """The value of a period, by the indicator's responsible or the profesional; late values are accepted
    (and stay late in the overdue history). A period not yet begun cannot be measured."""
    measurement = lock(session, Measurement, measurement.id, "La medición")
    indicator = measurement.indicator
    require_reporter(actor, indicator.responsible_id, "registra la medición del indicador")
    if not indicator.is_active:
        raise WrongState(f"El indicador «{indicator.name}» está inactivo.")
    if now.astimezone(BOGOTA).date() < measurement.period_start:
        raise WrongState(f"El periodo {measurement.label} aún no empieza: no se puede medir.")
    before = {"value": measurement.value, "note": measurement.note}
    measurement.value, measurement.note = value, (note or "").strip() or None
    measurement.reported_at, measurement.reported_by_id = now, actor.id if actor else None
    session.flush()
    audit(
        session,
        actor,
        "indicador.medir",
        "medicion",
        measurement.id,
        before=before,
        after={"indicator": indicator.id, "period": measurement.label, "value": value, "late": now > measurement.due_at},
    )
    return measurement


def overdue_measurements(session: DbSession, now: datetime) -> list[Measurement]:
    return list(
        session.execute(
            select(Measurement)
            .join(Indicator, Indicator.id == Measurement.indicator_id)
            .where(Measurement.reported_at.is_(None), Measurement.due_at < now, Indicator.is_active.is_(True))
            .order_by(Measurement.due_at)
        ).scalars()
    )


def send_reminders(session: DbSession, now: datetime) -> list[Measurement]:
    """Remind the responsible of each period that ended and still has no value (once per period)."""
    due = (
        session.execute(
            select(Measurement)
            .join(Indicator, Indicator.id == Measurement.indicator_id)
            .where(
                Measurement.reported_at.is_(None),
                Measurement.reminded_at.is_(None),
                Measurement.remind_at <= now,
                Measurement.due_at >= now,
                Indicator.is_active.is_(True),
            )
        )
        .scalars()
        .all()
    )
    for measurement in due:
        measurement.reminded_at = now
        indicator = measurement.indicator
        notify(
            session,
            [indicator.responsible],
            f"Medición pendiente: {indicator.name} ({measurement.label})",
            "measurement_reminder",
            indicator=indicator.name,
            period=measurement.label,
            unit=indicator.unit,
            due=day_text(measurement.due_at),
            indicator_id=indicator.id,
        )
    session.flush()
    return list(due)


def notify_overdue(session: DbSession, now: datetime) -> list[Measurement]:
    """Tell the responsible and the Secretario of each measurement past its due date (once)."""
    found = [m for m in overdue_measurements(session, now) if m.overdue_notified_at is None]
    secretaries = role_holders(session, Role.SECRETARIO)
    for measurement in found:
        measurement.overdue_notified_at = now
        indicator = measurement.indicator
        notify(
            session,
            [indicator.responsible, *secretaries],
            f"Medición vencida: {indicator.name} ({measurement.label})",
            "measurement_overdue",
            indicator=indicator.name,
            period=measurement.label,
            responsible=indicator.responsible.full_name,
            due=day_text(measurement.due_at),
            indicator_id=indicator.id,
        )
        audit(session, None, "indicador.medicion_vencida", "medicion", measurement.id, after={"period": measurement.label})
    session.flush()
    return found


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    last: Measurement | None
    compliance: float | None
    overdue: int


def indicator_rows(session: DbSession, now: datetime, vigencia: int | None = None) -> list[IndicatorRow]:
    query = (
        select(Indicator)
        .where(Indicator.is_active.is_(True))
        .order_by(Indicator.vigencia.desc(), Indicator.component, Indicator.name)
    )
    if vigencia is not None:
        query = query.where(Indicator.vigencia == vigencia)
    rows = []
    for indicator in session.execute(query).scalars():
        last = indicator.last_measured
        rows.append(
            IndicatorRow(
                indicator=indicator,
                last=last,
                compliance=indicator.compliance(last.value if last else None),
                overdue=sum(1 for m in indicator.measurements if m.value is None and m.due_at < now),
            )
        )
    return rows
