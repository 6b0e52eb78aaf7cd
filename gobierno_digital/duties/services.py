"""The enlaces' standing duties (seed §5.1 a–d): a checklist per dependency and period, answered by
the enlace with evidence; the overdue ones listed and told to the Secretario. The only code that
changes checklist data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select

from gobierno_digital.common import Periodicity, audit, day_text, lock, period_containing, role_holders
from gobierno_digital.documents import DocumentPurpose, add_document
from gobierno_digital.duties.models import Duty, DutyAnswer, DutyChecklist, DutyItem
from gobierno_digital.notifications import notify
from gobierno_digital.permissions import require_duty_answerer
from portal.clock import local_date
from portal.db import DbSession
from portal.errors import ValidationFailed
from portal.models import Dependency, User
from portal.roles import Role
from portal.uploads import CheckedFile
from sla.calendar import BusinessCalendar


def open_checklists(
    session: DbSession, *, now: datetime, periodicity: Periodicity, due_days: int, calendar: BusinessCalendar
) -> list[DutyChecklist]:
    """Open the current period's checklist of every active dependency that has none yet (idempotent)."""
    period = period_containing(local_date(now), periodicity)
    have = set(session.execute(select(DutyChecklist.dependency_id).where(DutyChecklist.period_start == period.start)).scalars())
    created = []
    for dependency in session.execute(select(Dependency).where(Dependency.is_active.is_(True)).order_by(Dependency.id)).scalars():
        if dependency.id in have:
            continue
        checklist = DutyChecklist(
            dependency_id=dependency.id,
            period_start=period.start,
            period_end=period.end,
            label=period.label,
            due_at=calendar.business_day_deadline(period.end, due_days),
            created_at=now,
        )
        checklist.items = [DutyItem(duty=duty) for duty in Duty]
        session.add(checklist)
        created.append(checklist)
    session.flush()
    return created


def _check_url(url: str) -> str | None:
    url = (url or "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
        raise ValidationFailed(
            "Revise el enlace de la evidencia.", fields={"evidence_url": ["Escriba una dirección http:// o https://."]}
        )
    return url


def answer_item(
    session: DbSession,
    item: DutyItem,
    *,
    answer: DutyAnswer,
    note: str | None,
    evidence_url: str | None,
    evidence_file: CheckedFile | None,
    actor: User,
    now: datetime,
) -> DutyItem:
    """The enlace answers one duty. «Cumple» needs evidence (a link or a file); «No cumple» and
    «No aplica» (e.g. a dependency without trámites in SUIT) need a note saying why."""
    item = lock(session, DutyItem, item.id, "El ítem de la lista")
    checklist = item.checklist
    require_duty_answerer(actor, checklist.dependency_id)
    url = _check_url(evidence_url or "")
    note = (note or "").strip() or None
    has_evidence = bool(url or evidence_file or item.documents or item.evidence_url)
    if answer is DutyAnswer.CUMPLE and not has_evidence:
        raise ValidationFailed(
            "Para marcar «Cumple» adjunte la evidencia: un enlace o un archivo.",
            fields={"evidence_url": ["Escriba el enlace o adjunte un archivo."]},
        )
    if answer is not DutyAnswer.CUMPLE and not note:
        raise ValidationFailed("Explique por qué no cumple o no aplica.", fields={"note": ["Obligatorio."]})
    before = {"answer": item.answer.value if item.answer else None, "note": item.note, "evidence_url": item.evidence_url}
    item.answer, item.note, item.answered_by_id, item.answered_at = answer, note, actor.id, now
    if url:
        item.evidence_url = url
    session.flush()
    if evidence_file is not None:
        add_document(session, purpose=DocumentPurpose.EVIDENCIA, file=evidence_file, actor=actor, now=now, duty_item_id=item.id)
    audit(
        session,
        actor,
        "deber.responder",
        "deber",
        item.id,
        before=before,
        after={
            "dependency_id": checklist.dependency_id,
            "period": checklist.label,
            "duty": item.duty.value,
            "answer": answer.value,
            "late": now > checklist.due_at,
            "evidence_file": evidence_file.sha256 if evidence_file else None,
        },
    )
    return item


def checklists_for(session: DbSession, dependency_ids: set[int] | None, *, limit: int = 200) -> list[DutyChecklist]:
    query = select(DutyChecklist).order_by(DutyChecklist.period_start.desc(), DutyChecklist.dependency_id).limit(limit)
    if dependency_ids is not None:
        query = query.where(DutyChecklist.dependency_id.in_(dependency_ids))
    return list(session.execute(query).scalars())


def overdue_checklists(session: DbSession, now: datetime) -> list[DutyChecklist]:
    """Checklists past their due date with an unanswered item (listed for the Secretario)."""
    rows = session.execute(
        select(DutyChecklist)
        .where(DutyChecklist.due_at < now, DutyChecklist.id.in_(select(DutyItem.checklist_id).where(DutyItem.answer.is_(None))))
        .order_by(DutyChecklist.due_at)
    ).scalars()
    return list(rows)


def notify_overdue_checklists(session: DbSession, now: datetime) -> list[DutyChecklist]:
    """Each checklist that became overdue is told once: to its dependency's enlaces, and in one digest
    to the Secretario (who also learns which dependencies have no enlace to answer)."""
    found = [c for c in overdue_checklists(session, now) if c.overdue_notified_at is None]
    digest = []
    for checklist in found:
        checklist.overdue_notified_at = now
        enlaces = role_holders(session, Role.ENLACE, checklist.dependency_id)
        pending = [i.duty.short for i in checklist.unanswered]
        notify(
            session,
            enlaces,
            f"Lista de deberes del enlace TIC vencida: {checklist.dependency.name} ({checklist.label})",
            "duties_overdue",
            dependency=checklist.dependency.name,
            period=checklist.label,
            due=day_text(checklist.due_at),
            pending=pending,
        )
        digest.append(
            {"dependency": checklist.dependency.name, "period": checklist.label, "pending": pending, "has_enlace": bool(enlaces)}
        )
        audit(session, None, "deber.lista_vencida", "lista_deberes", checklist.id, after={"period": checklist.label})
    if digest:
        notify(
            session,
            role_holders(session, Role.SECRETARIO),
            f"Listas de deberes de los enlaces TIC vencidas: {len(digest)}",
            "duties_overdue_digest",
            checklists=digest,
        )
    session.flush()
    return found


@dataclass(frozen=True)
class DependencyCompliance:
    dependency: Dependency
    label: str
    answered: int
    complied: int
    applicable: int
    total: int

    @property
    def percent(self) -> float | None:
        """Duties complied with over the duties that apply (answered «No aplica» excluded)."""
        return None if not self.applicable else 100 * self.complied / self.applicable


def compliance_by_dependency(session: DbSession, now: datetime) -> list[DependencyCompliance]:
    """Each dependency's latest checklist: answered, complied, applicable items (dashboard)."""
    latest: dict[int, DutyChecklist] = {}
    for checklist in session.execute(select(DutyChecklist).order_by(DutyChecklist.period_start)).scalars():
        latest[checklist.dependency_id] = checklist
    rows = []
    for checklist in sorted(latest.values(), key=lambda c: c.dependency.name):
        answers = [i.answer for i in checklist.items]
        applicable = sum(1 for a in answers if a is not DutyAnswer.NO_APLICA)
        rows.append(
            DependencyCompliance(
                dependency=checklist.dependency,
                label=checklist.label,
                answered=sum(1 for a in answers if a is not None),
                complied=sum(1 for a in answers if a is DutyAnswer.CUMPLE),
                applicable=applicable,
                total=len(answers),
            )
        )
    return rows
