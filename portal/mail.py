"""Outgoing e-mail in Spanish: written to the outbox in the business transaction, sent by a worker.

Services call ``send_after_commit(session, mail)``: the mail becomes an ``OutboxMail`` row in the
same transaction, so a rollback drops it and a commit keeps it even if the broker loses the
message. After the commit its id goes to the ``portal.send_mail`` task; the periodic sweeper sends
whatever a lost message left pending. Each row is claimed before it is sent, retried with backoff,
keeps its Message-ID, and after the last attempt stays ``fallido`` for the service desk.

Without ``MAIL_SERVER`` messages are written as files under ``instance/mail/`` (Flask-Mailman's
file backend).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import random
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import make_msgid
from typing import Any

from cryptography.fernet import Fernet
from flask import current_app, render_template
from flask_mailman import EmailMultiAlternatives
from flask_mailman.backends.file import EmailBackend as FileEmailBackend
from sqlalchemy import or_, select, update

from portal.models import MailState, OutboxMail

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutgoingMail:
    to: tuple[str, ...]
    subject: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    attachments: tuple[tuple[str, bytes | str, str], ...] = ()
    #: secret values of the context (a temporary password): stored only encrypted
    sealed_context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MailPolicy:
    base_seconds: float = 30.0
    max_seconds: float = 1800.0
    max_attempts: int = 10
    lease_seconds: float = 120.0

    @classmethod
    def from_config(cls, cfg: Any) -> MailPolicy:
        return cls(
            base_seconds=float(cfg.get("MAIL_BACKOFF_SECONDS", 30)),
            max_seconds=float(cfg.get("MAIL_BACKOFF_MAX_SECONDS", 1800)),
            max_attempts=int(cfg.get("MAIL_MAX_ATTEMPTS", 10)),
            lease_seconds=float(cfg.get("MAIL_LEASE_SECONDS", 120)),
        )

    def backoff(self, attempts: int) -> float:
        ceiling = min(self.max_seconds, self.base_seconds * 2 ** max(0, attempts - 1))
        return random.uniform(ceiling / 2, ceiling)


def _fernet() -> Fernet:
    return Fernet(current_app.config["OUTBOX_KEY"].encode())


def seal(values: dict[str, Any]) -> str:
    return _fernet().encrypt(json.dumps(values).encode()).decode()


def unseal(token: str) -> dict[str, Any]:
    return dict(json.loads(_fernet().decrypt(token.encode())))


def _render_body(template: str, context: dict[str, Any]) -> str:
    ctx = {"profile": current_app.config["PROFILE"], "base_url": current_app.config["PUBLIC_BASE_URL"], **context}
    return render_template(f"mail/{template}.txt", **ctx)


class PrivateFileEmailBackend(FileEmailBackend):  # type: ignore[misc]
    """Flask-Mailman's file backend, but every file is readable by the portal's user only (0600):
    a message may carry a temporary password for its beneficiary."""

    def open(self) -> bool:
        if getattr(self, "stream", None) is None:
            descriptor = os.open(self._get_filename(), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            self.stream = os.fdopen(descriptor, "ab")
            return True
        return False


def render(mail: OutgoingMail) -> dict[str, Any]:
    return {
        "to": list(mail.to),
        "subject": mail.subject,
        "body": _render_body(mail.template, {**mail.context, **mail.sealed_context}),
        "attachments": [_attachment(name, content, mime) for name, content, mime in mail.attachments],
    }


def _attachment(name: str, content: bytes | str, mime: str) -> list[str]:
    """An attachment as the outbox stores it: text as is, bytes (whatever their encoding) in base64."""
    if isinstance(content, str):
        return [name, content, mime]
    return [name, base64.b64encode(content).decode("ascii"), mime, "base64"]


def deliver(message: dict[str, Any]) -> None:
    headers = {"Message-ID": message["message_id"]} if message.get("message_id") else None
    email = EmailMultiAlternatives(
        subject=message["subject"],
        body=message["body"],
        from_email=current_app.config["MAIL_DEFAULT_SENDER"],
        to=message["to"],
        headers=headers,
    )
    for name, content, mime, *encoding in message.get("attachments", []):
        email.attach(name, base64.b64decode(content) if encoding == ["base64"] else content, mime)
    email.send(fail_silently=False)


def write_mail(session: Any, mail: OutgoingMail, *, now: datetime, held: bool = False) -> OutboxMail:
    """The outbox row of one mail. A mail with a sealed context is rendered only when sent."""
    domain = current_app.config["MAIL_DEFAULT_SENDER"].rpartition("@")[2] or "localhost"
    row = OutboxMail(
        recipients=list(mail.to),
        subject=mail.subject,
        message_id=make_msgid(domain=domain),
        attachments=[_attachment(name, content, mime) for name, content, mime in mail.attachments],
        state=MailState.RETENIDO if held else MailState.PENDIENTE,
        next_attempt_at=None if held else now,
        created_at=now,
    )
    if mail.sealed_context:
        row.template, row.context, row.sealed = mail.template, mail.context, seal(mail.sealed_context)
    else:
        row.body = _render_body(mail.template, mail.context)
    session.add(row)
    session.flush()
    return row


def release_mail(session: Any, mail_id: int, now: datetime) -> None:
    """A held mail may go out now (its password is in the directory)."""
    session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id, OutboxMail.state == MailState.RETENIDO)
        .values(state=MailState.PENDIENTE, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    session.info.setdefault(_PENDING, []).append(mail_id)


def claim_mail(session: Any, mail_id: int, now: datetime, policy: MailPolicy) -> bool:
    claimed = session.execute(
        update(OutboxMail)
        .where(
            OutboxMail.id == mail_id,
            or_(
                (OutboxMail.state == MailState.PENDIENTE)
                & (or_(OutboxMail.next_attempt_at.is_(None), OutboxMail.next_attempt_at <= now)),
                (OutboxMail.state == MailState.ENVIANDO) & (OutboxMail.lease_until < now),
            ),
        )
        .values(
            state=MailState.ENVIANDO,
            lease_until=now + timedelta(seconds=policy.lease_seconds),
            attempts=OutboxMail.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(claimed, "rowcount", 0)) == 1


def send_claimed_mail(session: Any, mail_id: int, now: datetime, policy: MailPolicy) -> MailState:
    """Deliver a mail this worker claimed (committed); record the result, erase the secret when sent."""
    row = session.execute(
        select(OutboxMail).where(OutboxMail.id == mail_id).execution_options(populate_existing=True)
    ).scalar_one()
    try:
        body = row.body
        if body is None:
            body = _render_body(row.template or "", {**(row.context or {}), **(unseal(row.sealed) if row.sealed else {})})
        deliver(
            {
                "to": row.recipients,
                "subject": row.subject,
                "body": body,
                "attachments": row.attachments or [],
                "message_id": row.message_id,
            }
        )
    except (OSError, smtplib.SMTPException) as exc:
        row.last_error = f"El servidor de correo no respondió: {exc}"[:2000]
        row.lease_until = None
        if row.attempts >= policy.max_attempts:
            row.state = MailState.FALLIDO
            row.next_attempt_at = None
        else:
            row.state = MailState.PENDIENTE
            row.next_attempt_at = now + timedelta(seconds=policy.backoff(row.attempts))
    else:
        row.state = MailState.ENVIADO
        row.sent_at = now
        row.sealed = None
        row.lease_until = None
        row.last_error = None
    session.flush()
    return MailState(row.state)


def due_mails(session: Any, now: datetime, limit: int = 200) -> list[int]:
    """Mails to send: pending and due, or held by a worker whose lease lapsed."""
    return list(
        session.execute(
            select(OutboxMail.id)
            .where(
                or_(
                    (OutboxMail.state == MailState.PENDIENTE) & (OutboxMail.next_attempt_at <= now),
                    (OutboxMail.state == MailState.ENVIANDO) & (OutboxMail.lease_until < now),
                )
            )
            .order_by(OutboxMail.id)
            .limit(limit)
        ).scalars()
    )


def retry_mail(session: Any, row: OutboxMail, *, actor: Any, now: datetime) -> OutboxMail:
    """The service desk sends a failed mail back to the queue with a fresh set of attempts."""
    from portal.audit import record_event
    from portal.errors import NotAllowed, WrongState
    from portal.roles import Role

    if not actor.has_role(Role.AGENTE):
        raise NotAllowed("Solo la mesa de servicio reintenta correos.")
    if row.state is not MailState.FALLIDO:
        raise WrongState("Solo se reintenta un correo fallido.")
    row.state = MailState.PENDIENTE
    row.attempts = 0
    row.next_attempt_at = now
    session.flush()
    session.info.setdefault(_PENDING, []).append(row.id)
    record_event(session, actor=actor, action="correo.reintentar", object_type="correo", object_id=row.id)
    return row


def enqueue_mails(mail_ids: Iterable[int]) -> None:
    """Send ids to the broker. A broker outage loses nothing: the rows wait for the sweeper."""
    from portal.tasks import send_mail_task

    for mail_id in mail_ids:
        try:
            send_mail_task.apply_async((mail_id,), retry=False)
        except Exception:  # noqa: BLE001 - any broker failure: the outbox row stays pending
            log.warning("mail %s not enqueued (broker unavailable); the sweeper will send it", mail_id)


def queue_mail(*mails: OutgoingMail) -> None:
    """Outside a business transaction (the CLI): write the mails to the outbox and commit."""
    from portal.extensions import db

    send_after_commit(db.session, *mails)
    db.session.commit()


_PENDING = "mesatic_pending_mail"


def send_after_commit(session: Any, *mails: OutgoingMail) -> None:
    """Services call this: the mails are written to the outbox in this transaction and sent after it."""
    from portal.db import utcnow

    now = utcnow()
    for mail in mails:
        if mail.to:
            session.info.setdefault(_PENDING, []).append(write_mail(session, mail, now=now).id)


def _flush_pending(session: Any) -> None:
    mail_ids = session.info.pop(_PENDING, [])
    if mail_ids:
        enqueue_mails(mail_ids)


def _drop_pending(session: Any) -> None:
    session.info.pop(_PENDING, None)


def _drop_pending_on_rollback(session: Any, previous_transaction: Any) -> None:
    """A savepoint's rollback keeps the ids: the rows outside it still go out (a vanished id is
    simply not claimed)."""
    if not previous_transaction.nested:
        _drop_pending(session)


def register_mail_hooks() -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    if not event.contains(Session, "after_commit", _flush_pending):
        event.listen(Session, "after_commit", _flush_pending)
        event.listen(Session, "after_soft_rollback", _drop_pending_on_rollback)
