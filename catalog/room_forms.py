"""Web forms of the session in the room and after it: attendance, notes, votes, commitments, acta."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from catalog.meeting_models import ActaResponseKind, CommitmentState, VoteChoice


class MemberArrivalForm(FlaskForm):
    """A member arrives in person (the arrival time defaults to now)."""

    member_id = IntegerField(validators=[InputRequired()])
    arrived_at = TimeField(_l("Hora de llegada"), validators=[Optional()])


class DelegateForm(FlaskForm):
    """A delegate arrives for a member, with the official communication (PDF)."""

    member_id = SelectField(_l("Integrante que delega"), coerce=int, validators=[DataRequired(_l("Seleccione el integrante."))])
    name = StringField(
        _l("Nombre del delegado"), validators=[DataRequired(_l("Escriba el nombre del delegado.")), Length(max=200)]
    )
    position = StringField(_l("Cargo del delegado"), validators=[DataRequired(_l("Escriba el cargo.")), Length(max=200)])
    communication = FileField(_l("Comunicación oficial de la delegación (PDF, máximo 10 MB)"))
    arrived_at = TimeField(_l("Hora de llegada"), validators=[Optional()])


class GuestArrivalForm(FlaskForm):
    """A guest arrives: one from the session's list (``guest_id``) or somebody else (name)."""

    guest_id = IntegerField(validators=[Optional()])
    name = StringField(_l("Nombre del invitado"), validators=[Optional(), Length(max=200)])
    position = StringField(_l("Entidad o cargo"), validators=[Optional(), Length(max=200)])
    arrived_at = TimeField(_l("Hora de llegada"), validators=[Optional()])


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
    note = TextAreaField(_l("Motivo"), validators=[Optional(), Length(max=4000)])


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


class MayorReportForm(FlaskForm):
    class Meta:
        csrf = False

    anio = IntegerField(_l("Año"), validators=[Optional(), NumberRange(min=2000, max=2100)])
    periodo = SelectField(
        _l("Cuatrimestre"),
        coerce=int,
        choices=[
            SelectChoice(1, _l("Enero – abril")),
            SelectChoice(2, _l("Mayo – agosto")),
            SelectChoice(3, _l("Septiembre – diciembre")),
        ],
        validators=[Optional()],
    )
