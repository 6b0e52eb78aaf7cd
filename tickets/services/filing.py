"""Filing an access request (SPEC §3): the form's data and its validation, drafts, filing and
filing again (``radicada``), withdrawal by the requester, and what is added to a request's file
(comments, attachments).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from portal.audit import record_event
from portal.clock import local_date
from portal.db import DbSession, next_yearly_value
from portal.directory import Directory, DirectoryUnavailable
from portal.errors import NotAllowed, ValidationFailed
from portal.models import StoredFile, User
from portal.roles import Role
from portal.uploads import CheckedFile
from tickets.models import (
    CANCELLABLE_STATES,
    EDITABLE_STATES,
    AccessRequest,
    ApprovalStep,
    Connector,
    LinkType,
    RequestAction,
    RequestAttachment,
    RequestComment,
    RequestCounter,
    RequestState,
    StepState,
)
from tickets.services.admin import policy_steps
from tickets.services.common import (
    add_event,
    audit,
    clean,
    lock_request,
    run_ans_hook,
    wrong_state,
)
from tickets.services.decisions import current_step, request_steps, step_deciders_mail
from tickets.services.validation import (
    EXISTING_ACCOUNT_ACTIONS,
    RequestData,
    normalize_document,
    validate_request_data,
)

__all__ = ["EXISTING_ACCOUNT_ACTIONS", "RequestData", "normalize_document", "validate_request_data"]


def _apply(request: AccessRequest, data: RequestData, session: DbSession) -> None:
    request.form = data.form
    request.action = data.action
    request.system_id = data.system_id
    request.dependency_id = data.dependency_id
    request.priority = data.priority
    request.beneficiary_name = clean(data.beneficiary_name)
    request.beneficiary_document_type = data.beneficiary_document_type
    request.beneficiary_document = normalize_document(data.beneficiary_document)
    request.beneficiary_email = (clean(data.beneficiary_email) or "").lower() or None
    request.beneficiary_position = clean(data.beneficiary_position)
    request.beneficiary_username = (clean(data.beneficiary_username) or "").lower() or None
    request.link_type = data.link_type
    request.contract_end_date = data.contract_end_date if data.link_type is LinkType.CONTRATISTA else None
    request.justification = clean(data.justification)
    request.roles_to_add = sorted(set(data.roles_to_add))
    request.roles_to_remove = sorted(set(data.roles_to_remove))
    request.roles_end_date = data.roles_end_date if data.action is RequestAction.MODIFICAR_ROLES else None
    request.beneficiary_user_id = None
    if request.beneficiary_username:
        request.beneficiary_user_id = session.execute(
            select(User.id).where(func.lower(User.username) == request.beneficiary_username)
        ).scalar()


def data_from_request(request: AccessRequest) -> RequestData:
    return RequestData(
        form=request.form,
        action=request.action,
        system_id=request.system_id,
        dependency_id=request.dependency_id,
        priority=request.priority,
        beneficiary_name=request.beneficiary_name,
        beneficiary_document_type=request.beneficiary_document_type,
        beneficiary_document=request.beneficiary_document,
        beneficiary_email=request.beneficiary_email,
        beneficiary_position=request.beneficiary_position,
        beneficiary_username=request.beneficiary_username,
        link_type=request.link_type,
        contract_end_date=request.contract_end_date,
        justification=request.justification,
        roles_to_add=list(request.roles_to_add or []),
        roles_to_remove=list(request.roles_to_remove or []),
        roles_end_date=request.roles_end_date,
    )


def next_number(session: DbSession, year: int) -> str:
    """SOL-YYYY-NNNNN, gap-free per year and unique under concurrent filings."""
    return f"SOL-{year}-{next_yearly_value(session, RequestCounter, year):05d}"


def create_draft(
    session: DbSession,
    *,
    actor: User,
    data: RequestData,
    email_domain: str,
    today: date,
    prepared_by: User | None = None,
    note: str | None = None,
) -> AccessRequest:
    """An enlace starts a request for a person of its dependency (state ``borrador``).

    ``prepared_by``: the person a draft the portal prepares for ``actor`` is attributed to in the
    history and the audit trail (the head whose designation prepared it), with ``note`` saying so.
    """
    if data.dependency_id not in actor.scoped_dependency_ids(Role.ENLACE):
        raise NotAllowed("Solo el enlace TIC de la dependencia puede radicar solicitudes para su personal.")
    errors = validate_request_data(session, data, email_domain=email_domain, today=today, complete=False)
    if errors:
        raise ValidationFailed("Revise los campos marcados.", fields=errors)
    request = AccessRequest(requester_id=actor.id, state=RequestState.BORRADOR)
    _apply(request, data, session)
    session.add(request)
    session.flush()
    author = prepared_by or actor
    add_event(session, request, author, "borrador_preparado" if prepared_by else "borrador_creado", note=note)
    audit(session, request, author, "preparar_borrador" if prepared_by else "crear_borrador", None)
    return request


def update_draft(
    session: DbSession, request: AccessRequest, *, actor: User, data: RequestData, email_domain: str, today: date
) -> AccessRequest:
    """The requester edits a draft or a returned request."""
    request = lock_request(session, request.id)
    if actor.id != request.requester_id:
        raise NotAllowed("Solo quien radicó la solicitud puede modificarla.")
    if request.state not in EDITABLE_STATES:
        raise wrong_state(request, "modificar")
    if data.dependency_id not in actor.scoped_dependency_ids(Role.ENLACE):
        raise NotAllowed("Solo el enlace TIC de la dependencia puede radicar solicitudes para su personal.")
    if data.form is not request.form:
        raise ValidationFailed(
            "El formato de una solicitud no cambia; cree una nueva.", fields={"form": ["No se puede cambiar."]}
        )
    errors = validate_request_data(session, data, email_domain=email_domain, today=today, complete=False)
    if errors:
        raise ValidationFailed("Revise los campos marcados.", fields=errors)
    before = request.snapshot()
    _apply(request, data, session)
    session.flush()
    add_event(session, request, actor, "editada")
    audit(session, request, actor, "editar", before)
    return request


#: why a ``crear`` for an account the directory already holds is refused (SPEC §4)
ACCOUNT_EXISTS = (
    "La cuenta ya existe en el directorio: no se crea otra vez (se le cambiaría la clave a su dueño). "
    "Si está retirada, radique el formato FO-M11-P2-05 con la acción «activar»; si la persona olvidó la clave "
    "o está bloqueada, use el formato FO-M11-P2-12."
)


def existing_account_errors(directory: Directory, request: AccessRequest) -> dict[str, list[str]]:
    """A FO-M11-P2-05 ``crear`` on a directory system whose username or institutional e-mail the
    directory already holds (SPEC §4): the field errors, empty when the account is new."""
    if request.action is not RequestAction.CREAR or request.system.connector is not Connector.LDAP:
        return {}
    try:
        found = directory.find_accounts(username=request.beneficiary_username, email=request.beneficiary_email)
    except DirectoryUnavailable as exc:
        raise ValidationFailed(
            "No se pudo consultar el directorio para confirmar que la cuenta no existe; intente de nuevo en unos minutos.",
            fields={"beneficiary_username": ["No se pudo verificar en el directorio."]},
        ) from exc
    errors: dict[str, list[str]] = {}
    for account in found:
        person = account.person
        retired = " (retirada)" if account.is_retired else ""
        if request.beneficiary_username and person.username.lower() == request.beneficiary_username:
            errors.setdefault("beneficiary_username", []).append(
                f"Ya existe la cuenta «{person.username}» de {person.full_name}{retired} en el directorio."
            )
        elif request.beneficiary_email and (person.email or "").lower() == request.beneficiary_email:
            errors.setdefault("beneficiary_email", []).append(
                f"El correo {request.beneficiary_email} ya pertenece a la cuenta «{person.username}»{retired} del directorio."
            )
    return errors


def submit_request(
    session: DbSession, request: AccessRequest, *, actor: User, email_domain: str, now: datetime, directory: Directory
) -> AccessRequest:
    """File a draft, or file again a returned request: ``radicada`` (the ANS clock starts).

    A ``crear`` is checked against ``directory`` first: an existing account is refused here, never
    reset at provisioning (SPEC §4).
    """
    # Read before the lock, which loads the requester (often the actor) again and with it its roles.
    enlace_of = actor.scoped_dependency_ids(Role.ENLACE)
    request = lock_request(session, request.id)
    if actor.id != request.requester_id:
        raise NotAllowed("Solo quien radicó la solicitud puede radicarla.")
    if request.state not in EDITABLE_STATES:
        raise wrong_state(request, "radicar")
    if request.dependency_id not in enlace_of:
        raise NotAllowed("Solo el enlace TIC de la dependencia puede radicar solicitudes para su personal.")
    today = local_date(now)
    errors = validate_request_data(session, data_from_request(request), email_domain=email_domain, today=today, complete=True)
    if errors:
        raise ValidationFailed("La solicitud está incompleta: revise los campos marcados.", fields=errors)
    taken = existing_account_errors(directory, request)
    if taken:
        raise ValidationFailed(ACCOUNT_EXISTS, fields=taken)
    before_state = request.state
    before = request.snapshot()
    first_filing = request.number is None
    if first_filing:
        # Seen by the ANS hooks and the history now, written with the number at the end in one
        # UPDATE (``filed_has_number``): the flushes in between leave the locked row as it was.
        set_committed_value(request, "filed_at", now)
        set_committed_value(request, "state", RequestState.RADICADA)
    else:
        request.round += 1
        request.state = RequestState.RADICADA
    # The request's whole chain, known here so that the routing, the ANS hook and the e-mail
    # read it without a query each: a draft has no steps yet, a returned request its past rounds.
    past = [] if before_state is RequestState.BORRADOR else request_steps(session, request, current_round_only=False)
    chain = [
        ApprovalStep(
            request_id=request.id, round=request.round, position=position, kind=kind, started_at=now if position == 1 else None
        )
        for position, kind in enumerate(policy_steps(session, request.form), start=1)
    ]
    session.add_all(chain)
    session.flush()
    set_committed_value(request, "steps", past + chain)
    event = "radicada" if before_state is RequestState.BORRADOR else "radicada_de_nuevo"
    add_event(session, request, actor, event, from_state=before_state, now=now)
    run_ans_hook("on_filed" if before_state is RequestState.BORRADOR else "on_refiled", session, request, now)
    step = current_step(session, request)
    write_mail = step_deciders_mail(session, request, step, today) if step is not None else None
    # Last, so the transaction holds them for as short a time as it can (the commit follows):
    # the yearly counter's row lock (gap-free numbers) and the audit chain's lock.
    if first_filing:
        number = next_number(session, today.year)
        session.execute(
            update(AccessRequest)
            .where(AccessRequest.id == request.id)
            .values(number=number, filed_at=now, state=RequestState.RADICADA)
            .execution_options(synchronize_session=False)
        )
        set_committed_value(request, "number", number)
    audit(session, request, actor, "radicar", before)
    if write_mail is not None:
        write_mail()
    return request


def cancel_request(
    session: DbSession, request: AccessRequest, *, actor: User, reason: str | None, now: datetime
) -> AccessRequest:
    """The requester withdraws a request that has not been approved yet."""
    request = lock_request(session, request.id)
    if actor.id != request.requester_id:
        raise NotAllowed("Solo quien radicó la solicitud puede cancelarla.")
    if request.state not in CANCELLABLE_STATES:
        raise wrong_state(request, "cancelar")
    before = request.snapshot()
    before_state = request.state
    session.execute(
        update(ApprovalStep)
        .where(ApprovalStep.request_id == request.id, ApprovalStep.state == StepState.PENDIENTE)
        .values(state=StepState.ANULADO)
        .execution_options(synchronize_session=False)
    )
    request.state = RequestState.CANCELADA
    request.closed_at = now
    session.flush()
    add_event(session, request, actor, "cancelada", from_state=before_state, note=clean(reason), now=now)
    audit(session, request, actor, "cancelar", before)
    run_ans_hook("on_closed", session, request, now)
    return request


def add_comment(
    session: DbSession, request: AccessRequest, *, actor: User, body: str, internal: bool, now: datetime
) -> RequestComment:
    """Comments from anyone who may see the request; internal notes only from staff; none from
    Control Interno, which reads and never writes (SPEC §1).

    Only a comment the requester can read, written by the service desk or by an approver of the
    request, attends it (stops ``atencion``, SPEC §5); an internal note attends nobody.
    """
    from tickets.permissions import can_comment, can_view_request, is_staff

    if not can_view_request(session, actor, request):
        raise NotAllowed("No puede comentar esta solicitud.")
    if not can_comment(actor):
        raise NotAllowed("Control Interno consulta las solicitudes pero no escribe en ellas.")
    if internal and not is_staff(actor):
        raise NotAllowed("Solo el personal de la Secretaría escribe notas internas.")
    body = (body or "").strip()
    if not body:
        raise ValidationFailed("Escriba el comentario.", fields={"body": ["El comentario está vacío."]})
    if len(body) > 5000:
        raise ValidationFailed("El comentario es demasiado largo (máximo 5.000 caracteres).", fields={"body": ["Máximo 5.000."]})
    comment = RequestComment(request_id=request.id, author_id=actor.id, body=body, is_internal=internal, created_at=now)
    session.add(comment)
    session.flush()
    add_event(session, request, actor, "nota_interna" if internal else "comentario", now=now)
    attends = not internal and _attends(session, request, actor, now)
    record_event(
        session,
        actor=actor,
        action="solicitud.comentar",
        object_type="solicitud",
        object_id=request.id,
        after={"comment": comment.id, "internal": internal, "atencion": attends},
    )
    if attends:
        run_ans_hook("on_comment_by_staff", session, request, now)
    return comment


def _attends(session: DbSession, request: AccessRequest, actor: User, now: datetime) -> bool:
    """The author answers the requester as the service desk or as an approver of this request."""
    if actor.id == request.requester_id:
        return False
    if actor.has_role(Role.AGENTE, Role.APROBADOR, Role.SEGURIDAD, Role.SECRETARIO):
        return True
    if request.dependency_id in actor.scoped_dependency_ids(Role.JEFE):
        return True
    step = current_step(session, request)
    if step is None:
        return False
    from tickets.routing import step_routing

    return step_routing(session, request, step, local_date(now)).decider(actor) is not None


def add_attachment(
    session: DbSession, request: AccessRequest, *, actor: User, file: CheckedFile, now: datetime
) -> RequestAttachment:
    """Attach the signed form scan (PDF or image, checked by content) while the request is open."""
    from tickets.permissions import can_view_request

    if not can_view_request(session, actor, request):
        raise NotAllowed("No puede adjuntar documentos a esta solicitud.")
    if actor.id != request.requester_id and not actor.has_role(Role.AGENTE):
        raise NotAllowed("Solo quien radicó la solicitud o la mesa de servicio adjuntan documentos.")
    if request.state in (RequestState.CERRADA, RequestState.CANCELADA, RequestState.RECHAZADA):
        raise wrong_state(request, "adjuntar documentos")
    attachment = RequestAttachment(
        request_id=request.id,
        **StoredFile.fields_of(file, uploaded_by=actor, uploaded_at=now),
    )
    session.add(attachment)
    session.flush()
    add_event(session, request, actor, "adjunto", note=file.filename, now=now)
    record_event(
        session,
        actor=actor,
        action="solicitud.adjuntar",
        object_type="solicitud",
        object_id=request.id,
        after={"file": file.filename, "sha256": file.sha256, "size": file.size},
    )
    return attachment
