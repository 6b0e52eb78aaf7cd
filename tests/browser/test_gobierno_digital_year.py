"""The Secretaría's year in real Chromium: import the scores, see the gaps, build the plan with two
activities and have the Secretario approve it, record an indicator, add a risk and produce the
supervision report in PDF. axe-core finds no violation (of any impact) on any page on the way."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from playwright.sync_api import Page, expect

from portal.clock import local_date
from portal.db import utcnow
from tests.browser.conftest import DOWNLOAD_TIMEOUT_MS, PageFactory, format_violations, login, run_axe

HEADINGS = ["vigencia", "instrumento", "componente", "codigo", "pregunta", "puntaje", "maximo"]


def scores_file(path: Path, vigencia: int) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADINGS)
    for row in (
        ("FURAG", "Arquitectura", "B-ARQ-1", "Catálogo de servicios tecnológicos actualizado", 35, 100),
        ("FURAG", "Arquitectura", "B-ARQ-2", "PETI aprobado y publicado", 90, 100),
        ("FURAG", "Seguridad y Privacidad de la Información", "B-SEG-1", "MSPI adoptado", 80, 100),
        ("FURAG", "Servicios Ciudadanos Digitales", "B-SCD-1", "Trámites integrados a GOV.CO", 25, 100),
        ("FURAG", "Estado abierto", "B-EAB-1", "Datos abiertos actualizados", 70, 100),
    ):
        sheet.append([vigencia, *row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def no_violations(page: Page) -> None:
    violations = run_axe(page)
    assert violations == [], f"axe-core on {page.url}:\n{format_violations(violations)}"


def section(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Secciones de Gobierno Digital").get_by_role("link", name=name, exact=True).click()


def choose(page: Page, label: str, containing: str) -> None:
    """Select the option of ``label`` whose text contains ``containing``."""
    options = page.get_by_label(label).locator("option").all_inner_texts()
    page.get_by_label(label).select_option(label=next(o for o in options if containing in o))


def test_the_secretarias_year(new_page: PageFactory, live_server: str, tmp_path: Path) -> None:
    year = local_date(utcnow()).year
    pro = new_page(bypass_csp=True)
    login(pro, live_server, "lider.ed")
    pro.get_by_role("navigation", name="Navegación principal").get_by_role("link", name="Gobierno Digital").click()
    expect(pro.get_by_role("heading", level=1)).to_contain_text("Tablero de Gobierno Digital")
    no_violations(pro)

    # 1. import the scores of the vigencia
    section(pro, "Evaluaciones")
    expect(pro.get_by_role("heading", level=1)).to_have_text("Evaluaciones de Gobierno Digital")
    no_violations(pro)
    pro.get_by_label("Archivo de calificaciones (XLSX o CSV, máximo 10 MB)").set_input_files(
        scores_file(tmp_path / "furag.xlsx", year)
    )
    pro.get_by_role("button", name="Importar calificaciones").click()
    expect(pro.get_by_role("status").filter(has_text=f"FURAG {year}: 5 filas")).to_be_visible()
    expect(pro.get_by_role("heading", level=1)).to_have_text(f"Calificaciones de la vigencia {year}")
    no_violations(pro)

    # 2. the gaps: the questions under 60 % are proposed, and registered
    proposals = pro.locator('[data-table="propuestas"] [data-proposal]')
    expect(proposals).to_have_count(2)
    pro.get_by_role("button", name="Registrar brechas seleccionadas").click()
    expect(pro.get_by_role("status").filter(has_text="2 brechas registradas")).to_be_visible()
    expect(pro.locator('[data-list="brechas"] [data-gap]')).to_have_count(2)
    no_violations(pro)

    # 3. the plan of the next vigencia with two activities
    section(pro, "Plan de trabajo")
    no_violations(pro)
    pro.get_by_label("Vigencia").fill(str(year + 1))
    pro.get_by_role("button", name="Crear plan de trabajo").click()
    expect(pro.get_by_role("heading", level=1)).to_have_text(f"Plan de trabajo de Gobierno Digital {year + 1}")
    no_violations(pro)
    plan_url = pro.url
    for gap, description, deliverable in (
        ("B-ARQ-1", "Actualizar el catálogo de servicios tecnológicos", "Catálogo publicado"),
        ("B-SCD-1", "Integrar tres trámites a GOV.CO", "Trámites en GOV.CO"),
    ):
        pro.get_by_role("link", name="Agregar actividad").first.click()
        expect(pro.get_by_role("heading", level=1)).to_have_text("Agregar actividad")
        no_violations(pro)
        choose(pro, "Brecha que atiende", gap)
        pro.get_by_label("Actividad", exact=True).fill(description)
        pro.get_by_label("Dependencia responsable").select_option(label="Secretaría de las TIC")
        choose(pro, "Persona responsable", "(lider.ed)")
        pro.get_by_label("Fecha de inicio").fill(f"{year + 1}-02-01")
        pro.get_by_label("Fecha de finalización").fill(f"{year + 1}-06-30")
        pro.get_by_label("Entregable").fill(deliverable)
        pro.get_by_role("button", name="Guardar actividad").click()
        expect(pro.get_by_role("status").filter(has_text="Actividad guardada")).to_be_visible()
    expect(pro.locator('[data-table="actividades"] [data-activity]')).to_have_count(2)
    no_violations(pro)
    pro.get_by_role("button", name="Enviar al Secretario para aprobación").click()
    expect(pro.get_by_role("status").filter(has_text="Plan enviado al Secretario")).to_be_visible()

    secretario = new_page(bypass_csp=True)
    login(secretario, live_server, "secretario")
    secretario.goto(plan_url)
    expect(secretario.get_by_role("region", name="Decisión del Secretario")).to_be_visible()
    no_violations(secretario)
    secretario.get_by_role("button", name="Aprobar el plan").click()
    expect(secretario.locator("[data-plan-state]").first).to_have_text("Aprobado")
    no_violations(secretario)

    # 6–7. an indicator with its first measurement
    section(pro, "Indicadores")
    no_violations(pro)
    pro.get_by_role("link", name="Definir indicador").click()
    no_violations(pro)
    pro.get_by_label("Nombre del indicador").fill("Servicios del catálogo actualizados")
    pro.get_by_label("Fórmula").fill("Servicios actualizados / servicios del catálogo × 100")
    pro.get_by_label("Unidad de medida").fill("%")
    pro.get_by_label("Línea base").fill("35")
    pro.get_by_label("Meta", exact=True).fill("90")
    pro.get_by_label("Vigencia").fill(str(year))
    pro.get_by_label("Componente").select_option(label="Arquitectura")
    choose(pro, "Responsable de la medición", "(lider.ed)")
    pro.get_by_role("button", name="Guardar indicador").click()
    expect(pro.get_by_role("status").filter(has_text="Indicador definido")).to_be_visible()
    no_violations(pro)
    pro.get_by_label(f"Valor medido del periodo {year}-T1").fill("42,5")
    pro.get_by_role("button", name="Registrar medición").first.click()
    expect(pro.get_by_role("status").filter(has_text=f"Medición del periodo {year}-T1 registrada")).to_be_visible()
    expect(pro.locator(f'[data-measurement="{year}-T1"]')).to_contain_text("42,50")
    no_violations(pro)

    # 8. a risk, valued on the DAFP scales, with a control
    section(pro, "Riesgos")
    no_violations(pro)
    pro.get_by_role("link", name="Identificar riesgo").click()
    no_violations(pro)
    pro.get_by_label("Riesgo", exact=True).fill("Retraso en la actualización del catálogo")
    pro.get_by_label("Causa").fill("Las dependencias no reportan sus servicios a tiempo")
    pro.get_by_label("Consecuencia").fill("Catálogo desactualizado ante el FURAG")
    pro.get_by_label("Probabilidad").select_option(label="4 · Alta (80 %)")
    pro.get_by_label("Impacto").select_option(label="3 · Moderado (60 %)")
    choose(pro, "Responsable del riesgo", "(lider.ed)")
    pro.get_by_role("button", name="Guardar riesgo").click()
    expect(pro.get_by_role("status").filter(has_text="zona inherente alta")).to_be_visible()
    no_violations(pro)
    pro.get_by_label("Control", exact=True).fill("Mesa mensual de actualización con los enlaces")
    pro.get_by_role("button", name="Agregar control").click()
    expect(pro.locator("[data-residual]")).to_have_attribute("data-residual", "moderada")  # 80 % − 32 % = 48 %: media × moderado
    no_violations(pro)

    # 9. the supervision report of the year in PDF
    section(pro, "Supervisión")
    no_violations(pro)
    with pro.expect_download(timeout=DOWNLOAD_TIMEOUT_MS) as download_info:
        pro.get_by_role("button", name="Generar informe en PDF").click()
    download = download_info.value
    assert download.suggested_filename.startswith("informe-supervision-gd-") and download.suggested_filename.endswith(".pdf")
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF-")

    section(pro, "Tablero")
    expect(pro.locator('[data-table="logro-anual"] thead th')).to_contain_text([str(year)])
    no_violations(pro)


def test_the_plan_pages_keep_the_content_security_policy(page: Page, console_errors: list[str], live_server: str) -> None:
    """Charts, heat maps and forms need no inline script or style: nothing is refused by the CSP."""
    login(page, live_server, "control.interno")
    for path, heading in (
        ("/gobierno-digital/", "Tablero de Gobierno Digital"),
        ("/gobierno-digital/evaluaciones", "Evaluaciones de Gobierno Digital"),
        ("/gobierno-digital/riesgos", "Mapa de riesgos"),
        ("/gobierno-digital/proyectos", "Proyectos"),
        ("/gobierno-digital/deberes", "Deberes de los enlaces TIC"),
    ):
        page.goto(live_server + path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        expect(page.locator(".gd-chart, .gd-heatmap, table, ul").first).to_be_visible()
    assert console_errors == []
