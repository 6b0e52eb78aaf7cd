"""Forms of the ANS pages: targets, entity days off and half days, the report's filters."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class TargetForm(FlaskForm):
    hours = DecimalField(
        _l("Meta en horas hábiles"),
        places=2,
        validators=[
            DataRequired(_l("Escriba la meta en horas hábiles.")),
            NumberRange(min=0.02, max=2000, message=_l("Entre 0,02 y 2.000 horas hábiles.")),
        ],
    )


class ResetTargetForm(FlaskForm):
    """Only the CSRF token: restores the placeholder."""


class DayOffForm(FlaskForm):
    day = DateField(_l("Fecha"), validators=[DataRequired(_l("Indique la fecha."))])
    description = StringField(_l("Motivo"), validators=[DataRequired(_l("Escriba el motivo.")), Length(max=200)])


class HalfDayForm(FlaskForm):
    day = DateField(_l("Fecha"), validators=[DataRequired(_l("Indique la fecha."))])
    blocks = StringField(
        _l("Horario de esa fecha"), default="08:00-12:00", validators=[DataRequired(_l("Indique el horario.")), Length(max=100)]
    )
    description = StringField(_l("Motivo"), validators=[DataRequired(_l("Escriba el motivo.")), Length(max=200)])


class DeleteForm(FlaskForm):
    """Only the CSRF token."""


class ReportFilterForm(FlaskForm):
    """The report's filters travel in the query string (GET), so the form has no CSRF token."""

    class Meta:
        csrf = False

    desde = DateField(_l("Desde"), validators=[Optional()])
    hasta = DateField(_l("Hasta"), validators=[Optional()])
    dependencia = SelectField(_l("Dependencia"), coerce=int, default=0, validators=[Optional()])
