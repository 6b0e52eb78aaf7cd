"""Drive requests through the real state machine at chosen instants and call the ANS hooks right
after each transition, as the wiring in ``tickets/services/`` does, committing like an edge.

Everything here needs an application context. Instants are built in Bogotá time.
"""

from __future__ import annotations

import email
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from portal.extensions import db
from portal.models import Dependency, User
from sla import hooks
from sla.calendar import BusinessCalendar
from sla.models import SlaMetric, SlaTimer
from sla.services import get_calendar
from tests.unit.tickets.factories import directory
from tickets.models import (
    AccessRequest,
    DocumentType,
    LinkType,
    Priority,
    RequestAction,
    RequestForm,
    TargetSystem,
)
from tickets.services.decisions import Decision, apply_exception, decide_step
from tickets.services.execution import resolve_request, start_execution
from tickets.services.filing import RequestData, cancel_request, create_draft, submit_request

BOGOTA = ZoneInfo("America/Bogota")
EMAIL_DOMAIN = "valledelcauca.gov.co"
ENLACES = {"SAL": "enlace.salud", "HAC": "enlace.hacienda"}
JEFES = {"SAL": "jefe.salud", "HAC": "jefe.hacienda"}
REASON = "Falta adjuntar el formato firmado por el jefe."


def bogota(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BOGOTA)


def user(username: str) -> User:
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def calendar() -> BusinessCalendar:
    return get_calendar(db.session)


def after(start: datetime, hours: float) -> datetime:
    """``start`` plus business hours, by the entity's calendar."""
    return calendar().add_business_time(start, timedelta(hours=hours))


def fetch(request_id: int) -> AccessRequest:
    db.session.expire_all()
    return db.session.execute(select(AccessRequest).where(AccessRequest.id == request_id)).scalar_one()


def draft(
    n: int,
    *,
    dependency: str = "SAL",
    form: RequestForm = RequestForm.CREACION,
    action: RequestAction = RequestAction.CREAR,
    priority: Priority = Priority.NORMAL,
    today: datetime | None = None,
) -> int:
    dependency_id = db.session.execute(select(Dependency.id).where(Dependency.code == dependency)).scalar_one()
    system_id = db.session.execute(select(TargetSystem.id).where(TargetSystem.code == "directorio")).scalar_one()
    data = RequestData(
        form=form,
        action=action,
        system_id=system_id,
        dependency_id=dependency_id,
        priority=priority,
        beneficiary_name=f"Persona de prueba {n}",
        beneficiary_document_type=DocumentType.CC,
        beneficiary_document=f"{20000000 + n}",
        beneficiary_email=f"persona{n}@{EMAIL_DOMAIN}",
        beneficiary_position="Profesional universitario",
        beneficiary_username=f"persona{n}",
        link_type=LinkType.PLANTA,
        justification="Ingresa a la dependencia y necesita acceso a los sistemas.",
        roles_to_add=["correo"] if action is RequestAction.CREAR else [],
    )
    request = create_draft(
        db.session,
        actor=user(ENLACES[dependency]),
        data=data,
        email_domain=EMAIL_DOMAIN,
        today=(today or bogota(2026, 3, 1)).date(),
    )
    db.session.commit()
    return request.id


def submit(request_id: int, now: datetime) -> AccessRequest:
    request = fetch(request_id)
    refile = request.number is not None
    request = submit_request(
        db.session,
        request,
        actor=user(ENLACES[request.dependency.code]),
        email_domain=EMAIL_DOMAIN,
        now=now,
        directory=directory(),
    )
    (hooks.on_refiled if refile else hooks.on_filed)(db.session, request, now)
    db.session.commit()
    return request


def file(n: int, now: datetime, **kwargs: Any) -> int:
    """A new request filed (radicada) at ``now``; returns its id."""
    request_id = draft(n, today=now, **kwargs)
    submit(request_id, now)
    return request_id


def decide(request_id: int, username: str, decision: str, now: datetime, comment: str | None = None) -> None:
    request = fetch(request_id)
    step = decide_step(
        db.session,
        request,
        actor=user(username),
        decision=Decision(decision),
        comment=comment or (REASON if decision != "aprobar" else None),
        now=now,
    )
    hooks.on_step_decided(db.session, request, step, now)
    db.session.commit()


def approve_chain(request_id: int, now_jefe: datetime, now_aprobador: datetime) -> None:
    request = fetch(request_id)
    decide(request_id, JEFES[request.dependency.code], "aprobar", now_jefe)
    decide(request_id, "lider.ed", "aprobar", now_aprobador)


def resolve(request_id: int, now: datetime) -> None:
    agente = user("agente")
    request = start_execution(db.session, fetch(request_id), actor=agente, now=now)
    request = resolve_request(db.session, request, actor=agente, note="Acceso entregado.", now=now)
    hooks.on_closed(db.session, request, now)
    db.session.commit()


def exception(request_id: int, now: datetime) -> None:
    request = apply_exception(
        db.session,
        fetch(request_id),
        actor=user("secretario"),
        justification="Emergencia: el acceso se necesita hoy mismo.",
        now=now,
    )
    hooks.on_exception(db.session, request, now)
    db.session.commit()


def cancel(request_id: int, now: datetime) -> None:
    request = fetch(request_id)
    request = cancel_request(
        db.session, request, actor=user(ENLACES[request.dependency.code]), reason="Ya no se necesita.", now=now
    )
    hooks.on_closed(db.session, request, now)
    db.session.commit()


def timers(request_id: int) -> dict[str, SlaTimer]:
    """``atencion``, ``solucion`` and ``paso1``, ``paso2``… (in the order the steps started)."""
    db.session.expire_all()
    rows = db.session.execute(select(SlaTimer).where(SlaTimer.request_id == request_id).order_by(SlaTimer.id)).scalars()
    result: dict[str, SlaTimer] = {}
    steps = 0
    for timer in rows:
        if timer.metric is SlaMetric.PASO:
            steps += 1
            result[f"paso{steps}"] = timer
        else:
            result[timer.metric.value] = timer
    return result


def mails(mail_dir: Path, *, ans_only: bool = True) -> list[dict[str, Any]]:
    """The messages written by the file backend, oldest first: to, subject, body (ANS notices only by default)."""
    result = []
    for path in sorted(mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime_ns):
        for chunk in path.read_text(encoding="utf-8").split("-" * 79):
            if not chunk.strip():
                continue
            message = email.message_from_bytes(chunk.strip().encode("utf-8"))
            payload = message.get_payload(decode=True)
            body = payload.decode("utf-8") if isinstance(payload, bytes) else str(payload)
            subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
            if ans_only and not subject.startswith("ANS"):
                continue
            result.append({"to": sorted(a.strip() for a in str(message["To"]).split(",")), "subject": subject, "body": body})
    return result
