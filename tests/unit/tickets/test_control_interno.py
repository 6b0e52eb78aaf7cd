"""Control Interno reads, never writes (SPEC §1), and only real attention stops ``atencion`` (SPEC §5)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.db import utcnow
from portal.errors import NotAllowed
from portal.extensions import db
from sla.models import SlaMetric, SlaTimer
from tests.conftest import csrf_token, login
from tests.unit.tickets.factories import build_request, fetch, get_user
from tickets.models import RequestComment, RequestState
from tickets.services.filing import add_comment

READ_ONLY_PAGES = ["/ans/metas", "/ans/calendario", "/administracion/politicas", "/administracion/sistemas"]


def atencion(request_id: int) -> SlaTimer:
    return db.session.execute(
        select(SlaTimer).where(SlaTimer.request_id == request_id, SlaTimer.metric == SlaMetric.ATENCION)
    ).scalar_one()


@pytest.mark.parametrize("internal", [False, True], ids=["comment", "internal-note"])
def test_control_interno_is_refused_as_commenter(app, internal) -> None:
    with app.app_context():
        request_id = build_request(state=RequestState.RADICADA)
        with pytest.raises(NotAllowed) as refused:
            add_comment(
                db.session,
                fetch(request_id),
                actor=get_user("control.interno"),
                body="Observación",
                internal=internal,
                now=utcnow(),
            )
        db.session.rollback()
        assert refused.value.message == "Control Interno consulta las solicitudes pero no escribe en ellas."
        assert db.session.execute(select(RequestComment)).scalars().all() == []

    control = app.test_client()
    login(control, "control.interno")
    page = control.get(f"/solicitudes/{request_id}").get_data(as_text=True)
    assert "Sin comentarios." in page and f"/solicitudes/{request_id}/comentarios" not in page
    token = csrf_token(control, f"/solicitudes/{request_id}")
    response = control.post(f"/solicitudes/{request_id}/comentarios", data={"csrf_token": token, "body": "Observación"})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.execute(select(RequestComment)).scalars().all() == []


@pytest.mark.parametrize(
    ("author", "internal", "attends"),
    [
        ("agente", True, False),  # an internal note the requester never sees
        ("lider.ed", True, False),
        ("enlace.salud", False, False),  # the requester writing is no attention
        ("agente", False, True),  # the service desk answers the requester
        ("jefe.salud", False, True),  # an approver of the request answers
        ("lider.ed", False, True),
    ],
)
def test_only_a_visible_answer_of_the_desk_or_an_approver_is_atencion(app, author, internal, attends) -> None:
    with app.app_context():
        request_id = build_request(state=RequestState.RADICADA)
        now = utcnow()
        add_comment(
            db.session, fetch(request_id), actor=get_user(author), body="Recibida, en revisión.", internal=internal, now=now
        )
        db.session.commit()
        timer = atencion(request_id)
        assert (timer.stopped_at is not None) is attends


def test_an_internal_note_then_a_decision_stops_atencion_at_the_decision(app) -> None:
    from tests.unit.tickets.factories import decide

    with app.app_context():
        request_id = build_request(state=RequestState.RADICADA)
        add_comment(db.session, fetch(request_id), actor=get_user("agente"), body="Nota interna.", internal=True, now=utcnow())
        db.session.commit()
        assert atencion(request_id).stopped_at is None
        decide(request_id, "jefe.salud")
        assert atencion(request_id).stopped_at is not None


@pytest.mark.parametrize("path", READ_ONLY_PAGES)
def test_control_interno_reads_every_configuration_page_read_only(app, path) -> None:
    control = app.test_client()
    login(control, "control.interno")
    response = control.get(path)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "data-read-only" in page
    assert re.findall(r'<form method="post" action="([^"]*)"', page) == ["/salir"]
    assert "/editar" not in page and "/metas/" not in page and "/politicas/fo-" not in page

    admin = app.test_client()
    login(admin, "admin")
    assert "data-read-only" not in admin.get(path).get_data(as_text=True)


def test_control_interno_changes_no_configuration(app) -> None:
    control = app.test_client()
    login(control, "control.interno")
    token = csrf_token(control, "/ans/calendario")
    assert control.post("/ans/calendario/dias", data={"csrf_token": token, "dia-day": "2026-12-24"}).status_code == 403
    assert control.get("/administracion/politicas/fo-m11-p2-05").status_code == 403
    assert control.get("/administracion/sistemas/nuevo").status_code == 403
    assert control.get("/ans/metas/FO-M11-P2-05.crear.normal.atencion").status_code in (403, 404)
