"""Web forms of designations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from enlaces.models import ActType


class DesignationForm(FlaskForm):
    person = StringField(
        _l("Usuario de la persona designada"),
        validators=[DataRequired(_l("Indique el usuario de la persona.")), Length(max=120)],
        description=_l("Usuario del portal o del directorio institucional (por ejemplo, nombre.apellido)."),
    )
    act_type = SelectField(_l("Tipo de acto"), choices=[SelectChoice(t.value, t.label) for t in ActType])
    act_number = StringField(_l("Número del acto"), validators=[DataRequired(_l("Indique el número del acto.")), Length(max=60)])
    act_date = DateField(_l("Fecha del acto"), validators=[DataRequired(_l("Indique la fecha del acto."))])
    effective_date = DateField(_l("Rige a partir de"), validators=[DataRequired(_l("Indique desde cuándo rige."))])
    act_file = FileField(_l("Acto en PDF (máximo 10 MB)"), validators=[FileRequired(_l("Adjunte el acto en PDF."))])
    #: the designation in force when the page was shown: another one registered meanwhile makes this one stale
    seen_current = HiddenField()


class RevocationForm(FlaskForm):
    reason = TextAreaField(
        _l("Motivo de la revocación"), validators=[DataRequired(_l("Indique el motivo.")), Length(min=10, max=2000)]
    )
