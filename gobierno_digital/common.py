"""What every part of the Gobierno Digital plan shares: its components, instruments and periods, row
locks, the audit helper and the people mails go to."""

from __future__ import annotations

import unicodedata
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import select

from portal.audit import record_event
from portal.db import DbSession
from portal.errors import WrongState
from portal.models import RoleAssignment, User
from portal.roles import Role


def fold(text: str) -> str:
    """``"Arquitectura  T.I."`` → ``"arquitectura t.i."``: lower case, no accents, single spaces."""
    plain = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(plain.lower().replace("_", " ").split())


class Component(StrEnum):
    """The habilitadores and líneas de acción of the Política de Gobierno Digital (Decreto 767 de 2022).

    The four habilitadores keep the values of ``catalog.models.Enabler``, so an initiative's
    alignment names the same component.
    """

    ARQUITECTURA = "arquitectura"
    SEGURIDAD = "seguridad_privacidad"
    CULTURA = "cultura_apropiacion"
    SERVICIOS_CIUDADANOS = "servicios_ciudadanos_digitales"
    SERVICIOS_PROCESOS = "servicios_procesos_inteligentes"
    DECISIONES_DATOS = "decisiones_basadas_datos"
    ESTADO_ABIERTO = "estado_abierto"

    @property
    def label(self) -> str:
        return COMPONENT_LABELS[self]

    @property
    def is_enabler(self) -> bool:
        return self in ENABLERS

    @property
    def kind_label(self) -> str:
        return "Habilitador" if self.is_enabler else "Línea de acción"

    @classmethod
    def parse(cls, text: str) -> Component | None:
        """The component named by its code, its label or a usual short name; None when unknown."""
        return _COMPONENT_NAMES.get(fold(text))


COMPONENT_LABELS = {
    Component.ARQUITECTURA: "Arquitectura",
    Component.SEGURIDAD: "Seguridad y Privacidad de la Información",
    Component.CULTURA: "Cultura y Apropiación",
    Component.SERVICIOS_CIUDADANOS: "Servicios Ciudadanos Digitales",
    Component.SERVICIOS_PROCESOS: "Servicios y procesos inteligentes",
    Component.DECISIONES_DATOS: "Decisiones basadas en datos",
    Component.ESTADO_ABIERTO: "Estado abierto",
}
ENABLERS = frozenset({Component.ARQUITECTURA, Component.SEGURIDAD, Component.CULTURA, Component.SERVICIOS_CIUDADANOS})
_COMPONENT_NAMES = {
    **{fold(c.value): c for c in Component},
    **{fold(label): c for c, label in COMPONENT_LABELS.items()},
    "arquitectura ti": Component.ARQUITECTURA,
    "arquitectura t.i.": Component.ARQUITECTURA,
    "seguridad y privacidad": Component.SEGURIDAD,
    "seguridad de la informacion": Component.SEGURIDAD,
    "cultura y apropiacion de tic": Component.CULTURA,
    "servicios ciudadanos digitales (scd)": Component.SERVICIOS_CIUDADANOS,
    "servicios y procesos inteligentes": Component.SERVICIOS_PROCESOS,
    "decisiones basadas en datos": Component.DECISIONES_DATOS,
    "estado abierto": Component.ESTADO_ABIERTO,
}


class Instrument(StrEnum):
    """Who measured the entity: FURAG (MIPG), the Índice de Transparencia, the Índice de Gobierno
    Abierto, or the entity's own self-assessment (seed PR-M2-P6-01, definitions)."""

    FURAG = "furag"
    ITD = "itd"
    IGA = "iga"
    PROPIO = "propio"

    @property
    def label(self) -> str:
        return {
            "furag": "FURAG",
            "itd": "ITD (Índice de Transparencia Departamental)",
            "iga": "IGA (Índice de Gobierno Abierto)",
            "propio": "Instrumento propio de la entidad",
        }[self.value]

    @property
    def short(self) -> str:
        return {"furag": "FURAG", "itd": "ITD", "iga": "IGA", "propio": "Propio"}[self.value]

    @classmethod
    def parse(cls, text: str) -> Instrument | None:
        key = fold(text)
        for instrument in cls:
            if key in (instrument.value, fold(instrument.short), fold(instrument.label)):
                return instrument
        return {"entidad": cls.PROPIO, "propio de la entidad": cls.PROPIO, "autoevaluacion": cls.PROPIO}.get(key)


class Periodicity(StrEnum):
    MENSUAL = "mensual"
    TRIMESTRAL = "trimestral"
    SEMESTRAL = "semestral"
    ANUAL = "anual"

    @property
    def label(self) -> str:
        return {"mensual": "Mensual", "trimestral": "Trimestral", "semestral": "Semestral", "anual": "Anual"}[self.value]

    @property
    def months(self) -> int:
        return {"mensual": 1, "trimestral": 3, "semestral": 6, "anual": 12}[self.value]


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str


def periods_of(year: int, periodicity: Periodicity) -> list[Period]:
    """The periods of a year: ``2026-T1`` … for quarters, ``2026-S1`` for halves, ``2026-03`` for months."""
    size = periodicity.months
    found = []
    for index, first_month in enumerate(range(1, 13, size), start=1):
        last_month = first_month + size - 1
        end = date(year, last_month, monthrange(year, last_month)[1])
        label = {
            Periodicity.MENSUAL: f"{year}-{first_month:02d}",
            Periodicity.TRIMESTRAL: f"{year}-T{index}",
            Periodicity.SEMESTRAL: f"{year}-S{index}",
            Periodicity.ANUAL: f"{year}",
        }[periodicity]
        found.append(Period(date(year, first_month, 1), end, label))
    return found


def period_containing(day: date, periodicity: Periodicity) -> Period:
    return next(p for p in periods_of(day.year, periodicity) if p.start <= day <= p.end)


M = TypeVar("M")


def lock(session: DbSession, model: type[M], row_id: int, what: str) -> M:
    """Load a row with its lock (PostgreSQL) so concurrent transitions queue up; WrongState when gone."""
    row = session.execute(
        select(model).where(model.id == row_id).with_for_update(of=model).execution_options(populate_existing=True)  # type: ignore[attr-defined]
    ).scalar()
    if row is None:
        raise WrongState(f"{what} ya no existe.")
    return row


def audit(
    session: DbSession,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: int | str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """An audit event of the plan: actions are named ``gd.<object>.<verb>``."""
    record_event(
        session,
        actor=actor,
        action=f"gd.{action}",
        object_type=f"gd_{object_type}",
        object_id=object_id,
        before=before,
        after=after,
    )


def role_holders(session: DbSession, role: Role, dependency_id: int | None = None) -> list[User]:
    """Active users holding ``role`` (for a scoped role, for that dependency)."""
    query = (
        select(User)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.role == role, User.is_active_account.is_(True))
    )
    if dependency_id is not None:
        query = query.where(RoleAssignment.dependency_id == dependency_id)
    return list(session.execute(query.order_by(User.id)).scalars().unique())


def emails(*people: User | None) -> tuple[str, ...]:
    """Distinct addresses of the people who have one, in order."""
    seen: list[str] = []
    for person in people:
        if person is not None and person.email and person.email not in seen:
            seen.append(person.email)
    return tuple(seen)


def day_text(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        from portal.clock import BOGOTA

        return value.astimezone(BOGOTA).strftime("%d/%m/%Y")
    return value.strftime("%d/%m/%Y")
