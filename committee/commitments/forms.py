"""Web forms of commitments and their follow-up."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from committee.commitments.models import CommitmentState


class CommitmentForm(FlaskForm):
    description = TextAreaField(_l("Compromiso"), validators=[DataRequired(_l("Describa el compromiso.")), Length(max=4000)])
    #: the choices are the page's; the service checks the values
    responsible_id = SelectField(
        _l("Responsable con cuenta en el portal"), coerce=int, validators=[Optional()], validate_choice=False
    )
    responsible_name = StringField(
        _l("Responsable (como figura en el acta)"), validators=[DataRequired(_l("Escriba el responsable.")), Length(max=200)]
    )
    due_date = DateField(_l("Fecha de vencimiento"), validators=[InputRequired(_l("Escriba la fecha de vencimiento."))])
    item_id = SelectField(_l("Punto del orden del día"), coerce=int, validators=[Optional()], validate_choice=False)


class FollowUpForm(FlaskForm):
    note = TextAreaField(_l("Avance informado"), validators=[DataRequired(_l("Escriba el avance.")), Length(max=4000)])
    state = SelectField(
        _l("Estado"),
        choices=[SelectChoice(s.value, s.label) for s in CommitmentState],
        validators=[DataRequired(_l("Seleccione el estado."))],
    )
