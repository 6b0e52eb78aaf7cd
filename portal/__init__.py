"""The application shell (SPEC §1, §7, §8): the factory, login and sessions, roles, the organisation,
the audit trail, the UI frame and the API plumbing. It imports no domain package: each one named in
``PORTAL_DOMAINS`` joins through its ``init_app`` (``portal/shell.py``)."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, request, session
from flask_login import current_user, logout_user
from werkzeug.middleware.proxy_fix import ProxyFix

from config import build_config
from portal.routing import LazyBuilderRule

ROOT = Path(__file__).resolve().parent.parent


class PortalFlask(Flask):
    """Flask with URL rules that compile their URL builders on first use (``portal/routing.py``)."""

    url_rule_class = LazyBuilderRule


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    test_config = dict(test_config or {})
    instance_path = Path(test_config.pop("INSTANCE_PATH", None) or os.environ.get("PORTAL_INSTANCE_PATH") or ROOT / "instance")
    app = PortalFlask(__name__, instance_path=str(instance_path), instance_relative_config=True)
    app.config.update(build_config(instance_path, test_config))
    instance_path.mkdir(parents=True, exist_ok=True)
    Path(app.config["MAIL_FILE_PATH"]).mkdir(mode=0o700, parents=True, exist_ok=True)
    if int(os.environ.get("TRUSTED_PROXY_HOPS", "0") or 0):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(os.environ["TRUSTED_PROXY_HOPS"]), x_proto=1)  # type: ignore[method-assign]

    from portal.hygiene import init_hygiene

    init_hygiene(app)  # replaces the ``int`` URL converter: before any route is declared
    _init_extensions(app)
    _register_shell(app)
    for name in app.config["PORTAL_DOMAINS"]:
        importlib.import_module(name).init_app(app)
    _register_request_hooks(app)

    from portal.api import init_api
    from portal.celery_app import schedule_periodic_tasks
    from portal.errors import register_error_handlers

    init_api(app)
    schedule_periodic_tasks(app)
    register_error_handlers(app)
    return app


def _init_extensions(app: Flask) -> None:
    from portal import models  # noqa: F401  (register the tables)
    from portal.celery_app import celery_init_app
    from portal.extensions import babel, csrf, db, login_manager, mail, migrate
    from portal.i18n import register_formatters, select_locale

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            from sqlalchemy import event

            from portal.db import configure_sqlite

            event.listen(db.engine, "connect", configure_sqlite)
        if not app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping"):
            ping_after_idle(db.engine, float(app.config["DATABASE_POOL_PING_AFTER_IDLE_SECONDS"]))
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, default_translation_directories=str(ROOT / "translations"))
    register_formatters(app)
    from portal.throttle import init_throttle

    init_throttle(app)
    if app.config.get("MAIL_SERVER"):
        app.config.setdefault("MAIL_BACKEND", "smtp")
    else:
        app.config["MAIL_BACKEND"] = "portal.mail.PrivateFileEmailBackend"
    mail.init_app(app)
    from portal.mail import register_mail_hooks

    register_mail_hooks()
    celery_init_app(app)

    from portal.login import init_login

    init_login(app, login_manager)


def ping_after_idle(engine: Any, idle_seconds: float) -> None:
    """Ping a pooled connection before lending it only when it sat unused for ``idle_seconds``:
    a busy worker's connections are never pinged (a round trip saved on every request), while
    one lent after a quiet spell, when the server may have restarted, is checked first and
    replaced if dead."""
    from time import monotonic

    from sqlalchemy import event
    from sqlalchemy.exc import DisconnectionError

    def checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = monotonic()

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned_at = record.info.get("returned_at")
        if returned_at is None or monotonic() - returned_at < idle_seconds:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError() from exc  # the pool opens a new connection instead
        if not alive:
            raise DisconnectionError()

    event.listen(engine, "checkin", checkin)
    event.listen(engine, "checkout", checkout)


def _register_shell(app: Flask) -> None:
    from portal.account_views import bp as account_bp
    from portal.auth import bp as auth_bp
    from portal.cli import register_cli
    from portal.health import bp as health_bp
    from portal.shell import add_nav_items, add_panels
    from portal.views import DASHBOARD_PANELS, NAV_ITEMS
    from portal.views import bp as portal_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(portal_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(health_bp)
    add_nav_items(app, *NAV_ITEMS)
    add_panels(app, DASHBOARD_PANELS)
    register_cli(app)


SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


#: how stale the session's "last seen" may get before a request rewrites it (and with it the
#: cookie): the idle limit is counted from at most this long before the last request
LAST_SEEN_RESOLUTION_SECONDS = 60


def _register_request_hooks(app: Flask) -> None:
    from portal.audit import source_address
    from portal.db import utcnow

    @app.before_request
    def remember_source_and_check_session() -> None:
        source_address.set(request.remote_addr)
        if request.path.startswith(("/static/", "/api/")) or "_user_id" not in session:
            return
        if not current_user.is_authenticated:  # ended on the server (or the cookie moved): forget it
            session.clear()
            session["ended"] = "revoked"
            return
        now = utcnow().timestamp()
        login_at, last_seen = session.get("login_at"), session.get("last_seen")
        if login_at is None or now - float(login_at) > current_app.config["SESSION_MAX_LIFETIME"].total_seconds():
            ended = "max"
        elif last_seen is None or now - float(last_seen) > current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds():
            ended = "idle"
        else:
            if now - float(last_seen) >= LAST_SEEN_RESOLUTION_SECONDS:
                session["last_seen"] = now  # a changed session is a new cookie on the answer
            return
        logout_user()
        session.clear()
        session["ended"] = ended

    @app.after_request
    def security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if current_user and current_user.is_authenticated and not request.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
