"""``flask …`` commands of the portal package: users, tokens, demo data, audit."""

from __future__ import annotations

import os

import click
from flask import Flask
from flask.cli import AppGroup

from portal import services
from portal.audit import source_address
from portal.errors import DomainError
from portal.extensions import db
from portal.roles import Role


def mark_cli_source() -> None:
    """Audit events written by a command record "cli" as their source."""
    source_address.set("cli")


users_cli = AppGroup("users", help="Usuarios, roles y tokens de la API.", callback=mark_cli_source)
audit_cli = AppGroup("audit", help="Trazabilidad (auditoría encadenada).", callback=mark_cli_source)
demo_cli = AppGroup("demo", help="Datos de demostración.", callback=mark_cli_source)
mail_cli = AppGroup("mail", help="Correo saliente.", callback=mark_cli_source)


def _fail(message: str) -> None:
    db.session.rollback()
    raise click.ClickException(message)


def _user_or_fail(username: str):  # type: ignore[no-untyped-def]
    user = services.find_user(db.session, username)
    if user is None:
        _fail(f"No existe el usuario {username}.")
    return user


@users_cli.command("create-admin")
@click.argument("username")
@click.option("--full-name", default="Administrador del portal", show_default=True)
@click.option("--email", default=None)
@click.option(
    "--password",
    default=lambda: os.environ.get("ADMIN_PASSWORD"),
    help="Por defecto se pide en la terminal (o se toma de ADMIN_PASSWORD).",
)
def create_admin(username: str, full_name: str, email: str | None, password: str | None) -> None:
    """Crea (o restablece) un administrador local para la primera configuración."""
    if not password:
        password = click.prompt("Contraseña", hide_input=True, confirmation_prompt=True)
    try:
        user = services.create_local_admin(
            db.session, username=username, full_name=full_name, email=email, password=password or ""
        )
    except DomainError as exc:
        _fail(exc.message)
    db.session.commit()
    click.echo(f"Administrador local listo: {user.username}")


@users_cli.command("token")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="Para qué se usará el token.")
def create_token(username: str, name: str) -> None:
    """Emite un token personal de la API y lo imprime (solo esta vez)."""
    user = _user_or_fail(username)
    token, _row = services.issue_api_token(db.session, actor=None, user=user, name=name)
    db.session.commit()
    click.echo(token)


@users_cli.command("grant")
@click.argument("username")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@click.option("--dependency", "dependency_code", default=None, help="Código de la dependencia (enlace, jefe).")
def grant_role(username: str, role: str, dependency_code: str | None) -> None:
    """Asigna un rol a un usuario."""
    user = _user_or_fail(username)
    dependency = services.find_dependency(db.session, dependency_code) if dependency_code else None
    if dependency_code and dependency is None:
        _fail(f"No existe la dependencia {dependency_code}.")
    try:
        services.assign_role(db.session, actor=None, user=user, role=Role(role), dependency=dependency)
    except DomainError as exc:
        _fail(exc.message)
    db.session.commit()
    click.echo(f"{username}: rol {role} asignado.")


@audit_cli.command("verify")
def verify_audit() -> None:
    """Verifica la cadena de auditoría; termina con error y nombra el primer evento alterado."""
    from portal.audit import verify_chain

    problem = verify_chain(db.session)
    if problem is not None:
        raise click.ClickException(f"Cadena de auditoría rota en el evento {problem.event_id}: {problem.reason}.")
    click.echo("Cadena de auditoría íntegra.")


@demo_cli.command("load")
def load_demo_data() -> None:
    """Carga las dependencias del perfil, las cuentas de demostración y, si el comité no tiene
    sesiones, una sesión convocada para hoy con una iniciativa en el orden del día (idempotente)."""
    from portal.demo import load_demo

    done = load_demo(db.session, command=True)
    db.session.commit()
    click.echo(f"Datos de demostración: {len(done)} elementos nuevos.")
    for line in done:
        click.echo(f"  - {line}")


@demo_cli.command("accounts")
def list_demo_accounts() -> None:
    """Muestra las cuentas de demostración, sus roles y la contraseña común."""
    from sqlalchemy import select

    from portal.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
    from portal.models import User

    names = ["admin", *DEMO_ACCOUNTS]
    users = {u.username: u for u in db.session.execute(select(User).where(User.username.in_(names))).scalars()}
    click.echo(f"Cuentas de demostración (contraseña: {DEMO_PASSWORD}):")
    for name in names:
        if name in users:
            roles = ", ".join(str(role.label) for role in sorted(users[name].roles, key=lambda r: r.value))
            click.echo(f"  {name:<16} {roles}")


@mail_cli.command("test")
@click.argument("address")
def send_test_mail(address: str) -> None:
    """Envía un correo de prueba (por el trabajador de Celery) para verificar la configuración."""
    from portal.mail import OutgoingMail, queue_mail

    queue_mail(OutgoingMail(to=(address,), subject="Mesa TIC: correo de prueba", template="test"))
    click.echo(f"Correo de prueba encolado para {address}.")


def register_cli(app: Flask) -> None:
    """The shell's command groups; each domain package adds its own in its ``init_app``."""
    for group in (users_cli, audit_cli, demo_cli, mail_cli):
        app.cli.add_command(group)
