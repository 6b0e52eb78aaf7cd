"""The enlace's answer to one duty of its checklist."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from gobierno_digital.duties.models import DutyAnswer


class AnswerForm(FlaskForm):
    answer = RadioField(
        _l("Respuesta"),
        choices=[SelectChoice(a.value, a.label) for a in DutyAnswer],
        validators=[DataRequired(_l("Seleccione la respuesta."))],
    )
    evidence_url = StringField(_l("Enlace de la evidencia"), validators=[Optional(), Length(max=500)])
    evidence = FileField(_l("Archivo de evidencia (PDF, PNG o JPEG; máximo 10 MB)"))
    note = TextAreaField(_l("Observación"), validators=[Optional(), Length(max=4000)])
