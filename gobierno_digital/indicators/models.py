"""Indicators of the plan and their measurements per period (activities 6–7: "Reporte de indicadores")."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gobierno_digital.common import Component, Periodicity
from gobierno_digital.projects.models import Project
from portal.db import utcnow
from portal.extensions import db
from portal.models import User, enum_column


class Direction(StrEnum):
    """Whether more is better (coverage, datasets published) or less is (days to answer, incidents)."""

    ASCENDENTE = "ascendente"
    DESCENDENTE = "descendente"

    @property
    def label(self) -> str:
        return {"ascendente": "Mayor es mejor", "descendente": "Menor es mejor"}[self.value]


class Indicator(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "gd_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    formula: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(40))
    baseline: Mapped[float]
    target: Mapped[float]
    direction: Mapped[Direction] = mapped_column(enum_column(Direction, "gd_indicator_direction"), default=Direction.ASCENDENTE)
    periodicity: Mapped[Periodicity] = mapped_column(enum_column(Periodicity, "gd_periodicity"))
    #: the year whose periods are measured
    vigencia: Mapped[int] = mapped_column(index=True)
    component: Mapped[Component] = mapped_column(enum_column(Component, "gd_component"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("gd_projects.id"))
    responsible_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    project: Mapped[Project | None] = relationship(lazy="joined")
    responsible: Mapped[User] = relationship(foreign_keys=[responsible_id], lazy="joined")
    measurements: Mapped[list[Measurement]] = relationship(
        lazy="selectin", order_by="Measurement.period_start", back_populates="indicator"
    )

    def compliance(self, value: float | None) -> float | None:
        """Percent of the target reached by ``value`` (capped at 100): value/target, or target/value
        when less is better."""
        if value is None:
            return None
        if self.direction is Direction.ASCENDENTE:
            return None if self.target == 0 else max(0.0, min(100.0, 100 * value / self.target))
        return 100.0 if value <= self.target else (0.0 if value == 0 else max(0.0, min(100.0, 100 * self.target / value)))

    @property
    def last_measured(self) -> Measurement | None:
        done = [m for m in self.measurements if m.value is not None]
        return done[-1] if done else None


class Measurement(db.Model):  # type: ignore[name-defined,misc]
    """The value of one period, due a number of business days after the period ends (ANS calendar)."""

    __tablename__ = "gd_measurements"
    __table_args__ = (
        UniqueConstraint("indicator_id", "period_start", name="uq_gd_measurements_period"),
        CheckConstraint("(value IS NULL) = (reported_at IS NULL)", name="reported_has_time"),
        CheckConstraint("period_end >= period_start", name="period_ordered"),
        Index("ix_gd_measurements_pending", "reported_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("gd_indicators.id"), index=True)
    period_start: Mapped[date]
    period_end: Mapped[date]
    label: Mapped[str] = mapped_column(String(20))
    #: the reminder goes out from the first morning after the period ends
    remind_at: Mapped[datetime]
    #: 23:59:59 Bogotá of the N-th business day after the period ends
    due_at: Mapped[datetime]
    value: Mapped[float | None]
    note: Mapped[str | None] = mapped_column(Text)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    overdue_notified_at: Mapped[datetime | None]

    indicator: Mapped[Indicator] = relationship(lazy="joined", back_populates="measurements")
    reported_by: Mapped[User | None] = relationship(lazy="joined")
