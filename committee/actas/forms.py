"""Web forms of the acta: texts and members' answers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from committee.actas.models import ActaResponseKind


class ActaTextForm(FlaskForm):
    """The texts of the acta the secretariat edits; the item notes come as ``notes_<position>``."""

    introduction = TextAreaField(_l("Introducción"), validators=[Optional(), Length(max=20000)])
    closing = TextAreaField(_l("Cierre"), validators=[Optional(), Length(max=20000)])
    note = StringField(_l("Nota de la versión"), validators=[Optional(), Length(max=500)])


class ActaResponseForm(FlaskForm):
    kind = RadioField(
        _l("Respuesta"),
        choices=[SelectChoice(k.value, k.label) for k in ActaResponseKind],
        validators=[InputRequired(_l("Seleccione aprobar u observar."))],
    )
    text = TextAreaField(_l("Observaciones"), validators=[Optional(), Length(max=20000)])
