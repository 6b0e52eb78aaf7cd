"""``flask mesa …``: the CLI twin of the committee's periodic check."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.cli import mark_cli_source
from portal.extensions import db

mesa_cli = AppGroup("mesa", help="Comité: plazos de las actas y compromisos.", callback=mark_cli_source)


@mesa_cli.command("tick")
@click.option("--now", "now_text", default=None, help="Instante ISO-8601 de la verificación (por defecto, ahora).")
def tick_command(now_text: str | None) -> None:
    """Verifica los plazos del comité: avisos, aprobación tácita de actas, plazos vencidos y compromisos incumplidos."""
    from catalog import deadlines
    from sla.cli import parse_instant

    now = parse_instant(now_text)
    try:
        report = deadlines.tick(db.session, now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(report.summary())
