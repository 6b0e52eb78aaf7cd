"""Sending the draft by e-mail with its PDF, the members' approvals and observations within their
deadline, tacit approval (seed Mesa §6) and the signatures of the approved version (seed Mesa §4).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from committee import documents
from committee.actas.approved import approve
from committee.actas.common import (
    ANSWERABLE_STATES,
    DEFAULT_CONTEXT,
    MAX_TEXT,
    MIN_OBSERVATION,
    _ask_signatures,
    _wrong_state,
    acta_title,
    approving_members,
    audit_acta,
    current_version,
    lock_acta,
    require_secretariat,
    signatories,
)
from committee.actas.models import (
    ActaApproval,
    ActaResponse,
    ActaResponseKind,
    ActaSignature,
    ActaState,
    ActaVersion,
    CommitteeActa,
    CommitteeDeadline,
    DeadlineKind,
    DeadlineOutcome,
)
from committee.deadlines import acta_path, close_open_deadlines, deadline_text, notify, open_deadline, secretariat_users
from committee.members import active_members
from committee.models import CommitteeMember
from committee.sessions.common import CommitteeContext
from portal.clock import local_date
from portal.db import DbSession
from portal.errors import NotAllowed, ValidationFailed, WrongState
from portal.models import User

# ---------------------------------------------------------------- sending and answers


def acta_pdf_attachment(acta: CommitteeActa, version: ActaVersion, context: CommitteeContext) -> tuple[str, bytes, str]:
    """The PDF of a version, as an e-mail carries it."""
    data = documents.render_acta_pdf(
        version.body,  # type: ignore[arg-type]
        profile=context.documents_profile,
        version_number=version.number,
        version_kind=version.kind.value,
    )
    return (f"acta-{acta.number}-{acta.year}-v{version.number}.pdf", data, "application/pdf")


def send_acta(session: DbSession, acta: CommitteeActa, *, actor: User, now: datetime, context: CommitteeContext) -> CommitteeActa:
    """Send the draft to the members by e-mail, with its PDF attached ("enviar por correo
    electrónico el proyecto del acta a los integrantes", seed Mesa §6), ``enviada``: closes the
    sending deadline (``cumplido`` or ``cumplido_tarde``) and opens the observations one, 3
    business days counted from the day it is sent; the e-mail gives that deadline."""
    require_secretariat(actor)
    acta = lock_acta(session, acta.id)
    if acta.state is not ActaState.BORRADOR:
        raise _wrong_state(acta, "enviar")
    before = acta.snapshot()
    acta.state = ActaState.ENVIADA
    acta.sent_at = now
    acta.sent_by_id = actor.id
    acta.updated_at = now
    session.flush()
    closed = close_open_deadlines(session, acta=acta, kinds=[DeadlineKind.ENVIO_ACTA], now=now, actor=actor)
    rules = context.rules
    deadline = open_deadline(
        session,
        kind=DeadlineKind.OBSERVACIONES,
        counted_from=local_date(now),
        business_days=rules.acta_observation_business_days,
        warning_business_days=rules.deadline_warning_business_days,
        acta=acta,
        now=now,
        actor=actor,
    )
    committee_session = acta.session
    version = current_version(session, acta)
    recipients = [m.user for m in active_members(session) if not m.is_technical_secretariat]
    notify(
        session,
        recipients,
        subject=f"Proyecto de {acta_title(acta).lower()} — {context.committee_name}",
        heading=(
            f"La secretaría técnica envía el proyecto del {acta_title(acta)} de la {committee_session.label} "
            f"(versión {acta.current_version}), adjunto en PDF."
        ),
        message=(
            f"Apruébelo o envíe sus observaciones en el portal a más tardar {deadline_text(deadline.due_at)}. "
            "Si vencido este plazo no se han recibido observaciones, se entenderá que el proyecto de acta fue aprobado."
        ),
        path=acta_path(acta.id),
        attachments=(acta_pdf_attachment(acta, version, context),),
    )
    audit_acta(
        session,
        acta,
        actor,
        "envio",
        before,
        envio=[d.outcome.value for d in closed if d.outcome is not None],
        observaciones_vencen=deadline.due_at.isoformat(),
        destinatarios=sorted(u.username for u in recipients),
    )
    return acta


def unanswered_members(session: DbSession, acta: CommitteeActa) -> list[CommitteeMember]:
    """The members the draft was sent to (all but the secretariat) who have not answered it yet."""
    answered = set(session.execute(select(ActaResponse.member_id).where(ActaResponse.acta_id == acta.id)).scalars())
    return [m for m in active_members(session) if not m.is_technical_secretariat and m.id not in answered]


def _observation_deadline(session: DbSession, acta: CommitteeActa) -> CommitteeDeadline | None:
    return session.execute(
        select(CommitteeDeadline)
        .where(CommitteeDeadline.acta_id == acta.id, CommitteeDeadline.kind == DeadlineKind.OBSERVACIONES)
        .order_by(CommitteeDeadline.id.desc())
        .limit(1)
    ).scalar()


def member_of(session: DbSession, actor: User) -> CommitteeMember | None:
    """The user's active seat in the committee (the technical secretariat's included), or None."""
    return session.execute(
        select(CommitteeMember).where(CommitteeMember.user_id == actor.id, CommitteeMember.is_active.is_(True))
    ).scalar()


def respond(
    session: DbSession,
    acta: CommitteeActa,
    *,
    actor: User,
    kind: ActaResponseKind,
    text: str | None,
    now: datetime,
    context: CommitteeContext | None = None,
) -> ActaResponse:
    """A member approves the sent draft or sends observations, within 3 business days after it was
    sent (seed Mesa §6; afterwards ``WrongState``).

    Observations put the acta ``con_observaciones`` and (re)open the final version's deadline, 3
    business days counted from the day of this observation (an earlier one is ``reemplazado``).
    When every member who signs (those who attended in person) has approved before any observation,
    the acta is approved expressly.
    """
    context = context or DEFAULT_CONTEXT
    seat = member_of(session, actor)
    if seat is None or seat.is_technical_secretariat:
        raise NotAllowed("Solo los integrantes del comité aprueban el proyecto de acta o envían observaciones.")
    acta = lock_acta(session, acta.id)
    deadline = _observation_deadline(session, acta)
    if deadline is not None and now > deadline.due_at and acta.approval is not ActaApproval.EXPRESA:
        raise WrongState(f"El plazo de observaciones venció {deadline_text(deadline.due_at)}.")
    if acta.state not in ANSWERABLE_STATES:
        raise _wrong_state(acta, "responder")
    cleaned = (text or "").strip() or None
    if cleaned is not None and len(cleaned) > MAX_TEXT:
        raise ValidationFailed("Revise el texto.", fields={"text": [f"Admite hasta {MAX_TEXT} caracteres."]})
    if kind is ActaResponseKind.OBSERVACIONES and (cleaned is None or len(cleaned) < MIN_OBSERVATION):
        raise ValidationFailed(
            "Escriba sus observaciones.", fields={"text": [f"Escriba sus observaciones (al menos {MIN_OBSERVATION} caracteres)."]}
        )
    previous = list(
        session.execute(select(ActaResponse).where(ActaResponse.acta_id == acta.id).order_by(ActaResponse.id)).scalars()
    )
    if kind is ActaResponseKind.APROBACION and any(
        r.member_id == seat.id and r.kind is ActaResponseKind.APROBACION and r.version_number == acta.current_version
        for r in previous
    ):
        raise WrongState("Usted ya aprobó esta versión del acta.")
    before = acta.snapshot()
    response = ActaResponse(
        acta_id=acta.id,
        version_number=acta.current_version,
        member_id=seat.id,
        user_id=actor.id,
        kind=kind,
        text=cleaned,
        at=now,
    )
    session.add(response)
    session.flush()
    if kind is ActaResponseKind.OBSERVACIONES:
        _observed(session, acta, response, actor=actor, seat=seat, context=context, now=now, before=before)
        return response
    audit_acta(session, acta, actor, "aprobacion", before, integrante=seat.id, version=acta.current_version)
    if acta.state is ActaState.ENVIADA:
        found = signatories(session, acta.session)
        needed = {m.id for m in approving_members(found)}
        approved = {r.member_id for r in [*previous, response] if r.kind is ActaResponseKind.APROBACION}
        if needed and needed <= approved:
            before = acta.snapshot()
            version = approve(session, acta, kind=ActaApproval.EXPRESA, approved_at=now, actor=None, now=now)
            close_open_deadlines(
                session, acta=acta, kinds=[DeadlineKind.OBSERVACIONES], outcome=DeadlineOutcome.CUMPLIDO, now=now, actor=actor
            )
            audit_acta(session, acta, actor, "aprobacion_expresa", before, version_aprobada=version.number, sha256=version.sha256)
            _ask_signatures(session, acta, found, "aprobación expresa")
    return response


def _observed(
    session: DbSession,
    acta: CommitteeActa,
    response: ActaResponse,
    *,
    actor: User,
    seat: CommitteeMember,
    context: CommitteeContext,
    now: datetime,
    before: dict[str, Any],
) -> None:
    acta.state = ActaState.CON_OBSERVACIONES
    acta.last_observation_at = now
    acta.updated_at = now
    session.flush()
    close_open_deadlines(
        session, acta=acta, kinds=[DeadlineKind.VERSION_DEFINITIVA], outcome=DeadlineOutcome.REEMPLAZADO, now=now, actor=actor
    )
    rules = context.rules
    deadline = open_deadline(
        session,
        kind=DeadlineKind.VERSION_DEFINITIVA,
        counted_from=local_date(now),
        business_days=rules.acta_final_business_days,
        warning_business_days=rules.deadline_warning_business_days,
        acta=acta,
        now=now,
        actor=actor,
    )
    audit_acta(
        session,
        acta,
        actor,
        "observaciones",
        before,
        integrante=seat.id,
        version=response.version_number,
        version_definitiva_vence=deadline.due_at.isoformat(),
    )
    committee_session = acta.session
    notify(
        session,
        secretariat_users(session),
        subject=f"Observaciones al {acta_title(acta).lower()} — {committee_session.label}",
        heading=f"{actor.full_name} ({seat.position}) envió observaciones al acta de la {committee_session.label}.",
        message=f"{response.text}\n\nLa versión definitiva vence {deadline_text(deadline.due_at)}.",
        path=acta_path(acta.id),
    )


def approve_tacitly(session: DbSession, acta: CommitteeActa, *, deadline: CommitteeDeadline, now: datetime) -> int:
    """ "Si vencido este plazo no se han recibido observaciones, se entenderá que el proyecto de acta
    fue aprobado" (seed Mesa §6): approved at the end of the observation period, in its approved
    version. Called by the periodic check with the acta locked; returns the e-mails queued (the
    request to sign)."""
    if acta.state is not ActaState.ENVIADA:
        raise _wrong_state(acta, "aprobar tácitamente")
    before = acta.snapshot()
    version = approve(session, acta, kind=ActaApproval.TACITA, approved_at=deadline.due_at, actor=None, now=now)
    audit_acta(session, acta, None, "aprobacion_tacita", before, plazo=deadline.id, version_aprobada=version.number)
    return _ask_signatures(session, acta, signatories(session, acta.session), "aprobación tácita")


# ---------------------------------------------------------------- signatures


def sign(session: DbSession, acta: CommitteeActa, *, actor: User, now: datetime) -> ActaSignature:
    """A signatory subscribes the approved version of the acta once (seed Mesa §4: "suscribir las
    actas de cada sesión"): in person, or the delegate for the member it represented. The signature
    keeps the SHA-256 of the version signed, its verification code; with every seat signed the acta
    is ``suscrita``."""
    acta = lock_acta(session, acta.id)
    if acta.state is not ActaState.APROBADA:
        if acta.state is ActaState.SUSCRITA:
            raise WrongState("El acta ya está suscrita por todos sus firmantes.")
        raise _wrong_state(acta, "firmar")
    found = signatories(session, acta.session)
    seat = next((s for s in found if s.may_sign(actor)), None)
    if seat is None:
        raise NotAllowed(
            "Firman el acta los integrantes que asistieron a la sesión, los delegados por el integrante que "
            "representaron y la secretaría técnica."
        )
    signed = {s.member_id for s in session.execute(select(ActaSignature).where(ActaSignature.acta_id == acta.id)).scalars()}
    if seat.member.id in signed:
        raise WrongState("Usted ya firmó esta acta.")
    version = current_version(session, acta)
    before = acta.snapshot()
    signature = ActaSignature(
        acta_id=acta.id,
        member_id=seat.member.id,
        user_id=actor.id,
        version_number=version.number,
        version_sha256=version.sha256,
        signed_at=now,
    )
    session.add(signature)
    session.flush()
    audit_acta(
        session,
        acta,
        actor,
        "firma",
        before,
        integrante=seat.member.id,
        delegado=seat.delegate.name if seat.delegate else None,
        version=version.number,
        sha256=version.sha256,
    )
    if {s.member.id for s in found} <= {*signed, seat.member.id}:
        before = acta.snapshot()
        acta.state = ActaState.SUSCRITA
        acta.signed_at = now
        acta.updated_at = now
        session.flush()
        audit_acta(session, acta, actor, "suscrita", before)
    return signature
