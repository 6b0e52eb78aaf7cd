"""The acta of a committee session (SPEC §6, seed Mesa §4 and §6): the only code that changes actas.

"Enviar por correo electrónico el proyecto del acta a los integrantes … dentro de los cinco (5) días
hábiles siguientes a la sesión, quienes deberá aprobarla o hacer sus observaciones dentro de los
tres (3) días hábiles siguientes. Si vencido este plazo no se han recibido observaciones, se
entenderá que el proyecto de acta fue aprobado. En caso de que existan observaciones …, elaborar la
versión definitiva, dentro de los tres (3) días hábiles siguientes al recibo de las observaciones"
(seed Mesa §6); the members "suscribir las actas de cada sesión" (seed Mesa §4).

``borrador`` (generated when the session closes) → ``enviada`` → ``con_observaciones`` →
``aprobada`` (expressly, tacitly by ``catalog.deadlines.tick``, or by the final version) →
``suscrita``. Versions are never changed: every edit writes the next one. Each function locks the
acta, checks who acts and from which state, writes the audit event and raises ``NotAllowed``,
``WrongState`` or ``ValidationFailed``; the caller commits.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from catalog.acta_body import (
    ActaBody,
    AttendeeEntry,
    CommitmentEntry,
    ItemEntry,
    VoteEntry,
)
from catalog.deadlines import (
    acta_path,
    close_open_deadlines,
    deadline_text,
    notify,
    open_deadline,
    secretariat_users,
)
from catalog.meeting_models import (
    ActaApproval,
    ActaResponse,
    ActaResponseKind,
    ActaSignature,
    ActaState,
    ActaVersion,
    ActaVersionKind,
    AgendaVote,
    AttendanceKind,
    Commitment,
    CommitmentFollowUp,
    CommitteeActa,
    CommitteeDeadline,
    DeadlineKind,
    DeadlineOutcome,
    ItemDecision,
    SessionAttendance,
)
from catalog.members import active_members
from catalog.models import AgendaItem, CommitteeMember, CommitteeSession, SessionState
from catalog.sessions import CommitteeContext, fecha_larga, hora
from config.committee import CommitteeRules
from portal.audit import record_event
from portal.clock import local_date
from portal.db import DbSession
from portal.errors import NotAllowed, ValidationFailed, WrongState
from portal.models import User
from portal.roles import Role

#: the rules of the seeds (both shipped profiles use them) when the caller gives no context
DEFAULT_CONTEXT = CommitteeContext(committee_name="Comité", entity_name="", email_domain="", rules=CommitteeRules())
MAX_TEXT = 20_000
MIN_OBSERVATION = 10
#: what an acta still being worked on may hold: a draft, or one whose final version is due
EDITABLE_STATES = frozenset({ActaState.BORRADOR, ActaState.CON_OBSERVACIONES})
ANSWERABLE_STATES = frozenset({ActaState.ENVIADA, ActaState.CON_OBSERVACIONES})


def acta_title(committee_session: CommitteeSession) -> str:
    """ "Acta n.º 2 de 2026": the acta takes the number of its session in the year."""
    return f"Acta n.º {committee_session.number} de {committee_session.year}"


def require_secretariat(actor: User) -> None:
    if not actor.has_role(Role.SECRETARIA_TECNICA):
        raise NotAllowed("Las actas las elabora, envía y ajusta la secretaría técnica del comité.")


def lock_acta(session: DbSession, acta_id: int) -> CommitteeActa:
    acta = session.execute(
        select(CommitteeActa)
        .where(CommitteeActa.id == acta_id)
        .with_for_update(of=CommitteeActa)
        .execution_options(populate_existing=True)
    ).scalar()
    if acta is None:
        raise WrongState("El acta no existe.")
    return acta


def acta_for_session(session: DbSession, session_id: int) -> CommitteeActa | None:
    return session.execute(select(CommitteeActa).where(CommitteeActa.session_id == session_id)).scalar()


def audit_acta(
    session: DbSession, acta: CommitteeActa, actor: User | None, action: str, before: dict[str, Any] | None, **extra: Any
) -> None:
    record_event(
        session,
        actor=actor,
        action=f"acta.{action}",
        object_type="acta_comite",
        object_id=acta.id,
        before=before,
        after=acta.snapshot() | extra,
    )


def _wrong_state(acta: CommitteeActa, what: str) -> WrongState:
    return WrongState(f"El acta está {acta.state.label.lower()}: no se puede {what}.")


def _member_rank(member: CommitteeMember) -> tuple[bool, bool, bool, int]:
    """The order of ``active_members``: the chair, the voting members, the others, the secretariat."""
    return (not member.is_chair, not member.is_voting, member.is_technical_secretariat, member.id)


# ---------------------------------------------------------------- who signs


def _attendance(session: DbSession, committee_session: CommitteeSession) -> list[SessionAttendance]:
    return list(
        session.execute(
            select(SessionAttendance)
            .where(SessionAttendance.session_id == committee_session.id)
            .order_by(SessionAttendance.arrived_at, SessionAttendance.id)
        )
        .scalars()
        .unique()
    )


def _secretariat_members(session: DbSession) -> list[CommitteeMember]:
    return list(
        session.execute(
            select(CommitteeMember)
            .where(CommitteeMember.is_technical_secretariat.is_(True), CommitteeMember.is_active.is_(True))
            .order_by(CommitteeMember.id)
        ).scalars()
    )


def signatory_members(
    session: DbSession, committee_session: CommitteeSession, attendance: Sequence[SessionAttendance] | None = None
) -> list[CommitteeMember]:
    """Who signs the acta: every member who attended in person (delegates do not sign for the
    member they stood for), plus the technical secretariat (SPEC §6, seed Mesa §4 and §6)."""
    rows = _attendance(session, committee_session) if attendance is None else attendance
    found = {a.member.id: a.member for a in rows if a.kind is AttendanceKind.INTEGRANTE and a.member is not None}
    for member in _secretariat_members(session):
        found.setdefault(member.id, member)
    return sorted(found.values(), key=_member_rank)


def approving_members(signatories: Iterable[CommitteeMember]) -> list[CommitteeMember]:
    """Whose approvals make an express approval: the signatories but the secretariat that wrote it."""
    return [m for m in signatories if not m.is_technical_secretariat]


def _ask_signatures(session: DbSession, acta: CommitteeActa, signatories: Iterable[CommitteeMember], how: str) -> int:
    committee_session = acta.session
    return notify(
        session,
        [m.user for m in signatories],
        subject=f"{acta_title(committee_session)} aprobada: firma pendiente",
        heading=f"El acta de la {committee_session.label} quedó aprobada ({how}).",
        message="Como integrante que asistió a la sesión, o como secretaría técnica, suscriba el acta en el portal.",
        path=acta_path(acta.id),
    )


# ---------------------------------------------------------------- the draft


def on_session_closed(
    session: DbSession,
    committee_session: CommitteeSession,
    *,
    actor: User,
    now: datetime,
    context: CommitteeContext | None = None,
) -> CommitteeActa:
    """Generate the draft acta of a session that has just closed (version 1, ``borrador``) and open
    its deadline: sent within 5 business days after the session (seed Mesa §6), counted from the
    session's closing day in Bogotá. Called by ``catalog.meeting.close_session``.
    """
    context = context or DEFAULT_CONTEXT
    if committee_session.state not in (SessionState.EN_CURSO, SessionState.REALIZADA):
        raise WrongState(f"La {committee_session.label} está {committee_session.state.label.lower()}: no tiene acta.")
    if acta_for_session(session, committee_session.id) is not None:
        raise WrongState(f"La {committee_session.label} ya tiene acta.")
    body = build_body(session, committee_session, context, now=now)
    acta = CommitteeActa(
        session_id=committee_session.id,
        state=ActaState.BORRADOR,
        current_version=1,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(acta)
    session.flush()
    session.add(
        ActaVersion(
            acta_id=acta.id,
            number=1,
            kind=ActaVersionKind.BORRADOR,
            body=dict(body),
            note="Generada al cerrar la sesión.",
            created_by_id=actor.id,
            created_at=now,
        )
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


def build_body(
    session: DbSession, committee_session: CommitteeSession, context: CommitteeContext, *, now: datetime | None = None
) -> ActaBody:
    """The draft's content from what the database recorded of the session, in a fixed number of
    queries whatever the number of people, items and votes: attendance with delegates and guests,
    absent members, quorum, the items with notes, counts, outcomes, casting decisions and each vote,
    the commitments made and those followed up, the signatories."""
    attendance = _attendance(session, committee_session)
    items = list(
        session.execute(
            select(AgendaItem).where(AgendaItem.session_id == committee_session.id).order_by(AgendaItem.position)
        ).scalars()
    )
    decisions = {
        d.item_id: d
        for d in session.execute(
            select(ItemDecision)
            .join(AgendaItem, ItemDecision.item_id == AgendaItem.id)
            .where(AgendaItem.session_id == committee_session.id)
        ).scalars()
    }
    votes: dict[int, list[AgendaVote]] = {}
    for vote in session.execute(
        select(AgendaVote)
        .join(AgendaItem, AgendaVote.item_id == AgendaItem.id)
        .where(AgendaItem.session_id == committee_session.id)
        .order_by(AgendaVote.id)
    ).scalars():
        votes.setdefault(vote.item_id, []).append(vote)
    members = active_members(session)

    attended = {a.member_id for a in attendance if a.member_id is not None}
    voting = [m for m in members if m.is_voting]
    present_voting = len({a.member_id for a in attendance if a.member is not None and a.member.is_voting})
    opened = committee_session.opened_at or committee_session.starts_at
    closed = committee_session.closed_at or now or committee_session.ends_at
    committee_name = context.committee_name
    has_quorum = 2 * present_voting > len(voting)

    body: ActaBody = {
        "title": acta_title(committee_session),
        "committee": committee_name,
        "session_label": committee_session.label,
        "kind": committee_session.kind.value,
        "date": local_date(opened).isoformat(),
        "opened_at": opened.isoformat(),
        "closed_at": closed.isoformat(),
        "place": " · ".join(p for p in (committee_session.place, committee_session.virtual_link) if p),
        "quorum": {"voting_members": len(voting), "present_voting": present_voting, "has_quorum": has_quorum},
        "attendees": _attendees(attendance),
        "absent": [
            {"name": m.user.full_name, "position": m.position, "is_voting": m.is_voting}
            for m in members
            if m.id not in attended and not m.is_technical_secretariat
        ],
        "introduction": _introduction(committee_session, committee_name, opened, present_voting, len(voting), has_quorum),
        "items": [_item_entry(item, decisions.get(item.id), votes.get(item.id, [])) for item in items],
        "commitments": _commitment_entries(session, committee_session),
        "followed_up": _followed_up(session, committee_session),
        "closing": (
            f"Agotado el orden del día, se levantó la sesión a las {hora(closed)}. Para constancia, firman el acta "
            "los integrantes que asistieron y la secretaría técnica."
        ),
        "signatories": [
            {"name": m.user.full_name, "position": m.position, "is_voting": m.is_voting}
            for m in signatory_members(session, committee_session, attendance)
        ],
    }
    return body


_KIND_ORDER = {AttendanceKind.INTEGRANTE: 0, AttendanceKind.DELEGADO: 1, AttendanceKind.INVITADO: 2}


def _attendees(attendance: Sequence[SessionAttendance]) -> list[AttendeeEntry]:
    def order(a: SessionAttendance) -> tuple[Any, ...]:
        rank = _member_rank(a.member) if a.member is not None else (True, True, True, 0)
        return (_KIND_ORDER[a.kind], rank, a.arrived_at, a.id)

    entries: list[AttendeeEntry] = []
    for a in sorted(attendance, key=order):
        member = a.member
        if a.kind is AttendanceKind.INTEGRANTE and member is not None:
            position = member.position
        elif a.kind is AttendanceKind.INVITADO:
            position = a.position or (a.guest.organization if a.guest else None) or "Invitado"
        else:
            position = a.position or ""
        entries.append(
            {
                "kind": a.kind.value,
                "name": a.name,
                "position": position,
                "represents": (
                    f"{member.user.full_name} ({member.position})"
                    if a.kind is AttendanceKind.DELEGADO and member is not None
                    else None
                ),
                "is_voting": member is not None and member.is_voting,
                "arrived_at": a.arrived_at.isoformat(),
                "left_at": a.left_at.isoformat() if a.left_at else None,
            }
        )
    return entries


def _introduction(
    committee_session: CommitteeSession, committee_name: str, opened: datetime, present: int, voting: int, has_quorum: bool
) -> str:
    where = committee_session.place or "reunión virtual"
    label = committee_session.label
    quorum = (
        f"Se verificó el quórum: {present} de {voting} integrantes con voto presentes, con quórum para deliberar y decidir."
        if has_quorum
        else f"Se verificó el quórum: {present} de {voting} integrantes con voto presentes, sin quórum para deliberar."
    )
    return (
        f"El {fecha_larga(opened)}, a las {hora(opened)}, en {where}, se reunió el {committee_name} "
        f"en {label[0].lower()}{label[1:]}, convocada por la secretaría técnica. {quorum}"
    )


def _item_entry(item: AgendaItem, decision: ItemDecision | None, votes: Sequence[AgendaVote]) -> ItemEntry:
    casting = None
    if decision is not None and decision.casting_decision is not None:
        who = decision.casting_by.full_name if decision.casting_by is not None else "quien preside"
        casting = f"Empate dirimido por {who}: {decision.casting_decision.label.lower()}."
        if decision.casting_note:
            casting += f" {decision.casting_note}"
    detail: list[VoteEntry] = []
    if decision is not None:
        detail = [
            {"member": v.member.user.full_name, "choice": v.choice.value}
            for v in sorted(votes, key=lambda v: _member_rank(v.member))
        ]
    return {
        "position": item.position,
        "kind": item.kind.value,
        "title": item.title,
        "initiative_code": item.initiative.code if item.initiative is not None else None,
        "notes": item.notes or "",
        "outcome": decision.outcome.value if decision is not None else None,
        "final_outcome": decision.final_outcome.value if decision is not None else None,
        "votes": (
            {
                "voting_members": decision.voting_members,
                "present_voting": decision.present_voting,
                "a_favor": decision.votes_for,
                "en_contra": decision.votes_against,
                "abstencion": decision.abstentions,
                "sin_voto": decision.not_voted,
            }
            if decision is not None
            else None
        ),
        "vote_detail": detail,
        "casting": casting,
    }


def _commitment_entries(session: DbSession, committee_session: CommitteeSession) -> list[CommitmentEntry]:
    found = session.execute(
        select(Commitment).where(Commitment.session_id == committee_session.id).order_by(Commitment.id)
    ).scalars()
    return [
        {
            "description": c.description,
            "responsible": c.responsible_name,
            "due_date": c.due_date.isoformat(),
            "state": c.state.value,
            "session": committee_session.label,
        }
        for c in found
    ]


def _followed_up(session: DbSession, committee_session: CommitteeSession) -> list[CommitmentEntry]:
    """Earlier commitments reviewed at this session: the state reported and, after the description,
    what was reported (``CommitmentEntry`` has no field of its own for it)."""
    rows = session.execute(
        select(CommitmentFollowUp, Commitment)
        .join(Commitment, CommitmentFollowUp.commitment_id == Commitment.id)
        .where(CommitmentFollowUp.session_id == committee_session.id)
        .order_by(CommitmentFollowUp.id)
    ).all()
    return [
        {
            "description": f"{c.description} — Seguimiento: {f.note}",
            "responsible": c.responsible_name,
            "due_date": c.due_date.isoformat(),
            "state": f.state.value,
            "session": c.session.label,
        }
        for f, c in rows
    ]


# ---------------------------------------------------------------- versions


def current_version(session: DbSession, acta: CommitteeActa) -> ActaVersion:
    return session.execute(
        select(ActaVersion).where(ActaVersion.acta_id == acta.id, ActaVersion.number == acta.current_version)
    ).scalar_one()


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


def _write_version(
    session: DbSession,
    acta: CommitteeActa,
    *,
    actor: User,
    kind: ActaVersionKind,
    body: dict[str, Any],
    note: str | None,
    now: datetime,
) -> ActaVersion:
    version = ActaVersion(
        acta_id=acta.id,
        number=acta.current_version + 1,
        kind=kind,
        body=body,
        note=(note or "").strip() or None,
        created_by_id=actor.id,
        created_at=now,
    )
    session.add(version)
    acta.current_version = version.number
    acta.updated_at = now
    session.flush()
    return version


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
    version = _write_version(session, acta, actor=actor, kind=ActaVersionKind.BORRADOR, body=body, note=note, now=now)
    audit_acta(session, acta, actor, "version", before, nota=version.note)
    return version


# ---------------------------------------------------------------- sending and answers


def send_acta(session: DbSession, acta: CommitteeActa, *, actor: User, now: datetime, context: CommitteeContext) -> CommitteeActa:
    """Send the draft to the members (``enviada``): closes the sending deadline (``cumplido`` or
    ``cumplido_tarde``) and opens the observations one, 3 business days counted from the day it is
    sent (seed Mesa §6). The e-mail names the acta and the deadline; the documents module renders
    the files."""
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
    recipients = [m.user for m in active_members(session) if not m.is_technical_secretariat]
    notify(
        session,
        recipients,
        subject=f"Proyecto de {acta_title(committee_session).lower()} — {context.committee_name}",
        heading=f"La secretaría técnica envía el proyecto de acta de la {committee_session.label} (versión {acta.current_version}).",
        message=(
            f"Apruébelo o envíe sus observaciones en el portal a más tardar {deadline_text(deadline.due_at)}. "
            "Si vencido este plazo no se han recibido observaciones, se entenderá que el proyecto de acta fue aprobado."
        ),
        path=acta_path(acta.id),
    )
    audit_acta(
        session,
        acta,
        actor,
        "envio",
        before,
        envio=[d.outcome.value for d in closed if d.outcome is not None],
        observaciones_vencen=deadline.due_at.isoformat(),
    )
    return acta


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
        signatories = signatory_members(session, acta.session)
        needed = {m.id for m in approving_members(signatories)}
        approved = {r.member_id for r in [*previous, response] if r.kind is ActaResponseKind.APROBACION}
        if needed and needed <= approved:
            before = acta.snapshot()
            acta.state = ActaState.APROBADA
            acta.approval = ActaApproval.EXPRESA
            acta.approved_at = now
            acta.updated_at = now
            session.flush()
            close_open_deadlines(
                session, acta=acta, kinds=[DeadlineKind.OBSERVACIONES], outcome=DeadlineOutcome.CUMPLIDO, now=now, actor=actor
            )
            audit_acta(session, acta, actor, "aprobacion_expresa", before)
            _ask_signatures(session, acta, signatories, "aprobación expresa")
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
        subject=f"Observaciones al {acta_title(committee_session).lower()} — {committee_session.label}",
        heading=f"{actor.full_name} ({seat.position}) envió observaciones al acta de la {committee_session.label}.",
        message=f"{response.text}\n\nLa versión definitiva vence {deadline_text(deadline.due_at)}.",
        path=acta_path(acta.id),
    )


def approve_tacitly(session: DbSession, acta: CommitteeActa, *, deadline: CommitteeDeadline, now: datetime) -> int:
    """ "Si vencido este plazo no se han recibido observaciones, se entenderá que el proyecto de acta
    fue aprobado" (seed Mesa §6): approved at the end of the observation period. Called by the
    periodic check with the acta locked; returns the e-mails queued (the request to sign)."""
    if acta.state is not ActaState.ENVIADA:
        raise _wrong_state(acta, "aprobar tácitamente")
    before = acta.snapshot()
    acta.state = ActaState.APROBADA
    acta.approval = ActaApproval.TACITA
    acta.approved_at = deadline.due_at
    acta.updated_at = now
    session.flush()
    audit_acta(session, acta, None, "aprobacion_tacita", before, plazo=deadline.id)
    return _ask_signatures(session, acta, signatory_members(session, acta.session), "aprobación tácita")


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
    ajustes sugeridos de ser procedentes y elaborar la versión definitiva", seed Mesa §6): a version
    of kind ``definitiva``, the acta ``aprobada`` by it. Closes the final version's deadline
    (``cumplido`` or ``cumplido_tarde``) and the observation period (``cerrado``)."""
    require_secretariat(actor)
    acta = lock_acta(session, acta.id)
    if acta.state is not ActaState.CON_OBSERVACIONES:
        raise _wrong_state(acta, "elaborar la versión definitiva")
    before = acta.snapshot()
    previous = current_version(session, acta)
    body = _edited_body(previous.body, introduction=introduction, item_notes=item_notes, closing=closing)
    version = _write_version(session, acta, actor=actor, kind=ActaVersionKind.DEFINITIVA, body=body, note=note, now=now)
    acta.state = ActaState.APROBADA
    acta.approval = ActaApproval.VERSION_DEFINITIVA
    acta.approved_at = now
    session.flush()
    close_open_deadlines(session, acta=acta, kinds=[DeadlineKind.VERSION_DEFINITIVA], now=now, actor=actor)
    close_open_deadlines(
        session, acta=acta, kinds=[DeadlineKind.OBSERVACIONES], outcome=DeadlineOutcome.CERRADO, now=now, actor=actor
    )
    audit_acta(session, acta, actor, "version_definitiva", before, nota=version.note)
    _ask_signatures(session, acta, signatory_members(session, acta.session), "versión definitiva")
    return version


# ---------------------------------------------------------------- signatures


def sign(session: DbSession, acta: CommitteeActa, *, actor: User, now: datetime) -> ActaSignature:
    """A signatory subscribes the approved acta once (seed Mesa §4: "suscribir las actas de cada
    sesión"); with every signature the acta is ``suscrita``."""
    acta = lock_acta(session, acta.id)
    if acta.state is not ActaState.APROBADA:
        if acta.state is ActaState.SUSCRITA:
            raise WrongState("El acta ya está suscrita por todos sus firmantes.")
        raise _wrong_state(acta, "firmar")
    signatories = signatory_members(session, acta.session)
    seat = next((m for m in signatories if m.user_id == actor.id), None)
    if seat is None:
        raise NotAllowed("Firman el acta los integrantes que asistieron a la sesión y la secretaría técnica.")
    signed = {s.member_id: s for s in session.execute(select(ActaSignature).where(ActaSignature.acta_id == acta.id)).scalars()}
    if seat.id in signed:
        raise WrongState("Usted ya firmó esta acta.")
    before = acta.snapshot()
    signature = ActaSignature(
        acta_id=acta.id, member_id=seat.id, user_id=actor.id, version_number=acta.current_version, signed_at=now
    )
    session.add(signature)
    session.flush()
    audit_acta(session, acta, actor, "firma", before, integrante=seat.id, version=acta.current_version)
    if {m.id for m in signatories} <= {*signed, seat.id}:
        before = acta.snapshot()
        acta.state = ActaState.SUSCRITA
        acta.signed_at = now
        acta.updated_at = now
        session.flush()
        audit_acta(session, acta, actor, "suscrita", before)
    return signature


# ---------------------------------------------------------------- the page


@dataclass
class ActaPage:
    """What the acta's page shows, read in a fixed number of queries (``acta.versions``, ``responses`` and
    ``signatures`` are filled, so templates may use them)."""

    acta: CommitteeActa
    versions: list[ActaVersion]
    responses: list[ActaResponse]
    signatures: list[ActaSignature]
    deadlines: list[CommitteeDeadline]
    signatories: list[CommitteeMember]

    @property
    def current(self) -> ActaVersion:
        return self.versions[-1]

    @property
    def body(self) -> ActaBody:
        return cast(ActaBody, self.current.body)

    @property
    def open_deadlines(self) -> list[CommitteeDeadline]:
        return [d for d in self.deadlines if d.closed_at is None]

    @property
    def closed_deadlines(self) -> list[CommitteeDeadline]:
        return [d for d in self.deadlines if d.closed_at is not None]

    @property
    def pending_signatories(self) -> list[CommitteeMember]:
        signed = {s.member_id for s in self.signatures}
        return [m for m in self.signatories if m.id not in signed]

    def can_respond(self, member: CommitteeMember | None) -> bool:
        """A member (not the secretariat) may answer a sent acta until the observations deadline."""
        return (
            member is not None
            and member.is_active
            and not member.is_technical_secretariat
            and self.acta.state in ANSWERABLE_STATES
        )

    def can_sign(self, member: CommitteeMember | None) -> bool:
        """A signatory who has not signed yet, once the acta is approved."""
        return member is not None and self.acta.state is ActaState.APROBADA and member in self.pending_signatories

    def approvals_of_current(self) -> list[ActaResponse]:
        return [
            r for r in self.responses if r.kind is ActaResponseKind.APROBACION and r.version_number == self.acta.current_version
        ]


def acta_page(session: DbSession, acta_id: int) -> ActaPage | None:
    acta = session.get(CommitteeActa, acta_id)
    if acta is None:
        return None
    versions = list(
        session.execute(select(ActaVersion).where(ActaVersion.acta_id == acta.id).order_by(ActaVersion.number)).scalars()
    )
    responses = list(
        session.execute(select(ActaResponse).where(ActaResponse.acta_id == acta.id).order_by(ActaResponse.id)).scalars()
    )
    signatures = list(
        session.execute(select(ActaSignature).where(ActaSignature.acta_id == acta.id).order_by(ActaSignature.id)).scalars()
    )
    deadlines = list(
        session.execute(select(CommitteeDeadline).where(CommitteeDeadline.acta_id == acta.id).order_by(CommitteeDeadline.id))
        .scalars()
        .unique()
    )
    set_committed_value(acta, "versions", versions)
    set_committed_value(acta, "responses", responses)
    set_committed_value(acta, "signatures", signatures)
    return ActaPage(acta, versions, responses, signatures, deadlines, signatory_members(session, acta.session))
