"""Forms of activities 1–2: the scores file, the analysis session."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import MultiCheckboxField


class ImportForm(FlaskForm):
    file = FileField(
        _l("Archivo de calificaciones (XLSX o CSV, máximo 10 MB)"),
        validators=[FileRequired(_l("Seleccione el archivo diligenciado con la plantilla."))],
    )


class AnalysisSessionForm(FlaskForm):
    held_on = DateField(_l("Fecha de la sesión"), validators=[DataRequired(_l("Indique la fecha."))])
    place = StringField(_l("Lugar o enlace virtual"), validators=[DataRequired(_l("Escriba el lugar.")), Length(max=200)])
    attendee_ids = MultiCheckboxField(_l("Asistentes"), coerce=int, validators=[DataRequired(_l("Seleccione a los asistentes."))])
    notes = TextAreaField(_l("Conclusiones del análisis"), validators=[Optional(), Length(max=8000)])
    acta = FileField(_l("Acta firmada (PDF, máximo 10 MB)"), validators=[FileRequired(_l("Adjunte el acta en PDF."))])
