"""The enlaces' standing duties (seed PR-M2-P6-01 §5.1 a–d): a quarterly checklist per dependency,
answered by the enlace with evidence; unanswered ones become overdue, are told once and listed."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from gobierno_digital.common import Periodicity
from gobierno_digital.duties import services
from gobierno_digital.duties.models import Duty, DutyAnswer, DutyChecklist
from portal.clock import BOGOTA
from portal.errors import NotAllowed, ValidationFailed
from portal.extensions import db
from portal.services import find_dependency
from portal.uploads import check_upload
from sla.services.entity_calendar import get_calendar
from tests.conftest import csrf_token
from tests.unit.gobierno_digital.conftest import sent_mails, subject, user

NOW = datetime(2026, 4, 6, 15, 0, tzinfo=UTC)
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"


def open_quarter(now: datetime = NOW) -> list[DutyChecklist]:
    created = services.open_checklists(
        db.session, now=now, periodicity=Periodicity.TRIMESTRAL, due_days=10, calendar=get_calendar(db.session)
    )
    db.session.commit()
    return created


def salud_checklist() -> DutyChecklist:
    salud = find_dependency(db.session, "SAL")
    assert salud is not None
    return db.session.execute(select(DutyChecklist).where(DutyChecklist.dependency_id == salud.id)).scalar_one()


def test_one_checklist_per_active_dependency_and_quarter_with_the_four_duties(app, gd_empty):
    with app.app_context():
        created = open_quarter()
        assert created and all(c.label == "2026-T2" for c in created)
        assert open_quarter() == []  # idempotent
        checklist = salud_checklist()
        assert [i.duty for i in checklist.items] == list(Duty)
        assert checklist.due_at.astimezone(BOGOTA) == datetime(2026, 7, 15, 23, 59, 59, tzinfo=BOGOTA)  # 13 July is a holiday


def test_the_enlace_answers_with_evidence_and_others_may_not(app, gd_empty):
    with app.app_context():
        open_quarter()
        checklist = salud_checklist()
        comite, portal_web, suit = checklist.items[0], checklist.items[1], checklist.items[2]
        enlace = user("enlace.salud")
        with pytest.raises(ValidationFailed):
            services.answer_item(
                db.session,
                comite,
                answer=DutyAnswer.CUMPLE,
                note=None,
                evidence_url=None,
                evidence_file=None,
                actor=enlace,
                now=NOW,
            )
        with pytest.raises(ValidationFailed):
            services.answer_item(
                db.session,
                comite,
                answer=DutyAnswer.CUMPLE,
                note=None,
                evidence_url="javascript:alert(1)",
                evidence_file=None,
                actor=enlace,
                now=NOW,
            )
        with pytest.raises(ValidationFailed):
            services.answer_item(
                db.session,
                suit,
                answer=DutyAnswer.NO_APLICA,
                note="",
                evidence_url=None,
                evidence_file=None,
                actor=enlace,
                now=NOW,
            )
        for other in ("enlace.hacienda", "control.interno", "secretario"):
            with pytest.raises(NotAllowed):
                services.answer_item(
                    db.session,
                    comite,
                    answer=DutyAnswer.CUMPLE,
                    note=None,
                    evidence_url="https://x.gov.co",
                    evidence_file=None,
                    actor=user(other),
                    now=NOW,
                )
        db.session.rollback()
        services.answer_item(
            db.session, comite, answer=DutyAnswer.CUMPLE, note=None, evidence_url=None,
            evidence_file=check_upload("acta.pdf", PDF), actor=enlace, now=NOW,
        )  # fmt: skip
        services.answer_item(
            db.session, portal_web, answer=DutyAnswer.CUMPLE, note=None,
            evidence_url="https://www.valledelcauca.gov.co/salud", evidence_file=None, actor=enlace, now=NOW,
        )  # fmt: skip
        services.answer_item(
            db.session, suit, answer=DutyAnswer.NO_APLICA, note="La dependencia no tiene trámites en el SUIT.",
            evidence_url=None, evidence_file=None, actor=enlace, now=NOW,
        )  # fmt: skip
        db.session.commit()
        assert [i.duty for i in salud_checklist().unanswered] == [Duty.DATOS_ABIERTOS]
        assert comite.documents[0].filename == "acta.pdf"
        row = next(r for r in services.compliance_by_dependency(db.session, NOW) if r.dependency.code == "SAL")
        assert (row.answered, row.complied, row.applicable) == (3, 2, 3)


def test_unanswered_checklists_become_overdue_are_told_once_and_listed(app, gd_empty, login_as):
    with app.app_context():
        open_quarter()
        checklist_id = salud_checklist().id
        email_address, secretario_address = user("enlace.salud").email, user("secretario").email
    runner = app.test_cli_runner()
    before = len(sent_mails(app))
    assert "listas vencidas: 0" in runner.invoke(args=["gd", "tick", "--now", "2026-07-15T20:00:00-05:00"]).output
    late = runner.invoke(args=["gd", "tick", "--now", "2026-07-16T08:00:00-05:00"]).output
    assert "listas vencidas: 0" not in late
    assert "listas vencidas: 0" in runner.invoke(args=["gd", "tick", "--now", "2026-07-17T08:00:00-05:00"]).output
    mails = sent_mails(app)[before:]
    salud_mails = [m for m in mails if "Secretaría de Salud (2026-T2)" in subject(m)]
    assert len(salud_mails) == 1 and email_address in salud_mails[0]["To"]
    digests = [m for m in mails if subject(m).startswith("Listas de deberes de los enlaces TIC vencidas")]
    assert len(digests) == 1 and secretario_address in digests[0]["To"]
    assert (
        "Secretaría de Salud (2026-T2): sin responder Comité TIC, Portal web, SUIT, Datos abiertos."
        in digests[0].get_body().get_content()
    )
    with app.app_context():
        overdue = services.overdue_checklists(db.session, datetime(2026, 7, 17, tzinfo=UTC))
        assert checklist_id in [c.id for c in overdue]
    page = login_as("control.interno").get("/gobierno-digital/deberes").get_data(as_text=True)
    assert 'data-list="listas-vencidas"' in page and "Secretaría de Salud · 2026-T2" in page


def test_the_enlace_answers_from_its_page_and_sees_only_its_dependency(app, gd_empty, login_as):
    with app.app_context():
        open_quarter()
        checklist = salud_checklist()
        checklist_id, item_id = checklist.id, checklist.items[3].id
        hacienda = find_dependency(db.session, "HAC")
        assert hacienda is not None
        other_id = db.session.execute(select(DutyChecklist.id).where(DutyChecklist.dependency_id == hacienda.id)).scalar_one()
    client = login_as("enlace.salud")
    listing = client.get("/gobierno-digital/deberes").get_data(as_text=True)
    assert "Secretaría de Salud · 2026-T2" in listing and "Secretaría de Hacienda" not in listing
    assert client.get(f"/gobierno-digital/deberes/{other_id}").status_code == 403
    token = csrf_token(client, f"/gobierno-digital/deberes/{checklist_id}")
    response = client.post(
        f"/gobierno-digital/deberes/items/{item_id}",
        data={"csrf_token": token, "answer": "cumple", "evidence": (io.BytesIO(PDF), "datos.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    page = client.get(f"/gobierno-digital/deberes/{checklist_id}").get_data(as_text=True)
    assert 'data-answer="cumple"' in page and "datos.pdf" in page
    bad = client.post(
        f"/gobierno-digital/deberes/items/{item_id}",
        data={"csrf_token": token, "answer": "cumple", "evidence": (io.BytesIO(b"MZ not a pdf"), "virus.pdf")},
        content_type="multipart/form-data",
    )
    assert bad.status_code in (303, 422)
    with app.app_context():
        assert [d.filename for d in salud_checklist().items[3].documents] == ["datos.pdf"]


def test_the_api_lists_and_answers(app, gd_empty, api):
    with app.app_context():
        open_quarter()
        item_id = salud_checklist().items[1].id
    mine = api("enlace.salud", "GET", "/api/v1/gd/duties")
    assert mine.status_code == 200 and {c["dependency"] for c in mine.json} == {"SAL"}
    answered = api(
        "enlace.salud",
        "POST",
        f"/api/v1/gd/duties/items/{item_id}",
        json={"answer": "cumple", "evidence_url": "https://www.valledelcauca.gov.co"},
    )
    assert answered.status_code == 200 and answered.json["answer"] == "cumple"
    assert api("control.interno", "POST", f"/api/v1/gd/duties/items/{item_id}", json={"answer": "cumple"}).status_code == 403
