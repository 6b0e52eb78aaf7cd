"""The catalogue and committee pages: forms, scoping, filters, export, the public catalogue, profiles."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook

from catalog.models import Enabler, Initiative, InitiativeState
from committee.models import CommitteeSession
from portal.clock import local_date
from portal.db import utcnow
from portal.extensions import db
from tests.conftest import csrf_token, login
from tests.unit.catalog.factories import dependency_id, make_initiative, make_session

FORM = {
    "title": "Sede electrónica de trámites de salud",
    "description": "Ventanilla única digital para los trámites de la Secretaría de Salud, integrada a GOV.CO.",
    "objective": "Reducir a cero los trámites presenciales de salud pública.",
    "enablers": ["servicios_ciudadanos_digitales", "arquitectura"],
    "is_in_peti": "y",
    "estimated_budget": "480.000.000",
    "funding_source": "recursos_propios",
    "start_date": "2027-02-01",
    "end_date": "2027-11-30",
    "sponsor": "Secretario de Salud",
}


def client_for(app, username: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    response = login(client, username)
    assert response.status_code == 302, username
    return client


def post(client, path: str, form_page: str, data: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf_token": csrf_token(client, form_page), **(data or {})})


def test_enlace_registers_and_postulates_then_the_head_confirms(app) -> None:
    enlace = client_for(app, "enlace.salud")
    with app.app_context():
        dependency = dependency_id("SAL")
    page = enlace.get("/iniciativas/nueva")
    assert page.status_code == 200 and "Habilitadores de la Política de Gobierno Digital" in page.get_data(as_text=True)
    response = post(enlace, "/iniciativas/nueva", "/iniciativas/nueva", FORM | {"dependency_id": dependency})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    detail_url = response.headers["Location"]
    page = enlace.get(detail_url).get_data(as_text=True)
    code = re.search(r"INI-\d{4}-\d{4}", page)
    assert code is not None and 'data-state="registrada"' in page
    assert "$480.000.000" in page and "Servicios Ciudadanos Digitales" in page
    initiative_id = int(detail_url.rsplit("/", 1)[1])
    response = post(enlace, f"/iniciativas/{initiative_id}/postular", detail_url)
    assert response.status_code == 303
    assert 'data-postulation="pendiente"' in enlace.get(detail_url).get_data(as_text=True)

    jefe = client_for(app, "jefe.salud")
    assert "Postulaciones por confirmar" in jefe.get("/").get_data(as_text=True)
    page = jefe.get(detail_url).get_data(as_text=True)
    assert "Confirmar postulación" in page
    assert post(jefe, f"/iniciativas/{initiative_id}/confirmar", detail_url).status_code == 303
    assert 'data-state="postulada"' in jefe.get(detail_url).get_data(as_text=True)

    other = client_for(app, "enlace.hacienda")
    assert other.get(detail_url).status_code == 403
    assert code.group(0) not in other.get("/iniciativas").get_data(as_text=True)
    assert other.get(f"/iniciativas/{initiative_id}/editar").status_code == 403


def test_an_incomplete_postulation_is_refused_with_what_is_missing(app) -> None:
    enlace = client_for(app, "enlace.salud")
    with app.app_context():
        initiative_id = make_initiative(sponsor=None, funding_source=None)
    url = f"/iniciativas/{initiative_id}"
    response = post(enlace, f"{url}/postular", url)
    assert response.status_code == 303
    page = enlace.get(url).get_data(as_text=True)
    assert "Complete la iniciativa" in page and "fuente de financiación" in page and "patrocina" in page
    assert 'data-state="registrada"' in page and 'data-postulation="pendiente"' not in page


def test_wrong_state_and_wrong_person_on_the_web(app) -> None:
    with app.app_context():
        initiative_id = make_initiative(InitiativeState.POSTULADA)
    url = f"/iniciativas/{initiative_id}"
    enlace = client_for(app, "enlace.salud")
    response = enlace.post(
        f"{url}/postular", data={"csrf_token": csrf_token(enlace, url)}, headers={"Referer": f"http://localhost{url}"}
    )
    assert response.status_code == 303  # refused: the flash says why
    assert "no se puede postular" in enlace.get(url).get_data(as_text=True)
    jefe = client_for(app, "jefe.hacienda")
    assert jefe.post(f"{url}/confirmar", data={"csrf_token": csrf_token(jefe, "/iniciativas")}).status_code == 403


def test_catalogue_filters_search_and_scope(app) -> None:
    with app.app_context():
        peti = make_initiative(InitiativeState.POSTULADA, "SAL")
        outside = make_initiative(
            InitiativeState.REGISTRADA,
            "HAC",
            title="Factura electrónica departamental",
            is_in_peti=False,
            enablers=[Enabler.SEGURIDAD],
        )
        codes = {i: db.session.get(Initiative, i).code for i in (peti, outside)}
        hac = dependency_id("HAC")
    st = client_for(app, "st.mesa")

    def listed(query: str) -> set[str]:
        page = st.get(f"/iniciativas?{query}").get_data(as_text=True)
        return set(re.findall(r'data-initiative="(INI-[\d-]+)"', page))

    assert listed("") == set(codes.values())
    assert listed("peti=si") == {codes[peti]}
    assert listed("peti=no") == {codes[outside]}
    assert listed(f"dependencia={hac}") == {codes[outside]}
    assert listed("estado=postulada") == {codes[peti]}
    assert listed("habilitador=seguridad_privacidad") == {codes[outside]}
    assert listed("q=factura") == {codes[outside]}
    assert listed(f"q={codes[peti].lower()}") == {codes[peti]}
    assert listed(f"anio={local_date(utcnow()).year + 5}") == set()
    assert listed("anio=2026") == set(codes.values())
    hacienda = client_for(app, "enlace.hacienda")
    assert set(re.findall(r'data-initiative="(INI-[\d-]+)"', hacienda.get("/iniciativas").get_data(as_text=True))) == {
        codes[outside]
    }


def test_export_to_xlsx_keeps_numbers_and_dates(app) -> None:
    with app.app_context():
        make_initiative(InitiativeState.POSTULADA, "SAL")
        make_initiative(InitiativeState.REGISTRADA, "HAC", estimated_budget=75_500_000)
    response = client_for(app, "control.interno").get("/iniciativas/exportar.xlsx?dependencia=")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(BytesIO(response.data)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    header = next(sheet.iter_rows(min_row=4, max_row=4, values_only=True))
    assert header[0] == "Código" and header[6] == "Presupuesto estimado (COP)"
    by_code = {r[0]: r for r in rows}
    assert len(by_code) == 2
    salud = next(r for r in rows if r[1] == "Secretaría de Salud")
    assert salud[6] == 1_250_000_000 and isinstance(salud[6], int)
    assert isinstance(salud[8], datetime) and salud[8].date() == date(2026, 6, 1)
    assert salud[5] == "Sí" and salud[10] == 0 and salud[3] == "Postulada"
    assert sheet.cell(row=5, column=7).number_format == '"$"#,##0'
    # a dependency-scoped user exports only its own dependency
    scoped = client_for(app, "enlace.hacienda").get("/iniciativas/exportar.xlsx")
    scoped_sheet = load_workbook(BytesIO(scoped.data)).active
    assert scoped_sheet is not None
    assert [r[1] for r in scoped_sheet.iter_rows(min_row=5, values_only=True)] == ["Secretaría de Hacienda"]


def test_the_public_catalogue_lists_approved_initiatives_without_personal_data(app) -> None:
    with app.app_context():
        approved = db.session.get(Initiative, make_initiative(InitiativeState.APROBADA)).code
        running = db.session.get(
            Initiative, make_initiative(InitiativeState.EN_EJECUCION, "HAC", sponsor="Marcela Ortiz Valencia")
        ).code
        hidden = [
            db.session.get(Initiative, make_initiative(s)).code for s in (InitiativeState.POSTULADA, InitiativeState.RECHAZADA)
        ]
    page = app.test_client().get("/catalogo-publico")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert approved in html and running in html
    assert not any(code in html for code in hidden)
    for personal in (
        "Marcela Ortiz Valencia",
        "Secretario de Salud",
        "Laura Gómez Ríos",
        "Andrés Mejía Castro",
        "enlace.salud",
        "jefe.salud@",
    ):
        assert personal not in html
    assert "Comité TIC Departamental" in html
    filtered = app.test_client().get("/catalogo-publico?estado=en_ejecucion").get_data(as_text=True)
    assert running in filtered and approved not in filtered
    # a state outside the public ones shows nothing more than the public list
    assert not any(code in app.test_client().get("/catalogo-publico?estado=rechazada").get_data(as_text=True) for code in hidden)


@pytest.mark.parametrize(
    ("profile", "name"),
    [("valle", "Comité TIC Departamental"), ("cartagena", "Mesa de Trabajo de Transformación Digital")],
)
def test_each_profile_shows_its_committee(make_app, profile: str, name: str) -> None:
    app = make_app(PORTAL_PROFILE=profile)
    st = client_for(app, "st.mesa")
    for path in ("/comite", "/comite/sesiones", "/comite/sesiones/nueva"):
        page = st.get(path)
        assert page.status_code == 200, path
        assert name in page.get_data(as_text=True), path
    assert name in app.test_client().get("/catalogo-publico").get_data(as_text=True)


def test_the_dashboard_warns_of_quarters_without_an_ordinary_session(app) -> None:
    today = local_date(utcnow())
    label = f"{['I', 'II', 'III', 'IV'][(today.month - 1) // 3]} trimestre de {today.year}"
    st = client_for(app, "st.mesa")
    page = st.get("/").get_data(as_text=True)
    assert f"El {label} no tiene sesión ordinaria programada." in page
    assert 'data-warning="trimestres"' in st.get("/comite/sesiones").get_data(as_text=True)
    assert f"El {label} no tiene sesión ordinaria programada." in client_for(app, "secretario").get("/").get_data(as_text=True)
    # an ordinary session later in this quarter (today itself when the quarter ends today)
    tomorrow = today + timedelta(days=1)
    day = tomorrow if (tomorrow.month - 1) // 3 == (today.month - 1) // 3 and tomorrow.year == today.year else today
    with app.app_context():
        make_session(day=day, start=time(23), end=time(23, 59), now=utcnow())
    page = st.get("/").get_data(as_text=True)
    assert f"El {label} no tiene sesión ordinaria programada." not in page
    assert "Sesión ordinaria N.º 1" in st.get("/comite/sesiones").get_data(as_text=True)


def test_the_secretariat_builds_the_agenda_and_convenes_on_the_web(app, tmp_path) -> None:
    day = local_date(utcnow()) + timedelta(days=10)
    with app.app_context():
        session_id = make_session(day=day, now=utcnow())
        initiative_id = make_initiative(InitiativeState.POSTULADA)
    url = f"/comite/sesiones/{session_id}"
    st = client_for(app, "st.mesa")
    page = st.get(url).get_data(as_text=True)
    assert "Incluir en el orden del día" in page
    assert post(st, f"{url}/agenda/iniciativas", url, {"initiative_id": initiative_id}).status_code == 303
    assert post(st, f"{url}/agenda/temas", url, {"title": "Informe del avance del PETI"}).status_code == 303
    page = st.get(url).get_data(as_text=True)
    kinds = re.findall(r'data-item-kind="([a-z_]+)"', page)
    assert kinds == [
        "verificacion_quorum",
        "acta_anterior",
        "seguimiento_compromisos",
        "iniciativa",
        "tema",
        "proposiciones_varios",
    ]
    topic = re.findall(r'data-item="(\d+)"', page)[4]
    assert post(st, f"{url}/agenda/{topic}/subir", url).status_code == 303
    kinds = re.findall(r'data-item-kind="([a-z_]+)"', st.get(url).get_data(as_text=True))
    assert kinds[3:5] == ["tema", "iniciativa"]
    assert 'data-mandatory="1"' in st.get(url).get_data(as_text=True)
    assert post(st, f"{url}/convocar", url, {"note": ""}).status_code == 303
    page = st.get(url).get_data(as_text=True)
    assert 'data-session-state="convocada"' in page and 'data-convocation="0"' in page
    ics = st.get(f"{url}/invitacion.ics")
    assert ics.mimetype == "text/calendar" and f"UID:sesion-{session_id}@valledelcauca.gov.co" in ics.get_data(as_text=True)
    assert list((tmp_path / "mail").glob("*.log"))
    # someone else may read the session but not change it
    member = client_for(app, "integrante1")
    assert member.get(url).status_code == 200
    assert member.post(f"{url}/convocar", data={"csrf_token": csrf_token(member, url)}).status_code == 403
    assert client_for(app, "enlace.salud").get(url).status_code == 403
    with app.app_context():
        assert db.session.get(CommitteeSession, session_id).ics_sequence == 0


def test_a_late_ordinary_convocation_is_refused_on_the_web_with_the_reason(app) -> None:
    day = local_date(utcnow()) + timedelta(days=3)
    with app.app_context():
        session_id = make_session(day=day, now=utcnow())
    url = f"/comite/sesiones/{session_id}"
    st = client_for(app, "st.mesa")
    assert "al menos 5 días calendario" in st.get(url).get_data(as_text=True)  # said before trying
    response = st.post(f"{url}/convocar", data={"csrf_token": csrf_token(st, url)}, headers={"Referer": f"http://localhost{url}"})
    assert response.status_code == 303
    page = st.get(url).get_data(as_text=True)
    assert "Una sesión ordinaria se convoca con al menos 5 días calendario de antelación" in page
    assert 'data-session-state="programada"' in page


def test_admin_configures_the_members(app) -> None:
    admin = client_for(app, "admin")
    page = admin.get("/comite").get_data(as_text=True)
    assert 'data-member="secretario"' in page and "Preside · voto dirimente" in page
    with app.app_context():
        from portal.services import find_user

        lider = find_user(db.session, "lider.ed")
        assert lider is not None
        lider_id = lider.id
    response = post(
        admin,
        "/comite/integrantes/nuevo",
        "/comite/integrantes/nuevo",
        {"user_id": lider_id, "position": "Líder de economía digital", "dependency_id": 0, "is_voting": "y", "is_active": "y"},
    )
    assert response.status_code == 302
    assert 'data-member="lider.ed"' in admin.get("/comite").get_data(as_text=True)
    refused = post(
        admin,
        "/comite/integrantes/nuevo",
        "/comite/integrantes/nuevo",
        {"user_id": lider_id, "position": "Otra vez", "dependency_id": 0, "is_voting": "y", "is_active": "y"},
    )
    assert refused.status_code == 422 and "ya ocupa un puesto" in refused.get_data(as_text=True)
    assert client_for(app, "st.mesa").get("/comite/integrantes/nuevo").status_code == 403
