"""``flask systems …`` and ``flask policies …``: the systems catalogue and the approval policies
from the command line, with the service functions the administration pages use."""

from __future__ import annotations

from typing import NoReturn

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import select

from portal.cli import mark_cli_source
from portal.errors import DomainError
from portal.extensions import db
from tickets.models import Connector, RequestForm, StepKind, TargetSystem
from tickets.services.admin import SystemData, policy_steps, save_approval_policy, save_system

systems_cli = AppGroup("systems", help="Catálogo de sistemas (a qué se pide acceso).", callback=mark_cli_source)
policies_cli = AppGroup("policies", help="Políticas de aprobación (cadena de pasos por formato).", callback=mark_cli_source)


def _fail(exc: DomainError) -> NoReturn:
    db.session.rollback()
    details = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in exc.fields.items())
    raise click.ClickException(f"{exc.message} {details}".strip())


def _role_map(values: tuple[str, ...]) -> dict[str, str]:
    """``ROLE=GROUP`` pairs (the group of an ``ldap`` system is a DN, which has ``=`` of its own)."""
    role_map: dict[str, str] = {}
    for value in values:
        role, sep, target = value.partition("=")
        if not sep or not role.strip() or not target.strip():
            raise click.BadParameter(_("Use ROL=GRUPO, por ejemplo consulta=cn=sap-consulta,ou=groups,…"), param_hint="--role")
        role_map[role.strip()] = target.strip()
    return role_map


def _show(system: TargetSystem) -> None:
    state = _("activo") if system.is_active else _("inactivo")
    click.echo(f"{system.id}\t{system.code}\t{system.connector.value}\t{state}\t{system.name}")
    for role, target in sorted(system.role_map.items()):
        click.echo(f"\t{role} = {target}")


@systems_cli.command("list")
def list_systems() -> None:
    """Lista los sistemas: id, código, conector, estado, nombre y sus roles."""
    for system in db.session.execute(select(TargetSystem).order_by(TargetSystem.code)).scalars():
        _show(system)


@systems_cli.command("create")
@click.argument("code")
@click.option("--name", required=True, help="Nombre del sistema.")
@click.option("--connector", type=click.Choice([c.value for c in Connector]), required=True)
@click.option("--role", "roles", multiple=True, help="ROL=GRUPO (DN del grupo en un sistema ldap); se puede repetir.")
@click.option("--instructions", default=None, help="Qué hace la mesa de servicio (obligatorio en un sistema manual).")
@click.option("--inactive", is_flag=True, help="Crearlo inactivo.")
def create_system(code: str, name: str, connector: str, roles: tuple[str, ...], instructions: str | None, inactive: bool) -> None:
    """Crea un sistema del catálogo (falla si el código ya existe)."""
    data = SystemData(code, name, Connector(connector), _role_map(roles), instructions, not inactive)
    try:
        system = save_system(db.session, actor=None, data=data)
    except DomainError as exc:
        _fail(exc)
    db.session.commit()
    click.echo(_("Sistema creado:"))
    _show(system)


@systems_cli.command("update")
@click.argument("code")
@click.option("--name", default=None)
@click.option("--connector", type=click.Choice([c.value for c in Connector]), default=None)
@click.option("--role", "roles", multiple=True, help="ROL=GRUPO; si se da, reemplaza todos los roles.")
@click.option("--instructions", default=None)
@click.option("--active/--inactive", "is_active", default=None)
def update_system(
    code: str, name: str | None, connector: str | None, roles: tuple[str, ...], instructions: str | None, is_active: bool | None
) -> None:
    """Cambia un sistema; lo que no se indica queda igual."""
    system = db.session.execute(select(TargetSystem).where(TargetSystem.code == code.strip().lower())).scalar()
    if system is None:
        raise click.ClickException(_("No existe el sistema %(code)s.", code=code))
    data = SystemData(
        system.code,
        name if name is not None else system.name,
        Connector(connector) if connector else system.connector,
        _role_map(roles) if roles else dict(system.role_map),
        instructions if instructions is not None else system.instructions,
        system.is_active if is_active is None else is_active,
    )
    try:
        save_system(db.session, actor=None, data=data, system=system)
    except DomainError as exc:
        _fail(exc)
    db.session.commit()
    click.echo(_("Sistema actualizado:"))
    _show(system)


def _form(value: str) -> RequestForm:
    form = next((f for f in RequestForm if value.strip().upper() == f.value), None)
    if form is None:
        raise click.BadParameter(_("Formatos: %(forms)s.", forms=", ".join(f.value for f in RequestForm)), param_hint="FORM")
    return form


@policies_cli.command("list")
def list_policies() -> None:
    """Muestra la cadena de aprobación de cada formato."""
    for form in RequestForm:
        click.echo(f"{form.value}\t{' → '.join(step.value for step in policy_steps(db.session, form))}")


@policies_cli.command("set")
@click.argument("form_code", metavar="FORM")
@click.argument("steps", nargs=-1, required=True, type=click.Choice([s.value for s in StepKind]))
def set_policy(form_code: str, steps: tuple[str, ...]) -> None:
    """Fija la cadena de un formato, por ejemplo: flask policies set FO-M11-P2-05 jefe aprobador."""
    form = _form(form_code)
    try:
        policy = save_approval_policy(db.session, actor=None, form=form, steps=[StepKind(s) for s in steps])
    except DomainError as exc:
        _fail(exc)
    db.session.commit()
    click.echo(_("Política de %(form)s: %(steps)s.", form=form.value, steps=" → ".join(policy.steps)))


COMMAND_GROUPS = (systems_cli, policies_cli)
