"""The mail outbox (issue 15): mails are rows of the business transaction, sent once, retried,
visible when they fail; secrets are stored only sealed and erased once sent."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from config import build_config
from portal import mail as mail_module
from portal.db import utcnow
from portal.extensions import db
from portal.mail import OutgoingMail, release_mail, send_after_commit, write_mail
from portal.models import MailState, OutboxMail, User
from portal.tasks import send_outbox_mail, sweep_mail

TEST_MAIL = OutgoingMail(to=("buzon.prueba@valledelcauca.gov.co",), subject="Prueba del buzón", template="test")


def sent_files(tmp_path: Path, needle: str) -> list[str]:
    return [p.read_text() for p in (tmp_path / "mail").glob("*.log") if needle in p.read_text()]


def only_row(subject: str = TEST_MAIL.subject) -> OutboxMail:
    db.session.expire_all()
    return db.session.execute(select(OutboxMail).where(OutboxMail.subject == subject)).scalar_one()


def test_a_committed_mail_is_sent_once_with_its_message_id(app_ctx, tmp_path):
    send_after_commit(db.session, TEST_MAIL)
    db.session.commit()
    row = only_row()
    assert row.state is MailState.ENVIADO and row.attempts == 1
    files = sent_files(tmp_path, "buzon.prueba@")
    assert len(files) == 1 and row.message_id in files[0]
    assert send_outbox_mail(row.id) is False  # a second delivery of the message sends nothing
    assert sweep_mail() == 0
    assert len(sent_files(tmp_path, "buzon.prueba@")) == 1


def test_a_rolled_back_transaction_sends_nothing(app_ctx, tmp_path):
    send_after_commit(db.session, TEST_MAIL)
    db.session.rollback()
    assert db.session.execute(select(OutboxMail).where(OutboxMail.subject == TEST_MAIL.subject)).first() is None
    assert sent_files(tmp_path, "buzon.prueba@") == []


def test_a_failing_mail_server_is_retried_with_backoff_then_shown_as_failed(app_ctx, tmp_path, monkeypatch):
    app_ctx.config["MAIL_MAX_ATTEMPTS"] = 2
    real_deliver = mail_module.deliver

    def refuse(message):  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(mail_module, "deliver", refuse)
    send_after_commit(db.session, TEST_MAIL)
    db.session.commit()
    row = only_row()
    assert row.state is MailState.PENDIENTE and row.attempts == 1
    assert row.next_attempt_at > utcnow() and "smtp down" in (row.last_error or "")
    assert sweep_mail() == 0  # not due yet

    row.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    sweep_mail()
    row = only_row()
    assert row.state is MailState.FALLIDO and row.next_attempt_at is None

    monkeypatch.setattr(mail_module, "deliver", real_deliver)
    agent = db.session.execute(select(User).where(User.username == "agente")).scalar_one()
    mail_module.retry_mail(db.session, row, actor=agent, now=utcnow())
    db.session.commit()
    assert only_row().state is MailState.ENVIADO
    assert len(sent_files(tmp_path, "buzon.prueba@")) == 1


def test_a_held_mail_waits_and_its_secret_is_sealed_then_erased(app_ctx, tmp_path):
    secret = "Clave-Muy-Secreta-123"
    mail = OutgoingMail(
        to=("nuevo@valledelcauca.gov.co",),
        subject="Su clave temporal",
        template="tickets/temporary_password",
        context={"username": "nuevo", "number": "SOL-2026-00001"},
        sealed_context={"password": secret},
    )
    row = write_mail(db.session, mail, now=utcnow(), held=True)
    db.session.commit()
    stored = only_row("Su clave temporal")
    assert secret not in repr((stored.body, stored.context, stored.sealed))
    assert sweep_mail() == 0 and sent_files(tmp_path, secret) == []

    release_mail(db.session, row.id, utcnow())
    db.session.commit()
    assert len(sent_files(tmp_path, secret)) == 1
    row = only_row("Su clave temporal")
    assert row.state is MailState.ENVIADO and row.sealed is None


def test_production_without_an_outbox_key_refuses_to_start(tmp_path, monkeypatch):
    monkeypatch.delenv("OUTBOX_KEY", raising=False)
    with pytest.raises(RuntimeError, match="OUTBOX_KEY"):
        build_config(tmp_path, {"PORTAL_ENV": "production", "SECRET_KEY": "x" * 32})


def test_development_generates_and_keeps_an_outbox_key(tmp_path, monkeypatch):
    monkeypatch.delenv("OUTBOX_KEY", raising=False)
    first = build_config(tmp_path, {})["OUTBOX_KEY"]
    assert first == build_config(tmp_path, {})["OUTBOX_KEY"]
    assert (tmp_path / "outbox_key").stat().st_mode & 0o777 == 0o600


def test_the_service_desk_sees_a_failed_mail_and_sends_it_again(app, login_as, tmp_path):
    with app.app_context():
        send_after_commit(db.session, TEST_MAIL)
        db.session.commit()
        row = only_row()
        row.state, row.last_error = MailState.FALLIDO, "El servidor de correo no respondió: smtp down"
        db.session.commit()
        mail_id = row.id
    client = login_as("agente")
    page = client.get("/mesa/aprovisionamiento").get_data(as_text=True)
    assert f'data-mail="{mail_id}"' in page and "smtp down" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert client.post(f"/mesa/correos/{mail_id}/reintentar", data={"csrf_token": token}).status_code == 303
    with app.app_context():
        assert only_row().state is MailState.ENVIADO
    assert len(sent_files(tmp_path, "buzon.prueba@")) == 2


@pytest.mark.parametrize(
    ("name", "content", "mime", "sent_as"),
    [
        ("acta.pdf", b"%PDF-1.7\n\xe9\xff\x00binario", "application/pdf", "application/pdf"),
        ("sesion.ics", "BEGIN:VCALENDAR\r\nSUMMARY:Sesión\r\nEND:VCALENDAR\r\n", "text/calendar", "text/calendar"),
        # a text file that is not UTF-8 keeps its bytes; the mail library sends it as a plain file
        ("listado.csv", "dependencia;número\r\n".encode("latin-1"), "text/csv", "application/octet-stream"),
    ],
)
def test_any_attachment_goes_through_the_outbox_unchanged(app_ctx, monkeypatch, name, content, mime, sent_as):
    delivered: list[object] = []
    monkeypatch.setattr(mail_module.EmailMultiAlternatives, "send", lambda self, fail_silently=False: delivered.append(self) or 1)
    mail = OutgoingMail(to=TEST_MAIL.to, subject="Adjunto de prueba", template="test", attachments=((name, content, mime),))
    send_after_commit(db.session, mail)
    db.session.commit()
    assert only_row("Adjunto de prueba").state is MailState.ENVIADO
    (sent,) = delivered
    (attached,) = sent.attachments  # type: ignore[attr-defined]
    got = attached[1] if isinstance(attached[1], bytes) else attached[1].encode()
    expected = content if isinstance(content, bytes) else content.encode()
    assert attached[0] == name and got == expected and attached[2] == sent_as
