"""The entity's calendar and the Manual ANS targets, edited by ``admin`` (SPEC §1, §5)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent
from sla import services
from sla.models import CalendarDayOff, CalendarHalfDay
from tests.conftest import csrf_token
from tests.unit.sla.flow import bogota, file, timers

TARGET_KEY = "fo-m11-p2-05:crear:normal:atencion"


def post(client, path, form_page, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, form_page)})


# ---------------------------------------------------------------- the calendar


def test_admin_adds_and_removes_a_day_off_and_running_timers_follow(app, login_as):
    with app.app_context():
        request_id = file(1, bogota(2026, 3, 9, 8))
        assert timers(request_id)["solucion"].due_at == bogota(2026, 3, 11, 18)
        default_revision = services.calendar_revision(db.session)
    client = login_as("admin")
    page = client.get("/ans/calendario?anio=2026")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Festivos de Colombia en 2026" in html and "San José" in html

    response = post(
        client,
        "/ans/calendario/dias",
        "/ans/calendario",
        {"dia-day": "2026-03-10", "dia-description": "Día del servidor público"},
    )
    assert response.status_code == 302
    assert "Día del servidor público" in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert services.calendar_revision(db.session) != default_revision
        calendar = services.get_calendar(db.session)
        assert not calendar.is_business_day(date(2026, 3, 10))
        t = timers(request_id)
        assert t["solucion"].due_at == bogota(2026, 3, 12, 18)  # one business day later
        assert t["solucion"].warn_at == calendar.add_business_time(bogota(2026, 3, 9, 8), timedelta(hours=18))
        assert t["atencion"].due_at == bogota(2026, 3, 9, 12)
        audit = db.session.execute(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).scalar_one()
        assert audit.action == "calendario.agregar_dia_no_habil" and audit.after["timers_recomputed"] == 3
        day_id = db.session.execute(select(CalendarDayOff.id)).scalar_one()

    again = post(client, "/ans/calendario/dias", "/ans/calendario", {"dia-day": "2026-03-10", "dia-description": "Otra vez"})
    assert again.status_code == 422 and "ya es un día no hábil" in again.get_data(as_text=True)

    response = post(client, f"/ans/calendario/dias/{day_id}/eliminar", "/ans/calendario?anio=2026", {})
    assert response.status_code == 302
    with app.app_context():
        assert services.get_calendar(db.session).is_business_day(date(2026, 3, 10))
        assert timers(request_id)["solucion"].due_at == bogota(2026, 3, 11, 18)


def test_admin_adds_a_half_day(app, login_as):
    with app.app_context():
        request_id = file(2, bogota(2026, 3, 9, 8))
    client = login_as("admin")
    response = post(
        client,
        "/ans/calendario/jornadas",
        "/ans/calendario",
        {"jornada-day": "2026-03-11", "jornada-blocks": "08:00-12:00", "jornada-description": "Jornada de integración"},
    )
    assert response.status_code == 302
    with app.app_context():
        row = db.session.execute(select(CalendarHalfDay)).scalar_one()
        assert row.blocks == [["08:00", "12:00"]]
        # solución 24 h: Monday 8 h, Tuesday 8 h, Wednesday 4 h, Thursday 4 h
        assert timers(request_id)["solucion"].due_at == bogota(2026, 3, 12, 12)
    bad = post(
        client,
        "/ans/calendario/jornadas",
        "/ans/calendario",
        {"jornada-day": "2026-03-12", "jornada-blocks": "12:00-08:00", "jornada-description": "Mal"},
    )
    assert bad.status_code == 422 and "no es un bloque válido" in bad.get_data(as_text=True)


@pytest.mark.parametrize(
    ("text", "blocks"),
    [
        ("08:00-12:00", [["08:00", "12:00"]]),
        ("14:00-16:00, 8:00-12:00", [["08:00", "12:00"], ["14:00", "16:00"]]),
        ("08:00 a 12:30", [["08:00", "12:30"]]),
    ],
)
def test_parse_blocks(text, blocks):
    assert services.parse_blocks(text) == blocks


@pytest.mark.parametrize("text", ["", "8-12", "08:00-12:00, 11:00-13:00", "25:00-26:00"])
def test_parse_blocks_refuses(text):
    from portal.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        services.parse_blocks(text)


def test_the_calendar_is_cached_per_revision(app):
    with app.app_context():
        first = services.get_calendar(db.session)
        assert services.get_calendar(db.session) is first
        services.add_day_off(db.session, actor=None, day=date(2026, 12, 7), description="Puente", now=bogota(2026, 3, 1))
        second = services.get_calendar(db.session)
        assert second is not first and not second.is_business_day(date(2026, 12, 7))
        db.session.rollback()
        assert services.get_calendar(db.session) is first


@pytest.mark.parametrize("username", ["secretario", "enlace.salud", "agente"])
def test_only_admin_edits_the_calendar_and_targets(login_as, username):
    client = login_as(username)
    assert client.get("/ans/calendario").status_code == 403
    assert client.get("/ans/metas").status_code == 403
    assert client.get(f"/ans/metas/{TARGET_KEY}").status_code == 403


def test_services_refuse_non_admins(app):
    from portal.errors import NotAllowed
    from tests.unit.sla.flow import user

    with app.app_context():
        with pytest.raises(NotAllowed):
            services.add_day_off(
                db.session, actor=user("secretario"), day=date(2026, 12, 7), description="x", now=bogota(2026, 3, 1)
            )


# ---------------------------------------------------------------- Manual ANS targets


def test_targets_page_labels_placeholders(login_as):
    client = login_as("admin")
    html = client.get("/ans/metas").get_data(as_text=True)
    assert "valor provisional: reemplácelo por el del Manual ANS de la entidad" in html
    assert html.count("valor provisional</span>") == 36  # 6 form actions × 2 priorities × 3 metrics
    assert f'data-target="{TARGET_KEY}"' in html


def test_admin_sets_a_target_new_timers_use_it_and_reset_restores_the_placeholder(app, login_as):
    with app.app_context():
        before = file(3, bogota(2026, 3, 9, 8))
    client = login_as("admin")
    form_page = f"/ans/metas/{TARGET_KEY}"
    assert "valor provisional" in client.get(form_page).get_data(as_text=True)
    assert post(client, form_page, form_page, {"hours": "0"}).status_code == 422
    response = post(client, form_page, form_page, {"hours": "6,5".replace(",", ".")})
    assert response.status_code == 302
    html = client.get("/ans/metas").get_data(as_text=True)
    assert html.count("valor provisional</span>") == 35
    with app.app_context():
        after_id = file(4, bogota(2026, 3, 9, 8))
        assert timers(after_id)["atencion"].target_seconds == int(6.5 * 3600)
        assert not timers(after_id)["atencion"].is_placeholder_target
        assert timers(after_id)["atencion"].due_at == bogota(2026, 3, 9, 16, 30)
        assert timers(before)["atencion"].target_seconds == 4 * 3600  # running timers keep theirs
        assert next(t for t in services.target_table(db.session) if t.key == TARGET_KEY).minutes == 390

    response = post(client, f"{form_page}/restablecer", form_page, {})
    assert response.status_code == 302
    with app.app_context():
        row = next(t for t in services.target_table(db.session) if t.key == TARGET_KEY)
        assert row.is_placeholder and row.minutes == 240
        actions = db.session.execute(select(AuditEvent.action).where(AuditEvent.action == "ans.meta")).scalars().all()
        assert len(actions) == 2


def test_unknown_target_is_404(login_as):
    client = login_as("admin")
    assert client.get("/ans/metas/fo-m11-p2-12:crear:normal:atencion").status_code == 404
    assert client.get("/ans/metas/nada").status_code == 404
