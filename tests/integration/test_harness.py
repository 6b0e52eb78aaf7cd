"""The integration-test services themselves behave like the real thing."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import ldap3
import psycopg
import pytest
import redis
from ldap3.core.exceptions import LDAPException, LDAPSocketOpenError
from ldap3.utils.conv import escape_filter_chars

from tests.fixtures.services import (
    Postgres,
    Redis,
    ServiceError,
    Slapd,
    free_port,
    wait_for_port,
)

pytestmark = pytest.mark.integration

PASSWORD = Slapd.user_password
LOCKOUT_UID = "bloqueado.test"


def _port_is_closed(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0):
            return False
    except OSError:
        return True


@pytest.fixture
def lockout_account(slapd_server: Slapd) -> Iterator[str]:
    """The lockout test account, unlocked before and after the test."""
    slapd_server.unlock_user(LOCKOUT_UID)
    yield slapd_server.user_dn(LOCKOUT_UID)
    slapd_server.unlock_user(LOCKOUT_UID)


def test_env_points_at_the_server(slapd_server: Slapd) -> None:
    env = slapd_server.env()
    assert env == {
        "LDAP_URL": slapd_server.url,
        "LDAP_BIND_DN": "cn=admin,dc=demo,dc=gov,dc=co",
        "LDAP_BIND_PASSWORD": slapd_server.bind_password,
        "LDAP_USERS_DN": "ou=people,dc=demo,dc=gov,dc=co",
        "LDAP_GROUPS_DN": "ou=groups,dc=demo,dc=gov,dc=co",
        "LDAP_FLAVOR": "openldap",
    }
    assert slapd_server.try_bind(env["LDAP_BIND_DN"], env["LDAP_BIND_PASSWORD"])


def test_user_bind_checks_the_password(slapd_server: Slapd) -> None:
    dn = slapd_server.user_dn("jefe.salud")
    assert slapd_server.try_bind(dn, PASSWORD)
    assert not slapd_server.try_bind(dn, "Demo2026?")


def test_users_read_the_tree_but_not_passwords(slapd_server: Slapd) -> None:
    slapd_server.ensure_member("sap-consulta", "jefe.hacienda")
    conn = slapd_server.connection(slapd_server.user_dn("jefe.salud"), PASSWORD)
    try:
        conn.search(slapd_server.groups_dn, "(cn=sap-consulta)", attributes=["member"])
        members = conn.response[0]["attributes"]["member"]
        assert slapd_server.user_dn("jefe.hacienda") in members
        conn.search(
            slapd_server.user_dn("enlace.salud"),
            "(objectClass=*)",
            search_scope=ldap3.BASE,
            attributes=["mail", "ou", "userPassword"],
        )
        attributes = conn.response[0]["attributes"]
        assert attributes["mail"] == ["enlace.salud@valledelcauca.gov.co"]
        assert attributes["ou"] == ["SAL"]
        assert not attributes.get("userPassword")
    finally:
        conn.unbind()


def test_three_failed_binds_lock_the_account(slapd_server: Slapd, lockout_account: str) -> None:
    for _ in range(3):
        assert not slapd_server.try_bind(lockout_account, "wrong-password")
    entry = slapd_server.read_entry(lockout_account)
    assert entry.get("pwdAccountLockedTime")
    assert len(entry["pwdFailureTime"]) == 3
    assert not slapd_server.try_bind(lockout_account, PASSWORD)
    slapd_server.unlock_user(LOCKOUT_UID)
    assert slapd_server.try_bind(lockout_account, PASSWORD)


def test_lock_user_blocks_the_right_password(slapd_server: Slapd, lockout_account: str) -> None:
    slapd_server.lock_user(LOCKOUT_UID)
    assert slapd_server.read_entry(lockout_account).get("pwdAccountLockedTime")
    assert not slapd_server.try_bind(lockout_account, PASSWORD)


def test_escaped_filter_finds_special_characters(slapd_server: Slapd) -> None:
    name = "Pérez (contratista) *"
    conn = slapd_server.connection(slapd_server.user_dn("jefe.salud"), PASSWORD)
    try:
        conn.search(slapd_server.users_dn, f"(cn={escape_filter_chars(name)})", attributes=["uid", "cn"])
        found = [item for item in conn.response if item["type"] == "searchResEntry"]
    finally:
        conn.unbind()
    # the session's directory is shared: other tests may have created people of the same name;
    # the escaped ``*`` and parentheses match that exact name and nothing else
    assert ["perez.test"] in [item["attributes"]["uid"] for item in found]
    assert all(item["attributes"]["cn"] == [name] for item in found)


def test_slapd_restart_keeps_data_and_port(slapd_server: Slapd) -> None:
    dn = slapd_server.user_dn("integrante3")
    url = slapd_server.url
    slapd_server.modify(f"dn: {dn}\nchangetype: modify\nreplace: telephoneNumber\ntelephoneNumber: 6026200000\n")
    with slapd_server.stopped():
        assert not slapd_server.running
        assert _port_is_closed(slapd_server.port)
        with pytest.raises(LDAPSocketOpenError):
            slapd_server.try_bind(dn, PASSWORD)
    assert slapd_server.url == url
    assert slapd_server.try_bind(dn, PASSWORD)
    assert slapd_server.read_entry(dn)["telephoneNumber"] == ["6026200000"]


def test_paused_slapd_times_out_then_recovers(slapd_server: Slapd) -> None:
    dn = slapd_server.user_dn("integrante3")
    with slapd_server.paused(), pytest.raises(LDAPException):
        slapd_server.try_bind(dn, PASSWORD, timeout=1)
    assert slapd_server.try_bind(dn, PASSWORD)


def test_postgres_answers_queries(postgres_server: Postgres) -> None:
    assert postgres_server.url.startswith("postgresql+psycopg://postgres@127.0.0.1:")
    assert postgres_server.url.endswith("/mesatic_test")
    with psycopg.connect(postgres_server.dsn()) as conn:
        version = conn.execute("select version()").fetchone()
    assert version is not None
    assert version[0].startswith("PostgreSQL")


def test_postgres_create_database_and_restart(postgres_server: Postgres) -> None:
    url = postgres_server.create_database("harness_check")
    assert url == postgres_server.create_database("harness_check")
    libpq_url = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(libpq_url) as conn:
        conn.execute("create table if not exists kept (value text)")
        conn.execute("insert into kept values ('before restart')")
    postgres_server.restart()
    with psycopg.connect(libpq_url) as conn:
        rows = conn.execute("select value from kept").fetchall()
    postgres_server.drop_database("harness_check")
    assert rows == [("before restart",)]


def test_redis_answers_and_restarts_on_the_same_port(redis_server: Redis) -> None:
    client = redis.Redis.from_url(redis_server.url)
    try:
        assert client.ping()
        client.set("harness", "ok")
        assert client.get("harness") == b"ok"
        port = redis_server.port
        with redis_server.stopped():
            assert _port_is_closed(port)
        assert redis_server.port == port
        assert client.ping()
        assert client.get("harness") is None
    finally:
        client.close()


def test_failed_start_reports_the_log(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        server = Redis(tmp_path, port=busy.getsockname()[1])
        with pytest.raises(ServiceError, match="last lines of"):
            server.start(timeout=10)
    assert not server.running


def test_wait_for_port_times_out_on_a_closed_port() -> None:
    with pytest.raises(TimeoutError):
        wait_for_port("127.0.0.1", free_port(), timeout=0.3)
