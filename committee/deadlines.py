"""The committee's deadlines (SPEC §6, seed Mesa §4 and §6) and their periodic check.

Acta deadlines count business days of the entity's calendar and end at 23:59:59 Bogotá of their
last day: the draft is sent within 5 business days after the session, the members answer within
3 after it is sent (then it is approved tacitly), the final version is due 3 after the
observations. A commitment is due at 23:59:59 Bogotá of the date the committee set; its
incumplimiento "dará paso a informar las situaciones a la oficina de Control Interno" (seed Mesa §4).

``tick`` (every minute, and ``flask mesa tick``) warns before a deadline passes and records it when
it passes, each exactly once: every notice is claimed by a conditional UPDATE … RETURNING, which
PostgreSQL re-checks after waiting for a concurrent tick's row lock. Like every service, nothing
here commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from catalog.services import users_with_role
from committee.actas.models import CommitteeActa, CommitteeDeadline, DeadlineKind, DeadlineOutcome
from committee.commitments.models import Commitment
from committee.models import CommitteeMember
from committee.sessions.common import fecha_larga
from portal.audit import record_event
from portal.clock import BOGOTA, local_date
from portal.db import DbSession
from portal.errors import ValidationFailed, WrongState
from portal.mail import OutgoingMail, send_after_commit
from portal.models import User
from portal.roles import Role
from sla.calendar import DEADLINE_TIME
from sla.services import get_calendar

#: the mail template of every committee notice (heading, message, lines, link)
NOTICE_TEMPLATE = "committee/committee_notice"


# ---------------------------------------------------------------- notices


def deadline_text(due_at: datetime) -> str:
    """ "el viernes, 27 de marzo de 2026 a las 23:59:59 (hora de Colombia)"."""
    return f"el {fecha_larga(due_at)} a las {due_at.astimezone(BOGOTA):%H:%M:%S} (hora de Colombia)"


def acta_path(acta_id: int) -> str:
    return f"/comite/actas/{acta_id}"


#: the list of commitments (``?vencidos=1``: the overdue ones, what Control Interno follows)
COMMITMENTS_PATH = "/comite/compromisos"


def notify(
    session: DbSession,
    people: Iterable[User | None],
    *,
    subject: str,
    heading: str,
    message: str,
    path: str,
    lines: Iterable[str] = (),
    attachments: tuple[tuple[str, bytes, str], ...] = (),
) -> int:
    """Queue one e-mail (after the commit) to the people with an address; 1 if it went to anybody.
    ``attachments``: (filename, content, MIME type) of each file the e-mail carries."""
    recipients = tuple(sorted({p.email for p in people if p is not None and p.email}))
    if not recipients:
        return 0
    send_after_commit(
        session,
        OutgoingMail(
            to=recipients,
            subject=subject,
            template=NOTICE_TEMPLATE,
            context={"heading": heading, "message": message, "lines": list(lines), "path": path},
            attachments=attachments,
        ),
    )
    return 1


def secretariat_users(session: DbSession) -> list[User]:
    """Who keeps the actas and the deadlines: holders of ``secretaria_tecnica`` (seed Mesa §6)."""
    return users_with_role(session, Role.SECRETARIA_TECNICA)


def chair_user(session: DbSession) -> User | None:
    """The head of the IT office who chairs the committee (seed Mesa §8)."""
    member = session.execute(
        select(CommitteeMember).where(CommitteeMember.is_chair.is_(True), CommitteeMember.is_active.is_(True))
    ).scalar()
    return member.user if member is not None and member.user.is_active_account else None


def audit_deadline(session: DbSession, deadline: CommitteeDeadline, actor: User | None, action: str, **extra: Any) -> None:
    record_event(
        session,
        actor=actor,
        action=f"plazo.{action}",
        object_type="plazo_comite",
        object_id=deadline.id,
        after=snapshot(deadline) | extra,
    )


def snapshot(deadline: CommitteeDeadline) -> dict[str, Any]:
    return {
        "tipo": deadline.kind.value,
        "acta": deadline.acta_id,
        "compromiso": deadline.commitment_id,
        "desde": deadline.counted_from.isoformat(),
        "dias_habiles": deadline.business_days,
        "vence": deadline.due_at.isoformat(),
        "aviso": deadline.warn_at.isoformat(),
        "resultado": deadline.outcome.value if deadline.outcome else None,
    }


# ---------------------------------------------------------------- opening and closing


def open_deadline(
    session: DbSession,
    *,
    kind: DeadlineKind,
    counted_from: date,
    business_days: int,
    now: datetime,
    acta: CommitteeActa | None = None,
    commitment: Commitment | None = None,
    warning_business_days: int = 1,
    actor: User | None = None,
) -> CommitteeDeadline:
    """Start an acta deadline of ``business_days`` business days after ``counted_from`` (SPEC §6).

    ``due_at`` is 23:59:59 Bogotá of the last business day; the warning goes out at the end of the
    business day ``warning_business_days`` before it (never after ``due_at``; at the end of
    ``counted_from`` itself when the deadline is that short).
    """
    if (acta is None) == (commitment is None):
        raise ValueError("a deadline belongs to an acta or to a commitment")
    if business_days < 1 or warning_business_days < 0:
        raise ValueError("business days must be positive")
    calendar = get_calendar(session)
    due_at = calendar.business_day_deadline(counted_from, business_days)
    warn_at = min(calendar.business_day_deadline(counted_from, max(business_days - warning_business_days, 0)), due_at)
    deadline = CommitteeDeadline(
        kind=kind,
        acta_id=acta.id if acta is not None else None,
        commitment_id=commitment.id if commitment is not None else None,
        counted_from=counted_from,
        business_days=business_days,
        due_at=due_at,
        warn_at=warn_at,
        created_at=now,
    )
    session.add(deadline)
    session.flush()
    audit_deadline(session, deadline, actor, "abierto")
    return deadline


def commitment_due_at(due_date: date) -> datetime:
    """A commitment is due at 23:59:59 Bogotá of its date (as the acta deadlines end, SPEC §6)."""
    return datetime.combine(due_date, DEADLINE_TIME, tzinfo=BOGOTA).astimezone(UTC)


def open_commitment_deadline(
    session: DbSession,
    commitment: Commitment,
    *,
    now: datetime,
    reminder_business_days: int = 2,
    actor: User | None = None,
) -> CommitteeDeadline:
    """The deadline of a commitment: due 23:59:59 Bogotá of its due date; the responsible is reminded
    at 00:00 Bogotá of the business day ``reminder_business_days`` business days before it.

    A reminder that falls before ``now`` (a commitment due within days) goes out at the next check.
    """
    calendar = get_calendar(session)
    try:
        reminder_day = commitment.due_date
        counted = 0
        while counted < reminder_business_days:
            reminder_day -= timedelta(days=1)
            if calendar.is_business_day(reminder_day):
                counted += 1
    except ValueError:
        raise ValidationFailed(
            "La fecha del compromiso está fuera del calendario de la entidad.",
            fields={"due_date": ["Indique una fecha dentro del calendario de la entidad."]},
        ) from None
    due_at = commitment_due_at(commitment.due_date)
    warn_at = min(datetime.combine(reminder_day, time(0), tzinfo=BOGOTA).astimezone(UTC), due_at)
    deadline = CommitteeDeadline(
        kind=DeadlineKind.COMPROMISO,
        commitment_id=commitment.id,
        counted_from=local_date(now),
        business_days=None,
        due_at=due_at,
        warn_at=warn_at,
        created_at=now,
    )
    session.add(deadline)
    session.flush()
    audit_deadline(session, deadline, actor, "abierto")
    return deadline


def close_deadline(
    session: DbSession,
    deadline: CommitteeDeadline,
    *,
    now: datetime,
    outcome: DeadlineOutcome | None = None,
    actor: User | None = None,
) -> None:
    """Close an open deadline: ``cumplido``, or ``cumplido_tarde`` when ``now`` is past ``due_at``,
    unless ``outcome`` says otherwise (``cerrado``, ``reemplazado``, ``anulado``)."""
    if deadline.closed_at is not None:
        raise WrongState(f"El plazo «{deadline.kind.label}» ya está cerrado.")
    if outcome is None:
        outcome = DeadlineOutcome.CUMPLIDO_TARDE if now > deadline.due_at else DeadlineOutcome.CUMPLIDO
    deadline.closed_at = now
    deadline.outcome = outcome
    session.flush()
    audit_deadline(session, deadline, actor, "cerrado")


def open_deadlines_for(
    session: DbSession,
    *,
    acta: CommitteeActa | None = None,
    commitment: Commitment | None = None,
    kinds: Iterable[DeadlineKind] | None = None,
    lock: bool = False,
) -> list[CommitteeDeadline]:
    """The open deadlines of an acta or a commitment, soonest first (``lock``: to close them)."""
    if (acta is None) == (commitment is None):
        raise ValueError("give an acta or a commitment")
    query = select(CommitteeDeadline).where(CommitteeDeadline.closed_at.is_(None))
    if acta is not None:
        query = query.where(CommitteeDeadline.acta_id == acta.id)
    else:
        assert commitment is not None
        query = query.where(CommitteeDeadline.commitment_id == commitment.id)
    if kinds is not None:
        query = query.where(CommitteeDeadline.kind.in_(list(kinds)))
    query = query.order_by(CommitteeDeadline.due_at, CommitteeDeadline.id).execution_options(populate_existing=True)
    if lock:
        query = query.with_for_update(of=CommitteeDeadline)
    return list(session.execute(query).scalars().unique())


def close_open_deadlines(
    session: DbSession,
    *,
    now: datetime,
    acta: CommitteeActa | None = None,
    commitment: Commitment | None = None,
    kinds: Iterable[DeadlineKind] | None = None,
    outcome: DeadlineOutcome | None = None,
    actor: User | None = None,
) -> list[CommitteeDeadline]:
    """Lock and close every open deadline of these kinds (see ``close_deadline`` for the outcome)."""
    found = open_deadlines_for(session, acta=acta, commitment=commitment, kinds=kinds, lock=True)
    for deadline in found:
        close_deadline(session, deadline, now=now, outcome=outcome, actor=actor)
    return found


# ---------------------------------------------------------------- the periodic check
