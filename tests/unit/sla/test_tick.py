"""The periodic check (SPEC §5): 75 % warning to whoever must act, 100 % breach escalated to the
aprobador, 150 % escalation to the secretario; each notice once, by the tick's ``--now``.

Request filed Monday 9 March 2026 08:00 (FO-M11-P2-05 crear, SAL; placeholder targets):
- atención 4 h: warning 11:00, breach 12:00, escalation 16:00 (6 h: 08–12, 14–16);
- step 1 (jefe) 8 h: warning 16:00 (6 h), breach 18:00, escalation Tuesday 12:00 (12 h);
- solución 24 h: warning Wednesday 10:00 (18 h), breach Wednesday 18:00, escalation Friday 12:00 (36 h).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent
from sla import services
from sla.models import NoticeLevel, SlaPendingNotice
from tests.unit.sla.flow import bogota, decide, fetch, file, mails, timers

AGENTE = ["agente@valledelcauca.gov.co"]
JEFE = ["jefe.salud@valledelcauca.gov.co"]
LIDER = ["lider.ed@valledelcauca.gov.co"]
SECRETARIO = ["secretario@valledelcauca.gov.co"]


@pytest.fixture
def mail_dir(tmp_path):
    return tmp_path / "mail"


def run_tick(now):
    report = services.tick(db.session, now)
    db.session.commit()
    return report


def new_mails(mail_dir, seen):
    found = mails(mail_dir)
    fresh = found[len(seen) :]
    seen.extend(fresh)
    return [(m["subject"].rsplit(" (", 1)[0], m["to"]) for m in fresh]


def ans_audits():
    return db.session.execute(select(AuditEvent).where(AuditEvent.action.like("ans.%")).order_by(AuditEvent.id)).scalars().all()


def test_each_threshold_notifies_once_and_the_right_people(app, mail_dir):
    seen: list[dict] = []
    with app.app_context():
        request_id = file(1, bogota(2026, 3, 9, 8))
        t = timers(request_id)

        assert run_tick(bogota(2026, 3, 9, 10, 59)).total == 0
        report = run_tick(bogota(2026, 3, 9, 11))
        assert report.warned == [t["atencion"].id] and report.mails == 1
        assert new_mails(mail_dir, seen) == [("ANS: solicitudes al 75 % del tiempo", AGENTE)]
        assert run_tick(bogota(2026, 3, 9, 11)).total == 0
        assert run_tick(bogota(2026, 3, 9, 11, 30)).total == 0
        rows = services.request_sla_summary(db.session, fetch(request_id), bogota(2026, 3, 9, 11, 30))
        assert [row["notices_sent"] for row in rows] == [["aviso"], [], []]

        report = run_tick(bogota(2026, 3, 9, 12))
        assert report.breached == [t["atencion"].id]
        assert new_mails(mail_dir, seen) == [("ANS incumplido: solicitudes vencidas", sorted(AGENTE + LIDER))]

        report = run_tick(bogota(2026, 3, 9, 16))
        assert (report.warned, report.escalated) == ([t["paso1"].id], [t["atencion"].id])
        assert sorted(new_mails(mail_dir, seen)) == sorted(
            [
                ("ANS: solicitudes al 75 % del tiempo", JEFE),
                ("ANS: escalamiento al Secretario (más del 150 % del tiempo)", SECRETARIO),
            ]
        )
        assert run_tick(bogota(2026, 3, 9, 18)).breached == [t["paso1"].id]
        assert new_mails(mail_dir, seen) == [("ANS incumplido: solicitudes vencidas", sorted(JEFE + LIDER))]
        assert run_tick(bogota(2026, 3, 10, 12)).escalated == [t["paso1"].id]
        assert new_mails(mail_dir, seen) == [("ANS: escalamiento al Secretario (más del 150 % del tiempo)", SECRETARIO)]

        assert run_tick(bogota(2026, 3, 11, 10)).warned == [t["solucion"].id]
        assert run_tick(bogota(2026, 3, 11, 18)).breached == [t["solucion"].id]
        assert run_tick(bogota(2026, 3, 13, 12)).escalated == [t["solucion"].id]
        assert [m[1] for m in new_mails(mail_dir, seen)] == [AGENTE, sorted(AGENTE + LIDER), SECRETARIO]
        assert run_tick(bogota(2026, 4, 30, 12)).total == 0

        audits = ans_audits()
        assert [a.action for a in audits] == [
            "ans.aviso",
            "ans.incumplimiento",
            *sorted(["ans.aviso", "ans.escalamiento"], key=lambda a: a != "ans.aviso"),
            "ans.incumplimiento",
            "ans.escalamiento",
            "ans.aviso",
            "ans.incumplimiento",
            "ans.escalamiento",
        ]
        assert audits[0].after["recipients"] == ["agente"] and audits[0].after["timers"] == [t["atencion"].id]
        assert audits[0].actor_name == "sistema"

    body = seen[0]["body"]
    assert "SOL-2026-00001" in body and "Atención" in body and "Meta: 4 horas hábiles" in body
    assert "09/03/2026 12:00 p. m." in body and "/solicitudes/" in body


def test_a_late_tick_sends_every_level_once(app, mail_dir):
    with app.app_context():
        request_id = file(2, bogota(2026, 3, 9, 8))
        report = run_tick(bogota(2026, 3, 20, 12))
        ids = sorted(t.id for t in timers(request_id).values())
        assert sorted(report.warned) == sorted(report.breached) == sorted(report.escalated) == ids
        assert run_tick(bogota(2026, 3, 20, 12)).total == 0
        audits = ans_audits()
        assert sorted(t for a in audits for t in a.after["timers"]) == sorted(ids * 3)
        assert db.session.execute(select(SlaPendingNotice)).first() is None  # every notice left the queue
    sent = sorted((m["subject"].rsplit(" (", 1)[0], m["to"], m["subject"][-3:]) for m in mails(mail_dir))
    # atención and solución share their recipients (one mail per level), the step goes to its
    # deciders, and the three escalations to the secretario travel together
    assert sent == [
        ("ANS incumplido: solicitudes vencidas", sorted(AGENTE + LIDER), "(2)"),
        ("ANS incumplido: solicitudes vencidas", sorted(JEFE + LIDER), "(1)"),
        ("ANS: escalamiento al Secretario (más del 150 % del tiempo)", SECRETARIO, "(3)"),
        ("ANS: solicitudes al 75 % del tiempo", AGENTE, "(2)"),
        ("ANS: solicitudes al 75 % del tiempo", JEFE, "(1)"),
    ]


def test_one_mail_per_recipient_set_lists_every_request(app, mail_dir):
    with app.app_context():
        first = file(3, bogota(2026, 3, 9, 8))
        second = file(4, bogota(2026, 3, 9, 8))
        report = run_tick(bogota(2026, 3, 9, 11))
        assert sorted(report.warned) == sorted([timers(first)["atencion"].id, timers(second)["atencion"].id])
    sent = mails(mail_dir)
    assert len(sent) == 1
    assert "SOL-2026-00001" in sent[0]["body"] and "SOL-2026-00002" in sent[0]["body"]
    assert sent[0]["subject"].endswith("(2)")


def test_a_paused_timer_is_not_notified_and_keeps_its_notices_after_resuming(app, mail_dir):
    with app.app_context():
        request_id = file(5, bogota(2026, 3, 9, 8))
        decide(request_id, "jefe.salud", "devolver", bogota(2026, 3, 9, 9))
        solucion_id = timers(request_id)["solucion"].id
        report = run_tick(bogota(2026, 3, 30, 9))  # long after every threshold, while devuelta
        assert solucion_id not in report.warned + report.breached + report.escalated
        held = db.session.execute(select(SlaPendingNotice).where(SlaPendingNotice.timer_id == solucion_id)).scalars().all()
        assert sorted(n.level for n in held) == sorted(NoticeLevel) and all(n.notice_at is None for n in held)

        # filed again: the held notices come back with thresholds pushed by the pause
        from tests.unit.sla.flow import submit

        submit(request_id, bogota(2026, 3, 31, 9))
        solucion = timers(request_id)["solucion"]
        queued = {
            n.level: n.notice_at
            for n in db.session.execute(select(SlaPendingNotice).where(SlaPendingNotice.timer_id == solucion_id)).scalars()
        }
        assert queued == {
            NoticeLevel.AVISO: solucion.warn_at,
            NoticeLevel.INCUMPLIMIENTO: solucion.due_at,
            NoticeLevel.ESCALAMIENTO: solucion.escalate_at,
        }


def test_a_stopped_timer_is_not_notified(app):
    with app.app_context():
        request_id = file(6, bogota(2026, 3, 9, 8))
        decide(request_id, "jefe.salud", "aprobar", bogota(2026, 3, 9, 9))
        report = run_tick(bogota(2026, 3, 9, 11))
        t = timers(request_id)
        assert t["atencion"].id not in report.warned and t["paso1"].id not in report.warned


def test_step_warnings_reach_the_delegate_too(app, mail_dir):
    from datetime import date

    from tests.unit.sla.flow import user
    from tests.unit.tickets.factories import make_person
    from tickets.models import StepKind
    from tickets.services.delegations import create_delegation

    with app.app_context():
        make_person("subdirector.salud", "Subdirector de Salud", "SAL")
        create_delegation(
            db.session,
            actor=user("jefe.salud"),
            delegator=user("jefe.salud"),
            delegate=user("subdirector.salud"),
            step_kind=StepKind.JEFE,
            starts_on=date(2026, 3, 1),
            ends_on=date(2026, 3, 31),
            reason="Vacaciones",
            today=date(2026, 3, 1),
        )
        db.session.commit()
        file(7, bogota(2026, 3, 9, 8))
        run_tick(bogota(2026, 3, 9, 16))
    step_mail = next(m for m in mails(mail_dir) if m["to"] != AGENTE and m["to"] != SECRETARIO)
    assert step_mail["to"] == sorted(JEFE + ["subdirector.salud@valledelcauca.gov.co"])


def test_cli_twin_takes_now(app, mail_dir):
    with app.app_context():
        file(8, bogota(2026, 3, 9, 8))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["sla", "tick", "--now", "2026-03-09T10:59:00-05:00"])
    assert result.exit_code == 0, result.output
    assert "0 avisos al 75 %" in result.output
    result = runner.invoke(args=["sla", "tick", "--now", "2026-03-09T11:00"])  # no offset: Bogotá time
    assert result.exit_code == 0, result.output
    assert "1 avisos al 75 %, 0 incumplimientos, 0 escalamientos; 1 correos." in result.output
    assert len(mails(mail_dir)) == 1
    result = runner.invoke(args=["sla", "tick", "--now", "ayer"])
    assert result.exit_code != 0 and "ISO-8601" in result.output


def test_beat_runs_the_task_every_minute_and_the_task_commits(app, mail_dir):
    from celery.result import allow_join_result

    from sla.tasks import tick

    schedule = app.extensions["celery"].conf.beat_schedule["sla.tick"]
    assert schedule == {"task": "sla.tick", "schedule": timedelta(minutes=1)}
    with app.app_context():
        file(9, bogota(2026, 3, 9, 8))
        # eager tasks: waiting for the result is safe even if this process set Celery's
        # "inside a worker" flag earlier
        with allow_join_result():
            first = tick.delay().get()
            second = tick.delay().get()
    assert first["warned"] == first["breached"] == first["escalated"] == 3 and first["mails"] >= 3
    assert second == {"warned": 0, "breached": 0, "escalated": 0, "mails": 0}
    assert len(mails(mail_dir)) == first["mails"]
