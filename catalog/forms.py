"""Web forms of the catalogue and the committee: the initiative, its reports, sessions, agenda, members."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from catalog.models import Enabler, FundingSource
from portal.forms import MultiCheckboxField, PesosField


class InitiativeForm(FlaskForm):
    """The initiative's card. It may be saved incomplete; postulating asks for everything."""

    dependency_id = SelectField(_l("Dependencia"), coerce=int, validators=[DataRequired(_l("Seleccione la dependencia."))])
    title = StringField(_l("Nombre de la iniciativa"), validators=[DataRequired(_l("Escriba el nombre.")), Length(max=200)])
    description = TextAreaField(_l("Descripción"), validators=[DataRequired(_l("Describa la iniciativa.")), Length(max=8000)])
    objective = TextAreaField(_l("Objetivo"), validators=[DataRequired(_l("Escriba el objetivo.")), Length(max=4000)])
    enablers = MultiCheckboxField(
        _l("Habilitadores de la Política de Gobierno Digital"),
        choices=[SelectChoice(e.value, e.label) for e in Enabler],
        validators=[Optional()],
    )
    is_in_peti = BooleanField(_l("Está incluida en el PETI"))
    estimated_budget = PesosField(
        _l("Presupuesto estimado (pesos)"),
        validators=[Optional(), NumberRange(min=0, message=_l("El presupuesto no puede ser negativo."))],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    funding_source = SelectField(
        _l("Fuente de financiación"),
        choices=[SelectChoice("", _l("— Seleccione —"))] + [SelectChoice(f.value, f.label) for f in FundingSource],
        validators=[Optional()],
    )
    start_date = DateField(_l("Fecha estimada de inicio"), validators=[Optional()])
    end_date = DateField(_l("Fecha estimada de finalización"), validators=[Optional()])
    sponsor = StringField(_l("Patrocinador (cargo de quien la respalda)"), validators=[Optional(), Length(max=200)])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Motivo"), validators=[Optional(), Length(max=4000)])


class DocumentForm(FlaskForm):
    file = FileField(_l("Documento (PDF, máximo 10 MB)"), validators=[FileRequired(_l("Seleccione un archivo."))])


class ProgressForm(FlaskForm):
    reported_on = DateField(_l("Fecha de corte"), validators=[DataRequired(_l("Indique la fecha de corte."))])
    percent = IntegerField(
        _l("Avance (%)"),
        validators=[
            InputRequired(_l("Indique el porcentaje de avance.")),
            NumberRange(min=0, max=100, message=_l("Entre 0 y 100.")),
        ],
    )
    indicators = TextAreaField(_l("Indicadores"), validators=[DataRequired(_l("Describa los indicadores.")), Length(max=4000)])
    risks = TextAreaField(_l("Riesgos"), validators=[Optional(), Length(max=4000)])


class FinishForm(FlaskForm):
    note = TextAreaField(_l("Observaciones de cierre"), validators=[Optional(), Length(max=4000)])
