"""``flask setup check``: the operator's first command. It checks, with what the environment
configures, each thing a working portal needs (profile, secrets, database, broker, directory and
the service account's rights, mail) and says in Spanish what is wrong; it exits non-zero when
something is. It changes nothing (it opens connections, reads, and says hello to the mail relay).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext
from ldap3 import BASE, SUBTREE
from ldap3.core.exceptions import LDAPException

from portal.directory import REQUIRED_ATTRIBUTES, Directory, DirectorySettings, DirectoryUnavailable

#: the paged results control (RFC 2696): the directory import pages its searches with it
PAGED_RESULTS_OID = "1.2.840.113556.1.4.319"
#: how many people the check reads to see which attributes the service account is shown
SAMPLE_SIZE = 50
MIN_SECRET_LENGTH = 32
TIMEOUT_SECONDS = 5


@dataclass(frozen=True)
class Check:
    component: str
    ok: bool
    message: str
    #: a warning is reported but does not make the check fail
    warning: bool = False


def check_profile(cfg: dict[str, Any]) -> list[Check]:
    profile = cfg["PROFILE"]
    return [Check(_("Perfil"), True, _("%(code)s: %(entity)s.", code=profile.code, entity=profile.entity_name))]


def check_secrets(cfg: dict[str, Any]) -> list[Check]:
    """In production the keys come from the environment (the start refuses otherwise); they must
    also be long enough, and cookies must travel only over HTTPS."""
    if cfg["PORTAL_ENV"] != "production":
        return [
            Check(
                _("Secretos"),
                True,
                _(
                    "entorno de desarrollo: las llaves se generan en la carpeta de la instancia (PORTAL_ENV=production las exige)."
                ),
                warning=True,
            )
        ]
    problems = [
        ngettext(
            "%(name)s es demasiado corta (mínimo %(num)d carácter).",
            "%(name)s es demasiado corta (mínimo %(num)d caracteres).",
            MIN_SECRET_LENGTH,
            name=name,
        )
        for name in ("SECRET_KEY", "AUDIT_HMAC_KEY")
        if len(str(cfg.get(name) or "")) < MIN_SECRET_LENGTH
    ]
    if not cfg.get("SESSION_COOKIE_SECURE"):
        problems.append(_("SESSION_COOKIE_SECURE está apagado: las cookies de sesión viajarían sin HTTPS."))
    if problems:
        return [Check(_("Secretos"), False, " ".join(problems))]
    return [Check(_("Secretos"), True, _("SECRET_KEY, AUDIT_HMAC_KEY y OUTBOX_KEY definidas; cookies solo por HTTPS."))]


def check_database() -> list[Check]:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from portal.extensions import db

    try:
        with db.engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except Exception as exc:  # noqa: BLE001 - any failure means the database cannot be used
        return [
            Check(
                _("Base de datos"),
                False,
                _("no responde (%(error)s). Revise DATABASE_URL.", error=_first_line(exc)),
            )
        ]
    name = db.engine.dialect.name
    heads = set(ScriptDirectory(current_app.extensions["migrate"].directory).get_heads())
    if current == heads:
        return [Check(_("Base de datos"), True, _("%(name)s responde; el esquema está al día.", name=name))]
    return [
        Check(_("Base de datos"), True, _("%(name)s responde.", name=name)),
        Check(
            _("Migraciones"),
            True,
            _("el esquema no está al día: ejecute flask db upgrade antes de iniciar el portal."),
            warning=True,
        ),
    ]


def check_broker() -> list[Check]:
    celery_app = current_app.extensions["celery"]
    url = str(celery_app.conf.broker_url)
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=TIMEOUT_SECONDS)
    except Exception as exc:  # noqa: BLE001
        return [Check(_("Broker"), False, _("no responde (%(error)s). Revise CELERY_BROKER_URL.", error=_first_line(exc)))]
    return [Check(_("Broker"), True, _("%(transport)s responde.", transport=url.split(":", 1)[0]))]


def check_directory(cfg: dict[str, Any]) -> list[Check]:
    """Bind as the service account, read both bases, see which attributes people are shown with,
    and (OpenLDAP) that the server offers the controls provisioning and the import use."""
    settings = DirectorySettings.from_config(cfg)
    directory = Directory(settings)
    name = _("Directorio")
    try:
        conn = directory.service_connection()
    except DirectoryUnavailable as exc:
        return [
            Check(
                name,
                False,
                _(
                    "la cuenta de servicio no pudo entrar (%(error)s). Revise LDAP_URL, LDAP_BIND_DN y LDAP_BIND_PASSWORD.",
                    error=exc,
                ),
            )
        ]
    checks: list[Check] = []
    try:
        for label, base in (("LDAP_USERS_DN", settings.users_dn), ("LDAP_GROUPS_DN", settings.groups_dn)):
            if not conn.search(base, "(objectClass=*)", BASE, attributes=["objectClass"]) or not conn.response:
                checks.append(Check(name, False, _("la cuenta de servicio no puede leer %(name)s=%(dn)s.", name=label, dn=base)))
        if checks:
            return checks
        wanted = [settings.attributes[key] for key in ("username", *REQUIRED_ATTRIBUTES)]
        conn.search(settings.users_dn, "(objectClass=person)", SUBTREE, attributes=wanted, size_limit=SAMPLE_SIZE)
        entries = [dict(e["attributes"]) for e in conn.response or [] if e.get("type") == "searchResEntry"]
        if not entries:
            checks.append(Check(name, False, _("no hay personas visibles bajo %(dn)s.", dn=settings.users_dn)))
        hidden = [
            attr
            for attr in (settings.attributes[key] for key in REQUIRED_ATTRIBUTES)
            if entries and sum(1 for e in entries if e.get(attr) in (None, "", [])) * 2 > len(entries)
        ]
        if hidden:
            checks.append(
                Check(
                    name,
                    False,
                    _(
                        "la cuenta de servicio no ve %(attributes)s en la mayoría de las personas: revise las ACL (la importación se negaría).",
                        attributes=", ".join(hidden),
                    ),
                )
            )
        if settings.flavor == "openldap" and not settings.is_mock:
            checks += _openldap_controls(conn)
    except LDAPException as exc:
        return [Check(name, False, _("no respondió a la lectura (%(error)s).", error=_first_line(exc)))]
    finally:
        try:
            conn.unbind()
        except LDAPException:
            pass
    if not checks or all(c.ok for c in checks):
        checks.insert(
            0,
            Check(
                name,
                True,
                _(
                    "la cuenta de servicio entra y lee personas y grupos, con sus atributos (%(flavor)s).",
                    flavor="demo" if settings.is_mock else settings.flavor,
                ),
            ),
        )
    return checks


def _openldap_controls(conn: Any) -> list[Check]:
    """Paged results must be offered. Relax Rules cannot be seen: OpenLDAP supports it without
    listing it in the root DSE's ``supportedControl``, so the check only reminds what it needs."""
    conn.search("", "(objectClass=*)", BASE, attributes=["supportedControl"])
    controls = {str(c) for e in conn.response or [] for c in e.get("attributes", {}).get("supportedControl", [])}
    if PAGED_RESULTS_OID not in controls:
        return [
            Check(
                _("Directorio"),
                False,
                _("el servidor no ofrece resultados paginados (para importar más de 500 personas)."),
            )
        ]
    return [
        Check(
            _("Directorio"),
            True,
            _(
                "el servidor ofrece resultados paginados; la cuenta necesita manage sobre las personas para Relax Rules (pwdReset y los bloqueos; no se prueba escribiendo)."
            ),
            warning=True,
        )
    ]


def check_mail(cfg: dict[str, Any]) -> list[Check]:
    name = _("Correo")
    server = cfg.get("MAIL_SERVER")
    if not server:
        folder = Path(str(cfg["MAIL_FILE_PATH"]))
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder / ".setup-check"
            probe.write_text("", encoding="utf-8")
            probe.unlink()
        except OSError as exc:
            return [Check(name, False, _("no se puede escribir en %(folder)s (%(error)s).", folder=folder, error=exc.strerror))]
        return [
            Check(
                name,
                True,
                _("sin MAIL_SERVER: los correos se escriben como archivos en %(folder)s.", folder=folder),
                warning=True,
            )
        ]
    port = int(cfg.get("MAIL_PORT") or 25)
    try:
        with smtplib.SMTP(server, port, timeout=TIMEOUT_SECONDS) as smtp:
            smtp.ehlo()
            if cfg.get("MAIL_USE_TLS"):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if cfg.get("MAIL_USERNAME"):
                smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
    except (OSError, smtplib.SMTPException) as exc:
        return [
            Check(
                name,
                False,
                _(
                    "el servidor %(server)s:%(port)d no aceptó la conexión (%(error)s). Revise MAIL_SERVER y MAIL_PORT.",
                    server=server,
                    port=port,
                    error=_first_line(exc),
                ),
            )
        ]
    return [Check(name, True, _("%(server)s:%(port)d responde.", server=server, port=port))]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:200]}" if text else type(exc).__name__


def run_checks(app: Flask) -> list[Check]:
    """Every component, in the order an operator fixes them."""
    cfg = dict(app.config)
    return [
        *check_profile(cfg),
        *check_secrets(cfg),
        *check_database(),
        *check_broker(),
        *check_directory(cfg),
        *check_mail(cfg),
    ]


setup_cli = AppGroup("setup", help="Puesta en marcha: verificar el entorno.")


@setup_cli.command("check")
def setup_check() -> None:
    """Verifica base de datos, broker, directorio (y los permisos de la cuenta de servicio),
    correo, secretos y perfil; termina con error si algo falla."""
    checks = run_checks(current_app._get_current_object())  # type: ignore[attr-defined]
    for check in checks:
        mark = "[aviso]" if check.ok and check.warning else ("[ok]" if check.ok else "[FALLA]")
        click.echo(f"{mark:8} {check.component}: {check.message}")
    failed = [c for c in checks if not c.ok]
    if failed:
        raise click.ClickException(
            ngettext(
                "%(num)d comprobación falló; corríjala y vuelva a ejecutar flask setup check.",
                "%(num)d comprobaciones fallaron; corríjalas y vuelva a ejecutar flask setup check.",
                len(failed),
            )
        )
    click.echo(_("Entorno listo."))
