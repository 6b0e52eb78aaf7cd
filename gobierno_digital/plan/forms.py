"""Forms of the work plan (activities 2–4)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from gobierno_digital.common import Component
from gobierno_digital.plan.models import ActivityStatus, ResourceKind
from portal.forms import PesosField


class NewPlanForm(FlaskForm):
    vigencia = IntegerField(_l("Vigencia"), validators=[InputRequired(_l("Indique el año.")), NumberRange(min=2000, max=2100)])


class ActivityForm(FlaskForm):
    gap_id = SelectField(_l("Brecha que atiende"), coerce=int, validators=[Optional()])
    component = SelectField(
        _l("Componente"),
        choices=[SelectChoice("", _l("— El de la brecha —"))] + [SelectChoice(c.value, c.label) for c in Component],
        validators=[Optional()],
    )
    description = TextAreaField(_l("Actividad"), validators=[DataRequired(_l("Describa la actividad.")), Length(max=4000)])
    dependency_id = SelectField(
        _l("Dependencia responsable"), coerce=int, validators=[DataRequired(_l("Seleccione la dependencia."))]
    )
    responsible_id = SelectField(_l("Persona responsable"), coerce=int, validators=[DataRequired(_l("Seleccione la persona."))])
    start_date = DateField(_l("Fecha de inicio"), validators=[DataRequired(_l("Indique la fecha de inicio."))])
    end_date = DateField(_l("Fecha de finalización"), validators=[DataRequired(_l("Indique la fecha de finalización."))])
    deliverable = StringField(_l("Entregable"), validators=[DataRequired(_l("Indique el entregable.")), Length(max=300)])


class StatusForm(FlaskForm):
    status = SelectField(
        _l("Nuevo estado"),
        choices=[SelectChoice(s.value, s.label) for s in ActivityStatus if s is not ActivityStatus.PENDIENTE],
        validators=[DataRequired()],
    )


class ResourceForm(FlaskForm):
    kind = SelectField(_l("Tipo de recurso"), choices=[SelectChoice(k.value, k.label) for k in ResourceKind])
    description = StringField(
        _l("Descripción del recurso"), validators=[DataRequired(_l("Describa el recurso.")), Length(max=500)]
    )
    amount = PesosField(
        _l("Valor (pesos, opcional)"),
        validators=[Optional(), NumberRange(min=0, message=_l("El valor no puede ser negativo."))],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


class BudgetForm(FlaskForm):
    number = StringField(_l("Número del CDP"), validators=[DataRequired(_l("Escriba el número del CDP.")), Length(max=30)])
    issued_on = DateField(_l("Fecha de expedición"), validators=[DataRequired(_l("Indique la fecha."))])
    amount = PesosField(
        _l("Valor del CDP (pesos)"),
        validators=[InputRequired(_l("Indique el valor.")), NumberRange(min=1, message=_l("El valor debe ser mayor que cero."))],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    description = StringField(_l("Rubro u objeto (opcional)"), validators=[Optional(), Length(max=300)])


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Motivo"), validators=[DataRequired(_l("Escriba el motivo.")), Length(max=4000)])
