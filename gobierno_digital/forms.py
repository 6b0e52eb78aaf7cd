"""The settings form of the plan."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange

from gobierno_digital.common import Periodicity
from gobierno_digital.settings import LIMITS


def _range(name: str) -> NumberRange:
    low, high = LIMITS[name]
    return NumberRange(min=low, max=high, message=_l("Debe estar entre %(min)s y %(max)s."))


class SettingsForm(FlaskForm):
    gap_threshold_percent = IntegerField(
        _l("Umbral de brecha (% del puntaje máximo)"), validators=[InputRequired(), _range("gap_threshold_percent")]
    )
    milestone_late_days = IntegerField(
        _l("Días hábiles de atraso de un hito antes de alertar"), validators=[InputRequired(), _range("milestone_late_days")]
    )
    measurement_due_days = IntegerField(
        _l("Días hábiles para reportar una medición tras cerrar el periodo"),
        validators=[InputRequired(), _range("measurement_due_days")],
    )
    duty_periodicity = SelectField(
        _l("Periodicidad de la lista de deberes de los enlaces"), choices=[SelectChoice(p.value, p.label) for p in Periodicity]
    )
    duty_due_days = IntegerField(
        _l("Días hábiles para responder la lista tras cerrar el periodo"), validators=[InputRequired(), _range("duty_due_days")]
    )
