"""The periodic check of the ANS timers (SPEC §5): notices at 75 %, 100 % and 150 %, each once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import String, delete, type_coerce

from portal.audit import record_event
from portal.clock import local_date
from portal.db import DbSession
from portal.mail import send_after_commit
from sla.models import (
    NoticeLevel,
    SlaPendingNotice,
)
from sla.notifications import MAX_LISTED, Person, Recipients, StepInfo, listed_items, notice_mail
from tickets.models import StepKind


@dataclass
class TickReport:
    """What one run of the periodic check did: the timers notified per level, and the e-mails."""

    now: datetime
    warned: list[int] = field(default_factory=list)
    breached: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)
    mails: int = 0

    @property
    def total(self) -> int:
        return len(self.warned) + len(self.breached) + len(self.escalated)

    def summary(self) -> str:
        return (
            f"ANS {self.now.isoformat()}: {len(self.warned)} avisos al 75 %, {len(self.breached)} incumplimientos, "
            f"{len(self.escalated)} escalamientos; {self.mails} correos."
        )


def _claim(session: DbSession, now: datetime) -> list[Any]:
    """Take the notices whose instant has passed out of the queue: rows of (timer, level, request,
    step, step kind, dependency, requester), the last three only for step notices.

    One DELETE … RETURNING over the partial index on ``notice_at``. A row can be deleted once: on
    PostgreSQL a tick running at the same time waits for the rows this one holds and, once it
    commits, finds them gone (SQLite has a single writer), so each notice is sent once.
    """
    queue = SlaPendingNotice.__table__.c
    return list(
        session.execute(
            delete(SlaPendingNotice.__table__)
            .where(queue.notice_at <= now)
            .returning(
                queue.timer_id,
                type_coerce(queue.level, String),
                queue.request_id,
                queue.step_id,
                type_coerce(queue.step_kind, String),
                queue.dependency_id,
                queue.requester_id,
            )
        ).all()
    )


def tick(session: DbSession, now: datetime) -> TickReport:
    """The periodic check of the ANS (every minute, SPEC §5): warnings at 75 %, breaches at 100 %
    escalated to the ``aprobador``, escalations to the ``secretario`` at 150 %; each notice once.

    One indexed claim, then the recipients (resolved once per kind of notice, not per notice) and
    one e-mail per set of recipients and level, queued for after the commit, with one audit event
    each. See ``sla.notifications`` for who gets what.
    """
    report = TickReport(now=now)
    rows = _claim(session, now)
    if not rows:
        return report
    recipients = Recipients(session, local_date(now))
    recipients.prefetch({row[2] for row in rows if row[4] is not None})
    #: (level, step) -> (level, recipients); a step's deciders depend on its request (tickets.routing)
    resolved: dict[tuple[Any, ...], tuple[NoticeLevel, tuple[Person, ...]]] = {}
    groups: dict[tuple[NoticeLevel, tuple[Person, ...]], list[tuple[int, int]]] = {}
    for timer_id, level_value, request_id, step_id, kind, dependency_id, requester_id in rows:
        key = (level_value, step_id if kind is not None else None)
        group_key = resolved.get(key)
        if group_key is None:
            level = NoticeLevel(level_value)
            info = StepInfo(StepKind(kind), dependency_id, requester_id, request_id) if kind is not None else None
            group_key = resolved[key] = (level, recipients.resolve(level, step_id, info))
        groups.setdefault(group_key, []).append((timer_id, request_id))
    by_level = {
        NoticeLevel.AVISO: report.warned,
        NoticeLevel.INCUMPLIMIENTO: report.breached,
        NoticeLevel.ESCALAMIENTO: report.escalated,
    }
    order = list(NoticeLevel)
    ordered = sorted(groups.items(), key=lambda g: (order.index(g[0][0]), [p.id for p in g[0][1]]))
    for (level, _people), group in ordered:
        group.sort()
        by_level[level].extend(timer_id for timer_id, _ in group)
    for claimed in by_level.values():
        claimed.sort()
    listed = listed_items(session, [timer_id for (_l, people), group in ordered if people for timer_id, _ in group[:MAX_LISTED]])
    for (level, people), group in ordered:
        record_event(
            session,
            actor=None,
            action=f"ans.{level.value}",
            object_type="aviso_ans",
            object_id=f"{level.value}:{now:%Y-%m-%dT%H:%M}",
            after={
                "recipients": [p.username for p in people],
                "timers": [timer_id for timer_id, _ in group],
                "requests": sorted({request_id for _, request_id in group}),
            },
        )
        if people:
            items = [listed[timer_id] for timer_id, _ in group[:MAX_LISTED]]
            send_after_commit(session, notice_mail(level, people, items, len(group)))
            report.mails += 1
    return report
