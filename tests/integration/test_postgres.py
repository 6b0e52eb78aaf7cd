"""The schema and the audit chain on a real PostgreSQL server."""

from __future__ import annotations

import threading

from sqlalchemy import func, select, text

from portal import create_app, services
from portal.audit import record_event, verify_chain
from portal.extensions import db
from portal.models import AuditEvent, User
from tests.conftest import app_config, login
from tests.migration_checks import assert_no_drift, upgrade_downgrade_upgrade


def test_migrations_run_from_empty_down_and_up_and_match_the_models(tmp_path, pg_database):
    app = create_app(app_config(tmp_path, pg_database))
    upgrade_downgrade_upgrade(app)
    assert_no_drift(app)
    with app.app_context():
        db.engine.dispose()


def test_demo_data_login_and_audit_verify_on_postgres(pg_app):
    client = pg_app.test_client()
    assert login(client, "secretario").status_code == 302
    assert "Secretario de las TIC" in client.get("/").get_data(as_text=True)
    result = pg_app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


def test_edited_event_is_detected_on_postgres(pg_app):
    with pg_app.app_context():
        target = db.session.execute(select(AuditEvent.id).order_by(AuditEvent.id).offset(2).limit(1)).scalar_one()
        # the append-only trigger stops the application; the table's owner can switch it off
        db.session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        db.session.execute(text("UPDATE audit_events SET after = '{\"x\": 1}' WHERE id = :id"), {"id": target})
        db.session.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
        db.session.commit()
    result = pg_app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code != 0
    assert f"evento {target}" in result.output


def test_concurrent_writers_never_fork_the_chain(pg_app):
    """Eight transactions appending at once: the advisory lock keeps one straight chain."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def writer(n: int) -> None:
        try:
            with pg_app.app_context():
                barrier.wait()
                for i in range(5):
                    record_event(db.session, actor=None, action="prueba.concurrencia", object_type="t", object_id=f"{n}-{i}")
                    db.session.commit()
                db.session.remove()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with pg_app.app_context():
        count = db.session.execute(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "prueba.concurrencia")
        ).scalar_one()
        assert count == 40
        hashes = db.session.execute(select(AuditEvent.prev_hash)).scalars().all()
        assert len(hashes) == len(set(hashes)), "two events claim the same predecessor: the chain forked"
        assert verify_chain(db.session) is None


def test_role_scope_unique_index_on_postgres(pg_app):
    from sqlalchemy.exc import IntegrityError

    from portal.models import RoleAssignment

    with pg_app.app_context():
        user = db.session.execute(select(User).where(User.username == "jefe.salud")).scalar_one()
        existing = next(a for a in user.role_assignments if a.role == "jefe")
        db.session.add(RoleAssignment(user_id=user.id, role="jefe", dependency_id=existing.dependency_id))
        try:
            db.session.commit()
            raise AssertionError("duplicate role assignment was accepted")
        except IntegrityError:
            db.session.rollback()
        services.find_user(db.session, "jefe.salud")
