"""Web forms of the room: attendance, notes, votes, the casting decision."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from committee.room.models import VoteChoice


class MemberArrivalForm(FlaskForm):
    """A member arrives in person (the arrival time defaults to now)."""

    member_id = IntegerField(validators=[InputRequired()])
    arrived_at = TimeField(_l("Hora de llegada"), validators=[Optional()])


class DelegateForm(FlaskForm):
    """A delegate arrives for a member, with the official communication (PDF). The room shows this
    form next to the guest's: each field has an id of its own (the names stay ``name``, ``position``)."""

    member_id = SelectField(
        _l("Integrante que delega"),
        coerce=int,
        validators=[DataRequired(_l("Seleccione el integrante."))],
        id="delegado-integrante",
    )
    name = StringField(
        _l("Nombre del delegado"),
        validators=[DataRequired(_l("Escriba el nombre del delegado.")), Length(max=200)],
        id="delegado-nombre",
    )
    position = StringField(
        _l("Cargo del delegado"), validators=[DataRequired(_l("Escriba el cargo.")), Length(max=200)], id="delegado-cargo"
    )
    #: the delegate's portal account, to vote and sign the acta for the member (0: none)
    user_id = SelectField(
        _l("Cuenta del delegado en el portal (para votar y firmar)"),
        coerce=int,
        validate_choice=False,
        validators=[Optional()],
        id="delegado-cuenta",
    )
    communication = FileField(_l("Comunicación oficial de la delegación (PDF, máximo 10 MB)"), id="delegado-comunicacion")
    arrived_at = TimeField(_l("Hora de llegada"), validators=[Optional()], id="delegado-llegada")


class HeadArrivalForm(FlaskForm):
    """The head of a dependency with an initiative on the agenda arrives (seed Mesa §3)."""

    user_id = IntegerField(validators=[InputRequired()])
    arrived_at = TimeField(_l("Hora de llegada"), validators=[Optional()])


class OpenVotingForm(FlaskForm):
    #: the secretariat confirms voting an initiative without its dependency's head in the room
    without_head = BooleanField(_l("Confirmo que se vota sin la presencia del jefe de la dependencia"))


class GuestArrivalForm(FlaskForm):
    """A guest arrives: one from the session's list (``guest_id``) or somebody else (name)."""

    guest_id = IntegerField(validators=[Optional()])
    name = StringField(_l("Nombre del invitado"), validators=[Optional(), Length(max=200)], id="invitado-nombre")
    position = StringField(_l("Entidad o cargo"), validators=[Optional(), Length(max=200)], id="invitado-cargo")
    arrived_at = TimeField(_l("Hora de llegada"), validators=[Optional()], id="invitado-llegada")


class NotesForm(FlaskForm):
    notes = TextAreaField(_l("Deliberación"), validators=[DataRequired(_l("Escriba la deliberación.")), Length(max=20000)])


class VoteForm(FlaskForm):
    choice = RadioField(
        _l("Voto"),
        choices=[SelectChoice(c.value, c.label) for c in VoteChoice],
        validators=[InputRequired(_l("Seleccione el sentido del voto."))],
    )
    #: the secretariat records the vote of this member (empty: the user votes for itself)
    member_id = IntegerField(validators=[Optional()])


class CastingForm(FlaskForm):
    decision = RadioField(
        _l("Decisión de quien preside"),
        choices=[SelectChoice("aprobada", _l("Aprobar")), SelectChoice("rechazada", _l("Rechazar"))],
        validators=[InputRequired(_l("Seleccione la decisión."))],
    )
    note = TextAreaField(_l("Motivo"), validators=[DataRequired(_l("Escriba el motivo de la decisión.")), Length(max=4000)])
