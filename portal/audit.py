"""The hash-chained audit trail (SPEC §7).

Each ``AuditEvent`` stores the SHA-256 of its own canonical content together with the hash of the
event before it. Editing any stored field breaks that event's hash; deleting an event breaks the
link of the next one. ``record_event`` is called by services inside the transaction of the change
it records, so the event commits or rolls back with it.

Writers are serialised so the chain never forks: on PostgreSQL with a transaction-scoped advisory
lock, on SQLite by its single-writer lock. The source address is taken from a context variable the
request edge sets (``source_address``), so services stay free of Flask's request object.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select, text

from portal.db import DbSession, utcnow
from portal.models import AuditEvent, User

GENESIS_HASH = "0" * 64
_CHAIN_LOCK_KEY = 0x4D455341  # "MESA"

#: Address of the client whose request is being served; "cli" or "tarea" outside requests.
source_address: ContextVar[str | None] = ContextVar("audit_source_address", default=None)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def compute_hash(
    *,
    prev_hash: str,
    occurred_at: datetime,
    actor_id: int | None,
    actor_name: str,
    action: str,
    object_type: str,
    object_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    source_address: str | None,
) -> str:
    payload = _canonical(
        [
            prev_hash,
            occurred_at.isoformat(timespec="microseconds"),
            actor_id,
            actor_name,
            action,
            object_type,
            object_id,
            before,
            after,
            source_address,
        ]
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _hash_of(event: AuditEvent) -> str:
    return compute_hash(
        prev_hash=event.prev_hash,
        occurred_at=event.occurred_at,
        actor_id=event.actor_id,
        actor_name=event.actor_name,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        before=event.before,
        after=event.after,
        source_address=event.source_address,
    )


def _lock_chain(session: DbSession) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})


def record_event(
    session: DbSession,
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: str | int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain in the caller's transaction and return it (flushed)."""
    _lock_chain(session)
    prev = session.execute(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).scalar()
    before_json = json.loads(_canonical(before)) if before is not None else None
    after_json = json.loads(_canonical(after)) if after is not None else None
    event = AuditEvent(
        occurred_at=utcnow(),
        actor_id=actor.id if actor else None,
        actor_name=actor.username if actor else "sistema",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before_json,
        after=after_json,
        source_address=source_address.get(),
        prev_hash=prev or GENESIS_HASH,
    )
    event.hash = _hash_of(event)
    session.add(event)
    session.flush()
    return event


class Snapshotted(Protocol):
    """An object whose audit events carry what it looked like (requests, initiatives)."""

    @property
    def id(self) -> int: ...

    def snapshot(self) -> dict[str, Any]: ...


def record_change(
    session: DbSession,
    subject: Snapshotted,
    *,
    actor: User | None,
    object_type: str,
    action: str,
    before: dict[str, Any] | None,
) -> AuditEvent:
    """The event ``<object_type>.<action>`` of a change to ``subject``: its snapshot before and after."""
    return record_event(
        session,
        actor=actor,
        action=f"{object_type}.{action}",
        object_type=object_type,
        object_id=subject.id,
        before=before,
        after=subject.snapshot(),
    )


@dataclass(frozen=True)
class ChainProblem:
    event_id: int
    reason: str


def verify_chain(session: DbSession, batch_size: int = 1000) -> ChainProblem | None:
    """Walk the chain in order; return the first broken event, or None when the chain is intact."""
    expected_prev = GENESIS_HASH
    for event in _iter_events(session, batch_size):
        if event.prev_hash != expected_prev:
            return ChainProblem(event.id, "el enlace con el evento anterior no coincide (evento borrado o insertado)")
        if _hash_of(event) != event.hash:
            return ChainProblem(event.id, "el contenido del evento fue modificado")
        expected_prev = event.hash
    return None


def _iter_events(session: DbSession, batch_size: int) -> Iterator[AuditEvent]:
    last_id = 0
    while True:
        rows = (
            session.execute(select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch_size))
            .scalars()
            .all()
        )
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id
