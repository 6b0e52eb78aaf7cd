"""Build initiatives and sessions through the real services, committing like a request handler.

Call inside an application context. ``NOW`` is a fixed instant (Monday 2 March 2026, 10:00 in
Bogotá); sessions default to a date far enough ahead for an ordinary convocation.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from catalog import execution, services
from catalog.models import Enabler, FundingSource, Initiative, InitiativeState
from committee import members
from committee.models import SessionKind
from committee.sessions import agenda, convocations
from committee.sessions import services as sessions
from committee.sessions.common import CommitteeContext
from config.committee import committee_rules
from portal import services as portal_services
from portal.extensions import db
from portal.models import User

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
SESSION_DAY = date(2026, 3, 20)
REASON = "No cumple los requisitos técnicos del comité."
#: the demo enlace and head of each dependency used in the tests
DEPENDENCY_PEOPLE = {"SAL": ("enlace.salud", "jefe.salud"), "HAC": ("enlace.hacienda", "jefe.hacienda")}


def user(username: str) -> User:
    found = portal_services.find_user(db.session, username)
    assert found is not None, username
    return found


def dependency_id(code: str) -> int:
    found = portal_services.find_dependency(db.session, code)
    assert found is not None, code
    return found.id


def initiative_data(dependency: str = "SAL", **overrides: Any) -> services.InitiativeData:
    values: dict[str, Any] = {
        "dependency_id": dependency_id(dependency),
        "title": "Historia clínica electrónica interoperable",
        "description": "Implementar la historia clínica electrónica en la red pública departamental de salud.",
        "objective": "Que cada paciente tenga una sola historia clínica digital.",
        "enablers": [Enabler.ARQUITECTURA, Enabler.SERVICIOS_CIUDADANOS],
        "is_in_peti": True,
        "estimated_budget": 1_250_000_000,
        "funding_source": FundingSource.SGR,
        "start_date": date(2026, 6, 1),
        "end_date": date(2027, 5, 31),
        "sponsor": "Secretario de Salud",
    }
    values.update(overrides)
    return services.InitiativeData(**values)


def context(profile: str = "valle") -> CommitteeContext:
    from config.profiles import get_profile

    p = get_profile(profile)
    return CommitteeContext(p.committee_name, p.entity_name, p.email_domain, committee_rules(profile))


def make_session(
    kind: SessionKind = SessionKind.ORDINARIA,
    day: date = SESSION_DAY,
    start: time = time(9),
    end: time = time(11),
    now: datetime = NOW,
    **overrides: Any,
) -> int:
    data = sessions.SessionData(
        kind=kind,
        day=day,
        start_time=start,
        end_time=end,
        place=overrides.pop("place", "Sala de juntas, piso 7, Palacio de San Francisco"),
        virtual_link=overrides.pop("virtual_link", None),
        requested_inputs=overrides.pop("requested_inputs", None),
        **overrides,
    )
    if kind is SessionKind.EXTRAORDINARIA and data.requested_by_member_id is None:
        member = next(m for m in members.active_members(db.session) if m.user.username == "integrante1")
        data.requested_by_member_id = member.id
        data.extraordinary_reason = data.extraordinary_reason or "Revisar un incidente de seguridad que exige decisión."
    created = sessions.create_session(db.session, actor=user("st.mesa"), data=data, context=context(), now=now)
    db.session.commit()
    return created.id


def make_initiative(
    state: InitiativeState = InitiativeState.REGISTRADA,
    dependency: str = "SAL",
    *,
    pending: bool = False,
    session_id: int | None = None,
    now: datetime = NOW,
    **overrides: Any,
) -> int:
    """Drive an initiative from registration to ``state`` (``pending``: registered, awaiting the head)."""
    enlace, jefe = (user(name) for name in DEPENDENCY_PEOPLE[dependency])
    initiative = services.create_initiative(db.session, actor=enlace, data=initiative_data(dependency, **overrides), now=now)
    db.session.commit()
    initiative_id = initiative.id

    def step(action: Any) -> None:
        action(db.session.get(Initiative, initiative_id))
        db.session.commit()

    if state is InitiativeState.REGISTRADA:
        if pending:
            step(lambda i: services.request_postulation(db.session, i, actor=enlace, now=now))
        return initiative_id
    step(lambda i: services.request_postulation(db.session, i, actor=enlace, now=now))
    step(lambda i: services.confirm_postulation(db.session, i, actor=jefe, now=now))
    if state is InitiativeState.POSTULADA:
        return initiative_id
    target_session = session_id or make_session(now=now)
    step(
        lambda i: agenda.add_initiative_to_agenda(
            db.session, db.session.get(sessions.CommitteeSession, target_session), i, actor=user("st.mesa"), now=now
        )
    )
    if state is InitiativeState.EN_AGENDA:
        return initiative_id
    outcome = state if state in (InitiativeState.RECHAZADA, InitiativeState.APLAZADA) else InitiativeState.APROBADA
    step(lambda i: services.record_outcome(db.session, i, actor=user("st.mesa"), outcome=outcome, note=REASON, now=now))
    if state in (InitiativeState.APROBADA, InitiativeState.RECHAZADA, InitiativeState.APLAZADA):
        return initiative_id
    step(lambda i: execution.start_execution(db.session, i, actor=enlace, now=now))
    if state is InitiativeState.EN_EJECUCION:
        return initiative_id
    step(
        lambda i: execution.report_progress(
            db.session,
            i,
            actor=enlace,
            reported_on=(now - timedelta(days=1)).date(),
            percent=100,
            indicators="Historia clínica en 42 hospitales.",
            risks=None,
            now=now,
        )
    )
    step(lambda i: execution.finish_initiative(db.session, i, actor=enlace, note="Entregada.", now=now))
    return initiative_id


@dataclass(frozen=True)
class Sent:
    """What a convocation recorded (plain data: readable after the session expires it)."""

    sequence: int
    days_before: int
    ics: str
    recipients: list[dict[str, Any]]


def convene(session_id: int, now: datetime, username: str = "st.mesa", profile: str = "valle") -> Sent:
    committee_session = db.session.get(sessions.CommitteeSession, session_id)
    convocation = convocations.convene_session(
        db.session, committee_session, actor=user(username), context=context(profile), now=now
    )
    sent = Sent(convocation.sequence, convocation.days_before, convocation.ics, list(convocation.recipients))
    db.session.commit()
    return sent


def subject(message: EmailMessage) -> str:
    return str(message["Subject"]).strip()


def mails(tmp_path: Path) -> list[EmailMessage]:
    """Every message the file backend wrote under ``tmp_path/mail`` (each ends with 79 dashes)."""
    found = []
    for path in sorted((tmp_path / "mail").glob("*.log")):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                message = email.message_from_bytes(chunk, policy=email.policy.default)
                assert isinstance(message, EmailMessage)
                found.append(message)
    return found
