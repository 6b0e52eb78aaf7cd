"""Demo composition of the committee for ``make run`` and the tests (``config/committee.py``), and a
session convened for the hour the demo is loaded, so the room can be tried at once."""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select

from catalog.models import Enabler, FundingSource
from committee.members import MemberData, save_committee_member
from committee.models import CommitteeMember, CommitteeSession, SessionKind
from committee.sessions import agenda
from config.committee import committee_rules
from config.profiles import Profile
from portal import services as portal_services
from portal.clock import BOGOTA, local_date
from portal.db import DbSession, utcnow


def load_committee_demo(session: DbSession, profile: Profile) -> list[str]:
    """Seat the demo members of ``profile``'s committee; running it twice changes nothing.

    Skipped when the committee already has members (an administrator configured it) and for
    accounts missing from the directory. Returns what it did.
    """
    if session.execute(select(CommitteeMember.id).limit(1)).scalar() is not None:
        return []
    done: list[str] = []
    for seat in committee_rules(profile.code).seats:
        user = portal_services.find_user(session, seat.username)
        if user is None:
            done.append(f"integrante {seat.username}: no existe, omitido")
            continue
        dependency = portal_services.find_dependency(session, seat.dependency_code) if seat.dependency_code else None
        save_committee_member(
            session,
            actor=None,
            data=MemberData(
                user_id=user.id,
                position=seat.position,
                is_voting=seat.is_voting,
                dependency_id=dependency.id if dependency else None,
                is_chair=seat.is_chair,
                is_technical_secretariat=seat.is_technical_secretariat,
            ),
        )
        done.append(f"integrante del comité {seat.username}")
    return done


def load_session_demo(session: DbSession, profile: Profile) -> list[str]:
    """When the committee has no session yet: one initiative of the first dependency with an enlace
    and a head, postulated, on the agenda of an ordinary session held today from the current hour,
    convened ten days ago.

    Everything goes through the services (with the instants of ten days ago), so the demo holds the
    same records, audit events and e-mails a real office would have.
    """
    from catalog import services
    from committee.sessions import convocations
    from committee.sessions import services as sessions
    from committee.sessions.common import CommitteeContext

    if session.execute(select(CommitteeSession.id).limit(1)).scalar() is not None:
        return []
    enlace, jefe, st = (portal_services.find_user(session, u) for u in ("enlace.salud", "jefe.salud", "st.mesa"))
    dependency = portal_services.find_dependency(session, "SAL")
    if enlace is None or jefe is None or st is None or dependency is None:
        return []
    earlier = utcnow() - timedelta(days=10)
    today = local_date(utcnow())
    # at the top of the current hour: a session is installed from 30 minutes before its start
    start = time(utcnow().astimezone(BOGOTA).hour)
    data = services.InitiativeData(
        dependency_id=dependency.id,
        title="Historia clínica electrónica interoperable",
        description="Implementar la historia clínica electrónica en la red pública de salud, interoperable con el nivel nacional.",
        objective="Que cada paciente tenga una sola historia clínica digital, disponible en cualquier hospital de la red.",
        enablers=[Enabler.ARQUITECTURA, Enabler.SERVICIOS_CIUDADANOS],
        is_in_peti=True,
        estimated_budget=1_250_000_000,
        funding_source=FundingSource.SGR,
        start_date=date(today.year + 1, 2, 1),
        end_date=date(today.year + 1, 11, 30),
        sponsor="Secretario de Salud",
    )
    initiative = services.create_initiative(session, actor=enlace, data=data, now=earlier)
    services.request_postulation(session, initiative, actor=enlace, now=earlier)
    services.confirm_postulation(session, initiative, actor=jefe, now=earlier)
    context = CommitteeContext(profile.committee_name, profile.entity_name, profile.email_domain, committee_rules(profile.code))
    committee_session = sessions.create_session(
        session,
        actor=st,
        data=sessions.SessionData(
            kind=SessionKind.ORDINARIA,
            day=today,
            start_time=start,
            end_time=time(start.hour + 3) if start.hour < 21 else time(23, 59),
            place="Sala de juntas de la oficina TIC",
            requested_inputs=context.rules.default_requested_inputs,
        ),
        context=context,
        now=earlier,
    )
    agenda.add_initiative_to_agenda(session, committee_session, initiative, actor=st, now=earlier)
    convocations.convene_session(session, committee_session, actor=st, context=context, now=earlier)
    return [f"sesión de demostración convocada para hoy con la iniciativa {initiative.code}"]
