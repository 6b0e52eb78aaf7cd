"""Forms of the indicators (activities 6–7)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from gobierno_digital.common import Component, Periodicity
from gobierno_digital.indicators.models import Direction


class DecimalCommaField(DecimalField):
    """A number typed with a decimal comma (``12,5``) or point."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist and isinstance(valuelist[0], str):
            raw = valuelist[0].strip().replace(" ", "")
            valuelist = [raw.replace(".", "").replace(",", ".") if "," in raw else raw]
        super().process_formdata(valuelist)


class IndicatorForm(FlaskForm):
    name = StringField(_l("Nombre del indicador"), validators=[DataRequired(_l("Escriba el nombre.")), Length(max=200)])
    formula = TextAreaField(_l("Fórmula"), validators=[DataRequired(_l("Escriba la fórmula.")), Length(max=2000)])
    unit = StringField(_l("Unidad de medida"), validators=[DataRequired(_l("Indique la unidad.")), Length(max=40)])
    baseline = DecimalCommaField(_l("Línea base"), validators=[InputRequired(_l("Indique la línea base."))])
    target = DecimalCommaField(_l("Meta"), validators=[InputRequired(_l("Indique la meta."))])
    direction = SelectField(_l("Sentido"), choices=[SelectChoice(d.value, d.label) for d in Direction])
    periodicity = SelectField(
        _l("Periodicidad"), choices=[SelectChoice(p.value, p.label) for p in Periodicity], default="trimestral"
    )
    vigencia = IntegerField(
        _l("Vigencia"), validators=[InputRequired(_l("Indique la vigencia.")), NumberRange(min=2000, max=2100)]
    )
    component = SelectField(_l("Componente"), choices=[SelectChoice(c.value, c.label) for c in Component])
    project_id = SelectField(_l("Proyecto (opcional)"), coerce=int, validators=[Optional()])
    responsible_id = SelectField(
        _l("Responsable de la medición"), coerce=int, validators=[DataRequired(_l("Seleccione la persona."))]
    )


class MeasurementForm(FlaskForm):
    value = DecimalCommaField(_l("Valor medido"), validators=[InputRequired(_l("Indique el valor."))])
    note = StringField(_l("Observación (fuente del dato)"), validators=[Optional(), Length(max=1000)])
