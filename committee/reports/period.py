"""The four-month periods of the report (SPEC §6): enero–abril, mayo–agosto, septiembre–diciembre."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from portal.clock import BOGOTA
from portal.errors import ValidationFailed
from sla.reports.assembly import MONTHS

PERIODS_PER_YEAR = 3
MONTHS_PER_PERIOD = 4
MIN_YEAR, MAX_YEAR = 2000, 2100
_PERIOD_RE = re.compile(r"^\s*(\d{4})-(?:C)?([1-3])\s*$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Period:
    """A four-month period (cuatrimestre) of a year: 1 = enero–abril, 2 = mayo–agosto, 3 = septiembre–diciembre."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= PERIODS_PER_YEAR:
            raise ValidationFailed("El periodo no es válido.", fields={"periodo": ["El cuatrimestre es 1, 2 o 3."]})
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise ValidationFailed("El periodo no es válido.", fields={"periodo": [f"El año va de {MIN_YEAR} a {MAX_YEAR}."]})

    @classmethod
    def parse(cls, text: str | None) -> Period:
        """``2026-1`` (or ``2026-C1``) → the first period of 2026."""
        match = _PERIOD_RE.match(text or "")
        if match is None:
            raise ValidationFailed(
                "El periodo no es válido.", fields={"periodo": ["Use AAAA-N, con N = 1, 2 o 3 (por ejemplo 2026-1)."]}
            )
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def key(self) -> str:
        return f"{self.year}-{self.number}"

    @property
    def first_month(self) -> int:
        return MONTHS_PER_PERIOD * (self.number - 1) + 1

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        """The last day of the period (included)."""
        if self.number == PERIODS_PER_YEAR:
            return date(self.year, 12, 31)
        return date(self.year, self.first_month + MONTHS_PER_PERIOD, 1) - timedelta(days=1)

    @property
    def start_at(self) -> datetime:
        """Local midnight of the first day, in UTC."""
        return datetime.combine(self.start, time(0), BOGOTA).astimezone(UTC)

    @property
    def end_at(self) -> datetime:
        """The first instant after the period (local midnight after its last day), in UTC."""
        return datetime.combine(self.end + timedelta(days=1), time(0), BOGOTA).astimezone(UTC)

    @property
    def label(self) -> str:
        """``enero–abril de 2026``."""
        last = self.first_month + MONTHS_PER_PERIOD - 1
        return f"{MONTHS[self.first_month - 1]}–{MONTHS[last - 1]} de {self.year}"

    def previous(self) -> Period:
        return Period(self.year - 1, PERIODS_PER_YEAR) if self.number == 1 else Period(self.year, self.number - 1)

    def contains(self, instant: datetime) -> bool:
        return self.start_at <= instant < self.end_at


def period_of(day: date) -> Period:
    """The period a local date falls in (30 April → 2026-1; 1 May → 2026-2)."""
    return Period(day.year, (day.month - 1) // MONTHS_PER_PERIOD + 1)
