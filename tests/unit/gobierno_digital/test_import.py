"""Importing a vigencia's scores: a well-formed file, a file with bad rows (nothing imported, each row's
error named) and a re-import of the same vigencia; by the service, the page, the API and ``flask gd import``."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from gobierno_digital.common import Component, Instrument
from gobierno_digital.evaluations import services
from gobierno_digital.evaluations.importer import ImportRejected, parse_scores
from gobierno_digital.evaluations.models import Score, ScoreImport
from portal.extensions import db
from portal.models import AuditEvent
from tests.conftest import csrf_token
from tests.unit.gobierno_digital.conftest import GOOD_ROWS, csv_bytes, user, xlsx_bytes

NOW = datetime(2031, 2, 3, 15, 0, tzinfo=UTC)

BAD_ROWS = [
    GOOD_ROWS[0],
    (2030, "FURAG", "Interoperabilidad", "X-1", "Componente que no existe", 10, 100),
    (2030, "MIPG", "Arquitectura", "X-2", "Instrumento desconocido", 10, 100),
    (2030, "FURAG", "Arquitectura", "X-3", "Puntaje sobre el máximo", 120, 100),
    (2030, "FURAG", "Arquitectura", "", "Sin código", 10, 100),
    (2030, "FURAG", "Arquitectura", "X-5", "Puntaje no numérico", "alto", 100),
    ("dos mil", "FURAG", "Arquitectura", "X-6", "Vigencia no numérica", 10, 100),
    (2030, "FURAG", "Arquitectura", "ARQ-1", "Código repetido", 10, 100),
]


def count(vigencia: int) -> int:
    return db.session.execute(select(func.count(Score.id)).where(Score.vigencia == vigencia)).scalar_one()


def test_a_well_formed_xlsx_imports_every_row(app):
    with app.app_context():
        parsed = parse_scores("furag-2030.xlsx", xlsx_bytes(GOOD_ROWS))
        result = services.import_scores(db.session, parsed, actor=user("lider.ed"), now=NOW)
        db.session.commit()
        assert result.scopes == {(2030, Instrument.FURAG): (7, 0), (2030, Instrument.ITD): (1, 0)}
        assert count(2030) == 8
        culture = db.session.execute(select(Score).where(Score.code == "CUL-1")).scalar_one()
        assert (culture.component, culture.score, culture.maximum) == (Component.CULTURA, 55.5, 100)
        spi = db.session.execute(select(Score).where(Score.code == "SPI-1")).scalar_one()
        assert (spi.instrument, spi.component) == (Instrument.FURAG, Component.SERVICIOS_PROCESOS)
        event = (
            db.session.execute(select(AuditEvent).where(AuditEvent.action == "gd.calificaciones.importar")).scalars().all()[-1]
        )
        assert event.actor_name == "lider.ed" and event.after["filename"] == "furag-2030.xlsx"


def test_a_csv_with_semicolons_and_accented_headings_imports_too(app):
    headings = ["Vigencia", "Instrumento", "Componente o habilitador", "Código", "Pregunta o indicador", "Puntaje", "Máximo"]
    with app.app_context():
        parsed = parse_scores("furag.csv", csv_bytes(GOOD_ROWS, headings))
        services.import_scores(db.session, parsed, actor=None, now=NOW)
        db.session.commit()
        assert count(2030) == 8


def test_a_file_with_bad_rows_imports_nothing_and_names_each_row(app):
    with app.app_context():
        before = db.session.execute(select(func.count(ScoreImport.id))).scalar_one()
        with pytest.raises(ImportRejected) as caught:
            parse_scores("malo.xlsx", xlsx_bytes(BAD_ROWS))
        errors = caught.value.row_errors
        assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9]  # spreadsheet lines; line 2 is good
        assert "componente «Interoperabilidad»" in errors[3][0]
        assert "instrumento «MIPG»" in errors[4][0]
        assert "entre 0 y el máximo" in errors[5][0]
        assert errors[6] == ["falta el código"]
        assert "puntaje «alto» no es un número" in errors[7][0]
        assert "vigencia «dos mil»" in errors[8][0]
        assert "ya está en la fila 2" in errors[9][0]
        assert caught.value.status == 422
        assert "7 filas con errores; no se importó nada" in caught.value.message
        assert count(2030) == 0
        assert db.session.execute(select(func.count(ScoreImport.id))).scalar_one() == before


def test_missing_headings_are_named(app):
    with pytest.raises(ImportRejected) as caught:
        parse_scores("x.csv", csv_bytes(GOOD_ROWS, ["vigencia", "instrumento", "componente", "codigo", "pregunta", "puntaje"]))
    assert "Faltan: maximo" in caught.value.message


def test_a_file_that_is_neither_xlsx_nor_text_is_refused(app):
    with pytest.raises(ImportRejected):
        parse_scores("x.xlsx", b"PK\x03\x04 not really a zip")
    with pytest.raises(ImportRejected):
        parse_scores("x.csv", b"\x00\x01\x02binary")


def test_reimporting_a_vigencia_replaces_its_scores_and_keeps_the_others(app):
    with app.app_context():
        services.import_scores(db.session, parse_scores("a.xlsx", xlsx_bytes(GOOD_ROWS)), actor=None, now=NOW)
        other = [(2031, "FURAG", "Arquitectura", "ARQ-1", "Catálogo de servicios", 60, 100)]
        services.import_scores(db.session, parse_scores("b.xlsx", xlsx_bytes(other)), actor=None, now=NOW)
        db.session.commit()
        corrected = [row if row[3] != "ARQ-1" else (*row[:5], 50, 100) for row in GOOD_ROWS if row[1] != "ITD"]
        result = services.import_scores(db.session, parse_scores("a2.xlsx", xlsx_bytes(corrected)), actor=None, now=NOW)
        db.session.commit()
        assert result.scopes == {(2030, Instrument.FURAG): (7, 7)}
        assert result.replaced_any
        assert count(2030) == 8  # 7 FURAG replaced, the ITD row untouched
        assert count(2031) == 1
        arq = db.session.execute(select(Score).where(Score.vigencia == 2030, Score.code == "ARQ-1")).scalar_one()
        assert arq.score == 50


def test_comparison_by_component_and_year(app, gd_empty):
    with app.app_context():
        services.import_scores(db.session, parse_scores("a.xlsx", xlsx_bytes(GOOD_ROWS)), actor=None, now=NOW)
        later = [
            (2031, *row[1:5], min(row[6], float(str(row[5]).replace(",", ".")) + 10), row[6])
            for row in GOOD_ROWS
            if row[1] != "ITD"
        ]
        services.import_scores(db.session, parse_scores("b.xlsx", xlsx_bytes(later)), actor=None, now=NOW)
        comparison = services.component_comparison(db.session, instrument=Instrument.FURAG)
        assert comparison.vigencias == [2030, 2031]
        arch = next(r for r in comparison.rows if r.component is Component.ARQUITECTURA)
        assert arch.percents == {2030: pytest.approx(67.5), 2031: pytest.approx(77.5)}
        assert arch.change(2030, 2031) == pytest.approx(10)
        assert Component.ESTADO_ABIERTO not in {r.component for r in comparison.rows}  # ITD only


def test_the_page_imports_a_good_file_and_lists_each_bad_row(app, login_as):
    client = login_as("lider.ed")
    token = csrf_token(client, "/gobierno-digital/evaluaciones")
    bad = client.post(
        "/gobierno-digital/evaluaciones/importar",
        data={"csrf_token": token, "file": (io.BytesIO(xlsx_bytes(BAD_ROWS)), "malo.xlsx")},
        content_type="multipart/form-data",
    )
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "no se importó nada" in page
    for line in (3, 4, 5, 6, 7, 8, 9):
        assert f'data-row-error="fila {line}"' in page
    good = client.post(
        "/gobierno-digital/evaluaciones/importar",
        data={"csrf_token": token, "file": (io.BytesIO(xlsx_bytes(GOOD_ROWS)), "bueno.xlsx")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 303 and good.headers["Location"].endswith("/gobierno-digital/evaluaciones/2030")
    assert "FURAG 2030: 7 filas" in client.get(good.headers["Location"]).get_data(as_text=True)


def test_control_interno_cannot_import(app, login_as):
    client = login_as("control.interno")
    token = csrf_token(client, "/gobierno-digital/evaluaciones")
    response = client.post(
        "/gobierno-digital/evaluaciones/importar",
        data={"csrf_token": token, "file": (io.BytesIO(xlsx_bytes(GOOD_ROWS)), "bueno.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    with app.app_context():
        assert count(2030) == 0


def test_the_api_imports_and_answers_422_naming_the_rows(app, api):
    bad = api("lider.ed", "POST", "/api/v1/gd/evaluations/import", data={"file": (io.BytesIO(xlsx_bytes(BAD_ROWS)), "malo.xlsx")})
    assert bad.status_code == 422
    assert bad.mimetype == "application/problem+json"
    assert set(bad.json["errors"]) == {f"fila {n}" for n in (3, 4, 5, 6, 7, 8, 9)}
    good = api(
        "lider.ed", "POST", "/api/v1/gd/evaluations/import", data={"file": (io.BytesIO(csv_bytes(GOOD_ROWS)), "bueno.csv")}
    )
    assert good.status_code == 201, good.json
    assert {"vigencia": 2030, "instrument": "furag", "rows": 7, "replaced": 0} in good.json["scopes"]
    again = api(
        "lider.ed", "POST", "/api/v1/gd/evaluations/import", data={"file": (io.BytesIO(csv_bytes(GOOD_ROWS)), "bueno.csv")}
    )
    assert {"vigencia": 2030, "instrument": "furag", "rows": 7, "replaced": 7} in again.json["scopes"]
    assert (
        api(
            "control.interno", "POST", "/api/v1/gd/evaluations/import", data={"file": (io.BytesIO(csv_bytes(GOOD_ROWS)), "b.csv")}
        ).status_code
        == 403
    )
    scores = api("control.interno", "GET", "/api/v1/gd/evaluations/2030/scores")
    assert scores.status_code == 200 and len(scores.json) == 8


def test_flask_gd_import_is_the_cli_twin(app, tmp_path):
    bad, good = tmp_path / "malo.xlsx", tmp_path / "bueno.xlsx"
    bad.write_bytes(xlsx_bytes(BAD_ROWS))
    good.write_bytes(xlsx_bytes(GOOD_ROWS))
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["gd", "import", str(bad), "--user", "lider.ed"])
    assert refused.exit_code != 0
    assert "fila 3:" in refused.output and "fila 9:" in refused.output
    done = runner.invoke(args=["gd", "import", str(good), "--user", "lider.ed"])
    assert done.exit_code == 0, done.output
    assert "FURAG 2030: 7 filas" in done.output
    again = runner.invoke(args=["gd", "import", str(good)])
    assert "(reemplazan 7)" in again.output
