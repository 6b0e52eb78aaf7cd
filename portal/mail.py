"""Outgoing e-mail in Spanish, rendered from templates and delivered by a Celery task.

Without ``MAIL_SERVER`` messages are written as files under ``instance/mail/`` (Flask-Mailman's
file backend). Services return what to send; the edge calls ``queue_mail`` after its commit.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, render_template
from flask_mailman import EmailMultiAlternatives

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutgoingMail:
    to: tuple[str, ...]
    subject: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    attachments: tuple[tuple[str, bytes | str, str], ...] = ()


def render(mail: OutgoingMail) -> dict[str, Any]:
    ctx = {"profile": current_app.config["PROFILE"], "base_url": current_app.config["PUBLIC_BASE_URL"], **mail.context}
    return {
        "to": list(mail.to),
        "subject": mail.subject,
        "body": render_template(f"mail/{mail.template}.txt", **ctx),
        "attachments": [_attachment(name, content, mime) for name, content, mime in mail.attachments],
    }


def _attachment(name: str, content: bytes | str, mime: str) -> list[str]:
    """An attachment as the worker's message carries it: text as is, any other file in base64."""
    if isinstance(content, str) or mime.startswith("text/"):
        return [name, content if isinstance(content, str) else content.decode("utf-8"), mime]
    return [name, base64.b64encode(content).decode("ascii"), mime, "base64"]


def deliver(message: dict[str, Any]) -> None:
    email = EmailMultiAlternatives(
        subject=message["subject"],
        body=message["body"],
        from_email=current_app.config["MAIL_DEFAULT_SENDER"],
        to=message["to"],
    )
    for name, content, mime, *encoding in message.get("attachments", []):
        email.attach(name, base64.b64decode(content) if encoding == ["base64"] else content, mime)
    email.send(fail_silently=False)


def queue_mail(*mails: OutgoingMail) -> None:
    """Render now (inside the app), deliver through the worker. Call only after the commit.

    When the broker cannot take the message, the mail is delivered from this process instead of
    being lost (the change it reports is already committed).
    """
    from portal.tasks import send_mail_task

    for mail in mails:
        if not mail.to:
            continue
        message = render(mail)
        try:
            send_mail_task.apply_async((message,), retry=False)
        except Exception:  # noqa: BLE001 - any broker failure
            log.warning("broker unavailable: delivering %r directly", mail.subject)
            try:
                deliver(message)
            except OSError:
                log.exception("mail %r could not be delivered", mail.subject)


_PENDING = "mesatic_pending_mail"


def send_after_commit(session: Any, *mails: OutgoingMail) -> None:
    """Services call this: the mails go out only if, and after, the transaction commits."""
    session.info.setdefault(_PENDING, []).extend(mails)


def _flush_pending(session: Any) -> None:
    mails = session.info.pop(_PENDING, [])
    if mails:
        queue_mail(*mails)


def _drop_pending(session: Any) -> None:
    session.info.pop(_PENDING, None)


def register_mail_hooks() -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    if not event.contains(Session, "after_commit", _flush_pending):
        event.listen(Session, "after_commit", _flush_pending)
        event.listen(Session, "after_soft_rollback", lambda session, _tx: _drop_pending(session))
