"""Designations that an auditor can trust (SPEC §2): a future "rige a partir de" takes effect on its
date, the drafts come from the directory and are attributed to the head, the handover waits for the
removal of the outgoing enlace's groups, a retired account is not designated, a stale or
concurrent designation is a 409."""

from __future__ import annotations

import io
from datetime import timedelta

from ldap3 import MODIFY_REPLACE
from sqlalchemy import select

from enlaces.models import Designation, DesignationStatus, Handover
from portal.clock import local_date
from portal.db import utcnow
from portal.demo import demo_act_pdf
from portal.extensions import db
from portal.models import AuditEvent, User
from portal.roles import Role
from tests.conftest import csrf_token, login
from tests.unit.tickets.factories import dependency_id, directory, get_user
from tickets.models import AccessRequest, RequestEvent, RequestForm, RequestState

PDF = demo_act_pdf("Resolución 0789 de 2026: designa al enlace TIC.")


def post_designation(client, dep: int, person: str, *, effective: str, act_date: str | None = None, seen: str | None = None):
    token = csrf_token(client, f"/dependencias/{dep}/enlace")
    data = {
        "csrf_token": token,
        "person": person,
        "act_type": "resolucion",
        "act_number": "0789",
        "act_date": act_date or effective,
        "effective_date": effective,
        "act_file": (io.BytesIO(PDF), "resolucion.pdf"),
    }
    if seen is not None:
        data["seen_current"] = seen
    return client.post(f"/dependencias/{dep}/enlace", data=data, content_type="multipart/form-data")


def designations_of(dep: int) -> list[tuple[str, DesignationStatus]]:
    rows = db.session.execute(select(Designation).where(Designation.dependency_id == dep).order_by(Designation.id)).scalars()
    return [(d.person.username, d.status) for d in rows]


def drafts_of(dep: int) -> dict[str, AccessRequest]:
    rows = db.session.execute(
        select(AccessRequest).where(AccessRequest.dependency_id == dep, AccessRequest.state == RequestState.BORRADOR)
    ).scalars()
    return {r.beneficiary_username: r for r in rows}


def test_a_future_designation_takes_effect_on_its_date_through_the_tick(app) -> None:
    today = local_date(utcnow())
    later = today + timedelta(days=10)
    with app.app_context():
        sal = dependency_id("SAL")
    head = app.test_client()
    login(head, "jefe.salud")
    response = post_designation(head, sal, "integrante3", effective=later.isoformat(), act_date=today.isoformat())
    assert response.status_code == 303, response.get_data(as_text=True)[:1500]
    page = head.get(f"/dependencias/{sal}/enlace").get_data(as_text=True)
    assert 'data-vigente="enlace.salud"' in page and 'data-programada="integrante3"' in page
    with app.app_context():
        assert designations_of(sal) == [
            ("enlace.salud", DesignationStatus.VIGENTE),
            ("integrante3", DesignationStatus.PROGRAMADA),
        ]
        assert sal in get_user("enlace.salud").scoped_dependency_ids(Role.ENLACE)
        assert sal not in get_user("integrante3").scoped_dependency_ids(Role.ENLACE)
        assert drafts_of(sal) == {}

    runner = app.test_cli_runner()
    before = runner.invoke(args=["enlaces", "tick", "--now", f"{(later - timedelta(days=1)).isoformat()}T23:59:00-05:00"])
    assert before.exit_code == 0 and "entraron en vigor: 0" in before.output
    on_the_day = runner.invoke(args=["enlaces", "tick", "--now", f"{later.isoformat()}T00:05:00"])
    assert on_the_day.exit_code == 0 and "entraron en vigor: 1" in on_the_day.output, on_the_day.output
    again = runner.invoke(args=["enlaces", "tick", "--now", f"{later.isoformat()}T00:06:00"])
    assert "entraron en vigor: 0" in again.output

    with app.app_context():
        rows = db.session.execute(select(Designation).where(Designation.dependency_id == sal).order_by(Designation.id)).scalars()
        previous, current = list(rows)
        assert (previous.status, previous.end_date) == (DesignationStatus.REEMPLAZADA, later)
        assert previous.end_date >= previous.effective_date  # never ended before it began
        assert (current.status, current.effective_date, current.end_date) == (DesignationStatus.VIGENTE, later, None)
        assert sal in get_user("integrante3").scoped_dependency_ids(Role.ENLACE)
        assert sal not in get_user("enlace.salud").scoped_dependency_ids(Role.ENLACE)
        assert set(drafts_of(sal)) == {"enlace.salud", "integrante3"}
        assert db.session.execute(select(Handover).where(Handover.dependency_id == sal)).scalar_one() is not None


def test_the_beat_schedules_the_daily_task(app) -> None:
    schedule = app.extensions["celery"].conf.beat_schedule["enlaces.apply_designations"]
    assert schedule["task"] == "enlaces.apply_designations"


def test_the_drafts_list_the_groups_the_directory_holds_and_are_attributed_to_the_head(app) -> None:
    with app.app_context():
        sal = dependency_id("SAL")
    head = app.test_client()
    login(head, "jefe.salud")
    assert post_designation(head, sal, "integrante3", effective="2026-11-04").status_code == 303
    with app.app_context():
        drafts = drafts_of(sal)
        removal, incoming = drafts["enlace.salud"], drafts["integrante3"]
        # enlace.salud is in correo-usuarios and gestion-documental (config/demo_directory.ldif)
        assert (removal.form, removal.roles_to_remove, removal.roles_to_add) == (
            RequestForm.ROLES,
            ["correo", "gestion-documental"],
            [],
        )
        # integrante3 has an account (with correo): no creation, the enlace's group they lack
        assert (incoming.form, incoming.roles_to_add) == (RequestForm.ROLES, ["gestion-documental"])
        assert removal.requester.username == incoming.requester.username == "integrante3"
        for draft in (removal, incoming):
            event = db.session.execute(select(RequestEvent).where(RequestEvent.request_id == draft.id)).scalar_one()
            assert (event.kind, event.actor.username) == ("borrador_preparado", "jefe.salud")
            assert event.note.startswith("Preparado por la designación de Andrés Mejía Castro (Resolución 0789)")
            audit = db.session.execute(
                select(AuditEvent).where(AuditEvent.object_type == "solicitud", AuditEvent.object_id == str(draft.id))
            ).scalar_one()
            assert (audit.action, audit.actor_name) == ("solicitud.preparar_borrador", "jefe.salud")
        handover = db.session.execute(select(Handover).where(Handover.dependency_id == sal)).scalar_one()
        assert handover.removal_request_id == removal.id


def test_a_person_without_an_account_gets_a_creation_with_the_enlace_groups(app) -> None:
    with app.app_context():
        sal = dependency_id("SAL")
        db.session.add(User(username="nueva.enlace", full_name="Nueva Enlace Salud", email="nueva.enlace@valledelcauca.gov.co"))
        db.session.commit()
    head = app.test_client()
    login(head, "jefe.salud")
    assert post_designation(head, sal, "nueva.enlace", effective="2026-11-04").status_code == 303
    with app.app_context():
        created = drafts_of(sal)["nueva.enlace"]
        assert (created.form, created.action.value, created.roles_to_add) == (
            RequestForm.CREACION,
            "crear",
            ["correo", "gestion-documental"],
        )


def test_the_handover_cannot_close_while_the_removal_is_not_resolved(app) -> None:
    with app.app_context():
        sal = dependency_id("SAL")
    head = app.test_client()
    login(head, "jefe.salud")
    post_designation(head, sal, "integrante3", effective="2026-11-04")
    with app.app_context():
        handover = db.session.execute(select(Handover).where(Handover.dependency_id == sal)).scalar_one()
        handover_id, removal_id = handover.id, handover.removal_request_id
        number = None
    page = head.get(f"/transferencias/{handover_id}").get_data(as_text=True)
    assert "la transferencia se cierra cuando esté resuelta" in page and "Completar transferencia" not in page
    token = csrf_token(head, f"/transferencias/{handover_id}")
    data = {"csrf_token": token} | {f"hecho_{k}": "1" for k in ("solicitudes", "iniciativas", "documentos", "credenciales")}
    refused = head.post(f"/transferencias/{handover_id}", data=data)
    assert refused.status_code == 409
    with app.app_context():
        assert db.session.get(Handover, handover_id).is_completed is False
        removal = db.session.get(AccessRequest, removal_id)
        removal.state, removal.number = RequestState.RESUELTA, "SOL-2026-09999"
        number = removal.number
        db.session.commit()
    assert number
    assert head.post(f"/transferencias/{handover_id}", data=data).status_code == 303
    with app.app_context():
        assert db.session.get(Handover, handover_id).is_completed is True


def test_an_account_retired_in_the_directory_cannot_be_designated(app) -> None:
    with app.app_context():
        sal = dependency_id("SAL")
        conn = directory().service_connection()
        assert conn.modify(
            f"uid=integrante3,{directory().settings.users_dn}", {"pwdAccountLockedTime": [(MODIFY_REPLACE, ["000001010000Z"])]}
        )
        conn.unbind()
    head = app.test_client()
    login(head, "jefe.salud")
    response = post_designation(head, sal, "integrante3", effective="2026-11-04")
    assert response.status_code == 422
    assert "está retirada en el directorio" in response.get_data(as_text=True)
    with app.app_context():
        assert designations_of(sal) == [("enlace.salud", DesignationStatus.VIGENTE)]


def test_a_designation_made_on_a_stale_page_is_a_409(app) -> None:
    """Two heads (or two tabs) saw enlace.salud in force: the second one to submit is refused."""
    with app.app_context():
        sal = dependency_id("SAL")
        seen = str(
            db.session.execute(
                select(Designation.id).where(Designation.dependency_id == sal, Designation.status == DesignationStatus.VIGENTE)
            ).scalar_one()
        )
    head = app.test_client()
    login(head, "jefe.salud")
    assert post_designation(head, sal, "integrante3", effective="2026-11-04", seen=seen).status_code == 303
    stale = post_designation(head, sal, "integrante4", effective="2026-11-04", seen=seen)
    assert stale.status_code == 409
    assert "Otra designación para esta dependencia se registró al mismo tiempo" in stale.get_data(as_text=True)
    with app.app_context():
        assert designations_of(sal) == [
            ("enlace.salud", DesignationStatus.REEMPLAZADA),
            ("integrante3", DesignationStatus.VIGENTE),
        ]


def test_a_lost_unique_race_is_a_409_in_spanish_not_a_500(app) -> None:
    """Whatever unique constraint a concurrent request wins, the loser gets 409 and the next request works."""
    from flask_login import login_required

    from portal.extensions import csrf

    @login_required
    def duplicate():  # type: ignore[no-untyped-def]
        db.session.add(User(username="jefe.salud", full_name="Duplicado"))
        db.session.flush()
        return "no"

    app.add_url_rule("/prueba/duplicado", "duplicate", csrf.exempt(duplicate), methods=["GET", "POST"])
    app.add_url_rule("/api/v1/prueba/duplicado", "api_duplicate", csrf.exempt(duplicate), methods=["POST"])
    client = app.test_client()
    login(client, "enlace.salud")
    page = client.get("/prueba/duplicado")
    assert page.status_code == 409 and "Otra persona registró lo mismo al mismo tiempo" in page.get_data(as_text=True)
    assert page.headers["X-Frame-Options"] == "DENY"
    posted = client.post("/prueba/duplicado", headers={"Referer": "http://localhost/solicitudes"})
    assert posted.status_code == 303
    assert client.get("/solicitudes").status_code == 200


def test_a_scheduled_designation_waits_for_the_directory(app) -> None:
    """The drafts come from the directory: while it does not answer the designation stays scheduled."""
    today = local_date(utcnow())
    later = today + timedelta(days=3)
    with app.app_context():
        sal = dependency_id("SAL")
    head = app.test_client()
    login(head, "jefe.salud")
    assert post_designation(head, sal, "integrante3", effective=later.isoformat(), act_date=today.isoformat()).status_code == 303
    runner = app.test_cli_runner()
    url = app.config["LDAP_URL"]
    app.config.update(LDAP_URL="ldap://127.0.0.1:9", LDAP_TIMEOUT=1)
    down = runner.invoke(args=["enlaces", "tick", "--now", f"{later.isoformat()}T00:05:00"])
    assert down.exit_code == 0 and "entraron en vigor: 0" in down.output and "queda programada" in down.output
    with app.app_context():
        assert designations_of(sal) == [
            ("enlace.salud", DesignationStatus.VIGENTE),
            ("integrante3", DesignationStatus.PROGRAMADA),
        ]
        assert sal in get_user("enlace.salud").scoped_dependency_ids(Role.ENLACE)
    app.config["LDAP_URL"] = url
    up = runner.invoke(args=["enlaces", "tick", "--now", f"{later.isoformat()}T06:00:00"])
    assert "entraron en vigor: 1" in up.output, up.output
