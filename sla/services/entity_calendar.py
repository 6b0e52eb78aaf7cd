"""The entity's business calendar: read from the database and cached per process, edited by
``admin`` (entity days off and half days; SPEC §5)."""

from __future__ import annotations

import re
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from itertools import pairwise
from typing import Any

from sqlalchemy import select

from portal.audit import record_event
from portal.db import DbSession
from portal.errors import NotAllowed, ValidationFailed
from portal.models import User
from portal.roles import Role
from sla.calendar import DEFAULT_YEARS, BusinessCalendar
from sla.models import (
    CalendarDayOff,
    CalendarHalfDay,
    CalendarSettings,
)
from sla.services.timers import recompute_running_timers

_SETTINGS_ID = 1
FIRST_YEAR, LAST_YEAR = DEFAULT_YEARS[0], DEFAULT_YEARS[-1]
DEFAULT_REVISION = "predeterminado"
_CACHE_SIZE = 4
_calendars: OrderedDict[str, BusinessCalendar] = OrderedDict()
_calendars_lock = threading.Lock()


def calendar_revision(session: DbSession) -> str:
    """The revision of the entity's calendar settings; a fresh database has the default one."""
    revision = session.execute(select(CalendarSettings.revision).where(CalendarSettings.id == _SETTINGS_ID)).scalar()
    return revision or DEFAULT_REVISION


def _parse_block(block: Sequence[str]) -> tuple[time, time]:
    start, end = block
    return time.fromisoformat(start), time.fromisoformat(end)


def build_calendar(days_off: Iterable[date], half_days: dict[date, list[list[str]]]) -> BusinessCalendar:
    """The entity's calendar: default hours, Colombian holidays, its days off and half days (SPEC §5)."""
    return BusinessCalendar(
        extra_days_off=days_off,
        half_days={day: [_parse_block(b) for b in blocks] for day, blocks in half_days.items()},
    )


def revision_column() -> Any:
    """The calendar's revision as a scalar subquery, for a caller that reads it along with other rows."""
    return (
        select(CalendarSettings.revision).where(CalendarSettings.id == _SETTINGS_ID).scalar_subquery().label("calendar_revision")
    )


def get_calendar(session: DbSession, revision: str | None = None) -> BusinessCalendar:
    """The calendar of the entity as the database has it, built once per revision and process.

    Every change through this module renews the revision token, so a process notices a change
    with one primary-key read (or none, when the caller read ``revision_column`` with its rows);
    building a calendar takes a few tenths of a second.
    """
    revision = revision or calendar_revision(session)
    with _calendars_lock:
        calendar = _calendars.get(revision)
        if calendar is not None:
            _calendars.move_to_end(revision)
            return calendar
    days_off = session.execute(select(CalendarDayOff.day)).scalars().all()
    half_days = {day: blocks for day, blocks in session.execute(select(CalendarHalfDay.day, CalendarHalfDay.blocks)).tuples()}
    calendar = build_calendar(days_off, half_days)
    with _calendars_lock:
        _calendars[revision] = calendar
        while len(_calendars) > _CACHE_SIZE:
            _calendars.popitem(last=False)
    return calendar


def require_admin(actor: User | None, what: str) -> None:
    if actor is not None and not actor.has_role(Role.ADMIN):
        raise NotAllowed(f"Solo un administrador {what}.")


def _calendar_changed(session: DbSession, actor: User | None, now: datetime) -> int:
    """Renew the revision and move the thresholds of the running timers to the new calendar."""
    settings = session.get(CalendarSettings, _SETTINGS_ID, with_for_update=True)  # one change at a time
    if settings is None:
        settings = CalendarSettings(id=_SETTINGS_ID, revision="")
        session.add(settings)
    settings.revision = uuid.uuid4().hex
    settings.updated_at = now
    settings.updated_by_id = actor.id if actor else None
    session.flush()
    return recompute_running_timers(session, get_calendar(session))


def _check_day(day: date, description: str) -> str:
    description = (description or "").strip()
    errors: dict[str, list[str]] = {}
    if not description:
        errors["description"] = ["Escriba el motivo (p. ej., «Día del servidor público»)."]
    elif len(description) > 200:
        errors["description"] = ["Máximo 200 caracteres."]
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        errors["day"] = [f"La fecha debe estar entre los años {FIRST_YEAR} y {LAST_YEAR}."]
    if errors:
        raise ValidationFailed("Revise los campos marcados.", fields=errors)
    return description


def add_day_off(session: DbSession, *, actor: User | None, day: date, description: str, now: datetime) -> CalendarDayOff:
    """Add an entity day off (closed all day); running timers move their thresholds accordingly."""
    require_admin(actor, "modifica el calendario")
    description = _check_day(day, description)
    if session.execute(select(CalendarDayOff.id).where(CalendarDayOff.day == day)).scalar() is not None:
        raise ValidationFailed("Esa fecha ya es un día no hábil de la entidad.", fields={"day": ["Ya registrada."]})
    row = CalendarDayOff(day=day, description=description, created_at=now, created_by_id=actor.id if actor else None)
    session.add(row)
    session.flush()
    moved = _calendar_changed(session, actor, now)
    record_event(
        session,
        actor=actor,
        action="calendario.agregar_dia_no_habil",
        object_type="calendario",
        object_id=day.isoformat(),
        after={"day": day.isoformat(), "description": description, "timers_recomputed": moved},
    )
    return row


def remove_day_off(session: DbSession, *, actor: User | None, day_off: CalendarDayOff, now: datetime) -> None:
    require_admin(actor, "modifica el calendario")
    before = {"day": day_off.day.isoformat(), "description": day_off.description}
    session.delete(day_off)
    session.flush()
    moved = _calendar_changed(session, actor, now)
    record_event(
        session,
        actor=actor,
        action="calendario.quitar_dia_no_habil",
        object_type="calendario",
        object_id=before["day"],
        before=before,
        after={"timers_recomputed": moved},
    )


_BLOCK_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–a]\s*(\d{1,2}):(\d{2})\s*$")


def parse_blocks(text: str) -> list[list[str]]:
    """``"08:00-12:00, 14:00-16:00"`` → ``[["08:00", "12:00"], ["14:00", "16:00"]]``; ValidationFailed otherwise."""
    blocks: list[list[str]] = []
    for part in (p for p in re.split(r"[,;\n]", text or "") if p.strip()):
        match = _BLOCK_RE.match(part)
        if match is None:
            raise ValidationFailed("Revise el horario.", fields={"blocks": [f"«{part.strip()}» no es un bloque HH:MM-HH:MM."]})
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if not (0 <= h1 < 24 and 0 <= h2 < 24 and m1 < 60 and m2 < 60) or (h2, m2) <= (h1, m1):
            raise ValidationFailed("Revise el horario.", fields={"blocks": [f"«{part.strip()}» no es un bloque válido."]})
        blocks.append([f"{h1:02d}:{m1:02d}", f"{h2:02d}:{m2:02d}"])
    if not blocks:
        raise ValidationFailed("Revise el horario.", fields={"blocks": ["Indique al menos un bloque, p. ej. 08:00-12:00."]})
    blocks.sort()
    for (_, end), (start, _) in pairwise(blocks):
        if start < end:
            raise ValidationFailed("Revise el horario.", fields={"blocks": ["Los bloques se traslapan."]})
    return blocks


def add_half_day(
    session: DbSession, *, actor: User | None, day: date, blocks: list[list[str]], description: str, now: datetime
) -> CalendarHalfDay:
    """Add a day with shortened hours (its blocks replace the weekday's usual ones)."""
    require_admin(actor, "modifica el calendario")
    description = _check_day(day, description)
    blocks = parse_blocks(", ".join(f"{a}-{b}" for a, b in blocks))
    if session.execute(select(CalendarHalfDay.id).where(CalendarHalfDay.day == day)).scalar() is not None:
        raise ValidationFailed("Esa fecha ya tiene una jornada especial.", fields={"day": ["Ya registrada."]})
    row = CalendarHalfDay(
        day=day, description=description, blocks=blocks, created_at=now, created_by_id=actor.id if actor else None
    )
    session.add(row)
    session.flush()
    moved = _calendar_changed(session, actor, now)
    record_event(
        session,
        actor=actor,
        action="calendario.agregar_media_jornada",
        object_type="calendario",
        object_id=day.isoformat(),
        after={"day": day.isoformat(), "description": description, "blocks": blocks, "timers_recomputed": moved},
    )
    return row


def remove_half_day(session: DbSession, *, actor: User | None, half_day: CalendarHalfDay, now: datetime) -> None:
    require_admin(actor, "modifica el calendario")
    day = half_day.day.isoformat()
    before: dict[str, Any] = {"day": day, "description": half_day.description, "blocks": half_day.blocks}
    session.delete(half_day)
    session.flush()
    moved = _calendar_changed(session, actor, now)
    record_event(
        session,
        actor=actor,
        action="calendario.quitar_media_jornada",
        object_type="calendario",
        object_id=day,
        before=before,
        after={"timers_recomputed": moved},
    )
