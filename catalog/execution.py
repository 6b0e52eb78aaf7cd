"""An approved initiative in execution (SPEC §6): the enlace reports its start, its progress (percent, indicators,
risks) and its end. Same rules as ``catalog.services``: lock, check who acts and from which state, history and audit, no commit."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from catalog.models import (
    Initiative,
    InitiativeState,
    ProgressReport,
)
from catalog.services import add_event, audit, lock_initiative, require_enlace, wrong_state
from portal.clock import local_date
from portal.db import DbSession
from portal.errors import ValidationFailed
from portal.models import User
from portal.text import optional_text


def start_execution(session: DbSession, initiative: Initiative, *, actor: User, now: datetime) -> Initiative:
    """The enlace reports that an approved initiative started (``en_ejecucion``)."""
    initiative = lock_initiative(session, initiative.id)
    require_enlace(actor, initiative.dependency_id)
    if initiative.state is not InitiativeState.APROBADA:
        raise wrong_state(initiative, "iniciar la ejecución")
    before = initiative.snapshot()
    initiative.state = InitiativeState.EN_EJECUCION
    initiative.execution_started_at = now
    session.flush()
    add_event(session, initiative, actor, "en_ejecucion", from_state=InitiativeState.APROBADA, now=now)
    audit(session, initiative, actor, "iniciar_ejecucion", before)
    return initiative


def report_progress(
    session: DbSession,
    initiative: Initiative,
    *,
    actor: User,
    reported_on: date,
    percent: int,
    indicators: str | None,
    risks: str | None,
    now: datetime,
) -> ProgressReport:
    """A progress report while in execution: percent (0–100), indicators and risks."""
    initiative = lock_initiative(session, initiative.id)
    require_enlace(actor, initiative.dependency_id)
    if initiative.state is not InitiativeState.EN_EJECUCION:
        raise wrong_state(initiative, "reportar avance")
    errors: dict[str, list[str]] = {}
    if not isinstance(percent, int) or not 0 <= percent <= 100:
        errors["percent"] = ["El avance es un porcentaje entero entre 0 y 100."]
    if len(optional_text(indicators) or "") < 5:
        errors["indicators"] = ["Describa los indicadores y su medición."]
    if reported_on > local_date(now):
        errors["reported_on"] = ["La fecha de corte no puede ser futura."]
    if errors:
        raise ValidationFailed("Revise los campos marcados.", fields=errors)
    report = ProgressReport(
        initiative_id=initiative.id,
        reported_on=reported_on,
        percent=percent,
        indicators=(indicators or "").strip(),
        risks=optional_text(risks),
        reported_by_id=actor.id,
        created_at=now,
    )
    session.add(report)
    session.flush()
    latest = session.execute(
        select(ProgressReport.percent)
        .where(ProgressReport.initiative_id == initiative.id)
        .order_by(ProgressReport.reported_on.desc(), ProgressReport.id.desc())
        .limit(1)
    ).scalar_one()
    before = initiative.snapshot()
    initiative.progress_percent = latest
    session.flush()
    add_event(session, initiative, actor, "avance_reportado", now=now, note=f"{percent} % al {reported_on:%d/%m/%Y}")
    audit(session, initiative, actor, "reportar_avance", before)
    return report


def finish_initiative(session: DbSession, initiative: Initiative, *, actor: User, note: str | None, now: datetime) -> Initiative:
    """The enlace closes an initiative in execution once its last report says 100 %."""
    initiative = lock_initiative(session, initiative.id)
    require_enlace(actor, initiative.dependency_id)
    if initiative.state is not InitiativeState.EN_EJECUCION:
        raise wrong_state(initiative, "finalizar")
    if initiative.progress_percent != 100:
        raise ValidationFailed(
            f"El último avance reportado es {initiative.progress_percent} %: reporte el 100 % antes de finalizar.",
            fields={"percent": ["Se requiere un avance del 100 %."]},
        )
    before = initiative.snapshot()
    initiative.state = InitiativeState.FINALIZADA
    initiative.finished_at = now
    session.flush()
    add_event(
        session, initiative, actor, "finalizada", from_state=InitiativeState.EN_EJECUCION, now=now, note=optional_text(note)
    )
    audit(session, initiative, actor, "finalizar", before)
    return initiative
