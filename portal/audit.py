"""The hash-chained audit trail (SPEC §7).

Each ``AuditEvent`` stores a MAC of its own canonical content together with the MAC of the event
before it: HMAC-SHA256 keyed with ``AUDIT_HMAC_KEY``, a key kept out of the database (required in
production; derived from the secret key for a first run). Editing any stored field breaks that
event's link; deleting an event breaks the next one's; and without the key nobody who can write
to the database can recompute the chain after an edit. Events written before the keyed chain
(``chain_version`` 1) keep their plain SHA-256 links; the first keyed event covers the last of
them, so they cannot be rewritten either, and a plain event after a keyed one is refused.

Deleting the *newest* events leaves a shorter chain that is still consistent: the **head**
(count and last hash), recorded outside the database by a periodic task (``record_head``: a log
line and a line in ``AUDIT_HEAD_FILE`` that an operator ships elsewhere), catches it —
``flask audit verify`` compares the chain with the last recorded head.

On PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE of the table (migration
3f8d2b6c1e47); that stops the application's own connection, not the table's owner — the MACs
and the head are what detect the owner.

``record_event`` is called by services inside the transaction of the change it records, so the
event commits or rolls back with it. Writers are serialised so the chain never forks: on
PostgreSQL with a transaction-scoped advisory lock, on SQLite by its single-writer lock. The
source address is taken from a context variable the request edge sets (``source_address``), so
services stay free of Flask's request object.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from flask import current_app
from sqlalchemy import func, select, text

from portal.db import DbSession, utcnow
from portal.models import AuditEvent, User

log = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
_CHAIN_LOCK_KEY = 0x4D455341  # "MESA"
PLAIN_CHAIN, KEYED_CHAIN = 1, 2

#: Address of the client whose request is being served; "cli" or "tarea" outside requests.
source_address: ContextVar[str | None] = ContextVar("audit_source_address", default=None)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def chain_key() -> bytes:
    return str(current_app.config["AUDIT_HMAC_KEY"]).encode("utf-8")


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
    key: bytes | None = None,
) -> str:
    """The link of one event: HMAC-SHA256 with ``key``, or plain SHA-256 for version-1 events."""
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
    ).encode("utf-8")
    if key is None:
        return hashlib.sha256(payload).hexdigest()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def _hash_of(event: AuditEvent, key: bytes) -> str:
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
        key=key if event.chain_version == KEYED_CHAIN else None,
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
        chain_version=KEYED_CHAIN,
    )
    event.hash = _hash_of(event, chain_key())
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


@dataclass(frozen=True)
class ChainHead:
    """How long the chain was and how it ended, at a moment: recorded outside the database."""

    count: int
    last_id: int
    last_hash: str
    recorded_at: str = ""


def verify_chain(session: DbSession, batch_size: int = 1000, key: bytes | None = None) -> ChainProblem | None:
    """Walk the chain in order; return the first broken event, or None when the chain is intact."""
    key = key if key is not None else chain_key()
    expected_prev = GENESIS_HASH
    keyed_seen = False
    for event in _iter_events(session, batch_size):
        if event.prev_hash != expected_prev:
            return ChainProblem(event.id, "el enlace con el evento anterior no coincide (evento borrado o insertado)")
        if event.chain_version == KEYED_CHAIN:
            keyed_seen = True
        elif keyed_seen or event.chain_version != PLAIN_CHAIN:
            return ChainProblem(event.id, "evento sin clave después de la cadena con clave (versión alterada)")
        if not hmac.compare_digest(_hash_of(event, key), event.hash):
            return ChainProblem(
                event.id, "el contenido del evento fue modificado (o AUDIT_HMAC_KEY no es la clave con que se escribió)"
            )
        expected_prev = event.hash
    return None


def current_head(session: DbSession) -> ChainHead:
    count = session.execute(select(func.count(AuditEvent.id))).scalar_one()
    last = session.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    return ChainHead(count, last.id if last else 0, last.hash if last else GENESIS_HASH, utcnow().isoformat())


def record_head(session: DbSession, path: str | Path) -> ChainHead:
    """Write the chain's head to the log and append it to ``path`` (one JSON line each time)."""
    head = current_head(session)
    line = _canonical(asdict(head))
    log.info("audit head %s", line)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")
    return head


def last_recorded_head(path: str | Path) -> ChainHead | None:
    """The newest head in a head file (or a copy shipped back), None if there is none."""
    target = Path(path)
    if not target.exists():
        return None
    lines = [line for line in target.read_text(encoding="utf-8").splitlines() if line.strip()]
    return ChainHead(**json.loads(lines[-1])) if lines else None


def check_head(session: DbSession, head: ChainHead) -> ChainProblem | None:
    """Whether the chain still holds everything the recorded head saw."""
    if head.count == 0:
        return None
    row = session.execute(select(AuditEvent.hash).where(AuditEvent.id == head.last_id)).scalar()
    if row is None or not hmac.compare_digest(row, head.last_hash):
        return ChainProblem(head.last_id, f"falta o cambió el último evento registrado en la cabeza del {head.recorded_at}")
    count = session.execute(select(func.count(AuditEvent.id)).where(AuditEvent.id <= head.last_id)).scalar_one()
    if count != head.count:
        return ChainProblem(head.last_id, f"la cabeza del {head.recorded_at} contaba {head.count} eventos y hoy hay {count}")
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
