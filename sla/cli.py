"""``flask sla …`` and ``flask report ans``: the CLI twin of the periodic check and the ANS report."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from portal.cli import mark_cli_source
from portal.clock import BOGOTA
from portal.db import utcnow
from portal.errors import DomainError
from portal.extensions import db

sla_cli = AppGroup("sla", help="Motor de ANS: verificación de tiempos.", callback=mark_cli_source)
report_cli = AppGroup("report", help="Informes.", callback=mark_cli_source)


def parse_instant(value: str | None) -> datetime:
    """An ISO-8601 instant; without an offset it is read as Bogotá time (SPEC §5). None: now."""
    if not value:
        return utcnow()
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"«{value}» no es una fecha y hora ISO-8601 (p. ej. 2026-07-13T10:05:00-05:00).") from None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=BOGOTA)
    return instant.astimezone(UTC)


@sla_cli.command("tick")
@click.option("--now", "now_text", default=None, help="Instante ISO-8601 de la verificación (por defecto, ahora).")
def tick_command(now_text: str | None) -> None:
    """Verifica los tiempos de ANS: avisos al 75 %, incumplimientos al 100 % y escalamientos al 150 %."""
    from sla import services

    now = parse_instant(now_text)
    try:
        report = services.tick(db.session, now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(report.summary())


def _parse_date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"«{value}» no es una fecha AAAA-MM-DD.", param_hint=name) from None


@report_cli.command("ans")
@click.option("--from", "start", required=True, help="Primer día del periodo (AAAA-MM-DD).")
@click.option("--to", "end", required=True, help="Último día del periodo (AAAA-MM-DD).")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "pdf", "csv"]), default="csv", show_default=True)
@click.option("--dependency", "dependency_code", default=None, help="Código de la dependencia (por defecto, todas).")
@click.option("--output", "output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Archivo de salida.")
@click.option("--now", "now_text", default=None, help="Instante ISO-8601 de corte para las solicitudes abiertas.")
def report_ans(start: str, end: str, fmt: str, dependency_code: str | None, output: Path | None, now_text: str | None) -> None:
    """Informe de cumplimiento de ANS del periodo en XLSX, PDF o CSV (CSV sin --output: a la salida estándar)."""
    from portal.services import find_dependency
    from sla.exports import report_csv, report_pdf, report_xlsx
    from sla.reports.assembly import build_report
    from sla.reports.queries import ReportFilters

    dependency_id = None
    if dependency_code:
        dependency = find_dependency(db.session, dependency_code)
        if dependency is None:
            raise click.ClickException(f"No existe la dependencia {dependency_code}.")
        dependency_id = dependency.id
    try:
        filters = ReportFilters(_parse_date(start, "--from"), _parse_date(end, "--to"), dependency_id)
        report = build_report(db.session, filters, parse_instant(now_text))
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    profile = current_app.config["PROFILE"]
    if fmt == "csv":
        content: bytes = report_csv(report).encode("utf-8")
    elif fmt == "xlsx":
        content = report_xlsx(report, profile)
    else:
        content = report_pdf(report, profile)
    if output is None:
        if fmt != "csv":
            raise click.UsageError("Indique --output para los formatos xlsx y pdf.")
        sys.stdout.write(content.decode("utf-8"))
        return
    output.write_bytes(content)
    click.echo(f"Informe de ANS escrito en {output}.")
