"""Supervision: the planned-vs-executed curve of a project, and the late-milestone alert counted in
business days of the ANS calendar across a Colombian holiday (San José, Monday 23 March 2026)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest

from gobierno_digital.common import Component
from gobierno_digital.projects import services as projects
from gobierno_digital.supervision import curve as curves
from gobierno_digital.supervision import services
from gobierno_digital.supervision.models import Milestone
from portal.clock import BOGOTA
from portal.errors import NotAllowed, ValidationFailed, WrongState
from portal.extensions import db
from sla.calendar import BusinessCalendar
from tests.unit.gobierno_digital.conftest import sent_mails, subject, user

M1, M2, M3 = (
    curves.PlannedMilestone(1, date(2026, 2, 27), 20),
    curves.PlannedMilestone(2, date(2026, 3, 31), 30),
    curves.PlannedMilestone(3, date(2026, 6, 30), 50),
)
ENTRIES = [
    curves.ProgressEntry(1, date(2026, 2, 20), 50),
    curves.ProgressEntry(1, date(2026, 3, 5), 100),
    curves.ProgressEntry(2, date(2026, 3, 20), 40),
    curves.ProgressEntry(3, date(2026, 4, 10), 10),
]


def bogota(year: int, month: int, day: int, hour: int = 9, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=BOGOTA).astimezone(UTC)


@pytest.mark.parametrize(
    ("day", "planned", "executed"),
    [
        (date(2026, 2, 1), 0, 0),
        (date(2026, 2, 20), 0, 10),  # half of M1 (weight 20) done before it was due
        (date(2026, 2, 27), 20, 10),  # M1 due: planned 20 %, executed still 10 %
        (date(2026, 3, 5), 20, 20),
        (date(2026, 3, 20), 20, 32),  # + 40 % of M2's 30
        (date(2026, 3, 31), 50, 32),
        (date(2026, 4, 10), 50, 37),  # + 10 % of M3's 50
        (date(2026, 6, 30), 100, 37),
    ],
)
def test_planned_and_executed_percent_on_a_day(day, planned, executed):
    milestones = [M1, M2, M3]
    assert curves.planned_percent(milestones, day) == pytest.approx(planned)
    assert curves.executed_percent(milestones, ENTRIES, day) == pytest.approx(executed)


def test_the_curve_has_a_point_where_a_line_changes_and_none_executed_after_today():
    values = curves.curve([M1, M2, M3], ENTRIES, today=date(2026, 4, 15))
    assert [v.day for v in values] == [
        date(2026, 2, 20),
        date(2026, 2, 27),
        date(2026, 3, 5),
        date(2026, 3, 20),
        date(2026, 3, 31),
        date(2026, 4, 10),
        date(2026, 4, 15),
        date(2026, 6, 30),
    ]
    assert [v.planned for v in values] == pytest.approx([0, 20, 20, 20, 50, 50, 50, 100])
    assert [v.executed for v in values[:-1]] == pytest.approx([10, 10, 20, 32, 32, 37, 37])
    assert values[-1].executed is None
    assert all(a.planned <= b.planned for a, b in pairwise(values))


def test_a_later_report_on_the_same_day_wins_and_no_milestones_is_zero():
    entries = [curves.ProgressEntry(1, date(2026, 3, 1), 30), curves.ProgressEntry(1, date(2026, 3, 1), 60)]
    assert curves.executed_percent([M1], entries, date(2026, 3, 1)) == pytest.approx(60)
    assert curves.planned_percent([], date(2026, 3, 1)) == 0
    assert curves.curve([], [], date(2026, 3, 1)) == []


def test_late_by_more_than_n_business_days_skips_the_holiday():
    calendar = BusinessCalendar(years=range(2025, 2028))
    friday = date(2026, 3, 20)  # Monday 23 March 2026 is San José (Ley Emiliani)
    assert not calendar.is_business_day(date(2026, 3, 23))
    deadline = curves.late_deadline(calendar, friday, 2)
    assert deadline == bogota(2026, 3, 25, 23, 59, 59)  # Tuesday 24 (1), Wednesday 25 (2)
    assert not curves.is_late(calendar, friday, 50, 2, bogota(2026, 3, 25, 18))
    assert curves.is_late(calendar, friday, 50, 2, bogota(2026, 3, 26, 0, 0, 1))
    assert not curves.is_late(calendar, friday, 100, 2, bogota(2026, 4, 30))
    assert curves.business_days_late(calendar, friday, date(2026, 3, 26)) == 3


def make_project(app, planned: date, weights=(40, 60)):  # type: ignore[no-untyped-def]
    now = bogota(2026, 1, 15)
    pro = user("lider.ed")
    project = projects.create_project(
        db.session,
        data=projects.ProjectData(
            name="Sede electrónica",
            description="Trámites en línea integrados a GOV.CO",
            component=Component.SERVICIOS_CIUDADANOS,
            dependency_id=pro.dependency_id or 1,
            vigencia=2026,
            responsible_id=pro.id,
            start_date=date(2026, 1, 15),
        ),
        actor=pro,
        now=now,
    )
    first = services.add_milestone(
        db.session, project, name="Primer trámite en línea", planned_date=planned, weight=weights[0],
        responsible_id=user("enlace.salud").id, actor=pro, now=now,
    )  # fmt: skip
    second = services.add_milestone(
        db.session, project, name="Cierre", planned_date=planned + timedelta(days=60), weight=weights[1],
        responsible_id=pro.id, actor=pro, now=now,
    )  # fmt: skip
    db.session.commit()
    return project, first, second


def test_the_late_milestone_alert_goes_once_to_the_responsible_and_the_secretario_after_the_holiday(app, two_business_days):
    """N = 2 business days: planned Friday 20 March; Monday 23 is a holiday; late from Thursday 26."""
    with app.app_context():
        _project, first, _second = make_project(app, date(2026, 3, 20))
        first_id = first.id
    runner = app.test_cli_runner()
    mails_before = len(sent_mails(app))

    quiet = runner.invoke(args=["gd", "tick", "--now", "2026-03-25T18:00:00-05:00"])
    assert quiet.exit_code == 0, quiet.output
    assert "hitos atrasados: 0" in quiet.output  # without the holiday it would be late already
    with app.app_context():
        assert db.session.get(Milestone, first_id).late_alerted_at is None

    late = runner.invoke(args=["gd", "tick", "--now", "2026-03-26T08:00:00-05:00"])
    assert "hitos atrasados: 1" in late.output
    alerts = [m for m in sent_mails(app)[mails_before:] if subject(m).startswith("Hito atrasado")]
    assert len(alerts) == 1
    recipients = set(alerts[0]["To"].replace(" ", "").split(","))
    with app.app_context():
        assert {user("enlace.salud").email, user("secretario").email} <= recipients
        assert db.session.get(Milestone, first_id).late_alerted_at == bogota(2026, 3, 26, 8)
    assert "lleva 3 días hábiles de atraso (más de 2)" in alerts[0].get_body().get_content()
    again = runner.invoke(args=["gd", "tick", "--now", "2026-03-27T08:00:00-05:00"])
    assert "hitos atrasados: 0" in again.output
    assert len([m for m in sent_mails(app)[mails_before:] if subject(m).startswith("Hito atrasado")]) == 1


@pytest.fixture
def two_business_days(app, gd_empty):  # type: ignore[no-untyped-def]
    from gobierno_digital.settings import DEFAULTS, SettingsData, save_settings

    with app.app_context():
        data = SettingsData(**{**DEFAULTS.__dict__, "milestone_late_days": 2})
        save_settings(db.session, actor=user("secretario"), data=data, now=bogota(2026, 1, 2))
        db.session.commit()


def test_progress_and_curve_of_a_project_through_the_service(app, gd_empty):
    with app.app_context():
        project, first, second = make_project(app, date(2026, 3, 20))
        pro = user("lider.ed")
        now = bogota(2026, 4, 15)
        services.report_milestone_progress(
            db.session, first, reported_on=date(2026, 3, 10), percent=50, note=None, actor=user("enlace.salud"), now=now
        )
        services.report_milestone_progress(
            db.session, first, reported_on=date(2026, 4, 1), percent=100, note="Listo", actor=pro, now=now
        )
        db.session.commit()
        assert (first.progress_percent, first.completed_on) == (100, date(2026, 4, 1))
        values = services.project_curve(db.session, project.id, date(2026, 4, 15))
        by_day = {v.day: (v.planned, v.executed) for v in values}
        assert by_day[date(2026, 3, 10)] == pytest.approx((0, 20))
        assert by_day[date(2026, 3, 20)] == pytest.approx((40, 20))
        assert by_day[date(2026, 4, 1)] == pytest.approx((40, 40))
        assert by_day[date(2026, 5, 19)][0] == pytest.approx(100) and by_day[date(2026, 5, 19)][1] is None

        with pytest.raises(WrongState):
            services.report_milestone_progress(
                db.session, first, reported_on=date(2026, 4, 10), percent=80, note=None, actor=pro, now=now
            )
        db.session.rollback()
        with pytest.raises(NotAllowed):
            services.report_milestone_progress(
                db.session, second, reported_on=date(2026, 4, 10), percent=10, note=None, actor=user("control.interno"), now=now
            )
        db.session.rollback()
        with pytest.raises(ValidationFailed):
            services.report_milestone_progress(
                db.session, second, reported_on=date(2026, 5, 1), percent=10, note=None, actor=pro, now=now
            )
        db.session.rollback()
        with pytest.raises(ValidationFailed) as caught:
            services.add_milestone(
                db.session,
                project,
                name="Extra",
                planned_date=date(2026, 6, 1),
                weight=1,
                responsible_id=pro.id,
                actor=pro,
                now=now,
            )
        assert "ya suman 100 %" in caught.value.fields["weight"][0]


def test_the_api_gives_the_curve(app, gd_empty, api):
    with app.app_context():
        project, _first, _second = make_project(app, date(2026, 3, 20))
        project_id = project.id
    response = api("control.interno", "GET", f"/api/v1/gd/projects/{project_id}/curve")
    assert response.status_code == 200
    assert [p["planned"] for p in response.json] == [40, 100]
