"""``flask mesa tick`` and ``flask report mesa``: the CLI twins of the committee's periodic check and report."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from committee import tick as mesa_tick
from portal.cli import mark_cli_source
from portal.errors import DomainError
from portal.extensions import db
from sla.cli import report_cli


@report_cli.command("mesa")
@click.option("--year", "year", type=int, required=True, help="Año del informe.")
@click.option(
    "--period",
    "number",
    type=click.IntRange(1, 3),
    required=True,
    help="Cuatrimestre: 1 (enero–abril), 2 (mayo–agosto), 3 (septiembre–diciembre).",
)
@click.option("--format", "fmt", type=click.Choice(["pdf", "xlsx"]), default="pdf", show_default=True)
@click.option("--output", "output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Archivo de salida.")
def report_mesa(year: int, number: int, fmt: str, output: Path) -> None:
    """Informe cuatrimestral de seguimiento al alcalde: sesiones, decisiones, iniciativas, compromisos y ANS."""
    from committee.reports import services as mayor_report

    try:
        period = mayor_report.Period(year, number)
        report = mayor_report.build_mayor_report(db.session, period)
    except (DomainError, ValueError) as exc:
        raise click.ClickException(str(getattr(exc, "message", exc))) from None
    profile = current_app.config["PROFILE"]
    if fmt == "pdf":
        content = mayor_report.render_mayor_report_pdf(report, profile=profile)
    else:
        content = mayor_report.render_mayor_report_xlsx(report, profile=profile)
    output.write_bytes(content)
    click.echo(f"Informe al alcalde ({period.label}) escrito en {output}.")


mesa_cli = AppGroup("mesa", help="Comité: plazos de las actas y compromisos.", callback=mark_cli_source)


@mesa_cli.command("tick")
@click.option("--now", "now_text", default=None, help="Instante ISO-8601 de la verificación (por defecto, ahora).")
def tick_command(now_text: str | None) -> None:
    """Verifica los plazos del comité: avisos, aprobación tácita de actas, plazos vencidos y compromisos incumplidos."""
    from sla.cli import parse_instant

    now = parse_instant(now_text)
    try:
        report = mesa_tick.tick(db.session, now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(report.summary())
