"""The three official forms as web forms, in the order of the paper forms, and the action forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import MultiCheckboxField
from tickets.models import FORM_ACTIONS, DocumentType, LinkType, Priority, RequestForm
from tickets.services.validation import normalize_document


def _optional_choice(choices: list[SelectChoice]) -> list[SelectChoice]:
    return [SelectChoice("", _l("— Seleccione —")), *choices]


class RequestFormBase(FlaskForm):
    """Fields common to FO-M11-P2-05, -12 and -13. Drafts may be saved incomplete."""

    # 1. Dependencia solicitante
    dependency_id = SelectField(_l("Dependencia"), coerce=int, validators=[DataRequired(_l("Seleccione la dependencia."))])
    # 2. Tipo de solicitud y sistema
    action = RadioField(_l("Tipo de solicitud"), validators=[DataRequired(_l("Seleccione el tipo de solicitud."))])
    system_id = SelectField(_l("Sistema de información"), coerce=int, validators=[DataRequired(_l("Seleccione el sistema."))])
    priority = SelectField(_l("Prioridad"), choices=[SelectChoice(p.value, p.label) for p in Priority], default="normal")
    # 3. Datos del usuario (beneficiario)
    beneficiary_name = StringField(_l("Nombres y apellidos"), validators=[Optional(), Length(max=200)])
    beneficiary_document_type = SelectField(
        _l("Tipo de documento"),
        choices=_optional_choice([SelectChoice(d.value, d.label) for d in DocumentType]),
        validators=[Optional()],
    )
    beneficiary_document = StringField(
        _l("Número de documento"),
        filters=[lambda value: normalize_document(value) if isinstance(value, str) else value],
        validators=[Optional(), Length(max=20)],
    )
    beneficiary_email = StringField(_l("Correo institucional"), validators=[Optional(), Length(max=254)])
    beneficiary_position = StringField(_l("Cargo"), validators=[Optional(), Length(max=200)])
    beneficiary_username = StringField(_l("Usuario en el sistema"), validators=[Optional(), Length(max=120)])
    link_type = RadioField(
        _l("Tipo de vinculación"), choices=[SelectChoice(t.value, t.label) for t in LinkType], validators=[Optional()]
    )
    contract_end_date = DateField(_l("Fecha de terminación del contrato"), validators=[Optional()])
    # 4. Justificación
    justification = TextAreaField(_l("Justificación"), validators=[Optional(), Length(max=4000)])
    # 5. The signed paper form, scanned: checked by content and size with the request (issue 17)
    scan = FileField(_l("Formato firmado escaneado (PDF o imagen, máximo 10 MB, opcional)"))

    form_code: RequestForm
    #: the roles of each active system, for the grouped lists: [(system id, system name, [role, …])]
    role_groups: list[tuple[int, str, list[str]]] = []

    def set_action_choices(self) -> None:
        self.action.choices = [SelectChoice(a.value, a.label) for a in FORM_ACTIONS[self.form_code]]


class CreationForm(RequestFormBase):
    """FO-M11-P2-05 Creación, activación o retiro de usuario."""

    form_code = RequestForm.CREACION
    roles_to_add = MultiCheckboxField(_l("Roles iniciales"), validators=[Optional()])


class PasswordForm(RequestFormBase):
    """FO-M11-P2-12 Olvido de clave o bloqueo por intentos fallidos."""

    form_code = RequestForm.CLAVE


class RolesForm(RequestFormBase):
    """FO-M11-P2-13 Modificación de roles."""

    form_code = RequestForm.ROLES
    roles_to_add = MultiCheckboxField(_l("Roles para agregar"), validators=[Optional()])
    roles_to_remove = MultiCheckboxField(_l("Roles para retirar"), validators=[Optional()])
    roles_end_date = DateField(_l("Vigencia de los roles hasta (opcional)"), validators=[Optional()])


FORM_CLASSES: dict[RequestForm, type[RequestFormBase]] = {
    RequestForm.CREACION: CreationForm,
    RequestForm.CLAVE: PasswordForm,
    RequestForm.ROLES: RolesForm,
}


class DecisionForm(FlaskForm):
    step_id = HiddenField()
    decision = RadioField(
        _l("Decisión"),
        choices=[
            SelectChoice("aprobar", _l("Aprobar")),
            SelectChoice("devolver", _l("Devolver para corrección")),
            SelectChoice("rechazar", _l("Rechazar")),
        ],
        validators=[DataRequired(_l("Elija una decisión."))],
    )
    comment = TextAreaField(_l("Observación (obligatoria para devolver o rechazar)"), validators=[Optional(), Length(max=4000)])


class ExceptionForm(FlaskForm):
    justification = TextAreaField(
        _l("Justificación de la excepción"),
        validators=[DataRequired(_l("La justificación es obligatoria.")), Length(min=10, max=4000)],
    )


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Motivo"), validators=[Optional(), Length(max=4000)])


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Comentario"), validators=[DataRequired(_l("Escriba el comentario.")), Length(max=5000)])
    is_internal = BooleanField(_l("Nota interna (solo personal de la Secretaría)"))


class AttachmentForm(FlaskForm):
    file = FileField(_l("Documento (PDF o imagen, máximo 10 MB)"), validators=[FileRequired(_l("Seleccione un archivo."))])


class DelegationForm(FlaskForm):
    #: "<step kind>:<user id>", grouped by step kind; only eligible delegates are offered
    delegate = SelectField(_l("Paso que delega y persona delegada"), validators=[DataRequired(_l("Seleccione a la persona."))])
    starts_on = DateField(_l("Desde"), validators=[DataRequired(_l("Indique la fecha de inicio."))])
    ends_on = DateField(_l("Hasta"), validators=[DataRequired(_l("Indique la fecha final."))])
    reason = StringField(_l("Motivo (por ejemplo, vacaciones)"), validators=[Optional(), Length(max=300)])


class EndDelegationForm(FlaskForm):
    reason = StringField(_l("Motivo para terminarla"), validators=[Optional(), Length(max=300)])


STEP_CHOICES = [SelectChoice("", _l("— Sin paso —"))] + [
    SelectChoice(kind, label)
    for kind, label in (
        ("jefe", _l("Jefe de la dependencia")),
        ("seguridad", _l("Seguridad de la información")),
        ("aprobador", _l("Líder de economía digital")),
    )
]


class PolicyForm(FlaskForm):
    step1 = SelectField(_l("Paso 1"), choices=STEP_CHOICES)
    step2 = SelectField(_l("Paso 2"), choices=STEP_CHOICES)
    step3 = SelectField(_l("Paso 3"), choices=STEP_CHOICES)

    def steps(self) -> list[str]:
        return [value for value in (self.step1.data, self.step2.data, self.step3.data) if value]


class SystemForm(FlaskForm):
    code = StringField(_l("Código"), validators=[DataRequired(_l("Escriba el código.")), Length(max=40)])
    name = StringField(_l("Nombre"), validators=[DataRequired(_l("Escriba el nombre.")), Length(max=200)])
    connector = SelectField(
        _l("Conector"),
        choices=[
            SelectChoice("ldap", _l("LDAP (aprovisionamiento automático)")),
            SelectChoice("manual", _l("Manual (tarea de la mesa de servicio)")),
        ],
    )
    role_map = TextAreaField(
        _l("Roles"),
        description=_l("Un rol por línea: nombre = grupo LDAP (DN) o nombre del rol en el sistema."),
        validators=[Optional(), Length(max=10000)],
    )
    instructions = TextAreaField(_l("Instrucciones para la mesa de servicio"), validators=[Optional(), Length(max=4000)])
    is_active = BooleanField(_l("Activo"), default=True)

    def parsed_role_map(self) -> dict[str, str] | None:
        """``rol = destino`` per line; None (with the field's errors set) when a line is malformed."""
        result: dict[str, str] = {}
        text = self.role_map.data if isinstance(self.role_map.data, str) else ""  # a POST without the field
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            name, sep, target = line.partition("=")
            if not sep or not name.strip() or not target.strip():
                self.role_map.errors = [f"Línea {number}: use «rol = destino»."]
                return None
            result[name.strip()] = target.strip()
        return result
