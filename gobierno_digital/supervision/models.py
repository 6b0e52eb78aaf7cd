"""Milestones of a project with planned dates and weights, and their progress reports (activity 9:
"supervisar ... con base en los cronogramas de ejecución")."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gobierno_digital.projects.models import Project
from portal.db import utcnow
from portal.extensions import db
from portal.models import User


class Milestone(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "gd_milestones"
    __table_args__ = (
        CheckConstraint("weight BETWEEN 1 AND 100", name="weight_range"),
        CheckConstraint("progress_percent BETWEEN 0 AND 100", name="progress_range"),
        CheckConstraint("(progress_percent = 100) = (completed_on IS NOT NULL)", name="completed_has_date"),
        Index("ix_gd_milestones_open", "progress_percent", "planned_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("gd_projects.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    planned_date: Mapped[date]
    #: share of the project (percent points); a project's milestones add up to at most 100
    weight: Mapped[int]
    responsible_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: the latest report's percent (0 until one is reported)
    progress_percent: Mapped[int] = mapped_column(default=0)
    completed_on: Mapped[date | None]
    #: when the late-milestone alert went to the responsible and the Secretario (once)
    late_alerted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    project: Mapped[Project] = relationship(lazy="joined")
    responsible: Mapped[User] = relationship(lazy="joined")
    progress: Mapped[list[MilestoneProgress]] = relationship(
        lazy="selectin", order_by="(MilestoneProgress.reported_on, MilestoneProgress.id)"
    )


class MilestoneProgress(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "gd_milestone_progress"
    __table_args__ = (CheckConstraint("percent BETWEEN 0 AND 100", name="percent_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("gd_milestones.id"), index=True)
    reported_on: Mapped[date]
    percent: Mapped[int]
    note: Mapped[str | None] = mapped_column(Text)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    reported_by: Mapped[User | None] = relationship(lazy="joined")
