"""The queries of the ANS report (SPEC §5): compliance, medians and 90th percentiles in business
hours, open requests by age, breaches, the Secretario's exceptions and the approvers' step times.

Everything is aggregated by the database (GROUP BY), never by loading timers into Python, and
from ``sla_timers`` alone (each timer carries its request's form, action and dependency and, for a
step, who decided it), through the index on ``stopped_at``:

- on PostgreSQL the percentiles are ``percentile_cont(p) WITHIN GROUP (ORDER BY elapsed)``, and
  one index-only scan with GROUPING SETS gives the figures per metric, form, action, dependency and
  month (the enum columns grouped by integer codes, which sort much faster than their strings);
  the worst breaches come from a partial index holding only the breached timers, the open
  requests by age from the index on (state, filed_at);
- on SQLite, which lacks it, the same continuous percentile is computed in SQL too: a window
  ``row_number()``/``count()`` per group ranks the values, the two order statistics around
  ``p·(n−1)`` are picked by a grouped ``max(CASE …)``, and the outer query interpolates linearly
  between them — exactly ``percentile_cont``'s definition, so both databases give the same numbers.

A timer counts in the period when it stopped there with the outcome ``completado``; it is within
its target when the business time it measured (pauses excluded) is at most the target. Timers of
rejected or cancelled requests and steps skipped by the Secretario's exception are not measured.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Integer, case, cast, func, literal_column, select, tuple_
from sqlalchemy.dialects.postgresql import array as pg_array
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from portal.clock import BOGOTA, local_date
from portal.db import DbSession
from portal.errors import ValidationFailed
from portal.models import Dependency, User
from sla.calendar import BusinessCalendar
from sla.models import SlaMetric, SlaOutcome, SlaTimer
from tickets.models import OPEN_STATES, AccessRequest, RequestAction, RequestForm

HOUR = 3600.0
#: open requests by age in business days: (label, highest age of the band); the last band has no limit
AGE_BANDS: tuple[tuple[str, int | None], ...] = (
    ("0 a 1 días hábiles", 1),
    ("2 a 3 días hábiles", 3),
    ("4 a 5 días hábiles", 5),
    ("6 a 10 días hábiles", 10),
    ("Más de 10 días hábiles", None),
)
MAX_PERIOD_DAYS = 3 * 366
MAX_LISTED = 100


@dataclass(frozen=True)
class ReportFilters:
    """The period (local dates, both included) and optionally one dependency."""

    start: date
    end: date
    dependency_id: int | None = None

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValidationFailed("El periodo no es válido.", fields={"hasta": ["Debe ser igual o posterior a «desde»."]})
        if (self.end - self.start).days > MAX_PERIOD_DAYS:
            raise ValidationFailed("El periodo es demasiado largo.", fields={"hasta": ["Máximo tres años."]})

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time(0), BOGOTA).astimezone(UTC)

    @property
    def end_at(self) -> datetime:
        """The first instant after the period (local midnight after its last day), in UTC."""
        return datetime.combine(self.end + timedelta(days=1), time(0), BOGOTA).astimezone(UTC)


@dataclass(frozen=True)
class Stats:
    """Measured timers of a group: how many, how many within target, median and p90 in business hours."""

    total: int
    met: int
    median_hours: float | None
    p90_hours: float | None

    @property
    def percent(self) -> float | None:
        return round(100 * self.met / self.total, 1) if self.total else None

    @property
    def breached(self) -> int:
        return self.total - self.met

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "within_target": self.met,
            "compliance_percent": self.percent,
            "median_hours": self.median_hours,
            "p90_hours": self.p90_hours,
        }


@dataclass(frozen=True)
class BreachRow:
    request_id: int
    number: str | None
    metric: SlaMetric
    dependency: str
    target_hours: float
    elapsed_hours: float
    stopped_at: datetime

    @property
    def over_hours(self) -> float:
        return round(self.elapsed_hours - self.target_hours, 2)


@dataclass(frozen=True)
class ExceptionRow:
    request_id: int
    number: str | None
    approved_at: datetime | None
    dependency: str
    authorised_by: str | None
    justification: str | None


def _measured(filters: ReportFilters) -> list[ColumnElement[bool]]:
    """The timers measured in the period: completed, stopped between its bounds (the index on ``stopped_at``)."""
    conditions = [
        SlaTimer.stopped_at >= filters.start_at,
        SlaTimer.stopped_at < filters.end_at,
        SlaTimer.outcome == SlaOutcome.COMPLETADO,
    ]
    if filters.dependency_id is not None:
        conditions.append(SlaTimer.dependency_id == filters.dependency_id)
    return conditions


def _month_expr(dialect: str) -> ColumnElement[Any]:
    """The local (Bogotá) month of a timer's stop, ``YYYY-MM``; literals inline so that GROUP BY matches."""
    if dialect == "postgresql":
        return func.to_char(func.timezone(literal_column("'America/Bogota'"), SlaTimer.stopped_at), literal_column("'YYYY-MM'"))
    # SQLite stores UTC without offset; Bogotá is UTC-5 all year (no daylight saving since 1993)
    return func.strftime(literal_column("'%Y-%m'"), SlaTimer.stopped_at, literal_column("'-5 hours'"))


def _met(elapsed: Any = SlaTimer.elapsed_seconds, target: Any = SlaTimer.target_seconds) -> ColumnElement[int]:
    return case((elapsed <= target, literal_column("1")), else_=literal_column("0"))


def _percentiles(elapsed: Any = SlaTimer.elapsed_seconds) -> Any:
    """PostgreSQL: the median and the 90th percentile from one sort, ``percentile_cont(ARRAY[0.5, 0.9])``."""
    return func.percentile_cont(pg_array([0.5, 0.9])).within_group(elapsed).label("p")


def _hours(seconds: Any) -> float | None:
    return round(float(seconds) / HOUR, 2) if seconds is not None else None


def _stats(row: Any) -> Stats:
    p50, p90 = (row.p[0], row.p[1]) if "p" in row._mapping else (row.p50, row.p90)
    return Stats(total=int(row.n), met=int(row.met or 0), median_hours=_hours(p50), p90_hours=_hours(p90))


def grouped_stats(
    session: DbSession, filters: ReportFilters, groups: list[Any], *, metrics: tuple[SlaMetric, ...] = tuple(SlaMetric)
) -> dict[tuple[Any, ...], Stats]:
    """(group values…, metric) -> Stats of the measured timers, aggregated in SQL (one query)."""
    keys = [*groups, SlaTimer.metric]
    conditions = [*_measured(filters), SlaTimer.metric.in_(metrics)]
    if session.get_bind().dialect.name == "postgresql":
        query = (
            select(
                *[k.label(f"k{i}") for i, k in enumerate(keys)],
                func.count().label("n"),
                func.sum(_met()).label("met"),
                _percentiles(),
            )
            .where(*conditions)
            .group_by(*keys)
        )
    else:
        ranked = (
            select(
                *[k.label(f"k{i}") for i, k in enumerate(keys)],
                SlaTimer.elapsed_seconds.label("elapsed"),
                _met().label("met"),
                (func.row_number().over(partition_by=keys, order_by=SlaTimer.elapsed_seconds) - 1).label("rn"),
                func.count().over(partition_by=keys).label("n"),
            )
            .where(*conditions)
            .subquery()
        )
        ranked_keys = [ranked.c[f"k{i}"] for i in range(len(keys))]
        picks: list[Any] = []
        for name, p in (("p50", 0.5), ("p90", 0.9)):
            position = p * (ranked.c.n - 1)
            k = cast(position, Integer)  # SQLite's CAST truncates: floor for these non-negative positions
            picks += [
                func.max(case((ranked.c.rn == k, ranked.c.elapsed))).label(f"{name}_lo"),
                func.max(case((ranked.c.rn == k + 1, ranked.c.elapsed))).label(f"{name}_hi"),
                func.max(position - k).label(f"{name}_frac"),
            ]
        grouped = (
            select(*ranked_keys, func.max(ranked.c.n).label("n"), func.sum(ranked.c.met).label("met"), *picks)
            .group_by(*ranked_keys)
            .subquery()
        )

        def interpolate(name: str) -> Any:
            lo, hi, frac = grouped.c[f"{name}_lo"], grouped.c[f"{name}_hi"], grouped.c[f"{name}_frac"]
            return (lo + func.coalesce(hi - lo, 0) * frac).label(name)

        query = select(
            *[grouped.c[f"k{i}"] for i in range(len(keys))], grouped.c.n, grouped.c.met, interpolate("p50"), interpolate("p90")
        )
    result: dict[tuple[Any, ...], Stats] = {}
    for row in session.execute(query):
        values = tuple(row[: len(keys)])
        result[(*values[:-1], SlaMetric(values[-1]))] = _stats(row)
    return result


def dimension_stats(session: DbSession, filters: ReportFilters) -> dict[str, dict[tuple[Any, ...], Stats]]:
    """The compliance figures by metric alone and by form, action, dependency and month.

    On PostgreSQL one scan with GROUPING SETS computes them all; SQLite runs one query each.
    """
    dialect = session.get_bind().dialect.name
    dimensions: dict[str, Any] = {
        "form": SlaTimer.form,
        "action": SlaTimer.action,
        "dependency": SlaTimer.dependency_id,
        "month": _month_expr(dialect),
    }
    single_month = (filters.start.year, filters.start.month) == (filters.end.year, filters.end.month)
    if single_month:  # every measured timer stopped in that month: its row is the summary
        del dimensions["month"]
    result = _dimension_stats(session, filters, dimensions, dialect)
    if single_month:
        result["month"] = {(f"{filters.start:%Y-%m}", metric): value for (metric,), value in result["summary"].items()}
    return result


def _code(column: Any, members: type[StrEnum]) -> ColumnElement[int]:
    """The position of an enum column's value among ``members``: PostgreSQL sorts small integers far faster
    than strings that share their first bytes (``FO-M11-P2-05``, ``FO-M11-P2-12``…)."""
    return case({member.value: position for position, member in enumerate(members)}, value=column)


def _dimension_stats(
    session: DbSession, filters: ReportFilters, dimensions: dict[str, Any], dialect: str
) -> dict[str, dict[tuple[Any, ...], Stats]]:
    if dialect != "postgresql":
        separate = {"summary": grouped_stats(session, filters, [])}
        separate.update({name: grouped_stats(session, filters, [column]) for name, column in dimensions.items()})
        return separate
    # each grouping set sorts the measured timers by its keys: integer codes for the enum columns
    # (decoded below) make those sorts, the bulk of the report's time, much cheaper
    decoders: dict[str, list[Any]] = {"metric": list(SlaMetric), "form": list(RequestForm), "action": list(RequestAction)}
    coded = {"form": _code(SlaTimer.form, RequestForm), "action": _code(SlaTimer.action, RequestAction)}
    measured = (
        select(
            _code(SlaTimer.metric, SlaMetric).label("metric"),
            *[coded.get(name, column).label(name) for name, column in dimensions.items()],
            SlaTimer.elapsed_seconds,
            SlaTimer.target_seconds,
        )
        .where(*_measured(filters))
        .subquery()
    )
    metric = measured.c.metric
    columns = [measured.c[name] for name in dimensions]
    sets = [tuple_(metric)] + [tuple_(metric, column) for column in columns]
    query = select(
        metric,
        *columns,
        *[func.grouping(column).label(f"g_{column.name}") for column in columns],
        func.count().label("n"),
        func.sum(_met(measured.c.elapsed_seconds, measured.c.target_seconds)).label("met"),
        _percentiles(measured.c.elapsed_seconds),
    ).group_by(func.grouping_sets(*sets))
    result: dict[str, dict[tuple[Any, ...], Stats]] = {name: {} for name in ("summary", *dimensions)}
    for row in session.execute(query):
        values = row._mapping
        metric_value = decoders["metric"][values["metric"]]
        grouped_by = [name for name in dimensions if not values[f"g_{name}"]]
        if not grouped_by:
            result["summary"][(metric_value,)] = _stats(row)
        else:
            name = grouped_by[0]
            value = values[name]
            result[name][(decoders[name][value] if name in decoders else value, metric_value)] = _stats(row)
    return result


def age_edges(calendar: BusinessCalendar, today: date) -> list[date]:
    """For each band limit k: the earliest filing day whose age on ``today`` is at most k business days.

    The age of a request is the number of business days after its filing day up to today.
    """
    edges = []
    for _label, limit in AGE_BANDS:
        if limit is None:
            break
        day = today
        while calendar.add_business_days(day - timedelta(days=1), limit + 1) > today:
            day -= timedelta(days=1)
        edges.append(day)
    return edges


def open_by_age(
    session: DbSession, calendar: BusinessCalendar, now: datetime, dependency_id: int | None
) -> list[tuple[str, int]]:
    edges = [datetime.combine(d, time(0), BOGOTA).astimezone(UTC) for d in age_edges(calendar, local_date(now))]
    band = case(*[(AccessRequest.filed_at >= edge, i) for i, edge in enumerate(edges)], else_=len(edges))
    query = (
        select(band.label("band"), func.count().label("n"))
        .where(AccessRequest.state.in_(OPEN_STATES), AccessRequest.filed_at.is_not(None))
        .group_by(band)
    )
    if dependency_id is not None:
        query = query.where(AccessRequest.dependency_id == dependency_id)
    counts = {int(r.band): int(r.n) for r in session.execute(query)}
    return [(label, counts.get(i, 0)) for i, (label, _limit) in enumerate(AGE_BANDS)]


def open_breached(session: DbSession, filters: ReportFilters, now: datetime) -> dict[SlaMetric, int]:
    """Running timers already past their due instant (paused ones aside), per metric."""
    query = (
        select(SlaTimer.metric, func.count())
        .where(SlaTimer.stopped_at.is_(None), SlaTimer.paused_at.is_(None), SlaTimer.due_at <= now)
        .group_by(SlaTimer.metric)
    )
    if filters.dependency_id is not None:
        query = query.where(SlaTimer.dependency_id == filters.dependency_id)
    return {SlaMetric(m): int(n) for m, n in session.execute(query).tuples()}


def worst_breaches(session: DbSession, filters: ReportFilters) -> list[BreachRow]:
    """The timers measured in the period that most overran their target (at most ``MAX_LISTED``)."""
    overrun = (SlaTimer.elapsed_seconds - SlaTimer.target_seconds).label("overrun")
    top = (
        select(SlaTimer.id, SlaTimer.request_id, SlaTimer.metric, SlaTimer.dependency_id, SlaTimer.target_seconds)
        .add_columns(SlaTimer.elapsed_seconds, SlaTimer.stopped_at, overrun)
        .where(*_measured(filters), SlaTimer.elapsed_seconds > SlaTimer.target_seconds)
        .order_by(overrun.desc(), SlaTimer.id)
        .limit(MAX_LISTED)
        .subquery()
    )
    worst = session.execute(
        select(top.c.request_id, AccessRequest.number, top.c.metric, Dependency.name, top.c.target_seconds)
        .add_columns(top.c.elapsed_seconds, top.c.stopped_at)
        .join(AccessRequest, AccessRequest.id == top.c.request_id)
        .join(Dependency, Dependency.id == top.c.dependency_id)
        .order_by(top.c.overrun.desc(), top.c.id)
    ).all()
    return [
        BreachRow(r[0], r[1], SlaMetric(r[2]), r[3], round(r[4] / HOUR, 2), round((r[5] or 0) / HOUR, 2), r[6]) for r in worst
    ]


def exceptions_in_period(session: DbSession, filters: ReportFilters) -> tuple[list[ExceptionRow], int]:
    """The requests approved by the Secretario's exception in the period (the first ``MAX_LISTED``), and how many."""
    authoriser = aliased(User)
    in_period = [
        AccessRequest.is_exception,  # as the partial index's predicate says it (not ``IS true``), so PostgreSQL uses it
        AccessRequest.approved_at >= filters.start_at,
        AccessRequest.approved_at < filters.end_at,
    ]
    if filters.dependency_id is not None:
        in_period.append(AccessRequest.dependency_id == filters.dependency_id)
    rows = session.execute(
        select(
            AccessRequest.id,
            AccessRequest.number,
            AccessRequest.approved_at,
            Dependency.name,
            authoriser.full_name,
            AccessRequest.exception_justification,
            func.count().over().label("total"),
        )
        .select_from(AccessRequest)
        .join(Dependency, Dependency.id == AccessRequest.dependency_id)
        .outerjoin(authoriser, authoriser.id == AccessRequest.exception_by_id)
        .where(*in_period)
        .order_by(AccessRequest.approved_at, AccessRequest.id)
        .limit(MAX_LISTED)
    ).all()
    exceptions = [ExceptionRow(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]
    return exceptions, int(rows[0].total if rows else 0)


def uses_placeholder_targets(session: DbSession, filters: ReportFilters) -> bool:
    """Whether a timer measured in the period had a placeholder target (the report says so)."""
    placeholder = session.execute(
        select(SlaTimer.id).where(*_measured(filters), SlaTimer.is_placeholder_target.is_(True)).limit(1)
    ).scalar()
    return placeholder is not None
