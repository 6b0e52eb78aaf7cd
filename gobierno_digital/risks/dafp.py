"""The risk matrix of the DAFP (Departamento Administrativo de la Función Pública), "Guía para la
administración del riesgo y el diseño de controles en entidades públicas", versión 6 (noviembre de
2022), which keeps the tables of versión 5 (diciembre de 2020). Pure: no database, no Flask.

Tables used (the guide's numbering varies between editions; the content is this):

1. Probability (análisis de la probabilidad): 1 Muy baja 20 %, 2 Baja 40 %, 3 Media 60 %,
   4 Alta 80 %, 5 Muy alta 100 %.
2. Impact (análisis del impacto): 1 Leve 20 %, 2 Menor 40 %, 3 Moderado 60 %, 4 Mayor 80 %,
   5 Catastrófico 100 %.
3. Heat map (matriz de calor, zonas de severidad), rows probability, columns impact:

   ==========  =========  =========  =========  ========  ============
   P \\ I       Leve       Menor      Moderado   Mayor     Catastrófico
   ==========  =========  =========  =========  ========  ============
   Muy alta    Alta       Alta       Alta       Alta      Extrema
   Alta        Moderada   Moderada   Alta       Alta      Extrema
   Media       Moderada   Moderada   Moderada   Alta      Extrema
   Baja        Baja       Moderada   Moderada   Alta      Extrema
   Muy baja    Baja       Baja       Moderada   Alta      Extrema
   ==========  =========  =========  =========  ========  ============

4. Control design (atributos de eficiencia del control): tipo — preventivo 25 %, detectivo 15 %,
   correctivo 10 %; implementación — automático 25 %, manual 15 %. The control's rating is the sum
   (25 % to 50 %). The informative attributes (documentación, frecuencia, evidencia) are recorded
   but carry no weight, as in the guide.
5. Residual risk (valoración de los controles): preventive and detective controls lower the
   probability, corrective controls lower the impact; each control, in the order recorded, takes
   its rating as a percentage of the value left by the previous one (60 % − 60 % × 40 % = 36 %).
   The result is read back on tables 1–2 (≤ 20 % Muy baja, ≤ 40 % Baja, ≤ 60 % Media, ≤ 80 % Alta,
   else Muy alta) and its zone on table 3.
6. Control execution (ejecución): from versión 4 (octubre de 2018) of the same guide, a control
   "fuerte" is always executed, "moderado" sometimes, "débil" is not executed; there a strong set
   of controls moves the risk two squares, a moderate one one square, a weak one none. This portal
   keeps that proportion as a factor on the design rating: fuerte 100 %, moderada 50 %, débil 0 %.
   This factor is the portal's reading of the guide, not a table of it: an entity whose risk policy
   sets another one changes ``EXECUTION_FACTOR``.

Corruption risks (tipología de corrupción): the guide does not rate their impact Leve or Menor; the
services refuse an impact under Moderado for them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Zone(StrEnum):
    BAJA = "baja"
    MODERADA = "moderada"
    ALTA = "alta"
    EXTREMA = "extrema"

    @property
    def label(self) -> str:
        return {"baja": "Baja", "moderada": "Moderada", "alta": "Alta", "extrema": "Extrema"}[self.value]

    @property
    def rank(self) -> int:
        return list(Zone).index(self)


PROBABILITY_LABELS = {1: "Muy baja", 2: "Baja", 3: "Media", 4: "Alta", 5: "Muy alta"}
IMPACT_LABELS = {1: "Leve", 2: "Menor", 3: "Moderado", 4: "Mayor", 5: "Catastrófico"}
#: table 1 and 2: level -> percent
LEVEL_PERCENT = {1: 20, 2: 40, 3: 60, 4: 80, 5: 100}

_B, _M, _A, _E = Zone.BAJA, Zone.MODERADA, Zone.ALTA, Zone.EXTREMA
#: table 3: HEAT_MAP[probability][impact]
HEAT_MAP: dict[int, dict[int, Zone]] = {
    5: {1: _A, 2: _A, 3: _A, 4: _A, 5: _E},
    4: {1: _M, 2: _M, 3: _A, 4: _A, 5: _E},
    3: {1: _M, 2: _M, 3: _M, 4: _A, 5: _E},
    2: {1: _B, 2: _M, 3: _M, 4: _A, 5: _E},
    1: {1: _B, 2: _B, 3: _M, 4: _A, 5: _E},
}


class ControlType(StrEnum):
    PREVENTIVO = "preventivo"
    DETECTIVO = "detectivo"
    CORRECTIVO = "correctivo"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Implementation(StrEnum):
    AUTOMATICO = "automatico"
    MANUAL = "manual"

    @property
    def label(self) -> str:
        return {"automatico": "Automático", "manual": "Manual"}[self.value]


class Execution(StrEnum):
    FUERTE = "fuerte"
    MODERADA = "moderada"
    DEBIL = "debil"

    @property
    def label(self) -> str:
        return {
            "fuerte": "Fuerte: se ejecuta siempre",
            "moderada": "Moderada: se ejecuta algunas veces",
            "debil": "Débil: no se ejecuta",
        }[self.value]


#: table 4
TYPE_WEIGHT = {ControlType.PREVENTIVO: 25, ControlType.DETECTIVO: 15, ControlType.CORRECTIVO: 10}
IMPLEMENTATION_WEIGHT = {Implementation.AUTOMATICO: 25, Implementation.MANUAL: 15}
#: table 6 (the portal's reading of versión 4)
EXECUTION_FACTOR = {Execution.FUERTE: 1.0, Execution.MODERADA: 0.5, Execution.DEBIL: 0.0}


def zone(probability: int, impact: int) -> Zone:
    """The zone of a probability and an impact on the 1–5 scales (table 3)."""
    if probability not in HEAT_MAP or impact not in IMPACT_LABELS:
        raise ValueError(f"probability and impact go from 1 to 5, got {probability} and {impact}")
    return HEAT_MAP[probability][impact]


def level_of(percent: float) -> int:
    """A percent read back on the 1–5 scale (tables 1–2): ≤ 20 % is 1, … > 80 % is 5."""
    return min(5, max(1, math.ceil(round(percent, 6) / 20)))


@dataclass(frozen=True)
class ControlRating:
    control_type: ControlType
    implementation: Implementation
    execution: Execution = Execution.FUERTE

    @property
    def design_percent(self) -> int:
        return TYPE_WEIGHT[self.control_type] + IMPLEMENTATION_WEIGHT[self.implementation]

    @property
    def percent(self) -> float:
        """What the control takes off: its design rating times its execution factor."""
        return self.design_percent * EXECUTION_FACTOR[self.execution]

    @property
    def lowers_probability(self) -> bool:
        return self.control_type is not ControlType.CORRECTIVO


@dataclass(frozen=True)
class Valuation:
    probability: int
    impact: int
    probability_percent: float
    impact_percent: float

    @property
    def zone(self) -> Zone:
        return zone(self.probability, self.impact)


def inherent(probability: int, impact: int) -> Valuation:
    zone(probability, impact)  # validates the scales
    return Valuation(probability, impact, LEVEL_PERCENT[probability], LEVEL_PERCENT[impact])


def residual(probability: int, impact: int, controls: Iterable[ControlRating]) -> Valuation:
    """The residual risk after the controls, applied in order (table 5)."""
    start = inherent(probability, impact)
    p, i = float(start.probability_percent), float(start.impact_percent)
    for control in controls:
        if control.lowers_probability:
            p -= p * control.percent / 100
        else:
            i -= i * control.percent / 100
    return Valuation(level_of(p), level_of(i), p, i)
