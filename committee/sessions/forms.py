"""Web forms of sessions, agenda, guests, convocations and members."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from committee.models import SessionKind


class SessionForm(FlaskForm):
    kind = RadioField(
        _l("Tipo de sesión"),
        choices=[SelectChoice(k.value, k.label) for k in SessionKind],
        default=SessionKind.ORDINARIA.value,
        validators=[DataRequired(_l("Seleccione el tipo de sesión."))],
    )
    day = DateField(_l("Fecha"), validators=[DataRequired(_l("Indique la fecha."))])
    start_time = TimeField(_l("Hora de inicio"), validators=[DataRequired(_l("Indique la hora de inicio."))])
    end_time = TimeField(_l("Hora de finalización"), validators=[DataRequired(_l("Indique la hora de finalización."))])
    place = StringField(_l("Lugar"), validators=[Optional(), Length(max=300)])
    virtual_link = StringField(_l("Enlace de la reunión virtual"), validators=[Optional(), Length(max=500)])
    requested_inputs = TextAreaField(_l("Insumos solicitados"), validators=[Optional(), Length(max=4000)])
    requested_by_member_id = SelectField(_l("Integrante que la solicita"), coerce=int, validators=[Optional()])
    extraordinary_reason = TextAreaField(_l("Motivo de la sesión extraordinaria"), validators=[Optional(), Length(max=4000)])


class AgendaInitiativeForm(FlaskForm):
    initiative_id = SelectField(
        _l("Iniciativa postulada"), coerce=int, validators=[DataRequired(_l("Seleccione la iniciativa."))]
    )


class AgendaTopicForm(FlaskForm):
    title = StringField(_l("Tema"), validators=[DataRequired(_l("Escriba el tema.")), Length(max=300)])


class GuestForm(FlaskForm):
    name = StringField(_l("Nombre del invitado"), validators=[DataRequired(_l("Escriba el nombre.")), Length(max=200)])
    email = StringField(_l("Correo del invitado"), validators=[DataRequired(_l("Escriba el correo.")), Length(max=254)])
    organization = StringField(_l("Entidad u organización"), validators=[Optional(), Length(max=200)])


class ConveneForm(FlaskForm):
    note = TextAreaField(_l("Nota para los convocados (opcional)"), validators=[Optional(), Length(max=2000)])


class MemberForm(FlaskForm):
    user_id = SelectField(_l("Persona"), coerce=int, validators=[DataRequired(_l("Seleccione a la persona."))])
    position = StringField(_l("Cargo en el comité"), validators=[DataRequired(_l("Escriba el cargo.")), Length(max=200)])
    dependency_id = SelectField(_l("Dependencia"), coerce=int, validators=[Optional()])
    is_voting = BooleanField(_l("Con voto"), default=True)
    is_chair = BooleanField(_l("Preside el comité (voto dirimente)"))
    is_technical_secretariat = BooleanField(_l("Ejerce la secretaría técnica"))
    is_active = BooleanField(_l("Activo"), default=True)
