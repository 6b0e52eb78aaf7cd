"""Throttling of failed logins: the one module that talks to the rate limiter's storage.

Two keys, each with tiers that grow (``LOGIN_RATE_LIMIT`` for one user from one address,
``LOGIN_ADDRESS_RATE_LIMIT`` for one address, higher because an office shares it behind a NAT):
a tier that is full refuses further attempts, correct password or not, until its window frees a
slot. Only failures count. A person who mistyped does not lock out the rest of the office, and a
guesser meets longer and longer waits (5 failures: minutes; 10: an hour; 20: a day by default).

The counters live in ``RATELIMIT_STORAGE_URI`` (Redis in production, so every web host shares
them), read with the ``limits`` package's moving-window strategy so the wait we announce is the
real one. The store and the strategy are built once, when the application starts
(``init_throttle``), and only a login attempt talks to them: no other request pays a round trip
to the counters (Flask-Limiter's extension, which checks limits before every request, is not
installed: the portal declares no per-route limit).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from flask import Flask, current_app
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from redis.exceptions import RedisError


@dataclass(frozen=True)
class Refusal:
    """An attempt refused before checking the password: which key, and for how many seconds."""

    scope: str  # "usuario" (this user from this address) or "direccion" (this address)
    retry_after: int

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))


def _keys(username: str, address: str) -> list[tuple[str, str, list[RateLimitItem]]]:
    config = current_app.config
    user = username.strip().lower()[:120]
    return [
        ("usuario", f"login-fail:{address}:{user}", parse_many(str(config["LOGIN_RATE_LIMIT"]))),
        ("direccion", f"login-fail:{address}", parse_many(str(config["LOGIN_ADDRESS_RATE_LIMIT"]))),
    ]


#: what a counters' store that does not answer raises
STORAGE_ERRORS = (RedisError, OSError)


def init_throttle(app: Flask) -> None:
    """Build the counters' store (no connection is opened before the first failed login)."""
    options = dict(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {})
    storage = storage_from_string(str(app.config["RATELIMIT_STORAGE_URI"]), **options)
    app.extensions["login_throttle"] = MovingWindowRateLimiter(storage)


def _strategy() -> MovingWindowRateLimiter:
    return current_app.extensions["login_throttle"]  # type: ignore[no-any-return]


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def check_login(username: str, address: str) -> Refusal | None:
    """Whether a login attempt may go on; if not, the longest wait among the full tiers."""
    if not _enabled():
        return None
    strategy = _strategy()
    worst: Refusal | None = None
    now = time.time()
    try:
        for scope, key, items in _keys(username, address):
            for item in items:
                if not strategy.test(item, key):
                    stats = strategy.get_window_stats(item, key)
                    wait = max(1, math.ceil(stats.reset_time - now))
                    if worst is None or wait > worst.retry_after:
                        worst = Refusal(scope, wait)
    except STORAGE_ERRORS:
        # the counters' store (Redis) is down: people still log in; the password check stands
        current_app.logger.warning("Contadores de ingreso no disponibles: se admite el intento sin límite.")
        return None
    return worst


def record_login_failure(username: str, address: str) -> None:
    """Count one failed attempt against every tier of both keys."""
    if not _enabled():
        return
    strategy = _strategy()
    try:
        for _scope, key, items in _keys(username, address):
            for item in items:
                strategy.hit(item, key)
    except STORAGE_ERRORS:
        current_app.logger.warning("Contadores de ingreso no disponibles: el intento fallido no se contó.")
