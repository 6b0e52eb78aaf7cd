"""Time of the entity: instants are stored in UTC, days are counted in America/Bogota (SPEC §5)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

BOGOTA = ZoneInfo("America/Bogota")


def local_date(instant: datetime) -> date:
    """The calendar day in Bogotá of a UTC instant (19:30 Bogotá on the 5th is 00:30 UTC on the 6th)."""
    return instant.astimezone(BOGOTA).date()
