"""The draft generated when the session closes and the versions that follow it: the secretariat's
edits and the final version after the observations (seed Mesa §6). Versions are never changed.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from committee.actas.approved import approve
from committee.actas.common import (
    DEFAULT_CONTEXT,
    EDITABLE_STATES,
    MAX_TEXT,
    _ask_signatures,
    _commitment_entries,
    _wrong_state,
    acta_for_session,
    audit_acta,
    current_version,
    lock_acta,
    require_secretariat,
    signatories,
    write_version,
)
from committee.actas.draft import build_body
from committee.actas.models import (
    ActaApproval,
    ActaCounter,
    ActaState,
    ActaVersion,
    ActaVersionKind,
    CommitteeActa,
    DeadlineKind,
    DeadlineOutcome,
)
from committee.deadlines import close_open_deadlines, open_deadline
from committee.models import CommitteeSession, SessionState
from committee.sessions.common import CommitteeContext
from portal.clock import local_date
from portal.db import DbSession, next_yearly_value
from portal.errors import ValidationFailed, WrongState
from portal.models import User

# ---------------------------------------------------------------- the draft


def on_session_closed(
    session: DbSession,
    committee_session: CommitteeSession,
    *,
    actor: User,
    now: datetime,
    context: CommitteeContext | None = None,
) -> CommitteeActa:
    """Generate the draft acta of a session that has just closed (version 1, ``borrador``), numbered
    consecutively in the year (Bogotá) in the order actas are created, and open its deadline: sent
    within 5 business days after the session (seed Mesa §6), counted from the session's closing day
    in Bogotá. Called by ``committee.room.closing.close_session``.
    """
    context = context or DEFAULT_CONTEXT
    if committee_session.state not in (SessionState.EN_CURSO, SessionState.REALIZADA):
        raise WrongState(f"La {committee_session.label} está {committee_session.state.label.lower()}: no tiene acta.")
    if acta_for_session(session, committee_session.id) is not None:
        raise WrongState(f"La {committee_session.label} ya tiene acta.")
    year = local_date(now).year
    acta = CommitteeActa(
        session_id=committee_session.id,
        year=year,
        number=next_yearly_value(session, ActaCounter, year),
        state=ActaState.BORRADOR,
        current_version=0,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(acta)
    session.flush()
    body = build_body(session, committee_session, context, now=now)
    write_version(
        session, acta, actor=actor, kind=ActaVersionKind.BORRADOR, body=dict(body), note="Generada al cerrar la sesión.", now=now
    )
    rules = context.rules
    deadline = open_deadline(
        session,
        kind=DeadlineKind.ENVIO_ACTA,
        counted_from=local_date(committee_session.closed_at or now),
        business_days=rules.acta_send_business_days,
        warning_business_days=rules.deadline_warning_business_days,
        acta=acta,
        now=now,
        actor=actor,
    )
    audit_acta(session, acta, actor, "borrador", None, sesion=committee_session.id, envio_vence=deadline.due_at.isoformat())
    return acta


# ---------------------------------------------------------------- versions


def _edited_body(previous: dict[str, Any], *, introduction: str, item_notes: dict[int, str], closing: str) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    introduction, closing = (introduction or "").strip(), (closing or "").strip()
    if not introduction:
        errors["introduction"] = ["Escriba la introducción del acta."]
    elif len(introduction) > MAX_TEXT:
        errors["introduction"] = [f"Admite hasta {MAX_TEXT} caracteres."]
    if not closing:
        errors["closing"] = ["Escriba el cierre del acta."]
    elif len(closing) > MAX_TEXT:
        errors["closing"] = [f"Admite hasta {MAX_TEXT} caracteres."]
    positions = {item["position"] for item in previous["items"]}
    unknown = sorted(set(item_notes) - positions)
    if unknown:
        errors["item_notes"] = [f"El orden del día no tiene el punto {', '.join(str(p) for p in unknown)}."]
    if any(len(text or "") > MAX_TEXT for text in item_notes.values()):
        errors.setdefault("item_notes", []).append(f"Las notas de cada punto admiten hasta {MAX_TEXT} caracteres.")
    if errors:
        raise ValidationFailed("Revise los campos marcados.", fields=errors)
    body = copy.deepcopy(previous)
    body["introduction"] = introduction
    body["closing"] = closing
    for item in body["items"]:
        if item["position"] in item_notes:
            item["notes"] = (item_notes[item["position"]] or "").strip()
    return body


def edit_acta(
    session: DbSession,
    acta: CommitteeActa,
    *,
    actor: User,
    introduction: str,
    item_notes: dict[int, str],
    closing: str,
    note: str | None,
    now: datetime,
) -> ActaVersion:
    """The secretariat edits the texts of a draft (or of an observed acta): the next version, kind
    ``borrador``; earlier versions stay as they were. ``item_notes`` is keyed by agenda position;
    items left out keep their notes. While the draft has not been sent, the commitments of the
    session are read again (the secretariat may record them after closing the session)."""
    require_secretariat(actor)
    acta = lock_acta(session, acta.id)
    if acta.state not in EDITABLE_STATES:
        raise _wrong_state(acta, "modificar")
    before = acta.snapshot()
    previous = current_version(session, acta)
    body = _edited_body(previous.body, introduction=introduction, item_notes=item_notes, closing=closing)
    if acta.state is ActaState.BORRADOR:
        body["commitments"] = _commitment_entries(session, acta.session)
    if body == previous.body:
        raise ValidationFailed("La nueva versión no cambia el texto del acta.")
    version = write_version(session, acta, actor=actor, kind=ActaVersionKind.BORRADOR, body=body, note=note, now=now)
    audit_acta(session, acta, actor, "version", before, nota=version.note)
    return version


def finalize(
    session: DbSession,
    acta: CommitteeActa,
    *,
    actor: User,
    introduction: str,
    item_notes: dict[int, str],
    closing: str,
    note: str | None,
    now: datetime,
) -> ActaVersion:
    """The secretariat writes the final version after the observations ("se procederá a realizar los
    ajustes sugeridos de ser procedentes y elaborar la versión definitiva", seed Mesa §6): the
    approved version (kind ``aprobada``), the acta ``aprobada`` by it. Closes the final version's deadline
    (``cumplido`` or ``cumplido_tarde``) and the observation period (``cerrado``)."""
    require_secretariat(actor)
    acta = lock_acta(session, acta.id)
    if acta.state is not ActaState.CON_OBSERVACIONES:
        raise _wrong_state(acta, "elaborar la versión definitiva")
    before = acta.snapshot()
    previous = current_version(session, acta)
    body = _edited_body(previous.body, introduction=introduction, item_notes=item_notes, closing=closing)
    version = approve(
        session, acta, kind=ActaApproval.VERSION_DEFINITIVA, approved_at=now, actor=actor, now=now, body=body, note=note
    )
    close_open_deadlines(session, acta=acta, kinds=[DeadlineKind.VERSION_DEFINITIVA], now=now, actor=actor)
    close_open_deadlines(
        session, acta=acta, kinds=[DeadlineKind.OBSERVACIONES], outcome=DeadlineOutcome.CERRADO, now=now, actor=actor
    )
    audit_acta(session, acta, actor, "version_definitiva", before, nota=version.note, sha256=version.sha256)
    _ask_signatures(session, acta, signatories(session, acta.session), "versión definitiva")
    return version
