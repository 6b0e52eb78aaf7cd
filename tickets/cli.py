"""``flask provisioning …`` and ``flask directory …``: the sweeper's twin, import and reconcile."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from portal.cli import mark_cli_source
from portal.directory import Directory, DirectorySettings, DirectoryUnavailable
from portal.extensions import db
from portal.spreadsheets import csv_writer
from tickets.admin_cli import COMMAND_GROUPS as ADMIN_COMMAND_GROUPS

provisioning_cli = AppGroup("provisioning", help="Aprovisionamiento en el directorio.", callback=mark_cli_source)
directory_cli = AppGroup("directory", help="Directorio institucional: importar y conciliar.", callback=mark_cli_source)


@provisioning_cli.command("sweep")
def sweep() -> None:
    """Reenvía los trabajos pendientes o abandonados (gemelo de la tarea periódica)."""
    from tickets.tasks import sweep_provisioning

    job_ids = sweep_provisioning()
    click.echo(f"Trabajos reenviados: {len(job_ids)}")


@provisioning_cli.command("expire")
@click.option("--now", "now_text", default=None, help="Instante ISO-8601 (por defecto, ahora).")
def expire(now_text: str | None) -> None:
    """Avisa los vencimientos próximos y retira los accesos vencidos (gemelo de la tarea diaria)."""
    from datetime import datetime

    from portal.db import utcnow
    from tickets.tasks import run_expiry

    try:
        now = datetime.fromisoformat(now_text) if now_text else utcnow()
    except ValueError as exc:
        raise click.ClickException("--now debe ser un instante ISO-8601, por ejemplo 2026-11-20T08:00:00-05:00.") from exc
    if now.tzinfo is None:
        raise click.ClickException("--now debe indicar la zona horaria (por ejemplo -05:00 o Z).")
    report = run_expiry(now)
    click.echo(f"Avisos: {len(report.warned)} {report.warned}; retiros radicados: {len(report.filed)} {report.filed}")


def _directory() -> Directory:
    return Directory(DirectorySettings.from_config(current_app.config))


@directory_cli.command("import")
def import_directory() -> None:
    """Importa personas y dependencias del directorio (se puede repetir; nunca desactiva a nadie)."""
    from tickets.directory_sync import IncompleteListing, import_people, read_dependency_names, read_people

    directory = _directory()
    try:
        people = read_people(directory)
        names = read_dependency_names(directory, {p.dependency_code for p in people if p.dependency_code})
    except (DirectoryUnavailable, IncompleteListing) as exc:
        raise click.ClickException(
            _("No se importó nada: el directorio no respondió por completo (%(reason)s).", reason=exc)
        ) from exc
    with click.progressbar(length=len(people), label=_("Importando personas")) as bar:

        def progress(iterator):  # type: ignore[no-untyped-def]
            for person in iterator:
                yield person
                bar.update(1)

        report = import_people(db.session, people, progress, dependency_names=names)
    db.session.commit()
    click.echo(
        _(
            "Leídas %(read)d; nuevas %(created)d; actualizadas %(updated)d; dependencias nuevas: %(new)s; con su nombre del directorio: %(renamed)s.",
            read=report.read,
            created=report.created,
            updated=report.updated,
            new=", ".join(report.dependencies_created) or _("ninguna"),
            renamed=", ".join(report.dependencies_renamed) or _("ninguna"),
        )
    )


@directory_cli.command("reconcile")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, writable=True), help="Escribe también un CSV.")
def reconcile_directory(csv_path: str | None) -> None:
    """Compara lo que el portal concedió con lo que tiene el directorio (no cambia nada)."""
    from tickets.directory_sync import IncompleteListing, reconcile

    try:
        rows = reconcile(db.session, _directory())
    except (DirectoryUnavailable, IncompleteListing) as exc:
        raise click.ClickException(f"No se concilió: el directorio no respondió por completo ({exc}).") from exc
    header = ("sistema", "rol", "usuario", "concedido", "en_directorio", "estado")
    data = [(r.system, r.role, r.username, "sí" if r.granted else "no", "sí" if r.in_directory else "no", r.status) for r in rows]
    widths = [max(len(h), *(len(row[i]) for row in data)) if data else len(h) for i, h in enumerate(header)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for row in data:
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))
    differences = sum(1 for r in rows if r.status != "ok")
    click.echo(f"{len(rows)} filas, {differences} diferencias.")
    if csv_path:
        with open(csv_path, "w", newline="", encoding="utf-8") as fh:
            writer = csv_writer(fh)
            writer.writerow(header)
            writer.writerows(data)
        click.echo(f"CSV: {csv_path}", file=sys.stderr)


COMMAND_GROUPS = (provisioning_cli, directory_cli, *ADMIN_COMMAND_GROUPS)
