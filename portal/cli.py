"""``flask …`` commands of the portal package: users, tokens, demo data, audit."""

from __future__ import annotations

import os
from typing import NoReturn

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

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


def _fail(message: str) -> NoReturn:
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
@click.option("--days", type=click.IntRange(1, 3650), default=None, help="Vigencia en días (por defecto API_TOKEN_DAYS, 90).")
def create_token(username: str, name: str, days: int | None) -> None:
    """Emite un token personal de la API y lo imprime (solo esta vez)."""
    user = _user_or_fail(username)
    try:
        token, _row = services.issue_api_token(
            db.session, actor=None, user=user, name=name, days=days or int(current_app.config["API_TOKEN_DAYS"])
        )
    except DomainError as exc:
        _fail(exc.message)
    db.session.commit()
    click.echo(token)


@users_cli.command("tokens")
@click.argument("username")
def list_tokens(username: str) -> None:
    """Lista los tokens de un usuario: id, prefijo, nombre, vencimiento, último uso y estado."""
    from portal.db import utcnow

    user = _user_or_fail(username)
    now = utcnow()
    rows = services.tokens_of(db.session, user)
    if not rows:
        click.echo(f"{username} no tiene tokens.")
    for row in rows:
        state = "revocado" if row.revoked_at else ("vencido" if row.expires_at <= now else "vigente")
        last = row.last_used_at.isoformat(timespec="minutes") if row.last_used_at else "nunca"
        click.echo(
            f"{row.id}\t{row.prefix}\t{row.name}\tvence {row.expires_at.isoformat(timespec='minutes')}\túltimo uso {last}\t{state}"
        )


@users_cli.command("revoke-token")
@click.argument("reference")
def revoke_token(reference: str) -> None:
    """Revoca un token por su id o su prefijo (como los muestra `flask users tokens`)."""
    row = services.find_token(db.session, reference)
    if row is None:
        _fail(f"No existe el token {reference}.")
    try:
        services.revoke_api_token(db.session, actor=None, token=row)
    except DomainError as exc:
        _fail(exc.message)
    db.session.commit()
    click.echo(f"Token {row.prefix} ({row.name}) de {row.user.username} revocado.")


@users_cli.command("end-sessions")
@click.argument("username")
def end_sessions(username: str) -> None:
    """Cierra todas las sesiones web del usuario en todos sus dispositivos."""
    user = _user_or_fail(username)
    services.end_sessions(db.session, actor=None, user=user, reason="administrador")
    db.session.commit()
    click.echo(f"Sesiones de {username} cerradas.")


@users_cli.command("disable")
@click.argument("username")
def disable_user(username: str) -> None:
    """Desactiva la cuenta en el portal: cierra sus sesiones y sus tokens dejan de servir."""
    user = _user_or_fail(username)
    try:
        services.set_user_active(db.session, actor=None, user=user, is_active=False)
    except DomainError as exc:
        _fail(exc.message)
    db.session.commit()
    click.echo(f"Cuenta {username} desactivada.")


@users_cli.command("enable")
@click.argument("username")
def enable_user(username: str) -> None:
    """Vuelve a activar la cuenta en el portal."""
    user = _user_or_fail(username)
    try:
        services.set_user_active(db.session, actor=None, user=user, is_active=True)
    except DomainError as exc:
        _fail(exc.message)
    db.session.commit()
    click.echo(f"Cuenta {username} activada.")


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
    previous_head = dependency.head if dependency is not None else None
    try:
        services.assign_role(db.session, actor=None, user=user, role=Role(role), dependency=dependency)
        if Role(role) is Role.JEFE and dependency is not None and dependency.head_id != user.id:
            services.set_dependency_head(db.session, actor=None, dependency=dependency, user=user)
        else:
            previous_head = None
    except DomainError as exc:
        _fail(exc.message)
    db.session.commit()
    click.echo(f"{username}: rol {role} asignado.")
    if Role(role) is Role.JEFE and dependency is not None:
        replaced = _(" (antes: %(name)s)", name=previous_head.username) if previous_head is not None else ""
        click.echo(_("Jefe de %(code)s: %(username)s%(replaced)s.", code=dependency.code, username=username, replaced=replaced))


@audit_cli.command("verify")
@click.option(
    "--head",
    "head_file",
    default=None,
    help="Archivo de cabezas registradas (por defecto AUDIT_HEAD_FILE; sirve una copia guardada en otro lugar).",
)
def verify_audit(head_file: str | None) -> None:
    """Verifica la cadena de auditoría y la compara con la última cabeza registrada; termina con
    error y nombra el primer evento alterado, o los eventos recientes que faltan."""
    from portal.audit import check_head, last_recorded_head, verify_chain

    problem = verify_chain(db.session)
    if problem is not None:
        raise click.ClickException(f"Cadena de auditoría rota en el evento {problem.event_id}: {problem.reason}.")
    head = last_recorded_head(head_file or current_app.config["AUDIT_HEAD_FILE"])
    if head is None:
        click.echo("Aviso: no hay cabeza registrada con qué comparar (flask audit head la registra).")
    else:
        mismatch = check_head(db.session, head)
        if mismatch is not None:
            raise click.ClickException(
                f"La cadena no coincide con la cabeza registrada (evento {mismatch.event_id}): {mismatch.reason}."
            )
        click.echo(f"Coincide con la cabeza registrada el {head.recorded_at} ({head.count} eventos).")
    click.echo("Cadena de auditoría íntegra.")


@audit_cli.command("head")
def record_audit_head() -> None:
    """Registra la cabeza de la cadena (cantidad y último hash) en el registro y en AUDIT_HEAD_FILE
    (gemela de la tarea periódica portal.audit_head)."""
    from portal.audit import record_head

    head = record_head(db.session, current_app.config["AUDIT_HEAD_FILE"])
    click.echo(f"Cabeza registrada: {head.count} eventos, último {head.last_id} {head.last_hash}.")


@demo_cli.command("load")
def load_demo_data() -> None:
    """Carga las dependencias del perfil, las cuentas de demostración y, si el comité no tiene
    sesiones, una sesión convocada para hoy con una iniciativa en el orden del día (idempotente)."""
    from portal.demo import load_demo

    if current_app.config["PORTAL_ENV"] == "production":
        _fail("Los datos de demostración no se cargan en producción (PORTAL_ENV=production).")
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


@mail_cli.command("sweep")
def sweep_mail_command() -> None:
    """Envía ya los correos pendientes que estén vencidos (gemelo de la tarea periódica)."""
    from portal.tasks import sweep_mail

    click.echo(f"Correos enviados: {sweep_mail()}")


def register_cli(app: Flask) -> None:
    """The shell's command groups; each domain package adds its own in its ``init_app``."""
    from portal.setup_check import setup_cli

    for group in (users_cli, audit_cli, demo_cli, mail_cli, setup_cli):
        app.cli.add_command(group)
