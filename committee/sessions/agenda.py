"""The agenda of a session: fixed items, initiatives and topics, in order (SPEC §6, seed Mesa §5)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from catalog.models import AGENDA_CANDIDATE_STATES, Initiative, InitiativeState
from catalog.services import (
    add_event,
    audit,
    lock_initiative,
    wrong_state,
)
from committee.models import (
    AgendaItem,
    AgendaItemKind,
    CommitteeSession,
)
from committee.sessions.common import FIXED_KINDS, audit_session, lock_session, mark_changed, require_open, require_secretariat
from portal.db import DbSession
from portal.errors import ValidationFailed, WrongState
from portal.models import User
from portal.text import optional_text


def agenda_items(session: DbSession, committee_session: CommitteeSession) -> list[AgendaItem]:
    return list(
        session.execute(
            select(AgendaItem)
            .where(AgendaItem.session_id == committee_session.id)
            .order_by(AgendaItem.position)
            .execution_options(populate_existing=True)
        ).scalars()
    )


def _write_positions(session: DbSession, items: Sequence[AgendaItem]) -> None:
    """Renumber 1..n in two passes, so the unique (session, position) never clashes midway."""
    for index, item in enumerate(items):
        item.position = -(index + 1)
    session.flush()
    for index, item in enumerate(items):
        item.position = index + 1
    session.flush()


def _check_order(items: Sequence[AgendaItem]) -> None:
    if items and items[0].kind is not AgendaItemKind.QUORUM:
        raise ValidationFailed("La verificación del quórum es el primer punto: sin quórum no se delibera.")
    if items and items[-1].kind is not AgendaItemKind.VARIOS:
        raise ValidationFailed("Proposiciones y varios es el último punto del orden del día.")


def _insert_before_closing(session: DbSession, committee_session: CommitteeSession, new_item: AgendaItem) -> None:
    items = agenda_items(session, committee_session)
    new_item.position = (max((i.position for i in items), default=0)) + 1
    session.add(new_item)
    session.flush()
    closing = [i for i in items if i.kind is AgendaItemKind.VARIOS]
    ordered = [i for i in items if i.kind is not AgendaItemKind.VARIOS] + [new_item] + closing
    _write_positions(session, ordered)


def add_initiative_to_agenda(
    session: DbSession, committee_session: CommitteeSession, initiative: Initiative, *, actor: User, now: datetime
) -> AgendaItem:
    """Put a postulated (or deferred) initiative on the orden del día: it becomes ``en_agenda``."""
    require_secretariat(actor)
    committee_session = lock_session(session, committee_session.id)
    require_open(committee_session, "cambiar el orden del día")
    initiative = lock_initiative(session, initiative.id)
    if initiative.state not in AGENDA_CANDIDATE_STATES:
        raise wrong_state(initiative, "incluir en el orden del día")
    if any(i.initiative_id == initiative.id for i in agenda_items(session, committee_session)):
        raise WrongState(f"La iniciativa {initiative.code} ya está en el orden del día de esta sesión.")
    title = f"{initiative.code} — {initiative.title} ({initiative.dependency.name})"[:300]
    item = AgendaItem(session_id=committee_session.id, kind=AgendaItemKind.INICIATIVA, title=title, initiative_id=initiative.id)
    _insert_before_closing(session, committee_session, item)
    before = initiative.snapshot()
    from_state = initiative.state
    initiative.state = InitiativeState.EN_AGENDA
    mark_changed(committee_session)
    session.flush()
    add_event(session, initiative, actor, "incluida_en_agenda", from_state=from_state, now=now, note=committee_session.label)
    audit(session, initiative, actor, "incluir_en_agenda", before)
    audit_session(session, committee_session, actor, "agenda_incluir", None, iniciativa=initiative.code)
    return item


def add_topic(
    session: DbSession, committee_session: CommitteeSession, *, actor: User, title: str | None, now: datetime
) -> AgendaItem:
    """Another point of the orden del día (a presentation, a report), before other business."""
    require_secretariat(actor)
    committee_session = lock_session(session, committee_session.id)
    require_open(committee_session, "cambiar el orden del día")
    cleaned = optional_text(title)
    if cleaned is None or len(cleaned) < 5 or len(cleaned) > 300:
        raise ValidationFailed("Escriba el tema (entre 5 y 300 caracteres).", fields={"title": ["Obligatorio."]})
    item = AgendaItem(session_id=committee_session.id, kind=AgendaItemKind.TEMA, title=cleaned)
    _insert_before_closing(session, committee_session, item)
    mark_changed(committee_session)
    session.flush()
    audit_session(session, committee_session, actor, "agenda_tema", None, tema=cleaned)
    return item


def remove_agenda_item(
    session: DbSession, committee_session: CommitteeSession, item_id: int, *, actor: User, now: datetime
) -> None:
    """Take a point off the agenda (not the fixed ones); an initiative goes back to ``postulada``."""
    require_secretariat(actor)
    committee_session = lock_session(session, committee_session.id)
    require_open(committee_session, "cambiar el orden del día")
    items = agenda_items(session, committee_session)
    item = next((i for i in items if i.id == item_id), None)
    if item is None:
        raise WrongState("Ese punto no está en el orden del día de esta sesión.")
    if item.kind in FIXED_KINDS:
        raise WrongState(f"«{item.title}» es un punto fijo del orden del día.")
    removed = item.title
    if item.initiative_id is not None:
        initiative = lock_initiative(session, item.initiative_id)
        if initiative.state is InitiativeState.EN_AGENDA:
            before = initiative.snapshot()
            initiative.state = InitiativeState.POSTULADA
            session.flush()
            add_event(
                session,
                initiative,
                actor,
                "retirada_de_agenda",
                from_state=InitiativeState.EN_AGENDA,
                now=now,
                note=committee_session.label,
            )
            audit(session, initiative, actor, "retirar_de_agenda", before)
    session.delete(item)
    session.flush()
    _write_positions(session, [i for i in items if i.id != item_id])
    mark_changed(committee_session)
    session.flush()
    audit_session(session, committee_session, actor, "agenda_retirar", None, punto=removed)


def reorder_agenda(
    session: DbSession, committee_session: CommitteeSession, item_ids: Sequence[int], *, actor: User, now: datetime
) -> list[AgendaItem]:
    """Put the agenda in the given order: every item once, the quorum first and other business last."""
    require_secretariat(actor)
    committee_session = lock_session(session, committee_session.id)
    require_open(committee_session, "cambiar el orden del día")
    items = agenda_items(session, committee_session)
    by_id = {i.id: i for i in items}
    if sorted(item_ids) != sorted(by_id):
        raise ValidationFailed("El nuevo orden debe incluir cada punto del orden del día una sola vez.")
    ordered = [by_id[i] for i in item_ids]
    _check_order(ordered)
    if [i.id for i in items] != list(item_ids):
        _write_positions(session, ordered)
        mark_changed(committee_session)
        session.flush()
        audit_session(session, committee_session, actor, "agenda_reordenar", None, orden=[i.title for i in ordered])
    return ordered


def move_agenda_item(
    session: DbSession, committee_session: CommitteeSession, item_id: int, *, actor: User, offset: int, now: datetime
) -> list[AgendaItem]:
    """Move one point up (``offset=-1``) or down (``offset=1``)."""
    ids = [i.id for i in agenda_items(session, committee_session)]
    if item_id not in ids:
        raise WrongState("Ese punto no está en el orden del día de esta sesión.")
    index = ids.index(item_id)
    target = index + offset
    if not 0 <= target < len(ids):
        raise ValidationFailed("Ese punto ya está en el extremo del orden del día.")
    ids[index], ids[target] = ids[target], ids[index]
    return reorder_agenda(session, committee_session, ids, actor=actor, now=now)


def agenda_candidates(session: DbSession) -> list[Initiative]:
    """Initiatives the secretariat may put on an agenda: postulated, or deferred by an earlier session."""
    return list(
        session.execute(
            select(Initiative)
            .where(Initiative.state.in_(AGENDA_CANDIDATE_STATES))
            .order_by(Initiative.postulated_at, Initiative.id)
        ).scalars()
    )
