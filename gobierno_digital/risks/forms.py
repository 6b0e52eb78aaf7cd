"""Forms of the risk map (activity 8)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from gobierno_digital.common import Component
from gobierno_digital.risks import dafp
from gobierno_digital.risks.models import RiskCategory, Treatment


class RiskForm(FlaskForm):
    vigencia = IntegerField(
        _l("Vigencia"), validators=[InputRequired(_l("Indique la vigencia.")), NumberRange(min=2000, max=2100)]
    )
    name = StringField(_l("Riesgo"), validators=[DataRequired(_l("Describa el riesgo.")), Length(max=300)])
    category = SelectField(_l("Tipo de riesgo"), choices=[SelectChoice(c.value, c.label) for c in RiskCategory])
    cause = TextAreaField(_l("Causa"), validators=[DataRequired(_l("Escriba la causa.")), Length(max=4000)])
    consequence = TextAreaField(_l("Consecuencia"), validators=[DataRequired(_l("Escriba la consecuencia.")), Length(max=4000)])
    probability = SelectField(
        _l("Probabilidad"),
        coerce=int,
        choices=[SelectChoice(k, f"{k} · {v} ({dafp.LEVEL_PERCENT[k]} %)") for k, v in dafp.PROBABILITY_LABELS.items()],
    )
    impact = SelectField(
        _l("Impacto"),
        coerce=int,
        choices=[SelectChoice(k, f"{k} · {v} ({dafp.LEVEL_PERCENT[k]} %)") for k, v in dafp.IMPACT_LABELS.items()],
    )
    component = SelectField(
        _l("Componente (opcional)"),
        choices=[SelectChoice("", _l("— Ninguno —"))] + [SelectChoice(c.value, c.label) for c in Component],
    )
    project_id = SelectField(_l("Proyecto (opcional)"), coerce=int, validators=[Optional()])
    treatment = SelectField(_l("Opción de tratamiento"), choices=[SelectChoice(t.value, t.label) for t in Treatment])
    responsible_id = SelectField(
        _l("Responsable del riesgo"), coerce=int, validators=[DataRequired(_l("Seleccione la persona."))]
    )


class ControlForm(FlaskForm):
    description = TextAreaField(_l("Control"), validators=[DataRequired(_l("Describa el control.")), Length(max=4000)])
    control_type = RadioField(
        _l("Tipo de control"),
        choices=[SelectChoice(t.value, f"{t.label} ({dafp.TYPE_WEIGHT[t]} %)") for t in dafp.ControlType],
        default=dafp.ControlType.PREVENTIVO.value,
    )
    implementation = RadioField(
        _l("Implementación"),
        choices=[SelectChoice(i.value, f"{i.label} ({dafp.IMPLEMENTATION_WEIGHT[i]} %)") for i in dafp.Implementation],
        default=dafp.Implementation.MANUAL.value,
    )
    execution = RadioField(
        _l("Ejecución del control"),
        choices=[SelectChoice(e.value, e.label) for e in dafp.Execution],
        default=dafp.Execution.FUERTE.value,
    )
    is_documented = BooleanField(_l("Documentado"), default=True)
    is_continuous = BooleanField(_l("Frecuencia continua (no aleatoria)"), default=True)
    has_evidence = BooleanField(_l("Deja registro (evidencia)"), default=True)


class ActionForm(FlaskForm):
    description = TextAreaField(
        _l("Acción de tratamiento"), validators=[DataRequired(_l("Describa la acción.")), Length(max=4000)]
    )
    responsible_id = SelectField(
        _l("Responsable de la acción"), coerce=int, validators=[DataRequired(_l("Seleccione la persona."))]
    )
    start_date = DateField(_l("Inicio"), validators=[DataRequired(_l("Indique la fecha de inicio."))])
    end_date = DateField(_l("Fin"), validators=[DataRequired(_l("Indique la fecha de finalización."))])
