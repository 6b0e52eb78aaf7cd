"""What the Secretaría tunes at runtime: the gap threshold, the business days of each deadline and the
periodicity of the enlaces' checklist. One row; until someone saves it, the defaults below apply."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from gobierno_digital.common import Periodicity, audit
from gobierno_digital.permissions import require_settings_editor
from portal.db import DbSession, utcnow
from portal.errors import ValidationFailed
from portal.extensions import db
from portal.models import User, enum_column

_SETTINGS_ID = 1


@dataclass(frozen=True)
class SettingsData:
    #: a question scoring under this percent of its maximum is proposed as a gap (activity 2)
    gap_threshold_percent: int = 60
    #: a milestone more than this many business days late alerts its responsible and the Secretario
    milestone_late_days: int = 5
    #: a measurement is due this many business days after its period ends
    measurement_due_days: int = 10
    #: how often the enlaces answer their standing duties (seed §5.1 a–d); quarterly by default
    duty_periodicity: Periodicity = Periodicity.TRIMESTRAL
    #: the checklist is due this many business days after its period ends
    duty_due_days: int = 10


DEFAULTS = SettingsData()
LIMITS = {
    "gap_threshold_percent": (1, 100),
    "milestone_late_days": (0, 60),
    "measurement_due_days": (1, 60),
    "duty_due_days": (1, 60),
}


class GdSettings(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "gd_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("gap_threshold_percent BETWEEN 1 AND 100", name="threshold_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    gap_threshold_percent: Mapped[int]
    milestone_late_days: Mapped[int]
    measurement_due_days: Mapped[int]
    duty_periodicity: Mapped[Periodicity] = mapped_column(enum_column(Periodicity, "gd_periodicity"))
    duty_due_days: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


def get_settings(session: DbSession) -> SettingsData:
    row = session.get(GdSettings, _SETTINGS_ID)
    if row is None:
        return DEFAULTS
    return SettingsData(
        gap_threshold_percent=row.gap_threshold_percent,
        milestone_late_days=row.milestone_late_days,
        measurement_due_days=row.measurement_due_days,
        duty_periodicity=row.duty_periodicity,
        duty_due_days=row.duty_due_days,
    )


def save_settings(session: DbSession, *, actor: User, data: SettingsData, now: datetime) -> SettingsData:
    """Save the settings (Secretario or profesional de Gobierno Digital); deadlines computed later use them."""
    require_settings_editor(actor)
    errors = {
        name: [f"Debe estar entre {low} y {high}."]
        for name, (low, high) in LIMITS.items()
        if not low <= getattr(data, name) <= high
    }
    if errors:
        raise ValidationFailed("Revise la configuración.", fields=errors)
    before = asdict(get_settings(session))
    row = session.get(GdSettings, _SETTINGS_ID, with_for_update=True)
    if row is None:
        row = GdSettings(id=_SETTINGS_ID)
        session.add(row)
    for name, value in asdict(data).items():
        setattr(row, name, value)
    row.updated_at, row.updated_by_id = now, actor.id
    session.flush()
    audit(session, actor, "configuracion.guardar", "configuracion", _SETTINGS_ID, before=before, after=asdict(data))
    return data
