"""Web forms of the portal package (WTForms through Flask-WTF, so every form carries CSRF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from portal.models import ActType, DependencyKind


class LoginForm(FlaskForm):
    username = StringField(_l("Usuario"), validators=[DataRequired(_l("Escriba su usuario.")), Length(max=120)])
    password = PasswordField(_l("Contraseña"), validators=[DataRequired(_l("Escriba su contraseña.")), Length(max=256)])


class DependencyForm(FlaskForm):
    code = StringField(
        _l("Código"),
        validators=[
            DataRequired(_l("Escriba el código.")),
            Length(max=20),
            Regexp(r"^[A-Za-z0-9_-]+$", message=_l("Use solo letras, números, guion y guion bajo.")),
        ],
    )
    name = StringField(_l("Nombre"), validators=[DataRequired(_l("Escriba el nombre.")), Length(max=200)])
    kind = SelectField(_l("Tipo"), choices=[SelectChoice(k.value, k.label) for k in DependencyKind])
    head_id = SelectField(_l("Jefe de la dependencia"), coerce=int, validators=[Optional()])
    is_active = BooleanField(_l("Activa"), default=True)


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


class RevocationForm(FlaskForm):
    reason = TextAreaField(
        _l("Motivo de la revocación"), validators=[DataRequired(_l("Indique el motivo.")), Length(min=10, max=2000)]
    )


class TokenForm(FlaskForm):
    name = StringField(
        _l("Nombre del token"),
        validators=[DataRequired(_l("Indique para qué usará el token.")), Length(max=120)],
        description=_l("Por ejemplo: «Integración con el tablero de la oficina»."),
    )
    days = IntegerField(
        _l("Vigencia (días)"),
        default=90,
        validators=[InputRequired(_l("Indique la vigencia.")), NumberRange(min=1, max=365, message=_l("Entre 1 y 365 días."))],
    )


class ButtonForm(FlaskForm):
    """A form with no fields but its CSRF token: a button that changes something."""
