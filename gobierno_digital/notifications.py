"""The plan's e-mails, queued by the services with ``send_after_commit``: they leave only if, and
after, the transaction commits. Templates under ``templates/mail/gd/``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gobierno_digital.common import emails
from portal.db import DbSession
from portal.mail import OutgoingMail, send_after_commit
from portal.models import User


def notify(session: DbSession, to: Sequence[User | None], subject: str, template: str, **context: Any) -> int:
    """Queue one mail to the people who have an address; returns how many addresses it has."""
    addresses = emails(*to)
    if addresses:
        send_after_commit(session, OutgoingMail(to=addresses, subject=subject, template=f"gd/{template}", context=context))
    return len(addresses)
