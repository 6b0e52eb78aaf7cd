"""The work plan: activities per gap and component with the assignment mail, resources and CDPs, the
Secretario's approval with versions kept, and every wrong state or wrong person refused."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from gobierno_digital.common import Component
from gobierno_digital.evaluations import services as evaluations
from gobierno_digital.evaluations.importer import parse_scores
from gobierno_digital.plan import services
from gobierno_digital.plan.models import ActivityStatus, PlanState, PlanVersion, ResourceKind, WorkPlan
from portal.errors import NotAllowed, ValidationFailed, WrongState
from portal.extensions import db
from portal.models import AuditEvent
from tests.conftest import csrf_token, login
from tests.unit.gobierno_digital.conftest import GOOD_ROWS, sent_mails, subject, user, xlsx_bytes

NOW = datetime(2031, 2, 3, 15, 0, tzinfo=UTC)


def setup_plan() -> tuple[WorkPlan, list]:
    pro = user("lider.ed")
    evaluations.import_scores(db.session, parse_scores("a.xlsx", xlsx_bytes(GOOD_ROWS)), actor=pro, now=NOW)
    proposals = evaluations.proposed_gaps(db.session, 2030, 60)
    gaps = evaluations.register_gaps(
        db.session, vigencia=2030, score_ids=[p.score.id for p in proposals], threshold_percent=60, actor=pro, now=NOW
    )
    plan = services.create_plan(db.session, vigencia=2031, actor=pro, now=NOW)
    db.session.commit()
    return plan, gaps


def activity_data(gap_id: int | None, responsible: str = "enlace.salud", **overrides) -> services.ActivityData:  # type: ignore[no-untyped-def]
    person = user(responsible)
    values = {
        "component": None,
        "description": "Integrar los trámites de salud a GOV.CO",
        "dependency_id": person.dependency_id or user("jefe.salud").dependency_id or 1,
        "responsible_id": person.id,
        "start_date": date(2031, 2, 1),
        "end_date": date(2031, 6, 30),
        "deliverable": "Trámites publicados",
        "gap_id": gap_id,
    }
    values.update(overrides)
    return services.ActivityData(**values)


def test_gaps_are_the_questions_under_the_threshold(app, gd_empty):
    with app.app_context():
        _plan, gaps = setup_plan()
        assert sorted(g.code for g in gaps) == ["ARQ-1", "CUL-1", "DAT-1", "ITD-3.2", "SCD-1"]
        assert all(g.percent < 60 for g in gaps)
        again = evaluations.proposed_gaps(db.session, 2030, 60)
        assert all(p.is_registered for p in again)
        with pytest.raises(ValidationFailed):
            evaluations.register_gaps(
                db.session, vigencia=2030, score_ids=[p.score.id for p in again], threshold_percent=60, actor=None, now=NOW
            )


def test_an_activity_takes_its_gap_component_and_mails_the_responsible(app, gd_empty):
    with app.app_context():
        plan, gaps = setup_plan()
        scd = next(g for g in gaps if g.code == "SCD-1")
        activity = services.add_activity(db.session, plan, data=activity_data(scd.id), actor=user("lider.ed"), now=NOW)
        db.session.commit()
        assert activity.component is Component.SERVICIOS_CIUDADANOS
        email_address = user("enlace.salud").email
    assigned = [m for m in sent_mails(app) if subject(m) == "Actividad asignada del plan de Gobierno Digital 2031"]
    assert len(assigned) == 1 and email_address in assigned[0]["To"]
    assert "Integrar los trámites de salud a GOV.CO" in assigned[0].get_body().get_content()


def test_a_gap_of_another_vigencia_or_bad_dates_are_refused(app, gd_empty):
    with app.app_context():
        plan, gaps = setup_plan()
        other = services.create_plan(db.session, vigencia=2033, actor=None, now=NOW)
        with pytest.raises(ValidationFailed) as caught:
            services.add_activity(db.session, other, data=activity_data(gaps[0].id), actor=None, now=NOW)
        assert "gap_id" in caught.value.fields
        with pytest.raises(ValidationFailed) as caught:
            services.add_activity(db.session, plan, data=activity_data(None, end_date=date(2031, 1, 1)), actor=None, now=NOW)
        assert set(caught.value.fields) == {"component", "end_date"}


def test_the_plan_goes_to_the_secretario_who_approves_it_and_its_version_is_kept(app, gd_empty):
    with app.app_context():
        first_event = db.session.execute(select(db.func.max(AuditEvent.id))).scalar_one()
        plan, gaps = setup_plan()
        pro, secretario = user("lider.ed"), user("secretario")
        with pytest.raises(ValidationFailed):
            services.submit_plan(db.session, plan, actor=pro, now=NOW)  # no activities yet
        db.session.rollback()
        activity = services.add_activity(db.session, plan, data=activity_data(gaps[0].id), actor=pro, now=NOW)
        services.add_resource(
            db.session, plan, kind=ResourceKind.HUMANO, description="Un profesional", amount=60_000_000, actor=pro
        )
        services.add_budget_availability(
            db.session, plan, number="CDP-0142", issued_on=date(2031, 1, 20), amount=60_000_000, description=None, actor=pro
        )
        db.session.commit()
        with pytest.raises(ValidationFailed):
            services.add_budget_availability(
                db.session, plan, number="CDP-0142", issued_on=date(2031, 1, 20), amount=1, description=None, actor=pro
            )
        db.session.rollback()
        with pytest.raises(WrongState):
            services.set_activity_status(db.session, activity, status=ActivityStatus.EN_CURSO, actor=pro, now=NOW)
        db.session.rollback()
        services.submit_plan(db.session, plan, actor=pro, now=NOW)
        db.session.commit()
        with pytest.raises(NotAllowed):
            services.approve_plan(db.session, plan, actor=pro, now=NOW)
        with pytest.raises(WrongState):
            services.add_activity(db.session, plan, data=activity_data(None, component=Component.CULTURA), actor=pro, now=NOW)
        db.session.rollback()
        services.return_plan(db.session, plan, actor=secretario, note="Falta el CDP de la segunda actividad.", now=NOW)
        db.session.commit()
        assert (plan.state, plan.note) == (PlanState.BORRADOR, "Falta el CDP de la segunda actividad.")
        services.submit_plan(db.session, plan, actor=pro, now=NOW)
        services.approve_plan(db.session, plan, actor=secretario, now=NOW)
        db.session.commit()
        with pytest.raises(WrongState):
            services.approve_plan(db.session, plan, actor=secretario, now=NOW)
        db.session.rollback()
        version = db.session.execute(select(PlanVersion).where(PlanVersion.plan_id == plan.id)).scalar_one()
        assert version.number == 1 and version.approved_by_id == secretario.id
        assert [a["description"] for a in version.content["activities"]] == ["Integrar los trámites de salud a GOV.CO"]
        assert version.content["budget"][0]["number"] == "CDP-0142"

        services.set_activity_status(db.session, activity, status=ActivityStatus.EN_CURSO, actor=user("enlace.salud"), now=NOW)
        with pytest.raises(NotAllowed):
            services.set_activity_status(
                db.session, activity, status=ActivityStatus.TERMINADA, actor=user("control.interno"), now=NOW
            )
        db.session.rollback()
        services.open_new_version(db.session, plan, actor=pro, reason="Ajuste por recorte presupuestal", now=NOW)
        services.update_activity(db.session, activity, data=activity_data(gaps[0].id, responsible="lider.ed"), actor=pro, now=NOW)
        services.submit_plan(db.session, plan, actor=pro, now=NOW)
        services.approve_plan(db.session, plan, actor=secretario, now=NOW)
        db.session.commit()
        versions = (
            db.session.execute(select(PlanVersion).where(PlanVersion.plan_id == plan.id).order_by(PlanVersion.number))
            .scalars()
            .all()
        )
        assert [v.number for v in versions] == [1, 2]
        assert versions[0].content["activities"][0]["responsible"] == "enlace.salud"
        assert versions[1].content["activities"][0]["responsible"] == "lider.ed"
        actions = (
            db.session.execute(select(AuditEvent.action).where(AuditEvent.object_type == "gd_plan", AuditEvent.id > first_event))
            .scalars()
            .all()
        )
        assert actions.count("gd.plan.aprobar") == 2 and "gd.plan.devolver" in actions


def test_the_wrong_state_is_a_409_in_spanish_through_the_api(app, gd_empty, api):
    with app.app_context():
        setup_plan()
    response = api("secretario", "POST", "/api/v1/gd/plans/2031/approve")
    assert response.status_code == 409
    assert response.json["detail"] == "El plan de trabajo 2031 está borrador: no se puede aprobar."
    assert api("lider.ed", "POST", "/api/v1/gd/plans/2031/approve").status_code == 403
    assert api("control.interno", "GET", "/api/v1/gd/plans/2031").json["state"] == "borrador"


ROLES_AND_WRITES = [
    ("control.interno", "/gobierno-digital/plan", {"vigencia": "2040"}),
    ("control.interno", "/gobierno-digital/plan/2031/enviar", {}),
    ("control.interno", "/gobierno-digital/plan/2031/aprobar", {}),
    ("control.interno", "/gobierno-digital/riesgos/nuevo", {}),
    ("control.interno", "/gobierno-digital/configuracion", {"gap_threshold_percent": "70"}),
    ("enlace.salud", "/gobierno-digital/plan/2031/aprobar", {}),
    ("lider.ed", "/gobierno-digital/plan/2031/aprobar", {}),
    ("secretario", "/gobierno-digital/plan/2031/enviar", {}),
]


@pytest.mark.parametrize(("username", "path", "data"), ROLES_AND_WRITES)
def test_who_may_not_change_the_plan_is_refused(app, gd_empty, login_as, username, path, data):
    with app.app_context():
        setup_plan()
    client = login_as(username)
    token = csrf_token(client, "/privacidad") if username == "enlace.salud" else csrf_token(client, "/gobierno-digital/")
    response = client.post(path, data={"csrf_token": token, **data})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.execute(select(WorkPlan.state).where(WorkPlan.vigencia == 2031)).scalar_one() is PlanState.BORRADOR


def test_the_secretario_approves_from_the_page(app, gd_empty, login_as):
    with app.app_context():
        plan, gaps = setup_plan()
        services.add_activity(db.session, plan, data=activity_data(gaps[0].id), actor=None, now=NOW)
        services.submit_plan(db.session, plan, actor=user("lider.ed"), now=NOW)
        db.session.commit()
    client = login_as("secretario")
    page = client.get("/gobierno-digital/plan/2031").get_data(as_text=True)
    assert "Aprobar el plan" in page
    token = csrf_token(client, "/gobierno-digital/plan/2031")
    response = client.post("/gobierno-digital/plan/2031/aprobar", data={"csrf_token": token})
    assert response.status_code == 303
    again = client.post(
        "/gobierno-digital/plan/2031/aprobar",
        data={"csrf_token": token},
        headers={"Referer": "http://localhost/gobierno-digital/plan/2031"},
    )
    assert again.status_code == 303  # refused: flashed and sent back
    assert "está aprobado: no se puede aprobar" in client.get("/gobierno-digital/plan/2031").get_data(as_text=True)


def test_the_person_responsible_sees_their_activity_and_reports_it(app, gd_empty, login_as):
    with app.app_context():
        plan, gaps = setup_plan()
        mine = services.add_activity(db.session, plan, data=activity_data(gaps[0].id), actor=None, now=NOW)
        services.add_activity(
            db.session,
            plan,
            data=activity_data(gaps[1].id, responsible="lider.ed", description="Otra actividad"),
            actor=None,
            now=NOW,
        )
        services.submit_plan(db.session, plan, actor=user("lider.ed"), now=NOW)
        services.approve_plan(db.session, plan, actor=user("secretario"), now=NOW)
        db.session.commit()
        mine_id = mine.id
    client = login_as("enlace.salud")
    page = client.get("/gobierno-digital/plan/2031").get_data(as_text=True)
    assert "Integrar los trámites de salud a GOV.CO" in page and "Otra actividad" not in page
    assert "Secciones de Gobierno Digital" not in page and "Disponibilidades presupuestales" not in page
    token = csrf_token(client, "/gobierno-digital/plan/2031")
    response = client.post(
        f"/gobierno-digital/plan/actividades/{mine_id}/estado", data={"csrf_token": token, "status": "en_curso"}
    )
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(services.PlanActivity, mine_id).status is ActivityStatus.EN_CURSO
    other = app.test_client()
    login(other, "jefe.hacienda")
    assert other.get("/gobierno-digital/plan/2031").status_code == 403
