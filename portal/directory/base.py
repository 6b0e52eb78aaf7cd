"""The one module that talks to the directory (ldap3), for login now and provisioning later.

Flavours: ``openldap`` (inetOrgPerson, groupOfNames, ppolicy) and ``ad`` (Active Directory).
``LDAP_URL=mock://demo`` selects the demo directory: an in-process ldap3 mock seeded from the LDIF
file in ``config/``, so a first run needs no server.

Every value that reaches a search filter goes through ``escape_filter_chars``; every DN component
built from data goes through ``escape_rdn``.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ldap3 import BASE, MOCK_SYNC, OFFLINE_SLAPD_2_4, SUBTREE, Connection, Server
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars

#: ppolicy's value for an account disabled by an administrator rather than by failed binds.
DISABLED_LOCK_TIME = "000001010000Z"
MAX_USERNAME_LENGTH = 120

ATTRIBUTE_MAPS: dict[str, dict[str, str]] = {
    "openldap": {
        "username": "uid",
        "full_name": "cn",
        "email": "mail",
        "position": "title",
        "dependency": "ou",
        "document": "employeeNumber",
        #: where an account created by the portal names the request that created it
        "origin": "description",
    },
    "ad": {
        "username": "sAMAccountName",
        "full_name": "displayName",
        "email": "mail",
        "position": "title",
        "dependency": "department",
        "document": "employeeID",
        "origin": "description",
    },
}


#: attributes (keys of the attribute map) the portal relies on: when most entries come without one,
#: the service account cannot read it (an ACL), and importing people would blank it for everyone
REQUIRED_ATTRIBUTES = ("full_name", "email", "position")


class DirectoryUnavailable(Exception):
    """The directory could not be reached or did not answer as expected."""


class AuthStatus(StrEnum):
    OK = "ok"
    INVALID = "invalid"
    LOCKED = "locked"
    DISABLED = "disabled"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class DirectoryPerson:
    dn: str
    username: str
    full_name: str
    email: str | None = None
    position: str | None = None
    dependency_code: str | None = None
    document: str | None = None


@dataclass(frozen=True)
class DirectoryAccount:
    """An account found in the directory, and whether it is retired (disabled) or locked."""

    person: DirectoryPerson
    status: AuthStatus | None = None

    @property
    def is_retired(self) -> bool:
        return self.status is AuthStatus.DISABLED


@dataclass(frozen=True)
class AuthResult:
    status: AuthStatus
    person: DirectoryPerson | None = None


@dataclass(frozen=True)
class DirectorySettings:
    url: str
    bind_dn: str
    bind_password: str
    users_dn: str
    groups_dn: str
    flavor: str = "openldap"
    timeout: int = 5
    demo_ldif: str | None = None
    #: where the demo directory keeps its changes (shared by the web process and the worker)
    demo_state: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    #: where the organisational units describing dependencies are (empty: the users' base's parent)
    dependencies_dn: str = ""

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> DirectorySettings:
        flavor = str(cfg.get("LDAP_FLAVOR") or "openldap").lower()
        if flavor not in ATTRIBUTE_MAPS:
            raise RuntimeError(f"LDAP_FLAVOR={flavor!r}: use 'openldap' or 'ad'")
        attributes = dict(ATTRIBUTE_MAPS[flavor])
        if cfg.get("LDAP_USER_ATTRIBUTE"):
            attributes["username"] = str(cfg["LDAP_USER_ATTRIBUTE"])
        attributes.update(cfg.get("LDAP_ATTRIBUTE_MAP") or {})
        return cls(
            url=str(cfg["LDAP_URL"]),
            bind_dn=str(cfg["LDAP_BIND_DN"]),
            bind_password=str(cfg["LDAP_BIND_PASSWORD"]),
            users_dn=str(cfg["LDAP_USERS_DN"]),
            groups_dn=str(cfg["LDAP_GROUPS_DN"]),
            flavor=flavor,
            timeout=int(cfg.get("LDAP_TIMEOUT") or 5),
            demo_ldif=cfg.get("LDAP_DEMO_LDIF"),
            demo_state=cfg.get("LDAP_DEMO_STATE"),
            attributes=attributes,
            dependencies_dn=str(cfg.get("LDAP_DEPENDENCIES_DN") or ""),
        )

    @property
    def is_mock(self) -> bool:
        return self.url.startswith("mock://")


_mock_servers: dict[tuple[str, str | None, str | None], tuple[Server, float]] = {}
_mock_lock = threading.Lock()


def _load_ldif(path: str) -> list[tuple[str, dict[str, list[str]]]]:
    from ldif import LDIFParser

    with open(path, "rb") as fh:
        return [(dn, dict(entry)) for dn, entry in LDIFParser(fh).parse() if dn]


def _state_mtime(path: str | None) -> float:
    try:
        return os.stat(path).st_mtime if path else 0.0
    except FileNotFoundError:
        return 0.0


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _mock_server(settings: DirectorySettings) -> Server:
    """The demo directory: an in-process ldap3 mock seeded from the LDIF file.

    Its changes are kept in a JSON file (``LDAP_DEMO_STATE``) so that the web process and the
    worker of ``make run`` see the same directory; each process reloads it when it changes.
    """
    key = (settings.url, settings.demo_ldif, settings.demo_state)
    with _mock_lock:
        cached = _mock_servers.get(key)
        mtime = _state_mtime(settings.demo_state)
        if cached is not None and cached[1] == mtime:
            return cached[0]
        server = Server(settings.url.removeprefix("mock://") or "demo", get_info=OFFLINE_SLAPD_2_4)
        seeder = Connection(server, client_strategy=MOCK_SYNC)
        if mtime:
            with open(settings.demo_state, encoding="utf-8") as fh:  # type: ignore[arg-type]
                entries = json.load(fh)
        else:
            entries = [[settings.bind_dn, {"userPassword": [settings.bind_password], "sn": ["admin"]}]]
            entries += [[dn, attrs] for dn, attrs in (_load_ldif(settings.demo_ldif) if settings.demo_ldif else [])]
        for dn, attrs in entries:
            seeder.strategy.add_entry(dn, attrs, validate=False)
        _mock_servers[key] = (server, mtime)
        return server


def save_mock_state(settings: DirectorySettings) -> None:
    """Write the demo directory to its JSON file (after a provisioning change)."""
    if not settings.is_mock or not settings.demo_state:
        return
    with _mock_lock:
        cached = _mock_servers.get((settings.url, settings.demo_ldif, settings.demo_state))
        if cached is None:
            return
        server = cached[0]
        entries = [
            [dn, {k: [_text(v) for v in vals] for k, vals in entry.items() if k.lower() != "entrydn"}]
            for dn, entry in server.dit.items()
        ]
        tmp = f"{settings.demo_state}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(entries, fh, ensure_ascii=False)
        os.replace(tmp, settings.demo_state)
        _mock_servers[(settings.url, settings.demo_ldif, settings.demo_state)] = (server, _state_mtime(settings.demo_state))


class Directory:
    def __init__(self, settings: DirectorySettings) -> None:
        self.settings = settings

    def _server(self) -> Server:
        if self.settings.is_mock:
            return _mock_server(self.settings)
        return Server(self.settings.url, get_info="NO_INFO", connect_timeout=self.settings.timeout)

    def connect(self, user: str | None = None, password: str | None = None) -> Connection:
        """An opened (not yet bound) connection. Raises DirectoryUnavailable when unreachable."""
        strategy = MOCK_SYNC if self.settings.is_mock else "SYNC"
        conn = Connection(
            self._server(),
            user=user,
            password=password,
            client_strategy=strategy,
            receive_timeout=self.settings.timeout,
            raise_exceptions=False,
        )
        try:
            conn.open()
        except LDAPException as exc:
            self._close_quietly(conn)
            raise DirectoryUnavailable(str(exc)) from exc
        return conn

    @staticmethod
    def _close_quietly(conn: Connection) -> None:
        """ldap3 leaves the socket of a failed open behind: close it ourselves."""
        sock = getattr(conn, "socket", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.close()
        with contextlib.suppress(LDAPException, OSError):
            conn.unbind()

    def service_connection(self) -> Connection:
        """A connection bound as the portal's service account."""
        conn = self.connect(self.settings.bind_dn, self.settings.bind_password)
        try:
            ok = conn.bind()
        except LDAPException as exc:
            raise DirectoryUnavailable(str(exc)) from exc
        if not ok:
            raise DirectoryUnavailable(f"service bind refused: {conn.result.get('description')}")
        return conn

    def ping(self) -> None:
        """Bind as the service account and read the users' base entry, or raise DirectoryUnavailable."""
        conn = self.service_connection()
        try:
            if not conn.search(self.settings.users_dn, "(objectClass=*)", BASE, attributes=["objectClass"]):
                raise DirectoryUnavailable(f"users base not readable: {conn.result.get('description')}")
        finally:
            conn.unbind()

    def person_from_entry(self, entry: Any) -> DirectoryPerson:
        attrs = entry["attributes"]
        amap = self.settings.attributes

        def first(name: str) -> str | None:
            value = attrs.get(amap[name])
            if isinstance(value, list):
                value = value[0] if value else None
            return str(value) if value not in (None, "") else None

        return DirectoryPerson(
            dn=entry["dn"],
            username=first("username") or "",
            full_name=first("full_name") or first("username") or "",
            email=first("email"),
            position=first("position"),
            dependency_code=first("dependency"),
            document=first("document"),
        )

    def find_person(self, conn: Connection, username: str) -> tuple[DirectoryPerson, dict[str, Any]] | None:
        """Look a person up by username with an escaped filter; None when absent or ambiguous."""
        amap = self.settings.attributes
        wanted = [amap[k] for k in ("username", "full_name", "email", "position", "dependency", "document")]
        lock_attrs = ["pwdAccountLockedTime"] if self.settings.flavor == "openldap" else ["lockoutTime", "userAccountControl"]
        search_filter = f"(&(objectClass=person)({amap['username']}={escape_filter_chars(username)}))"
        try:
            conn.search(self.settings.users_dn, search_filter, SUBTREE, attributes=wanted + lock_attrs, size_limit=2)
        except LDAPException as exc:
            raise DirectoryUnavailable(str(exc)) from exc
        if conn.result.get("result") not in (0, 4):
            raise DirectoryUnavailable(f"search failed: {conn.result.get('description')}")
        entries = [e for e in conn.response or [] if e.get("type") == "searchResEntry"]
        if len(entries) != 1:
            return None
        return self.person_from_entry(entries[0]), dict(entries[0]["attributes"])

    def find_accounts(self, *, username: str | None = None, email: str | None = None) -> list[DirectoryAccount]:
        """Accounts whose username or e-mail is the one given (escaped filter), with their state.

        Raises ``DirectoryUnavailable`` when the directory does not answer completely.
        """
        amap = self.settings.attributes
        terms = [
            f"({amap[key]}={escape_filter_chars(value)})" for key, value in (("username", username), ("email", email)) if value
        ]
        if not terms:
            return []
        wanted = [amap[k] for k in ("username", "full_name", "email", "position", "dependency", "document")]
        lock_attrs = ["pwdAccountLockedTime"] if self.settings.flavor == "openldap" else ["lockoutTime", "userAccountControl"]
        conn = self.service_connection()
        try:
            conn.search(
                self.settings.users_dn,
                f"(&(objectClass=person)(|{''.join(terms)}))",
                SUBTREE,
                attributes=wanted + lock_attrs,
                size_limit=10,
            )
            if conn.result.get("result") not in (0, 4):
                raise DirectoryUnavailable(f"search failed: {conn.result.get('description')}")
            entries = [e for e in conn.response or [] if e.get("type") == "searchResEntry"]
        except LDAPException as exc:
            raise DirectoryUnavailable(str(exc)) from exc
        finally:
            with contextlib.suppress(LDAPException):
                conn.unbind()
        return [DirectoryAccount(self.person_from_entry(e), self._lock_state(e["attributes"])) for e in entries]

    def groups_of(self, username: str) -> list[str]:
        """The DNs of the groups that hold the account (``member``), sorted; [] without account."""
        found = self.find_accounts(username=username)
        if len(found) != 1:
            return []
        object_class = "group" if self.settings.flavor == "ad" else "groupOfNames"
        conn = self.service_connection()
        try:
            conn.search(
                self.settings.groups_dn,
                f"(&(objectClass={object_class})(member={escape_filter_chars(found[0].person.dn)}))",
                SUBTREE,
                attributes=["cn"],
            )
            if conn.result.get("result") not in (0, 32):
                raise DirectoryUnavailable(f"search failed: {conn.result.get('description')}")
            groups = sorted(e["dn"] for e in conn.response or [] if e.get("type") == "searchResEntry")
        except LDAPException as exc:
            raise DirectoryUnavailable(str(exc)) from exc
        finally:
            with contextlib.suppress(LDAPException):
                conn.unbind()
        return groups

    def _lock_state(self, attrs: Mapping[str, Any]) -> AuthStatus | None:
        if self.settings.flavor == "ad":
            uac = attrs.get("userAccountControl") or 0
            if int(uac if not isinstance(uac, list) else uac[0]) & 0x2:
                return AuthStatus.DISABLED
            lockout = attrs.get("lockoutTime")
            lockout_value = lockout[0] if isinstance(lockout, list) and lockout else lockout
            if lockout_value and str(lockout_value) not in ("0", "1601-01-01 00:00:00+00:00"):
                return AuthStatus.LOCKED
            return None
        locked = attrs.get("pwdAccountLockedTime")
        if isinstance(locked, list):
            locked = locked[0] if locked else None
        if not locked:
            return None
        if isinstance(locked, bytes):
            locked = locked.decode("ascii")
        text_value = locked if isinstance(locked, str) else locked.strftime("%Y%m%d%H%M%SZ")
        return AuthStatus.DISABLED if text_value.startswith("00000101") else AuthStatus.LOCKED

    def authenticate(self, username: str, password: str) -> AuthResult:
        """Find the person's DN with the service account, then bind as that DN with the password."""
        username = username.strip()
        if not username or not password or len(username) > MAX_USERNAME_LENGTH or not username.isprintable():
            return AuthResult(AuthStatus.INVALID)
        try:
            service = self.service_connection()
            try:
                found = self.find_person(service, username)
                if found is None:
                    return AuthResult(AuthStatus.INVALID)
                person, attrs = found
                user_conn = self.connect(person.dn, password)
                try:
                    bound = user_conn.bind()
                finally:
                    user_conn.unbind()
                if bound:
                    # the password was right: now the account's state may be told
                    disabled = self._lock_state(attrs) is AuthStatus.DISABLED
                    return AuthResult(AuthStatus.DISABLED if disabled else AuthStatus.OK, person)
                if user_conn.result.get("result") != 49:
                    raise DirectoryUnavailable(f"bind failed: {user_conn.result.get('description')}")
                refreshed = self.find_person(service, username)
                state = self._lock_state(refreshed[1]) if refreshed else None
                # a disabled account refuses every bind: with a wrong (or right) password it is told
                # apart from no other failure, so nobody learns the account is disabled
                return AuthResult(AuthStatus.LOCKED if state is AuthStatus.LOCKED else AuthStatus.INVALID, person)
            finally:
                service.unbind()
        except (DirectoryUnavailable, LDAPException):
            return AuthResult(AuthStatus.UNAVAILABLE)
