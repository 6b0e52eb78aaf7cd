"""Indicators: one measurement per period due on the ANS business calendar, the reminder and the overdue
notice (each once), recording a value, and the report in XLSX and PDF."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from gobierno_digital.common import Component, Periodicity
from gobierno_digital.indicators import services
from gobierno_digital.indicators.exports import indicators_pdf, indicators_xlsx
from gobierno_digital.indicators.models import Direction, Indicator
from portal.clock import BOGOTA
from portal.errors import NotAllowed, WrongState
from portal.extensions import db
from sla.services.entity_calendar import get_calendar
from tests.unit.gobierno_digital.conftest import sent_mails, subject, user

NOW = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)


def define(responsible: str = "enlace.salud", **overrides) -> Indicator:  # type: ignore[no-untyped-def]
    values = {
        "name": "Trámites en línea",
        "formula": "Trámites en línea / trámites priorizados × 100",
        "unit": "%",
        "baseline": 20.0,
        "target": 80.0,
        "periodicity": Periodicity.TRIMESTRAL,
        "vigencia": 2026,
        "component": Component.SERVICIOS_CIUDADANOS,
        "responsible_id": user(responsible).id,
    }
    values.update(overrides)
    return services.define_indicator(
        db.session,
        data=services.IndicatorData(**values),
        calendar=get_calendar(db.session),
        due_days=10,
        actor=user("lider.ed"),
        now=NOW,
    )


def test_each_period_is_due_ten_business_days_after_it_ends(app, gd_empty):
    with app.app_context():
        indicator = define()
        db.session.commit()
        assert [m.label for m in indicator.measurements] == ["2026-T1", "2026-T2", "2026-T3", "2026-T4"]
        first = indicator.measurements[0]
        assert (first.period_start, first.period_end) == (date(2026, 1, 1), date(2026, 3, 31))
        # April 2026: Holy Thursday 2 and Good Friday 3 are holidays: 1, 6, 7, 8, 9, 10, 13, 14, 15, 16
        assert first.due_at.astimezone(BOGOTA) == datetime(2026, 4, 16, 23, 59, 59, tzinfo=BOGOTA)
        assert first.remind_at.astimezone(BOGOTA) == datetime(2026, 4, 1, 8, 0, tzinfo=BOGOTA)


def test_reminder_then_overdue_notice_each_once(app, gd_empty):
    with app.app_context():
        indicator = define()
        indicator_id = indicator.id
        db.session.commit()
    runner = app.test_cli_runner()
    before = len(sent_mails(app))
    assert "recordatorios de medición: 0" in runner.invoke(args=["gd", "tick", "--now", "2026-03-31T12:00:00-05:00"]).output
    assert "recordatorios de medición: 1" in runner.invoke(args=["gd", "tick", "--now", "2026-04-01T08:30:00-05:00"]).output
    assert "recordatorios de medición: 0" in runner.invoke(args=["gd", "tick", "--now", "2026-04-02T08:30:00-05:00"]).output
    assert "mediciones vencidas: 0" in runner.invoke(args=["gd", "tick", "--now", "2026-04-16T23:00:00-05:00"]).output
    assert "mediciones vencidas: 1" in runner.invoke(args=["gd", "tick", "--now", "2026-04-17T08:00:00-05:00"]).output
    assert "mediciones vencidas: 0" in runner.invoke(args=["gd", "tick", "--now", "2026-04-20T08:00:00-05:00"]).output
    mails = [subject(m) for m in sent_mails(app)[before:]]
    assert mails.count("Medición pendiente: Trámites en línea (2026-T1)") == 1
    assert mails.count("Medición vencida: Trámites en línea (2026-T1)") == 1
    with app.app_context():
        overdue = services.overdue_measurements(db.session, datetime(2026, 4, 20, tzinfo=UTC))
        assert [(m.indicator_id, m.label) for m in overdue] == [(indicator_id, "2026-T1")]


def test_the_responsible_records_a_value_and_control_interno_cannot(app, gd_empty):
    with app.app_context():
        indicator = define()
        first, last = indicator.measurements[0], indicator.measurements[-1]
        later = datetime(2026, 4, 20, 15, tzinfo=UTC)
        with pytest.raises(NotAllowed):
            services.record_measurement(db.session, first, value=40, note=None, actor=user("control.interno"), now=later)
        with pytest.raises(WrongState):
            services.record_measurement(db.session, last, value=40, note=None, actor=user("enlace.salud"), now=later)
        services.record_measurement(db.session, first, value=40, note="Informe de la sede", actor=user("enlace.salud"), now=later)
        db.session.commit()
        assert indicator.compliance(first.value) == pytest.approx(50)
        assert services.overdue_measurements(db.session, later) == []
        rows = services.indicator_rows(db.session, later, 2026)
        assert rows[0].last is first and rows[0].compliance == pytest.approx(50)


def test_less_is_better_compliance():
    indicator = Indicator(target=5.0, direction=Direction.DESCENDENTE)
    assert indicator.compliance(4) == 100
    assert indicator.compliance(10) == pytest.approx(50)
    assert indicator.compliance(None) is None


def test_the_report_in_xlsx_and_pdf_with_the_institutional_header(app, gd_empty):
    with app.app_context():
        indicator = define()
        services.record_measurement(
            db.session, indicator.measurements[0], value=40, note=None, actor=None, now=datetime(2026, 4, 20, tzinfo=UTC)
        )
        db.session.commit()
        now = datetime(2026, 4, 20, 15, tzinfo=UTC)
        rows = services.indicator_rows(db.session, now, 2026)
        profile = app.config["PROFILE"]
        book = load_workbook(io.BytesIO(indicators_xlsx(rows, profile, now)))
        summary = book["Indicadores"]
        assert summary["A6"].value == "Trámites en línea"
        assert summary["K6"].value == pytest.approx(0.5) and summary["K6"].number_format == "0.0%"
        assert [c.value for c in book["Mediciones"]["B"]][1:5] == ["2026-T1", "2026-T2", "2026-T3", "2026-T4"]
        pdf = indicators_pdf(rows, profile, now)
        assert pdf.startswith(b"%PDF-")
        from pypdf import PdfReader

        text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
        assert "FO-TIC-GD-IND" in text and "Página 1 de" in text and "Trámites en línea" in text
