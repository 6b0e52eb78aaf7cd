"""Scores of the Gobierno Digital evaluations, the analysis sessions and the gaps (activities 1–2)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gobierno_digital.common import Component, Instrument
from gobierno_digital.documents import GdDocument
from portal.db import utcnow
from portal.extensions import db
from portal.models import User, enum_column


class ScoreImport(db.Model):  # type: ignore[name-defined,misc]
    """One accepted file: who imported what, when (a rejected file leaves no row)."""

    __tablename__ = "gd_score_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int]
    #: the (vigencia, instrument) pairs the file replaced: [[2025, "furag"], …]
    scopes: Mapped[list[list[int | str]]] = mapped_column(JSON)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)

    imported_by: Mapped[User | None] = relationship(lazy="joined")


class Score(db.Model):  # type: ignore[name-defined,misc]
    """A question or indicator of an instrument, with the entity's score for one vigencia."""

    __tablename__ = "gd_scores"
    __table_args__ = (
        UniqueConstraint("vigencia", "instrument", "code", name="uq_gd_scores_item"),
        CheckConstraint("maximum > 0", name="maximum_positive"),
        CheckConstraint("score >= 0 AND score <= maximum", name="score_range"),
        Index("ix_gd_scores_vigencia_component", "vigencia", "component"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vigencia: Mapped[int]
    instrument: Mapped[Instrument] = mapped_column(enum_column(Instrument, "gd_instrument"))
    component: Mapped[Component] = mapped_column(enum_column(Component, "gd_component"))
    code: Mapped[str] = mapped_column(String(40))
    question: Mapped[str] = mapped_column(Text)
    score: Mapped[float]
    maximum: Mapped[float]
    import_id: Mapped[int] = mapped_column(ForeignKey("gd_score_imports.id"), index=True)

    @property
    def percent(self) -> float:
        return 100 * self.score / self.maximum


class AnalysisSession(db.Model):  # type: ignore[name-defined,misc]
    """The working session that analysed a vigencia's scores: its attendance and acta (activity 1)."""

    __tablename__ = "gd_analysis_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    vigencia: Mapped[int] = mapped_column(index=True)
    held_on: Mapped[date]
    place: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    attendees: Mapped[list[AnalysisAttendee]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="AnalysisAttendee.id"
    )
    documents: Mapped[list[GdDocument]] = relationship(lazy="selectin", order_by="GdDocument.id")


class AnalysisAttendee(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "gd_analysis_attendees"
    __table_args__ = (UniqueConstraint("session_id", "user_id", name="uq_gd_analysis_attendees_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("gd_analysis_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(lazy="joined")


class Gap(db.Model):  # type: ignore[name-defined,misc]
    """A question the evaluation calls to work on (activity 2). It keeps the figures it was identified
    with, so a later re-import of the vigencia does not rewrite why it was chosen."""

    __tablename__ = "gd_gaps"
    __table_args__ = (UniqueConstraint("vigencia", "instrument", "code", name="uq_gd_gaps_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vigencia: Mapped[int] = mapped_column(index=True)
    instrument: Mapped[Instrument] = mapped_column(enum_column(Instrument, "gd_instrument"))
    component: Mapped[Component] = mapped_column(enum_column(Component, "gd_component"))
    code: Mapped[str] = mapped_column(String(40))
    question: Mapped[str] = mapped_column(Text)
    score: Mapped[float]
    maximum: Mapped[float]
    #: the threshold in force when it was identified
    threshold_percent: Mapped[int]
    identified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    identified_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def percent(self) -> float:
        return 100 * self.score / self.maximum

    @property
    def label(self) -> str:
        return f"{self.instrument.short} {self.code} · {self.question[:80]}"
