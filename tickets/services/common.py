"""What the request services share: loading and locking a request, the state words of their
errors, the request's history and audit event, the ANS hooks, the requester's e-mail.

Every transition in this package is one function that locks the request, checks the actor, the
state and the separation-of-duties rules, changes the state, writes the request's history and the
audit event in the caller's transaction, queues the e-mails for after the commit, and raises
``NotAllowed`` (403), ``WrongState`` (409) or ``ValidationFailed`` (422) otherwise. None of them
commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal.audit import record_change
from portal.db import DbSession, utcnow
from portal.errors import WrongState
from portal.mail import OutgoingMail, send_after_commit
from portal.models import TimelineEvent, User
from tickets.models import AccessRequest, RequestEvent, RequestState

MIN_JUSTIFICATION = 10
STATE_WORDS = {s: s.label.lower() for s in RequestState}


def clean(value: str | None) -> str | None:
    """The text without surrounding blanks, or None when nothing is left."""
    value = (value or "").strip()
    return value or None


def lock_request(session: DbSession, request_id: int) -> AccessRequest:
    """Load the request with a row lock (PostgreSQL) so concurrent transitions queue up."""
    request = session.execute(
        select(AccessRequest)
        .where(AccessRequest.id == request_id)
        .with_for_update(of=AccessRequest)
        .execution_options(populate_existing=True)
    ).scalar()
    if request is None:
        raise WrongState("La solicitud no existe.")
    return request


def load_request_page(session: DbSession, request_id: int) -> AccessRequest | None:
    """A request with everything its page shows, in a fixed number of queries (its few steps joined)."""
    return (
        session.execute(
            select(AccessRequest)
            .where(AccessRequest.id == request_id)
            .options(
                joinedload(AccessRequest.steps),
                selectinload(AccessRequest.events),
                selectinload(AccessRequest.comments),
                selectinload(AccessRequest.attachments),
            )
        )
        .unique()
        .scalar()
    )


def wrong_state(request: AccessRequest, what: str) -> WrongState:
    """The 409 for a transition attempted from a state that does not allow it."""
    return WrongState(f"La solicitud {request.label} está {STATE_WORDS[request.state]}: no se puede {what}.")


def add_event(
    session: DbSession,
    request: AccessRequest,
    actor: User | None,
    kind: str,
    *,
    from_state: RequestState | None = None,
    note: str | None = None,
    on_behalf_of: User | None = None,
    now: datetime | None = None,
) -> None:
    """A line of the request's timeline, in its state after the transition."""
    fields = TimelineEvent.fields_of(actor, kind, at=now or utcnow(), from_state=from_state, to_state=request.state, note=note)
    session.add(RequestEvent(request_id=request.id, on_behalf_of_id=on_behalf_of.id if on_behalf_of else None, **fields))


def audit(session: DbSession, request: AccessRequest, actor: User | None, action: str, before: dict[str, Any] | None) -> None:
    """The audit event ``solicitud.<action>`` with the request before and after."""
    record_change(session, request, actor=actor, object_type="solicitud", action=action, before=before)


def run_ans_hook(hook: str, session: DbSession, request: AccessRequest, now: datetime, *args: Any) -> None:
    """Keep the request's ANS timers in step with the transition (``sla.hooks``, SPEC §5).

    Automatic requests (expiry of roles and contracts) are the portal's own work, not the
    service desk's: they carry no ANS timers.
    """
    if request.is_automatic:
        return
    from sla import hooks

    if args:
        getattr(hooks, hook)(session, request, args[0], now)
    else:
        getattr(hooks, hook)(session, request, now)


def rowcount(result: Any) -> int:
    """Rows touched by an UPDATE (a CursorResult attribute the generic Result type lacks)."""
    return int(result.rowcount)


def mail_requester(
    session: DbSession, request: AccessRequest, subject: str, message: str, *, also_beneficiary: bool = False
) -> None:
    """Tell the requester (and, when asked, the beneficiary) what happened, after the commit."""
    recipients = {request.requester.email} if request.requester.email else set()
    if also_beneficiary and request.beneficiary_email:
        recipients.add(request.beneficiary_email)
    if recipients:
        send_after_commit(
            session,
            OutgoingMail(
                to=tuple(sorted(recipients)),
                subject=f"Solicitud {request.number}: {subject}",
                template="tickets/request_update",
                context={
                    "request_id": request.id,
                    "number": request.number,
                    "message": message,
                    "state": request.state.label,
                    "beneficiary": request.beneficiary_name,
                },
            ),
        )
