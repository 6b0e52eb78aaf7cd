"""Roles granted until a date and contractors' accounts end by themselves, warned 5 business days
before, through an automatic request that shows in history and audit."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from portal.clock import BOGOTA, local_date
from portal.db import utcnow
from portal.extensions import db
from portal.models import AuditEvent
from sla.calendar import BusinessCalendar
from tickets.models import AccessRequest, LinkType, RequestAction, RequestEvent, RequestForm, RequestState

CALENDAR = BusinessCalendar()


def at(day: date, hour: int = 7) -> str:
    return datetime.combine(day, time(hour), BOGOTA).isoformat()


def expire(app, day: date):
    result = app.test_cli_runner().invoke(args=["provisioning", "expire", "--now", at(day)])
    assert result.exit_code == 0, result.output
    return result.output


def mails(tmp_path, needle: str) -> list[str]:
    return [p.read_text() for p in (tmp_path / "mail").glob("*.log") if needle in p.read_text()]


def test_roles_with_an_end_date_are_warned_then_removed_once(app, make_request, tmp_path):
    today = local_date(utcnow())
    end = CALENDAR.add_business_days(today, 12)
    grant = make_request(
        form=RequestForm.ROLES,
        action=RequestAction.MODIFICAR_ROLES,
        roles_to_add=["sap-consulta"],
        roles_end_date=end,
        beneficiary_username="integrante2",
        state=RequestState.RESUELTA,
    )
    before_warning = [d for d in (today + timedelta(days=n) for n in range(30)) if CALENDAR.add_business_days(d, 5) < end][-1]
    assert "Avisos: 0" in expire(app, before_warning)
    first_warning_day = before_warning + timedelta(days=1)
    assert "Avisos: 1" in expire(app, first_warning_day)
    assert "Avisos: 0" in expire(app, first_warning_day)  # once
    warnings = mails(tmp_path, "Ese d=C3=ADa el portal") or mails(tmp_path, "Ese día el portal")
    assert len(warnings) == 1 and "jefe.salud@" in warnings[0] and "enlace.salud@" in warnings[0]

    output = expire(app, end)
    assert "retiros radicados: 1" in output
    with app.app_context():
        ending = db.session.execute(select(AccessRequest).where(AccessRequest.origin_request_id == grant)).scalar_one()
        assert ending.is_automatic and ending.roles_to_remove == ["sap-consulta"]
        assert ending.state is RequestState.RESUELTA  # provisioned in the (demo) directory
        assert ending.requester.username == "mesatic.sistema"
        kinds = db.session.execute(select(RequestEvent.kind).where(RequestEvent.request_id == grant)).scalars().all()
        assert "vencimiento" in kinds
        assert (
            db.session.execute(
                select(AuditEvent).where(
                    AuditEvent.action == "solicitud.vencimiento_automatico", AuditEvent.object_id == str(ending.id)
                )
            ).scalar()
            is not None
        )
    assert "retiros radicados: 0" in expire(app, end + timedelta(days=3))  # never twice


def test_a_contractor_is_retired_at_the_end_of_the_contract(app, make_request):
    today = local_date(utcnow())
    end = today + timedelta(days=20)
    account = make_request(
        form=RequestForm.CREACION,
        action=RequestAction.CREAR,
        link_type=LinkType.CONTRATISTA,
        contract_end_date=end,
        beneficiary_username="contratista.nuevo",
        state=RequestState.RESUELTA,
    )
    assert "retiros radicados: 0" in expire(app, end - timedelta(days=1))
    assert "retiros radicados: 1" in expire(app, end)
    with app.app_context():
        ending = db.session.execute(select(AccessRequest).where(AccessRequest.origin_request_id == account)).scalar_one()
        assert ending.action is RequestAction.RETIRAR and ending.beneficiary_username == "contratista.nuevo"


def test_now_must_carry_a_time_zone(app):
    result = app.test_cli_runner().invoke(args=["provisioning", "expire", "--now", "2026-12-01T08:00:00"])
    assert result.exit_code != 0 and "zona horaria" in result.output
