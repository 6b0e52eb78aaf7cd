"""Web forms of the portal package (WTForms through Flask-WTF, so every form carries CSRF)."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from portal.models import DependencyKind


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


class EmptyForm(FlaskForm):
    """Only the CSRF token: for buttons that post (move, remove)."""


class PesosField(IntegerField):
    """Whole pesos, typed as people write them in Colombia: 480000000, 480.000.000 or $ 480.000.000."""

    widget = TextInput()

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and isinstance(valuelist[0], str):
            valuelist = [re.sub(r"[\s$.]", "", valuelist[0])]
        super().process_formdata(valuelist)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


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
