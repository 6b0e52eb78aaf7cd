"""What every request pays before its view (issue 16): one statement on one pooled connection and
no ping, no round trip to the login counters, no new session cookie while nothing changed; and
what a gunicorn worker does once instead of on every request."""

from __future__ import annotations

import gc
import runpy
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError

from portal import login as login_module
from portal.extensions import db
from tests.conftest import login

ROOT = Path(__file__).resolve().parents[3]
COOKIE = "mesatic_session"


def _round_trips(app, monkeypatch, send) -> Counter[str]:  # type: ignore[no-untyped-def]
    """The statements, connection checkouts and pings one request sends to the database."""
    counts: Counter[str] = Counter()
    with app.app_context():
        engine = db.engine
    dialect = engine.dialect
    real_ping = dialect.do_ping

    def ping(connection: Any) -> bool:
        counts["pings"] += 1
        return real_ping(connection)

    def statement(*_args: Any) -> None:
        counts["statements"] += 1

    def checkout(*_args: Any) -> None:
        counts["checkouts"] += 1

    monkeypatch.setattr(dialect, "do_ping", ping)
    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine.pool, "checkout", checkout)
    try:
        send()
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine.pool, "checkout", checkout)
    return counts


@pytest.mark.parametrize("username", ["jefe.salud", "secretario"])
def test_a_signed_in_page_borrows_one_connection_without_a_ping_and_sends_one_statement(app, monkeypatch, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    assert client.get("/privacidad").status_code == 200  # a page that reads nothing itself

    def send() -> None:
        assert client.get("/privacidad").status_code == 200

    assert _round_trips(app, monkeypatch, send) == Counter(statements=1, checkouts=1)


def test_only_a_login_attempt_talks_to_the_login_counters(app, monkeypatch):
    storage = app.extensions["login_throttle"].storage
    calls: Counter[str] = Counter()
    for name in ("get_moving_window", "acquire_entry", "incr", "get", "check", "clear", "reset"):
        real = getattr(storage, name)

        def counted(*args: Any, _name: str = name, _real: Any = real, **kwargs: Any) -> Any:
            calls[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(storage, name, counted)
    client = app.test_client()
    assert login(client, "agente").status_code == 302
    attempts = sum(calls.values())
    assert attempts > 0  # the attempt was checked against the counters
    for path in ("/", "/privacidad", "/solicitudes", "/ingresar", "/api/v1/me"):
        client.get(path)
    assert sum(calls.values()) == attempts, calls
    assert login(app.test_client(), "agente", "contraseña-errada").status_code == 401
    assert sum(calls.values()) > attempts  # a failure is counted


def test_a_page_does_not_rewrite_the_session_cookie_while_nothing_changed(app):
    client = app.test_client()
    assert login(client, "agente").status_code == 302
    assert client.get("/").status_code == 200  # shows (and drops) the welcome message
    again = client.get("/")
    assert again.status_code == 200
    assert COOKIE not in again.headers.get("Set-Cookie", "")
    with client.session_transaction() as sess:
        sess["last_seen"] = sess["last_seen"] - 61
        stale = sess["last_seen"]
    later = client.get("/")
    assert later.status_code == 200 and COOKIE in later.headers.get("Set-Cookie", "")
    with client.session_transaction() as sess:
        assert sess["last_seen"] > stale + 60  # the idle clock restarted from this request


def test_a_dropped_connection_costs_a_signed_in_page_one_more_query_not_an_error(app, monkeypatch):
    client = app.test_client()
    assert login(client, "agente").status_code == 302
    real = login_module._fetch_session_user
    failures = []

    def dropped_once(user_id: int) -> Any:
        if not failures:
            failures.append(user_id)
            raise DBAPIError("SELECT users", {}, Exception("server closed the connection"), connection_invalidated=True)
        return real(user_id)

    monkeypatch.setattr(login_module, "_fetch_session_user", dropped_once)
    assert client.get("/").status_code == 200
    assert failures


def test_another_database_error_on_the_session_user_is_not_retried(app, monkeypatch):
    calls = []

    def broken(user_id: int) -> Any:
        calls.append(user_id)
        raise DBAPIError("SELECT users", {}, Exception("syntax error"))

    monkeypatch.setattr(login_module, "_fetch_session_user", broken)
    with app.app_context(), pytest.raises(DBAPIError):
        login_module.load_session_user(1, 0)
    assert calls == [1]


def test_a_gunicorn_worker_sets_its_long_lived_objects_aside_once_loaded_and_once_warm():
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    try:
        hooks["post_worker_init"](object())
        assert gc.get_freeze_count() > 0
        gc.unfreeze()

        class Worker:
            pass

        worker = Worker()
        for _ in range(hooks["WARM_REQUESTS"] - 1):
            hooks["post_request"](worker, None, {}, None)
        assert gc.get_freeze_count() == 0
        hooks["post_request"](worker, None, {}, None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def _menu(client, path: str = "/") -> str:  # type: ignore[no-untyped-def]
    page = client.get(path).get_data(as_text=True)
    return page[page.index('id="nav-principal"') : page.index("</nav>")]


def test_each_person_sees_the_menu_of_their_own_roles_once_menus_are_kept(app):
    admin, jefe = app.test_client(), app.test_client()
    assert login(admin, "admin").status_code == 302 and login(jefe, "jefe.salud").status_code == 302
    for _ in range(2):  # the second round is served from the kept menus
        admin_menu, jefe_menu = _menu(admin), _menu(jefe)
        assert "/auditoria" in admin_menu and "/usuarios" in admin_menu
        assert "/auditoria" not in jefe_menu and "/usuarios" not in jefe_menu
        assert 'href="/dependencias" aria-current="page"' in _menu(jefe, "/dependencias")
        assert 'aria-current="page"' not in jefe_menu.split('href="/dependencias"')[1].split("</li>")[0]


def test_a_connection_lent_after_a_quiet_spell_is_pinged_and_replaced_if_dead(make_app, monkeypatch):
    app = make_app(DATABASE_POOL_PING_AFTER_IDLE_SECONDS=0)  # every connection counts as idle
    client = app.test_client()
    assert login(client, "agente").status_code == 302
    with app.app_context():
        engine = db.engine
    pings: list[bool] = []
    opened: list[int] = []

    def dead(_connection: Any) -> bool:
        pings.append(False)
        return False

    monkeypatch.setattr(engine.dialect, "do_ping", dead)
    event.listen(engine, "connect", lambda *_a: opened.append(1))
    assert client.get("/privacidad").status_code == 200
    assert pings and opened  # the dead connection was pinged, dropped and replaced
