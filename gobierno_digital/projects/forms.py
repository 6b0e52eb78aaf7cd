"""Forms of projects, contracts, progress reports and milestones (activities 5 and 9)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from gobierno_digital.common import Component
from portal.forms import PesosField


class ProjectForm(FlaskForm):
    initiative_id = SelectField(_l("Iniciativa del catálogo en ejecución"), coerce=int, validators=[Optional()])
    name = StringField(_l("Nombre del proyecto"), validators=[DataRequired(_l("Escriba el nombre.")), Length(max=200)])
    description = TextAreaField(
        _l("Descripción y objetivo"), validators=[DataRequired(_l("Describa el proyecto.")), Length(max=8000)]
    )
    component = SelectField(_l("Componente"), choices=[SelectChoice(c.value, c.label) for c in Component])
    dependency_id = SelectField(_l("Dependencia"), coerce=int, validators=[DataRequired(_l("Seleccione la dependencia."))])
    vigencia = IntegerField(
        _l("Vigencia del plan"), validators=[InputRequired(_l("Indique la vigencia.")), NumberRange(min=2000, max=2100)]
    )
    responsible_id = SelectField(
        _l("Responsable (supervisor)"), coerce=int, validators=[DataRequired(_l("Seleccione la persona."))]
    )
    start_date = DateField(_l("Fecha de inicio"), validators=[DataRequired(_l("Indique la fecha de inicio."))])
    end_date = DateField(_l("Fecha de finalización"), validators=[Optional()])


class ContractForm(FlaskForm):
    number = StringField(_l("Número del contrato"), validators=[DataRequired(_l("Escriba el número.")), Length(max=40)])
    object = TextAreaField(_l("Objeto del contrato"), validators=[DataRequired(_l("Escriba el objeto.")), Length(max=4000)])
    contractor = StringField(_l("Contratista"), validators=[DataRequired(_l("Escriba el contratista.")), Length(max=200)])
    value = PesosField(
        _l("Valor del contrato (pesos)"),
        validators=[InputRequired(_l("Indique el valor.")), NumberRange(min=0, message=_l("El valor no puede ser negativo."))],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    start_date = DateField(_l("Inicio del contrato"), validators=[DataRequired(_l("Indique la fecha de inicio."))])
    end_date = DateField(_l("Fin del contrato"), validators=[DataRequired(_l("Indique la fecha de finalización."))])


class ContractReportForm(FlaskForm):
    reported_on = DateField(_l("Fecha de corte"), validators=[DataRequired(_l("Indique la fecha de corte."))])
    percent = IntegerField(
        _l("Avance del contrato (%)"), validators=[InputRequired(_l("Indique el avance.")), NumberRange(min=0, max=100)]
    )
    deliverables = TextAreaField(
        _l("Entregables del periodo"), validators=[DataRequired(_l("Indique los entregables.")), Length(max=4000)]
    )
    note = TextAreaField(_l("Observaciones de la supervisión"), validators=[Optional(), Length(max=4000)])
    attachments = MultipleFileField(_l("Anexos (PDF, PNG o JPEG; máximo 10 MB cada uno)"))


class MilestoneForm(FlaskForm):
    name = StringField(_l("Hito"), validators=[DataRequired(_l("Escriba el hito.")), Length(max=200)])
    planned_date = DateField(_l("Fecha programada"), validators=[DataRequired(_l("Indique la fecha programada."))])
    weight = IntegerField(
        _l("Peso en el proyecto (%)"), validators=[InputRequired(_l("Indique el peso.")), NumberRange(min=1, max=100)]
    )
    responsible_id = SelectField(_l("Responsable del hito"), coerce=int, validators=[DataRequired(_l("Seleccione la persona."))])


class MilestoneProgressForm(FlaskForm):
    reported_on = DateField(_l("Fecha del avance"), validators=[DataRequired(_l("Indique la fecha."))])
    percent = IntegerField(
        _l("Avance del hito (%)"), validators=[InputRequired(_l("Indique el avance.")), NumberRange(min=0, max=100)]
    )
    note = StringField(_l("Observación"), validators=[Optional(), Length(max=500)])
