"""The ANS panel of a request's page (``sla/_request_panel.html`` with ``sla_rows``) and its JSON form."""

from __future__ import annotations

from flask import render_template

from portal.extensions import db
from sla.api import SlaRowSchema
from sla.services import request_sla_summary
from tests.unit.sla.flow import bogota, decide, fetch, file


def test_panel_renders_targets_states_and_pauses(app):
    with app.app_context():
        request_id = file(1, bogota(2026, 3, 9, 8))
        decide(request_id, "jefe.salud", "devolver", bogota(2026, 3, 9, 11))
        rows = request_sla_summary(db.session, fetch(request_id), bogota(2026, 3, 10, 8))
    with app.test_request_context("/"):
        html = " ".join(render_template("sla/_request_panel.html", sla_rows=rows).split())
    assert 'data-sla-metric="atencion" data-sla-state="cumplido"' in html
    assert 'data-sla-metric="solucion" data-sla-state="pausado"' in html
    assert "valor provisional" in html and "en pausa" in html
    assert "Pausas (solicitud devuelta):" in html and "09/03/2026 11:00 a. m." in html and "5,00 h" in html
    assert "style=" not in html
    with app.test_request_context("/"):
        empty = render_template("sla/_request_panel.html", sla_rows=[])
    assert "empiezan cuando la solicitud se radica" in empty


def test_rows_serialise_for_the_api(app):
    with app.app_context():
        request_id = file(2, bogota(2026, 3, 9, 8))
        rows = request_sla_summary(db.session, fetch(request_id), bogota(2026, 3, 9, 10))
    data = SlaRowSchema(many=True).dump(rows)
    assert data[0]["metric"] == "atencion" and data[0]["state"] == "en_curso"
    assert data[0]["due_at"] == "2026-03-09T17:00:00+00:00"
    assert data[0]["elapsed_hours"] == 2.0 and data[0]["remaining_hours"] == 2.0
    assert data[1]["paused_intervals"] == [] and data[1]["notices_sent"] == []
