"""The hash-chained audit trail and `flask audit verify`."""

from __future__ import annotations

from sqlalchemy import select, text

from portal import services
from portal.audit import verify_chain
from portal.extensions import db
from portal.models import AuditEvent, User


def run_verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def test_verify_passes_on_the_demo_data(app):
    result = run_verify(app)
    assert result.exit_code == 0, result.output
    assert "íntegra" in result.output
    with app.app_context():
        assert db.session.execute(select(AuditEvent)).first() is not None


def test_verify_fails_and_names_the_edited_event(app):
    with app.app_context():
        target = db.session.execute(select(AuditEvent).order_by(AuditEvent.id).offset(3).limit(1)).scalar_one()
        db.session.execute(text("UPDATE audit_events SET actor_name = 'intruso' WHERE id = :id"), {"id": target.id})
        db.session.commit()
        target_id = target.id
    result = run_verify(app)
    assert result.exit_code != 0
    assert f"evento {target_id}" in result.output
    assert "modificado" in result.output


def test_verify_detects_a_deleted_event(app):
    with app.app_context():
        ids = db.session.execute(select(AuditEvent.id).order_by(AuditEvent.id)).scalars().all()
        db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": ids[5]})
        db.session.commit()
        problem = verify_chain(db.session)
    assert problem is not None and problem.event_id == ids[6]
    assert run_verify(app).exit_code != 0


def test_event_is_written_in_the_transaction_of_the_change(app):
    with app.app_context():
        before = db.session.execute(select(db.func.count(AuditEvent.id))).scalar_one()
        user = db.session.execute(select(User).where(User.username == "agente")).scalar_one()
        services.issue_api_token(db.session, actor=None, user=user, name="x")
        db.session.rollback()  # the change is abandoned: so is its event
        assert db.session.execute(select(db.func.count(AuditEvent.id))).scalar_one() == before
        services.issue_api_token(db.session, actor=None, user=user, name="x")
        db.session.commit()
        assert db.session.execute(select(db.func.count(AuditEvent.id))).scalar_one() == before + 1
        assert verify_chain(db.session) is None


def test_events_record_the_source_address(app, login_as):
    login_as("agente")
    with app.app_context():
        event = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "sesion.ingresar").order_by(AuditEvent.id.desc())
        ).scalar()
        assert event is not None and event.source_address == "127.0.0.1"


def test_audit_page_for_control_interno_and_admin_only(app, login_as):
    from tests.conftest import login

    client = login_as("control.interno")
    page = client.get("/auditoria").get_data(as_text=True)
    assert "Ingreso al portal" in page
    assert 'href="/auditoria"' in client.get("/").get_data(as_text=True)  # in its navigation
    assert "La cadena de auditoría está íntegra." in client.get("/auditoria?verificar=1").get_data(as_text=True)
    other = app.test_client()
    login(other, "enlace.salud")
    assert other.get("/auditoria").status_code == 403
    assert 'href="/auditoria"' not in other.get("/").get_data(as_text=True)
