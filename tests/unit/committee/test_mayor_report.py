"""The report to the head of the entity every four months on known data, with the figures worked
out by hand; its PDF, XLSX and JSON; and the period boundaries in Bogotá time.

The data (built once for the module, on top of the eight requests of the ANS report fixture):

| session | kind           | closed (Bogotá)       | members | voting   | guests | period |
|---------|----------------|-----------------------|---------|----------|--------|--------|
| N.º 1   | ordinaria      | 20/03/2026 11:10      | 8       | 6 of 7   | 1      | 2026-1 |
| N.º 2   | extraordinaria | 30/04/2026 23:59      | 4       | 3 of 7   | 2      | 2026-1 (no quorum) |
| N.º 3   | extraordinaria | 01/05/2026 00:00:30   | 5       | 5 of 7   | 0      | 2026-2 |
| N.º 4   | ordinaria      | programada            |         |          |        | —      |

Decisions: session 1 votes the previous acta (6-0-0 aprobada), INI-A (4-1-1 aprobada) and INI-B
(3-3-0 empate, the chair decides rechazada); session 3 votes INI-C (5-0-0 aprobada).

Commitments of session 1: C1 due 15/04 met 10/04; C2 due 30/04 pending; C4 due 10/04 cancelled
20/04; C5 due 31/03 met only on 05/05. Of session 2: C3 due 01/05 pending. Of session 3: C6.
At the end of 2026-1 (cut-off 1 May): met C1, cancelled C4, pending C2 C3 C5 of which overdue C2
(30/04 passed) and C5 (met after the cut-off); C3 (due 1 May) is not overdue yet.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from datetime import UTC, date, datetime, time

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import event, select

from catalog.models import Enabler, InitiativeState
from committee.commitments.models import Commitment, CommitmentState
from committee.demo import load_committee_demo
from committee.models import AgendaItem, AgendaItemKind, CommitteeMember, CommitteeSession, SessionKind, SessionState
from committee.reports.services import (
    Period,
    build_mayor_report,
    mayor_report_dict,
    period_of,
    render_mayor_report_pdf,
    render_mayor_report_xlsx,
)
from committee.room.models import AttendanceKind, ItemDecision, ItemOutcome, SessionAttendance
from config.profiles import VALLE
from portal.clock import BOGOTA
from portal.errors import ValidationFailed
from portal.extensions import db
from sla.models import SlaMetric
from tests.unit.catalog.factories import NOW, make_initiative, make_session, user
from tests.unit.sla import report_fixture as ans_fixture


def bogota(month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=BOGOTA)


FIRST = Period(2026, 1)
SECOND = Period(2026, 2)
AFTER_BOTH = bogota(6, 15, 10)


# ---------------------------------------------------------------- periods


def test_periods_are_four_months_in_bogota_time():
    assert (FIRST.start, FIRST.end) == (date(2026, 1, 1), date(2026, 4, 30))
    assert (SECOND.start, SECOND.end) == (date(2026, 5, 1), date(2026, 8, 31))
    assert (Period(2026, 3).start, Period(2026, 3).end) == (date(2026, 9, 1), date(2026, 12, 31))
    assert FIRST.label == "enero–abril de 2026"
    assert SECOND.label == "mayo–agosto de 2026"
    assert Period(2026, 3).label == "septiembre–diciembre de 2026"
    # local midnight is 05:00 UTC
    assert FIRST.start_at == datetime(2026, 1, 1, 5, tzinfo=UTC)
    assert FIRST.end_at == SECOND.start_at == datetime(2026, 5, 1, 5, tzinfo=UTC)


def test_30_april_and_1_may_fall_in_different_periods():
    assert period_of(date(2026, 4, 30)) == FIRST
    assert period_of(date(2026, 5, 1)) == SECOND
    assert period_of(date(2026, 1, 1)) == FIRST
    assert period_of(date(2026, 8, 31)) == SECOND
    assert period_of(date(2026, 12, 31)) == Period(2026, 3)
    last_second = bogota(4, 30, 23, 59, 59)  # already 1 May in UTC
    assert last_second.astimezone(UTC).date() == date(2026, 5, 1)
    assert FIRST.contains(last_second) and not SECOND.contains(last_second)
    assert SECOND.contains(bogota(5, 1)) and not FIRST.contains(bogota(5, 1))


def test_periods_parse_and_validate():
    assert Period.parse("2026-2") == SECOND
    assert Period.parse("2026-C3") == Period(2026, 3)
    assert FIRST.key == "2026-1"
    assert FIRST.previous() == Period(2025, 3)
    assert SECOND.previous() == FIRST
    for text in ("2026-4", "2026-0", "2026", "abril", "", None):
        with pytest.raises(ValidationFailed):
            Period.parse(text)
    with pytest.raises(ValidationFailed):
        Period(2026, 4)
    with pytest.raises(ValidationFailed):
        Period(1999, 1)


# ---------------------------------------------------------------- the data


def _member(username: str) -> CommitteeMember:
    return db.session.execute(
        select(CommitteeMember).where(CommitteeMember.user_id == user(username).id, CommitteeMember.is_active.is_(True))
    ).scalar_one()


def _hold(session_id: int, opened: datetime, closed: datetime, members: list[str], guests: list[str]) -> None:
    committee_session = db.session.get_one(CommitteeSession, session_id)
    committee_session.state = SessionState.REALIZADA
    committee_session.opened_at, committee_session.closed_at = opened, closed
    recorder = user("st.mesa").id
    for username in members:
        member = _member(username)
        db.session.add(
            SessionAttendance(
                session_id=session_id,
                kind=AttendanceKind.INTEGRANTE,
                member_id=member.id,
                name=member.user.full_name,
                arrived_at=opened,
                recorded_by_id=recorder,
            )
        )
    for name in guests:
        db.session.add(
            SessionAttendance(
                session_id=session_id,
                kind=AttendanceKind.INVITADO,
                name=name,
                position="Universidad del Valle",
                arrived_at=opened,
                recorded_by_id=recorder,
            )
        )


def _item(session_id: int, *, initiative_id: int | None = None, kind: AgendaItemKind | None = None) -> int:
    query = select(AgendaItem.id).where(AgendaItem.session_id == session_id)
    query = query.where(AgendaItem.initiative_id == initiative_id) if initiative_id else query.where(AgendaItem.kind == kind)
    return db.session.execute(query).scalar_one()


def _decide(
    item_id: int, present: int, votes: tuple[int, int, int], outcome: ItemOutcome, at: datetime, **casting: object
) -> None:
    in_favour, against, abstentions = votes
    db.session.add(
        ItemDecision(
            item_id=item_id,
            voting_members=7,
            present_voting=present,
            votes_for=in_favour,
            votes_against=against,
            abstentions=abstentions,
            not_voted=present - in_favour - against - abstentions,
            outcome=outcome,
            closed_by_id=user("st.mesa").id,
            closed_at=at,
            **casting,
        )
    )


def _commit(session_id: int, description: str, due: date, state: CommitmentState = CommitmentState.PENDIENTE, closed=None):
    db.session.add(
        Commitment(
            session_id=session_id,
            description=description,
            responsible_name="Secretaría de Salud",
            due_date=due,
            state=state,
            closed_at=closed,
            created_by_id=user("st.mesa").id,
        )
    )


VOTING_SIX = ["secretario", "integrante1", "integrante2", "seguridad", "integrante3", "integrante4"]
CASTING_NOTE = "No hay recursos en la vigencia 2026."


def build_committee() -> dict[str, int]:
    """Sessions, initiatives, decisions and commitments of the module docstring (needs an app context)."""
    load_committee_demo(db.session, VALLE)
    db.session.commit()
    s1 = make_session(day=date(2026, 3, 20))
    s2 = make_session(SessionKind.EXTRAORDINARIA, day=date(2026, 4, 30), start=time(16), end=time(18))
    s3 = make_session(SessionKind.EXTRAORDINARIA, day=date(2026, 4, 30), start=time(22), end=time(23, 30))
    s4 = make_session(day=date(2026, 6, 10))

    ids = {
        "A": make_initiative(InitiativeState.APROBADA, "SAL", session_id=s1, now=bogota(3, 20, 10)),
        "B": make_initiative(
            InitiativeState.RECHAZADA, "HAC", session_id=s1, now=bogota(3, 20, 10, 30), enablers=[Enabler.SEGURIDAD]
        ),
        "C": make_initiative(InitiativeState.APROBADA, "SAL", session_id=s3, now=bogota(5, 1, 0, 10), enablers=[Enabler.CULTURA]),
        "D": make_initiative(InitiativeState.REGISTRADA, "SAL"),
        "E": make_initiative(InitiativeState.POSTULADA, "HAC", enablers=[Enabler.SEGURIDAD, Enabler.CULTURA]),
        "F": make_initiative(InitiativeState.EN_EJECUCION, "SAL", session_id=s4, now=NOW, enablers=[Enabler.ARQUITECTURA]),
        "G": make_initiative(
            InitiativeState.APLAZADA, "HAC", session_id=s4, now=bogota(4, 30, 23, 59), enablers=[Enabler.SERVICIOS_CIUDADANOS]
        ),
    }

    _hold(s1, bogota(3, 20, 9, 5), bogota(3, 20, 11, 10), [*VOTING_SIX, "control.interno", "st.mesa"], ["Diana Patricia Lozano"])
    _hold(
        s2, bogota(4, 30, 16, 5), bogota(4, 30, 23, 59), ["secretario", "integrante1", "integrante2", "st.mesa"], ["Ana", "Luis"]
    )
    _hold(
        s3,
        bogota(4, 30, 22),
        bogota(5, 1, 0, 0, 30),
        ["secretario", "integrante1", "integrante2", "seguridad", "integrante5"],
        [],
    )

    _decide(_item(s1, kind=AgendaItemKind.ACTA_ANTERIOR), 6, (6, 0, 0), ItemOutcome.APROBADA, bogota(3, 20, 9, 20))
    _decide(_item(s1, initiative_id=ids["A"]), 6, (4, 1, 1), ItemOutcome.APROBADA, bogota(3, 20, 10))
    _decide(
        _item(s1, initiative_id=ids["B"]),
        6,
        (3, 3, 0),
        ItemOutcome.EMPATE,
        bogota(3, 20, 10, 30),
        casting_decision=ItemOutcome.RECHAZADA,
        casting_by_id=user("secretario").id,
        casting_at=bogota(3, 20, 10, 31),
        casting_note=CASTING_NOTE,
    )
    _decide(_item(s3, initiative_id=ids["C"]), 5, (5, 0, 0), ItemOutcome.APROBADA, bogota(5, 1, 0, 10))

    _commit(
        s1,
        "C1 Enviar el estudio de mercado de la historia clínica.",
        date(2026, 4, 15),
        CommitmentState.CUMPLIDO,
        bogota(4, 10, 9),
    )
    _commit(s1, "C2 Publicar el inventario de activos de información.", date(2026, 4, 30))
    _commit(s2, "C3 Presentar el plan de continuidad del centro de datos.", date(2026, 5, 1))
    _commit(s1, "C4 Contratar la auditoría externa del SGSI.", date(2026, 4, 10), CommitmentState.CANCELADO, bogota(4, 20, 8))
    _commit(
        s1, "C5 Actualizar el PETI con las iniciativas aprobadas.", date(2026, 3, 31), CommitmentState.CUMPLIDO, bogota(5, 5, 9)
    )
    _commit(s3, "C6 Socializar la decisión con la Secretaría de Salud.", date(2026, 5, 15))
    db.session.commit()
    return {"s1": s1, "s2": s2, "s3": s3, "s4": s4}


@pytest.fixture(scope="module")
def report_database(tmp_path_factory, demo_sqlite_template):
    """The demo database with the requests of the ANS report fixture and the committee data, built once."""
    from portal import create_app
    from tests.conftest import app_config

    base = tmp_path_factory.mktemp("mayor")
    path = base / "mayor.sqlite"
    shutil.copy(demo_sqlite_template, path)
    builder = create_app(app_config(base, f"sqlite:///{path}"))
    with builder.app_context():
        ans_fixture.build()
        build_committee()
        db.engine.dispose()
    return path


@pytest.fixture
def app(make_app, tmp_path, report_database):
    shutil.copy(report_database, tmp_path / "app.sqlite")
    return make_app()


@pytest.fixture
def first(app):
    with app.app_context():
        yield build_mayor_report(db.session, FIRST, now=AFTER_BOTH)


# ---------------------------------------------------------------- figures


def test_sessions_held_in_the_period(first):
    assert [(s.label, s.day, s.kind) for s in first.sessions] == [
        ("Sesión ordinaria N.º 1 de 2026", date(2026, 3, 20), SessionKind.ORDINARIA),
        ("Sesión extraordinaria N.º 2 de 2026", date(2026, 4, 30), SessionKind.EXTRAORDINARIA),
    ]
    assert [(s.members_present, s.voting_present, s.voting_members, s.guests, s.has_quorum) for s in first.sessions] == [
        (8, 6, 7, 1, True),
        (4, 3, 7, 2, False),
    ]


def test_decisions_with_counts_and_the_casting_decision(first):
    rows = [(d.position, d.initiative_code is not None, d.counts_text, d.outcome, d.final_outcome) for d in first.decisions]
    assert rows == [
        (2, False, "A favor 6 · En contra 0 · Abstención 0", ItemOutcome.APROBADA, ItemOutcome.APROBADA),
        (4, True, "A favor 4 · En contra 1 · Abstención 1", ItemOutcome.APROBADA, ItemOutcome.APROBADA),
        (5, True, "A favor 3 · En contra 3 · Abstención 0", ItemOutcome.EMPATE, ItemOutcome.RECHAZADA),
    ]
    tie = first.decisions[2]
    with_names = tie.casting_text
    assert with_names is not None and with_names.endswith(f": rechazada. {CASTING_NOTE}")
    assert tie.initiative_title == "Historia clínica electrónica interoperable"
    assert {d.session_label for d in first.decisions} == {"Sesión ordinaria N.º 1 de 2026"}


def test_initiatives_by_state_by_enabler_and_decided(first):
    assert dict(first.initiatives_by_state) == {
        InitiativeState.REGISTRADA: 1,
        InitiativeState.POSTULADA: 1,
        InitiativeState.EN_AGENDA: 0,
        InitiativeState.APROBADA: 2,
        InitiativeState.RECHAZADA: 1,
        InitiativeState.APLAZADA: 1,
        InitiativeState.EN_EJECUCION: 1,
        InitiativeState.FINALIZADA: 0,
    }
    assert first.initiatives_total == 7
    assert dict(first.initiatives_by_enabler) == {
        Enabler.ARQUITECTURA: 3,
        Enabler.SEGURIDAD: 2,
        Enabler.SERVICIOS_CIUDADANOS: 3,
        Enabler.CULTURA: 2,
    }
    # F on 2 March, A and B on 20 March, G at 23:59 on 30 April; C (1 May) belongs to the next period
    assert [(d.decision, d.decided_at) for d in first.decided] == [
        (InitiativeState.APROBADA, NOW),
        (InitiativeState.APROBADA, bogota(3, 20, 10).astimezone(UTC)),
        (InitiativeState.RECHAZADA, bogota(3, 20, 10, 30).astimezone(UTC)),
        (InitiativeState.APLAZADA, bogota(4, 30, 23, 59).astimezone(UTC)),
    ]


def test_commitments_at_the_end_of_the_period(first):
    assert [(c.description[:2], c.state, c.is_overdue) for c in first.commitments] == [
        ("C5", CommitmentState.PENDIENTE, True),
        ("C4", CommitmentState.CANCELADO, False),
        ("C1", CommitmentState.CUMPLIDO, False),
        ("C2", CommitmentState.PENDIENTE, True),
        ("C3", CommitmentState.PENDIENTE, False),
    ]
    counts = first.commitment_counts
    assert (counts.total, counts.met, counts.pending, counts.overdue, counts.cancelled) == (5, 1, 3, 2, 1)
    assert first.cutoff_at == FIRST.end_at
    assert first.cutoff_text == "30/04/2026"


def test_commitments_judged_today_when_the_period_is_not_over(app):
    with app.app_context():
        report = build_mayor_report(db.session, FIRST, now=bogota(4, 16, 10))
    # C4 was cancelled on 20 April: on the 16th it is pending and overdue (due the 10th)
    assert [(c.description[:2], c.state, c.is_overdue) for c in report.commitments] == [
        ("C5", CommitmentState.PENDIENTE, True),
        ("C4", CommitmentState.PENDIENTE, True),
        ("C1", CommitmentState.CUMPLIDO, False),
        ("C2", CommitmentState.PENDIENTE, False),
        ("C3", CommitmentState.PENDIENTE, False),
    ]
    counts = report.commitment_counts
    assert (counts.met, counts.pending, counts.overdue, counts.cancelled) == (1, 4, 2, 0)
    assert report.cutoff_text == "16/04/2026"


def test_the_ans_figures_of_the_period(first):
    ans = first.ans
    # atención 7 of 8, solución 4 of 6, steps 12 of 13 (tests/unit/sla/report_fixture.py)
    assert {m: (s.total, s.met) for m, s in ans.summary.items()} == {
        SlaMetric.ATENCION: (8, 7),
        SlaMetric.SOLUCION: (6, 4),
        SlaMetric.PASO: (13, 12),
    }
    assert (ans.measured, ans.within_target, ans.breaches, ans.compliance_percent) == (27, 23, 4, 85.2)
    assert ans.exceptions == 1
    by_form = {label.split()[0]: {m: (s.total, s.met) for m, s in stats.items()} for label, stats in ans.by_form}
    assert by_form["FO-M11-P2-05"][SlaMetric.SOLUCION] == (4, 4)
    assert by_form["FO-M11-P2-12"][SlaMetric.SOLUCION] == (2, 0)
    assert by_form["FO-M11-P2-05"][SlaMetric.ATENCION] == (6, 5)


def test_the_next_period_starts_on_1_may(app):
    with app.app_context():
        report = build_mayor_report(db.session, SECOND, now=AFTER_BOTH)
    assert [s.label for s in report.sessions] == ["Sesión extraordinaria N.º 3 de 2026"]
    assert [(s.voting_present, s.voting_members, s.has_quorum) for s in report.sessions] == [(5, 7, True)]
    assert [d.counts_text for d in report.decisions] == ["A favor 5 · En contra 0 · Abstención 0"]
    assert [d.decided_at for d in report.decided] == [bogota(5, 1, 0, 10).astimezone(UTC)]
    # C6 is due 15 May and still pending on 15 June (the cut-off is today, before the period ends)
    assert [(c.description[:2], c.is_overdue) for c in report.commitments] == [("C6", True)]
    assert report.ans.measured == 0 and report.ans.compliance_percent is None


def test_the_number_of_queries_does_not_grow_with_the_data(app):
    with app.app_context():
        statements: list[str] = []

        def count(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            build_mayor_report(db.session, FIRST, now=AFTER_BOTH)
            with_more_data = len(statements)
            statements.clear()
            build_mayor_report(db.session, Period(2025, 1), now=AFTER_BOTH)
            empty = len(statements)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert with_more_data == empty
    assert with_more_data <= 25


# ---------------------------------------------------------------- outputs


def _rows(sheet):
    return [tuple(c.value for c in row) for row in sheet.iter_rows()]


def test_xlsx_holds_the_figures_as_numbers_and_dates(first):
    workbook = load_workbook(io.BytesIO(render_mayor_report_xlsx(first, profile=VALLE)))
    assert workbook.sheetnames == ["Sesiones", "Decisiones", "Iniciativas", "Compromisos", "ANS"]
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A5"
        assert all(cell.font.bold for cell in sheet[4] if cell.value is not None)

    sessions = _rows(workbook["Sesiones"])
    assert sessions[4][:3] == (datetime(2026, 3, 20), "Sesión ordinaria N.º 1 de 2026", "Ordinaria")
    assert sessions[4][4] == datetime(2026, 3, 20, 11, 10)  # local time
    assert sessions[4][5:] == (8, 6, 7, 1, "Sí")
    assert sessions[5][5:] == (4, 3, 7, 2, "No")
    assert workbook["Sesiones"]["A5"].number_format == "DD/MM/YYYY"

    decisions = _rows(workbook["Decisiones"])[4:]
    assert [row[7:13] for row in decisions] == [
        (6, 0, 0, 0, "Aprobada", "Aprobada"),
        (4, 1, 1, 0, "Aprobada", "Aprobada"),
        (3, 3, 0, 0, "Empate", "Rechazada"),
    ]

    initiatives = _rows(workbook["Iniciativas"])
    by_group = {(row[0], row[1]): row[2] for row in initiatives[4:] if row[0] in ("Estado", "Habilitador", "Total")}
    assert by_group[("Estado", "Aprobada")] == 2
    assert by_group[("Habilitador", "Arquitectura")] == 3
    assert by_group[("Total", None)] == 7
    decided_dates = [row[4] for row in initiatives if isinstance(row[4], datetime)]
    assert decided_dates[-1] == datetime(2026, 4, 30, 23, 59)

    commitments = _rows(workbook["Compromisos"])
    assert commitments[4][3] == datetime(2026, 3, 31) and commitments[4][4:] == ("Pendiente", "Sí")
    summary = {row[0]: row[1] for row in commitments if row[0] in ("Total", "Cumplidos", "Pendientes", "Vencidos", "Cancelados")}
    assert summary == {"Total": 5, "Cumplidos": 1, "Pendientes": 3, "Vencidos": 2, "Cancelados": 1}

    ans = workbook["ANS"]
    assert [c.value for c in ans[5]][:4] == ["Global", "Todas", 27, 23]
    assert ans["E5"].value == pytest.approx(23 / 27) and ans["E5"].number_format == "0.0%"
    assert ans["F5"].value == 4
    assert ("Excepciones del Secretario", None, 1) in [row[:3] for row in _rows(ans)]


def test_pdf_holds_the_figures(first):
    reader = PdfReader(io.BytesIO(render_mayor_report_pdf(first, profile=VALLE)))
    pages = [page.extract_text() for page in reader.pages]
    text = re.sub(r"\s+", " ", "\n".join(pages))
    for expected in (
        "Gobernación del Valle del Cauca",
        "INFORME CUATRIMESTRAL DEL COMITÉ",
        "Código: FO-CTD-INFC",
        "Versión: 01",
        "Fecha: 15/06/2026",
        f"Página 1 de {len(pages)}",
        "Despacho del Gobernador del Valle del Cauca",
        "enero–abril de 2026 (01/01/2026 a 30/04/2026)",
        "1. Sesiones realizadas: 2",
        "Sesión ordinaria N.º 1 de 2026",
        "6 de 7",
        "3 de 7",
        "2. Decisiones: 3",
        "A favor 4 · En contra 1 · Abstención 1",
        CASTING_NOTE,
        "3. Iniciativas del catálogo: 7",
        "Seguridad y Privacidad de la Información",
        "Iniciativas decididas por el comité en el periodo: 4",
        "4. Compromisos adquiridos en el periodo: 5",
        "Cumplidos: 1 · Pendientes: 3 (vencidos: 2) · Cancelados: 1",
        "Cumplimiento global: 85,2 % (23 de 27 mediciones en meta)",
        "Incumplimientos: 4",
        "Excepciones del Secretario: 1",
        "87,5 %",
    ):
        assert expected in text, expected


def test_json_dict(first):
    data = json.loads(json.dumps(mayor_report_dict(first)))
    assert data["period"] == {
        "key": "2026-1",
        "year": 2026,
        "number": 1,
        "label": "enero–abril de 2026",
        "from": "2026-01-01",
        "to": "2026-04-30",
    }
    assert [s["has_quorum"] for s in data["sessions"]] == [True, False]
    assert data["decisions"][2]["votes"] == {"a_favor": 3, "en_contra": 3, "abstencion": 0, "sin_voto": 0}
    assert data["decisions"][2]["final_outcome"] == "rechazada"
    assert {k: data["commitments"][k] for k in ("total", "met", "pending", "overdue", "cancelled")} == {
        "total": 5,
        "met": 1,
        "pending": 3,
        "overdue": 2,
        "cancelled": 1,
    }
    assert data["initiatives"]["total"] == 7
    assert data["ans"]["compliance_percent"] == 85.2 and data["ans"]["breaches"] == 4
    assert data["ans"]["by_metric"]["atencion"] == {"measured": 8, "within_target": 7, "compliance_percent": 87.5, "breaches": 1}


def test_flask_report_mesa_writes_the_pdf_and_the_xlsx(app, tmp_path):
    runner = app.test_cli_runner()
    pdf_path, xlsx_path = tmp_path / "informe.pdf", tmp_path / "informe.xlsx"
    result = runner.invoke(args=["report", "mesa", "--year", "2026", "--period", "1", "--output", str(pdf_path)])
    assert result.exit_code == 0, result.output
    assert "enero–abril de 2026" in result.output
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf_path.read_bytes())).pages)
    assert "Sesión ordinaria N.º 1 de 2026" in text
    result = runner.invoke(
        args=["report", "mesa", "--year", "2026", "--period", "1", "--format", "xlsx", "--output", str(xlsx_path)]
    )
    assert result.exit_code == 0, result.output
    workbook = load_workbook(xlsx_path)
    assert {"Sesiones", "Decisiones", "Iniciativas", "Compromisos", "ANS"} <= set(workbook.sheetnames)
    workbook.close()
    refused = runner.invoke(args=["report", "mesa", "--year", "2026", "--period", "4", "--output", str(pdf_path)])
    assert refused.exit_code != 0 and "4" in refused.output
