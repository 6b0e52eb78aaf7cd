"""``flask gd …``: import a scores file, run the periodic check, produce the reports (the CLI twins of
the API and the Celery task)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from portal.cli import mark_cli_source
from portal.errors import DomainError
from portal.extensions import db

gd_cli = AppGroup("gd", help="Gobierno Digital: calificaciones, verificación periódica e informes.", callback=mark_cli_source)


def _user(username: str | None):  # type: ignore[no-untyped-def]
    from portal.services import find_user

    if not username:
        return None
    user = find_user(db.session, username)
    if user is None:
        raise click.ClickException(f"No existe el usuario {username}.")
    return user


@gd_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--user", "username", default=None, help="Usuario que importa (profesional de Gobierno Digital); por defecto, el sistema."
)
def import_command(path: Path, username: str | None) -> None:
    """Importa un archivo de calificaciones (XLSX o CSV de la plantilla). Con una fila errada no importa nada."""
    from gobierno_digital.evaluations.importer import ImportRejected, parse_scores
    from gobierno_digital.evaluations.services import import_scores
    from portal.db import utcnow

    try:
        parsed = parse_scores(path.name, path.read_bytes())
        result = import_scores(db.session, parsed, actor=_user(username), now=utcnow())
    except ImportRejected as exc:
        db.session.rollback()
        lines = [exc.message, *(f"  {name}: {'; '.join(messages)}" for name, messages in exc.fields.items())]
        raise click.ClickException("\n".join(lines)) from None
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(result.summary())


@gd_cli.command("template")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def template_command(fmt: str, output: Path) -> None:
    """Escribe la plantilla de calificaciones."""
    from gobierno_digital.evaluations.template import template_csv, template_xlsx

    if fmt == "xlsx":
        output.write_bytes(template_xlsx())
    else:
        output.write_text(template_csv(), encoding="utf-8")
    click.echo(f"Plantilla escrita en {output}")


@gd_cli.command("tick")
@click.option("--now", "now_text", default=None, help="Instante ISO-8601 de la verificación (por defecto, ahora).")
def tick_command(now_text: str | None) -> None:
    """Abre las listas de deberes del periodo, recuerda mediciones, avisa vencimientos y hitos atrasados."""
    from gobierno_digital.tick import tick
    from sla.cli import parse_instant

    now = parse_instant(now_text)
    try:
        report = tick(db.session, now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(report.summary())


@gd_cli.command("report")
@click.argument("kind", type=click.Choice(["indicators", "supervision", "risk-map"]))
@click.option("--format", "fmt", type=click.Choice(["pdf", "xlsx", "docx"]), default="pdf", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option(
    "--from", "start", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Inicio del periodo (supervisión)."
)
@click.option("--to", "end", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Fin del periodo (supervisión).")
@click.option("--vigencia", type=int, default=None, help="Vigencia (indicadores, mapa de riesgos).")
def report_command(kind: str, fmt: str, output: Path, start: object, end: object, vigencia: int | None) -> None:
    """Genera el reporte de indicadores (pdf, xlsx), el informe de supervisión (pdf, docx) o el mapa de riesgos (pdf)."""
    from gobierno_digital.indicators.exports import indicators_pdf, indicators_xlsx
    from gobierno_digital.indicators.services import indicator_rows
    from gobierno_digital.risks.document import risk_map_pdf
    from gobierno_digital.risks.services import risks_of
    from gobierno_digital.settings import get_settings
    from gobierno_digital.supervision.report import build_report, supervision_docx, supervision_pdf
    from portal.clock import local_date
    from portal.db import utcnow
    from sla.services.entity_calendar import get_calendar

    allowed = {"indicators": ("pdf", "xlsx"), "supervision": ("pdf", "docx"), "risk-map": ("pdf",)}[kind]
    if fmt not in allowed:
        raise click.BadParameter(f"{kind} se genera en: {', '.join(allowed)}.", param_hint="--format")
    now, profile = utcnow(), current_app.config["PROFILE"]
    if kind == "indicators":
        rows = indicator_rows(db.session, now, vigencia)
        content = indicators_xlsx(rows, profile, now) if fmt == "xlsx" else indicators_pdf(rows, profile, now)
    elif kind == "risk-map":
        content = risk_map_pdf(risks_of(db.session, vigencia), profile, now, vigencia)
    else:
        today = local_date(now)
        first: date = start.date() if start else date(today.year, 1, 1)  # type: ignore[attr-defined]
        last: date = end.date() if end else today  # type: ignore[attr-defined]
        try:
            report = build_report(
                db.session,
                start=first,
                end=last,
                now=now,
                calendar=get_calendar(db.session),
                late_days=get_settings(db.session).milestone_late_days,
            )
        except DomainError as exc:
            raise click.ClickException(exc.message) from None
        content = supervision_pdf(report, profile) if fmt == "pdf" else supervision_docx(report, profile)
    output.write_bytes(content)
    click.echo(f"{kind}: {len(content)} bytes en {output}")
