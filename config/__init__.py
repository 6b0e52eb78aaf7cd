"""Settings read from the environment (SPEC §9), with embedded defaults for a first run.

``build_config(instance_path, overrides)`` returns the flat mapping Flask loads. Every variable of
SPEC §9 has a default that needs no server: SQLite under ``instance/``, a SQLite-backed Celery
broker, the demo directory (an in-process LDAP seeded from the profile's ``config/demo_directory*.ldif``) and mail
written to ``instance/mail/``. In production (``PORTAL_ENV=production``) the start-up stops with a
clear message when a secret is missing (``SECRET_KEY``, ``AUDIT_HMAC_KEY``), when the directory is
still the demo one, or when mail has nowhere explicit to go (``production_problems``).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from config.profiles import get_profile

CONFIG_DIR = Path(__file__).resolve().parent
DEMO_LDAP_URL = "mock://demo"


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "si", "sí", "on"}


def _secret_key(instance_path: Path, production: bool) -> str:
    key = _env("SECRET_KEY")
    if key:
        return key
    if production:
        raise RuntimeError("SECRET_KEY must be set in production (PORTAL_ENV=production)")
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _outbox_key(instance_path: Path) -> str:
    """The Fernet key that seals temporary passwords in the mail outbox, generated into ``instance/``
    for a first run (production must set it: ``production_problems``); never in the database."""
    from cryptography.fernet import Fernet

    key_file = instance_path / "outbox_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_bytes(Fernet.generate_key())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DOMAINS = ("tickets", "enlaces", "sla", "catalog", "committee", "gobierno_digital")


def _audit_hmac_key(secret_key: str) -> str:
    """Outside production the audit chain's key is derived from the secret key (itself generated
    into ``instance/``): stable for a first run, never stored in the database."""
    return hmac.new(secret_key.encode("utf-8"), b"mesatic-audit-chain", hashlib.sha256).hexdigest()


def production_problems(cfg: dict[str, Any], explicit: dict[str, Any]) -> list[str]:
    """What stops a production start: each missing secret or demo default, in one message."""
    problems = []
    if not explicit.get("SECRET_KEY"):
        problems.append("SECRET_KEY must be set")
    if not explicit.get("AUDIT_HMAC_KEY"):
        problems.append("AUDIT_HMAC_KEY must be set (the audit chain's key, kept out of the database)")
    if not explicit.get("OUTBOX_KEY"):
        problems.append("OUTBOX_KEY must be set (the key that seals temporary passwords in the mail outbox)")
    ldap_url = str(cfg.get("LDAP_URL") or "")
    if not explicit.get("LDAP_URL") or ldap_url.startswith("mock://"):
        problems.append("LDAP_URL must point to the institutional directory (the demo directory is for development)")
    if not cfg.get("MAIL_SERVER") and not explicit.get("MAIL_FILE_DIR"):
        problems.append("MAIL_SERVER must be set (or MAIL_FILE_DIR, to write mail as private files on purpose)")
    return problems


def build_config(instance_path: str | Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return Flask configuration for this process: environment first, then embedded defaults."""
    instance = Path(instance_path)
    overrides = dict(overrides or {})
    production = (overrides.get("PORTAL_ENV") or _env("PORTAL_ENV", "development")) == "production"
    profile_code = overrides.get("PORTAL_PROFILE") or _env("PORTAL_PROFILE", "valle") or "valle"
    secure_cookies = _env_bool("SESSION_COOKIE_SECURE", production)

    cfg: dict[str, Any] = {
        "PORTAL_ENV": "production" if production else "development",
        "PORTAL_PROFILE": profile_code,
        #: the domain packages this deployment runs, in this order (each joins through its ``init_app``)
        "PORTAL_DOMAINS": DOMAINS,
        "PROFILE": get_profile(profile_code),
        "SQLALCHEMY_DATABASE_URI": _env("DATABASE_URL", f"sqlite:///{instance / 'mesatic.sqlite'}"),
        #: no ping on every checkout (a round trip on every request): only a connection idle for
        #: ``DATABASE_POOL_PING_AFTER_IDLE_SECONDS`` is pinged (``portal.ping_after_idle``); one the
        #: server dropped meanwhile fails its first statement, which invalidates the whole pool
        #: (``portal.login`` retries the session's user once); ``pool_recycle`` renews old ones
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_pre_ping": _env_bool("DATABASE_POOL_PRE_PING", False),
            "pool_recycle": int(_env("DATABASE_POOL_RECYCLE_SECONDS", "1800") or 1800),
        },
        "DATABASE_POOL_PING_AFTER_IDLE_SECONDS": float(_env("DATABASE_POOL_PING_AFTER_IDLE_SECONDS", "10") or 10),
        "CELERY_BROKER_URL": _env("CELERY_BROKER_URL", f"sqla+sqlite:///{instance / 'broker.sqlite'}"),
        "CELERY_TASK_ALWAYS_EAGER": False,
        "LDAP_URL": _env("LDAP_URL", DEMO_LDAP_URL),
        "LDAP_BIND_DN": _env("LDAP_BIND_DN", "cn=admin,dc=demo,dc=gov,dc=co"),
        "LDAP_BIND_PASSWORD": _env("LDAP_BIND_PASSWORD", "demo-directory"),
        "LDAP_USERS_DN": _env("LDAP_USERS_DN", "ou=people,dc=demo,dc=gov,dc=co"),
        "LDAP_GROUPS_DN": _env("LDAP_GROUPS_DN", "ou=groups,dc=demo,dc=gov,dc=co"),
        #: organisational units naming the dependencies (``ou`` = code, ``description`` = name); empty: the users' base's parent
        "LDAP_DEPENDENCIES_DN": _env("LDAP_DEPENDENCIES_DN", ""),
        "LDAP_FLAVOR": _env("LDAP_FLAVOR", "openldap"),
        "LDAP_USER_ATTRIBUTE": _env("LDAP_USER_ATTRIBUTE", "uid"),
        "LDAP_TIMEOUT": int(_env("LDAP_TIMEOUT", "5") or 5),
        "LDAP_DEMO_LDIF": str(CONFIG_DIR / get_profile(profile_code).demo_directory),
        "LDAP_DEMO_STATE": str(instance / "demo_directory.json"),
        "MAIL_SERVER": _env("MAIL_SERVER"),
        "MAIL_PORT": int(_env("MAIL_PORT", "25") or 25),
        "MAIL_USE_TLS": _env_bool("MAIL_USE_TLS", False),
        "MAIL_USERNAME": _env("MAIL_USERNAME"),
        "MAIL_PASSWORD": _env("MAIL_PASSWORD"),
        "MAIL_DEFAULT_SENDER": _env("MAIL_DEFAULT_SENDER", "mesatic@localhost"),
        "MAIL_FILE_PATH": _env("MAIL_FILE_DIR", str(instance / "mail")),
        "PROVISIONING_BACKOFF_SECONDS": float(_env("PROVISIONING_BACKOFF_SECONDS", "30") or 30),
        "PROVISIONING_BACKOFF_MAX_SECONDS": float(_env("PROVISIONING_BACKOFF_MAX_SECONDS", "1800") or 1800),
        "PROVISIONING_LEASE_SECONDS": float(_env("PROVISIONING_LEASE_SECONDS", "45") or 45),
        "PROVISIONING_GRACE_SECONDS": float(_env("PROVISIONING_GRACE_SECONDS", "60") or 60),
        "PROVISIONING_MAX_ATTEMPTS": int(_env("PROVISIONING_MAX_ATTEMPTS", "8") or 8),
        "MAIL_BACKOFF_SECONDS": float(_env("MAIL_BACKOFF_SECONDS", "30") or 30),
        "MAIL_BACKOFF_MAX_SECONDS": float(_env("MAIL_BACKOFF_MAX_SECONDS", "1800") or 1800),
        "MAIL_MAX_ATTEMPTS": int(_env("MAIL_MAX_ATTEMPTS", "10") or 10),
        "MAIL_LEASE_SECONDS": float(_env("MAIL_LEASE_SECONDS", "120") or 120),
        #: how long /readyz and /healthz reuse their last answer (seconds), so probes never pile up
        "HEALTH_CACHE_SECONDS": float(_env("HEALTH_CACHE_SECONDS", "10") or 10),
        #: each worker writes its heartbeat this often; /healthz flags workers and beat stale after these ages
        "WORKER_HEARTBEAT_SECONDS": float(_env("WORKER_HEARTBEAT_SECONDS", "30") or 30),
        "WORKER_STALE_SECONDS": float(_env("WORKER_STALE_SECONDS", "90") or 90),
        "BEAT_STALE_SECONDS": float(_env("BEAT_STALE_SECONDS", "180") or 180),
        "PUBLIC_BASE_URL": _env("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "SESSION_COOKIE_NAME": "mesatic_session",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=int(_env("SESSION_IDLE_MINUTES", "30") or 30)),
        #: Hard limit from the login, whatever the activity (the idle limit is the one above).
        "SESSION_MAX_LIFETIME": timedelta(hours=float(_env("SESSION_MAX_HOURS", "12") or 12)),
        "API_TOKEN_DAYS": int(_env("API_TOKEN_DAYS", "90") or 90),
        "API_TOKEN_MAX_DAYS": int(_env("API_TOKEN_MAX_DAYS", "365") or 365),
        "AUDIT_HEAD_FILE": _env("AUDIT_HEAD_FILE", str(instance / "audit_head.jsonl")),
        "SESSION_REFRESH_EACH_REQUEST": True,
        "WTF_CSRF_TIME_LIMIT": None,
        #: the failed-login counters (``portal.throttle``); with it down, logins go on uncounted
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        "RATELIMIT_ENABLED": _env_bool("RATELIMIT_ENABLED", True),
        #: Failed logins of one user from one address, then of one address (an office behind one
        #: NAT shares it): each tier a longer wait (``portal.throttle``).
        "LOGIN_RATE_LIMIT": _env("LOGIN_RATE_LIMIT", "5 per 5 minutes; 10 per hour; 20 per day"),
        "LOGIN_ADDRESS_RATE_LIMIT": _env("LOGIN_ADDRESS_RATE_LIMIT", "60 per 15 minutes; 300 per day"),
        "BABEL_DEFAULT_LOCALE": "es_CO",
        "BABEL_DEFAULT_TIMEZONE": "America/Bogota",
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024 + 512 * 1024,
        "API_TITLE": "Mesa TIC API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.1.0",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {
            "components": {
                "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            },
            "security": [{"bearerAuth": []}],
        },
    }
    explicit = {
        name: overrides.get(name) or _env(name)
        for name in ("SECRET_KEY", "AUDIT_HMAC_KEY", "OUTBOX_KEY", "LDAP_URL", "MAIL_FILE_DIR")
    }
    cfg.update(overrides)
    if production and (problems := production_problems(cfg, explicit)):
        raise RuntimeError("Production (PORTAL_ENV=production) cannot start: " + "; ".join(problems) + ".")
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = _secret_key(instance, production)
    cfg["AUDIT_HMAC_KEY"] = explicit["AUDIT_HMAC_KEY"] or cfg.get("AUDIT_HMAC_KEY") or _audit_hmac_key(cfg["SECRET_KEY"])
    cfg["OUTBOX_KEY"] = explicit["OUTBOX_KEY"] or cfg.get("OUTBOX_KEY") or _outbox_key(instance)
    cfg["PROFILE"] = get_profile(cfg["PORTAL_PROFILE"])
    return cfg
