"""Security headers, Spanish error pages, the privacy notice and the entity profile."""

from __future__ import annotations

import pytest


def test_security_headers_on_every_page(client):
    response = client.get("/ingresar")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_when_served_over_https(client):
    response = client.get("/ingresar", base_url="https://mesatic.example.gov.co")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_pages_have_no_inline_scripts(login_as):
    page = login_as("admin").get("/").get_data(as_text=True)
    assert "<script>" not in page
    assert "onclick=" not in page


def test_privacy_notice_is_linked_from_every_page(client, login_as):
    assert 'href="/privacidad"' in client.get("/ingresar").get_data(as_text=True)
    notice = client.get("/privacidad").get_data(as_text=True)
    assert "Ley 1581 de 2012" in notice
    assert 'href="/privacidad"' in login_as("agente").get("/").get_data(as_text=True)


def test_404_page_is_in_spanish(client):
    response = client.get("/no-existe")
    assert response.status_code == 404
    assert "Página no encontrada" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("profile", "entity", "office"),
    [
        ("valle", "Gobernación del Valle del Cauca", "Secretaría de las TIC"),
        ("cartagena", "Alcaldía Distrital de Cartagena de Indias", "Oficina Asesora de Informática"),
    ],
)
def test_profile_sets_entity_name_office_and_contact(make_app, profile, entity, office):
    page = make_app(PORTAL_PROFILE=profile).test_client().get("/ingresar").get_data(as_text=True)
    assert entity in page and office in page
    assert "GOV.CO" in page
    assert 'lang="es-CO"' in page


def test_static_assets_are_served_locally(client):
    page = client.get("/ingresar").get_data(as_text=True)
    assert "cdn" not in page.lower()
    for path in ("/static/vendor/bootstrap/bootstrap.min.css", "/static/fonts/montserrat-latin-700-normal.woff2"):
        response = client.get(path)
        assert response.status_code == 200
        response.close()


def test_spanish_formats(app):
    from datetime import UTC, datetime

    from portal.i18n import pesos

    with app.test_request_context():
        fecha_hora = app.jinja_env.filters["fecha_hora"]
        assert app.jinja_env.filters["fecha"](datetime(2026, 7, 13, 15, 5, tzinfo=UTC)) == "13/07/2026"
        # 15:05 UTC is 10:05 in Bogotá
        assert (
            fecha_hora(datetime(2026, 7, 13, 15, 5, tzinfo=UTC)).replace("\u202f", " ").replace("\xa0", " ")
            == "13/07/2026 10:05 a. m."
        )
        assert pesos(1234567) == "$1.234.567"
