"""Web form of the report to the mayor."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional


class MayorReportForm(FlaskForm):
    class Meta:
        csrf = False

    anio = IntegerField(_l("Año"), validators=[Optional(), NumberRange(min=2000, max=2100)])
    periodo = SelectField(
        _l("Cuatrimestre"),
        coerce=int,
        choices=[
            SelectChoice(1, _l("Enero – abril")),
            SelectChoice(2, _l("Mayo – agosto")),
            SelectChoice(3, _l("Septiembre – diciembre")),
        ],
        validators=[Optional()],
    )
