"""The keyed audit chain: edits cannot be re-chained without the key, deleting the newest events
is caught by the recorded head, and events written before the keyed chain still verify."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sqlalchemy import select, text

from portal.audit import GENESIS_HASH, compute_hash, verify_chain
from portal.extensions import db
from portal.models import AuditEvent


def run(app, *args):
    return app.test_cli_runner().invoke(args=["audit", *args])


def test_new_events_are_keyed_with_hmac(app):
    with app.app_context():
        event = db.session.execute(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).scalar_one()
        assert event.chain_version == 2
        plain = compute_hash(
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
        assert event.hash != plain  # not recomputable without the key


def _rechain_without_key(edit_id: int) -> None:
    """What someone with write access to the database but not the key can do: edit an event and
    recompute every link after it with plain SHA-256."""
    rows = db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
    prev = GENESIS_HASH
    for event in rows:
        if event.id == edit_id:
            event.actor_name = "intruso"
        if event.id >= edit_id:
            event.prev_hash = prev
            event.hash = hashlib.sha256(f"{prev}{event.id}".encode()).hexdigest()
        prev = event.hash
    db.session.commit()


def test_an_edit_rechained_without_the_key_is_detected(app):
    with app.app_context():
        target = db.session.execute(select(AuditEvent.id).order_by(AuditEvent.id).offset(4).limit(1)).scalar_one()
        _rechain_without_key(target)
    result = run(app, "verify")
    assert result.exit_code != 0 and f"evento {target}" in result.output


def test_downgrading_keyed_events_to_plain_is_detected(app):
    with app.app_context():
        rows = db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
        prev = GENESIS_HASH
        for event in rows[:3]:
            prev = event.hash
        for event in rows[3:]:  # rewrite the tail as "old" plain events with consistent links
            event.chain_version = 1
            event.prev_hash = prev
            event.hash = compute_hash(
                prev_hash=prev,
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
            prev = event.hash
        db.session.commit()
        problem = verify_chain(db.session)
        assert problem is not None and problem.event_id == rows[3].id


def test_the_wrong_key_is_reported(app):
    with app.app_context():
        problem = verify_chain(db.session, key=b"otra clave")
    assert problem is not None and "AUDIT_HMAC_KEY" in problem.reason


def test_events_written_before_the_keyed_chain_still_verify(app):
    """An upgraded database: the old events keep their plain SHA-256 links (chain_version 1),
    the first keyed event covers the last of them."""
    with app.app_context():
        rows = db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
        prev = GENESIS_HASH
        for event in rows[:5]:
            event.chain_version = 1
            event.prev_hash = prev
            event.hash = compute_hash(
                prev_hash=prev,
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
            prev = event.hash
        from portal.audit import _hash_of, chain_key

        key = chain_key()
        for event in rows[5:]:
            event.prev_hash = prev
            event.hash = _hash_of(event, key)
            prev = event.hash
        db.session.commit()
        assert verify_chain(db.session) is None
        db.session.execute(text("UPDATE audit_events SET actor_name = 'intruso' WHERE id = :id"), {"id": rows[2].id})
        db.session.commit()
        assert verify_chain(db.session).event_id == rows[2].id


def test_deleting_the_newest_events_is_caught_by_the_recorded_head(app):
    recorded = run(app, "head")
    assert recorded.exit_code == 0 and "Cabeza registrada" in recorded.output
    head_file = app.config["AUDIT_HEAD_FILE"]
    line = json.loads(Path(head_file).read_text(encoding="utf-8").splitlines()[-1])
    assert set(line) == {"count", "last_id", "last_hash", "recorded_at"}
    ok = run(app, "verify")
    assert ok.exit_code == 0 and "Coincide con la cabeza registrada" in ok.output
    with app.app_context():
        newest = db.session.execute(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(2)).scalars().all()
        db.session.execute(text("DELETE FROM audit_events WHERE id IN (:a, :b)"), {"a": newest[0], "b": newest[1]})
        db.session.commit()
        assert verify_chain(db.session) is None  # the shorter chain is consistent by itself…
    result = run(app, "verify")
    assert result.exit_code != 0 and "cabeza registrada" in result.output  # …but not with the head


def test_verify_takes_a_head_file_shipped_elsewhere(app, tmp_path):
    run(app, "head")
    copy = tmp_path / "copia.jsonl"
    copy.write_text(Path(app.config["AUDIT_HEAD_FILE"]).read_text(encoding="utf-8"), encoding="utf-8")
    with app.app_context():
        newest = db.session.execute(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)).scalar_one()
        db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": newest})
        db.session.commit()
    Path(app.config["AUDIT_HEAD_FILE"]).write_text("", encoding="utf-8")  # the local file was wiped too
    assert run(app, "verify", "--head", str(copy)).exit_code != 0


def test_the_periodic_task_records_the_head(app):
    from portal.tasks import audit_head

    with app.app_context():
        audit_head.apply()
    assert Path(app.config["AUDIT_HEAD_FILE"]).read_text(encoding="utf-8").count("last_hash") == 1
