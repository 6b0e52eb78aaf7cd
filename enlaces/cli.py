"""``flask enlaces tick``: the twin of the daily task that applies scheduled designations."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup

from portal.cli import mark_cli_source

enlaces_cli = AppGroup("enlaces", help="Designaciones de enlaces TIC.", callback=mark_cli_source)


@enlaces_cli.command("tick")
@click.option("--now", "now_text", default=None, help="Instante ISO-8601 (por defecto, ahora; sin zona: hora de Bogotá).")
def tick(now_text: str | None) -> None:
    """Pone en vigor las designaciones programadas cuya fecha llegó (gemelo de la tarea diaria)."""
    from enlaces.tasks import run_designations
    from portal.clock import BOGOTA
    from portal.db import utcnow

    try:
        now = datetime.fromisoformat(now_text) if now_text else utcnow()
    except ValueError as exc:
        raise click.ClickException("--now debe ser un instante ISO-8601, por ejemplo 2026-11-20T00:05:00-05:00.") from exc
    if now.tzinfo is None:
        now = now.replace(tzinfo=BOGOTA)
    applied, problems = run_designations(now)
    click.echo(f"Designaciones que entraron en vigor: {len(applied)} {applied}")
    for problem in problems:
        click.echo(f"Pendiente: {problem}", err=True)
