"""The Active Directory flavour, by the exact LDAP operations it sends (no AD server here).

``FakeConnection`` stands in for a bound ldap3 ``Connection``: it records every ``add``, ``modify``,
``search``, password-modify extended operation and ``unbind`` (each call is first bound to the real
ldap3 signature, so a call ldap3 would reject fails here too), and answers with scripted results in
ldap3's shape (``.result`` dict, ``.response`` list of ``searchResEntry``). ``FakeDirectory`` hands it
out from ``service_connection()``, so the provisioners run through their real ``session()``.
"""

from __future__ import annotations

import inspect
import re
import string
from collections import deque
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from ldap3 import BASE, MODIFY_ADD, MODIFY_DELETE, MODIFY_REPLACE, SUBTREE, Connection
from ldap3.core.exceptions import LDAPSocketReceiveError
from ldap3.core.results import RESULT_CODES
from ldap3.extend import StandardExtendedOperations
from ldap3.protocol.formatters.formatters import format_ad_timestamp
from ldap3.utils.dn import parse_dn

from portal.directory.base import ATTRIBUTE_MAPS, AuthStatus, Directory, DirectorySettings, DirectoryUnavailable
from portal.directory.provisioning import (
    PASSWORD_SYMBOLS,
    AccountSpec,
    AdProvisioner,
    DemoProvisioner,
    OpenLdapProvisioner,
    ProvisioningRefused,
    generate_password,
    provisioner_for,
)

USERS_DN = "OU=Usuarios,DC=entidad,DC=gov,DC=co"
GROUPS_DN = "OU=Grupos,DC=entidad,DC=gov,DC=co"
AD_SETTINGS = DirectorySettings(
    url="ldaps://ad.example.gov.co",
    bind_dn="CN=svc-portal,OU=Servicios,DC=entidad,DC=gov,DC=co",
    bind_password="service-secret",
    users_dn=USERS_DN,
    groups_dn=GROUPS_DN,
    flavor="ad",
    attributes=ATTRIBUTE_MAPS["ad"],
)
JPEREZ_DN = f"CN=Juan Pérez,{USERS_DN}"
#: a DN as AD hands it back for "Pérez, Ana": the comma is escaped, and must be escaped again in filters
APEREZ_DN = rf"CN=Pérez\, Ana,{USERS_DN}"
APEREZ_IN_FILTER = rf"CN=Pérez\5c, Ana,{USERS_DN}"
SALUD_DN = f"CN=GG-Salud,{GROUPS_DN}"
VPN_DN = f"CN=GG-VPN,{GROUPS_DN}"
TEMP_PASSWORD = "Tmp#2026-clave"

Call = tuple[Any, ...]


def ldap_result(code: int, kind: str) -> dict[str, Any]:
    """A result dict as ldap3 leaves it in ``Connection.result``."""
    return {
        "result": code,
        "description": RESULT_CODES.get(code, "other"),
        "message": "" if code == 0 else f"scripted {RESULT_CODES.get(code, code)}",
        "dn": "",
        "referrals": None,
        "type": kind,
    }


def entry(dn: str, **attributes: Any) -> dict[str, Any]:
    """A ``searchResEntry`` as ldap3 returns it from a server without schema (values in lists)."""
    return {"type": "searchResEntry", "dn": dn, "attributes": dict(attributes), "raw_attributes": {}}


def _bound(function: Callable[..., Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The arguments as ldap3's real method would receive them (TypeError for a call it would reject)."""
    bound = inspect.signature(function).bind(None, *args, **kwargs)
    bound.apply_defaults()
    return dict(bound.arguments)


class FakeConnection:
    """A bound ldap3 connection that records operations and answers with scripted results.

    Searches are scripted per ``(base, filter)``; an unscripted search is a test error. Several
    answers for one key are given in turn, the last one repeating. Writes (add, modify, password
    modify) succeed unless ``answer_writes`` queued result codes (or exceptions) for them, in order.
    """

    def __init__(self, *, bind_code: int = 0) -> None:
        self.calls: list[Call] = []
        self.result: dict[str, Any] | None = None
        self.response: list[dict[str, Any]] | None = None
        self.bind_code = bind_code
        self.search_error: Exception | None = None
        self._searches: dict[tuple[str, str], deque[tuple[int, list[dict[str, Any]]]]] = {}
        self._write_answers: deque[int | Exception] = deque()
        self.extend = SimpleNamespace(standard=SimpleNamespace(modify_password=self._modify_password))

    # -- scripting ---------------------------------------------------------------------------
    def on_search(self, base: str, search_filter: str, *entries: dict[str, Any], code: int = 0) -> FakeConnection:
        self._searches.setdefault((base, search_filter), deque()).append((code, list(entries)))
        return self

    def answer_writes(self, *answers: int | Exception) -> FakeConnection:
        self._write_answers.extend(answers)
        return self

    # -- what was sent -----------------------------------------------------------------------
    def writes(self) -> list[Call]:
        return [c for c in self.calls if c[0] in ("add", "modify", "modify_password")]

    def searches(self) -> list[Call]:
        return [c for c in self.calls if c[0] == "search"]

    # -- the ldap3 API the code uses ----------------------------------------------------------
    def _write(self, kind: str) -> bool:
        answer = self._write_answers.popleft() if self._write_answers else 0
        if isinstance(answer, Exception):
            raise answer
        self.result = ldap_result(answer, kind)
        self.response = None
        return answer == 0

    def add(self, *args: Any, **kwargs: Any) -> bool:
        a = _bound(Connection.add, *args, **kwargs)
        assert a["object_class"] is None and a["controls"] is None
        self.calls.append(("add", a["dn"], a["attributes"]))
        return self._write("addResponse")

    def modify(self, *args: Any, **kwargs: Any) -> bool:
        a = _bound(Connection.modify, *args, **kwargs)
        self.calls.append(("modify", a["dn"], a["changes"], a["controls"]))
        return self._write("modifyResponse")

    def _modify_password(self, *args: Any, **kwargs: Any) -> bool:
        a = _bound(StandardExtendedOperations.modify_password, *args, **kwargs)
        self.calls.append(("modify_password", a["user"], a["old_password"], a["new_password"], a["controls"]))
        return self._write("extendedResp")

    def search(self, *args: Any, **kwargs: Any) -> bool:
        a = _bound(Connection.search, *args, **kwargs)
        self.calls.append(("search", a["search_base"], a["search_filter"], a["search_scope"], a["attributes"]))
        if self.search_error is not None:
            raise self.search_error
        answers = self._searches.get((a["search_base"], a["search_filter"]))
        if not answers:
            raise AssertionError(f"unscripted search: base={a['search_base']!r} filter={a['search_filter']!r}")
        code, entries = answers.popleft() if len(answers) > 1 else answers[0]
        self.result = ldap_result(code, "searchResDone")
        self.response = entries
        return code == 0 and bool(entries)

    def bind(self, *args: Any, **kwargs: Any) -> bool:
        _bound(Connection.bind, *args, **kwargs)
        self.calls.append(("bind",))
        self.result = ldap_result(self.bind_code, "bindResponse")
        return self.bind_code == 0

    def unbind(self, *args: Any, **kwargs: Any) -> bool:
        _bound(Connection.unbind, *args, **kwargs)
        self.calls.append(("unbind",))
        return True


class FakeDirectory(Directory):
    """A Directory whose service connection is the fake, and whose user binds are scripted."""

    def __init__(self, settings: DirectorySettings, conn: FakeConnection, *, user_bind_code: int = 0) -> None:
        super().__init__(settings)
        self.conn = conn
        self.user_bind_code = user_bind_code
        self.service_connections = 0
        self.user_connections: list[tuple[str | None, str | None, FakeConnection]] = []

    def service_connection(self) -> Connection:
        self.service_connections += 1
        return self.conn  # type: ignore[return-value]

    def connect(self, user: str | None = None, password: str | None = None) -> Connection:
        conn = FakeConnection(bind_code=self.user_bind_code)
        self.user_connections.append((user, password, conn))
        return conn  # type: ignore[return-value]


def user_filter(username: str) -> str:
    return f"(sAMAccountName={username})"


def groups_filter(escaped_dn: str) -> str:
    return f"(&(objectClass=group)(member={escaped_dn}))"


def lookup(username: str, attributes: list[str]) -> Call:
    return ("search", USERS_DN, user_filter(username), SUBTREE, attributes)


def uac_change(dn: str, value: str) -> Call:
    return ("modify", dn, {"userAccountControl": [(MODIFY_REPLACE, [value])]}, None)


@pytest.fixture
def fake() -> FakeConnection:
    return FakeConnection()


@pytest.fixture
def directory(fake: FakeConnection) -> FakeDirectory:
    return FakeDirectory(AD_SETTINGS, fake)


@pytest.fixture
def ad(directory: FakeDirectory) -> AdProvisioner:
    provisioner = provisioner_for(directory)
    assert type(provisioner) is AdProvisioner
    return provisioner


def spec(**overrides: Any) -> AccountSpec:
    values: dict[str, Any] = {
        "username": "jperez",
        "full_name": "Juan Pérez",
        "email": "jperez@entidad.gov.co",
        "given_name": "Juan",
        "surname": "Pérez",
        "position": "Profesional universitario",
        "dependency_code": "SALUD-01",
        "document": "1234567890",
        "origin": "SOL-2026-00001",
    }
    values.update(overrides)
    return AccountSpec(**values)


MARK = "Creada por Mesa TIC: SOL-2026-00001"
LOOKUP_ATTRIBUTES = ["mail", "description", "userAccountControl", "pwdLastSet"]


def mail_free(fake: FakeConnection, mail: str = "jperez@entidad.gov.co") -> None:
    """Script the search that checks no other account holds the e-mail of a new one."""
    fake.on_search(USERS_DN, f"(mail={mail})")


# -- flavour selection and session -------------------------------------------------------------


def test_provisioner_for_picks_the_flavour(fake: FakeConnection) -> None:
    openldap = DirectorySettings(
        url="ldap://ldap.example.gov.co",
        bind_dn="cn=admin,dc=x",
        bind_password="x",
        users_dn="ou=people,dc=x",
        groups_dn="ou=groups,dc=x",
        attributes=ATTRIBUTE_MAPS["openldap"],
    )
    demo = DirectorySettings(
        url="mock://demo", bind_dn="cn=admin,dc=x", bind_password="x", users_dn="ou=people,dc=x", groups_dn="ou=groups,dc=x"
    )
    assert type(provisioner_for(FakeDirectory(AD_SETTINGS, fake))) is AdProvisioner
    assert type(provisioner_for(FakeDirectory(openldap, fake))) is OpenLdapProvisioner
    assert type(provisioner_for(FakeDirectory(demo, fake))) is DemoProvisioner


def test_session_binds_once_and_unbinds_even_on_error(ad: AdProvisioner, directory: FakeDirectory, fake: FakeConnection) -> None:
    with pytest.raises(RuntimeError, match="session"):
        ad.enable("jperez")  # no connection outside a session
    fake.on_search(USERS_DN, user_filter("jperez"))
    with pytest.raises(ProvisioningRefused, match="no existe"), ad.session():
        ad.enable("jperez")
    assert directory.service_connections == 1
    assert fake.calls == [lookup("jperez", ["userAccountControl"]), ("unbind",)]
    assert ad._conn is None


# -- ensure_account ------------------------------------------------------------------------------


def test_ensure_account_adds_a_disabled_user_with_every_attribute(ad: AdProvisioner, fake: FakeConnection) -> None:
    fake.on_search(USERS_DN, user_filter("jperez"))
    mail_free(fake)
    with ad.session():
        changes = ad.ensure_account(spec())
    assert changes == ["cuenta jperez creada (deshabilitada hasta asignar la clave)"]
    assert fake.writes() == [
        (
            "add",
            JPEREZ_DN,
            {
                "objectClass": ["top", "person", "organizationalPerson", "user"],
                "sAMAccountName": "jperez",
                "userPrincipalName": "jperez@entidad.gov.co",
                "displayName": "Juan Pérez",
                "mail": "jperez@entidad.gov.co",
                "userAccountControl": "514",  # NORMAL_ACCOUNT | ACCOUNTDISABLE
                "title": "Profesional universitario",
                "department": "SALUD-01",
                "employeeID": "1234567890",
                "description": MARK,
                "givenName": "Juan",
                "sn": "Pérez",
            },
        )
    ]
    assert fake.searches() == [
        lookup("jperez", LOOKUP_ATTRIBUTES),
        ("search", USERS_DN, "(mail=jperez@entidad.gov.co)", SUBTREE, ["sAMAccountName"]),
    ]


def test_ensure_account_leaves_out_the_optional_attributes_not_given(ad: AdProvisioner, fake: FakeConnection) -> None:
    fake.on_search(USERS_DN, user_filter("jperez"))
    mail_free(fake)
    minimal = AccountSpec(username="jperez", full_name="Juan Pérez", email="jperez@entidad.gov.co")
    with ad.session():
        ad.ensure_account(minimal)
    [(_, dn, attributes)] = fake.writes()
    assert dn == JPEREZ_DN
    assert attributes == {
        "objectClass": ["top", "person", "organizationalPerson", "user"],
        "sAMAccountName": "jperez",
        "userPrincipalName": "jperez@entidad.gov.co",
        "displayName": "Juan Pérez",
        "mail": "jperez@entidad.gov.co",
        "userAccountControl": "514",
    }


@pytest.mark.parametrize(
    ("username", "escaped"),
    [("a*b(c)", r"a\2ab\28c\29"), (r"x)(|(sAMAccountName=*)\\", r"x\29\28|\28sAMAccountName=\2a\29\5c\5c")],
)
def test_ensure_account_escapes_the_username_in_the_lookup_filter(
    ad: AdProvisioner, fake: FakeConnection, username: str, escaped: str
) -> None:
    fake.on_search(USERS_DN, f"(sAMAccountName={escaped})")
    mail_free(fake)
    with ad.session():
        ad.ensure_account(spec(username=username))
    assert fake.searches()[0] == ("search", USERS_DN, f"(sAMAccountName={escaped})", SUBTREE, LOOKUP_ATTRIBUTES)
    [(_, _, attributes)] = fake.writes()
    assert attributes["sAMAccountName"] == username  # attribute values travel as they are


def test_ensure_account_escapes_the_full_name_in_the_dn(ad: AdProvisioner, fake: FakeConnection) -> None:
    fake.on_search(USERS_DN, user_filter("aperez"))
    mail_free(fake)
    full_name = 'Pérez, Ana+María "La Jefa"'
    with ad.session():
        ad.ensure_account(spec(username="aperez", full_name=full_name))
    [(_, dn, attributes)] = fake.writes()
    assert dn == rf"CN=Pérez\, Ana\+María \"La Jefa\",{USERS_DN}"
    # one RDN for the name, then the four of the users' OU: the comma and plus did not split it
    assert [(attr, value) for attr, value, _ in parse_dn(dn)] == [
        ("CN", r"Pérez\, Ana\+María \"La Jefa\""),
        ("OU", "Usuarios"),
        ("DC", "entidad"),
        ("DC", "gov"),
        ("DC", "co"),
    ]
    assert attributes["displayName"] == full_name


@pytest.mark.parametrize("full_name", [" Ana", "#Ana", "Ana ", "Ana;<x>=y\\z"])
def test_ensure_account_escapes_leading_trailing_and_other_special_characters(
    ad: AdProvisioner, fake: FakeConnection, full_name: str
) -> None:
    fake.on_search(USERS_DN, user_filter("ana"))
    mail_free(fake)
    with ad.session():
        ad.ensure_account(spec(username="ana", full_name=full_name))
    [(_, dn, _)] = fake.writes()
    rdns = parse_dn(dn)
    assert len(rdns) == 5 and rdns[0][0] == "CN"
    assert (
        dn
        == {
            " Ana": rf"CN=\ Ana,{USERS_DN}",
            "#Ana": rf"CN=\#Ana,{USERS_DN}",
            "Ana ": rf"CN=Ana\ ,{USERS_DN}",
            "Ana;<x>=y\\z": rf"CN=Ana\;\<x\>\=y\\z,{USERS_DN}",
        }[full_name]
    )


def test_ensure_account_made_by_an_earlier_attempt_of_this_request_changes_nothing(
    ad: AdProvisioner, fake: FakeConnection
) -> None:
    fake.on_search(USERS_DN, user_filter("jperez"), entry(JPEREZ_DN, mail=["jperez@entidad.gov.co"], description=[MARK]))
    with ad.session():
        assert ad.ensure_account(spec()) == []
    assert fake.writes() == []


@pytest.mark.parametrize(
    "stored",
    [
        {"mail": ["jperez@entidad.gov.co"]},
        {"mail": ["jperez@entidad.gov.co"], "description": ["Creada por Mesa TIC: SOL-2026-00002"]},
        {"mail": ["otra@entidad.gov.co"]},
        {},
    ],
    ids=["same-mail-no-mark", "another-request", "another-mail", "bare"],
)
def test_ensure_account_someone_else_made_is_refused_untouched(
    ad: AdProvisioner, fake: FakeConnection, stored: dict[str, Any]
) -> None:
    fake.on_search(USERS_DN, user_filter("jperez"), entry(JPEREZ_DN, **stored))
    with pytest.raises(ProvisioningRefused, match="ya existe en el directorio y no la creó esta solicitud"), ad.session():
        ad.ensure_account(spec())
    assert fake.writes() == []


def test_ensure_account_with_an_e_mail_another_account_holds_is_refused(ad: AdProvisioner, fake: FakeConnection) -> None:
    fake.on_search(USERS_DN, user_filter("jperez"))
    fake.on_search(USERS_DN, "(mail=jperez@entidad.gov.co)", entry(f"CN=Otra,{USERS_DN}", sAMAccountName=["otra"]))
    with pytest.raises(ProvisioningRefused, match="ya pertenece a la cuenta otra"), ad.session():
        ad.ensure_account(spec())
    assert fake.writes() == []


def test_a_create_request_never_re_enables_a_retired_account(ad: AdProvisioner, fake: FakeConnection) -> None:
    """Disabled and with a password set once: it was retired; activation is its own request."""
    fake.on_search(
        USERS_DN,
        user_filter("jperez"),
        entry(
            JPEREZ_DN,
            mail=["jperez@entidad.gov.co"],
            description=[MARK],
            userAccountControl=["514"],
            pwdLastSet=["133700000000000000"],
        ),
    )
    with pytest.raises(ProvisioningRefused, match="retirada"), ad.session():
        ad.ensure_account(spec())
    assert fake.writes() == []


def test_a_half_created_account_of_an_earlier_attempt_is_taken_as_created(ad: AdProvisioner, fake: FakeConnection) -> None:
    fake.on_search(
        USERS_DN,
        user_filter("jperez"),
        entry(JPEREZ_DN, mail=["jperez@entidad.gov.co"], description=[MARK], userAccountControl=["514"], pwdLastSet=["0"]),
    )
    with ad.session():
        assert ad.ensure_account(spec()) == []
    assert fake.writes() == []


def test_ensure_account_with_two_accounts_for_the_username_is_refused(ad: AdProvisioner, fake: FakeConnection) -> None:
    fake.on_search(
        USERS_DN,
        user_filter("jperez"),
        entry(JPEREZ_DN, mail=["jperez@entidad.gov.co"]),
        entry(f"CN=Juan Pérez 2,{USERS_DN}", mail=["jperez@entidad.gov.co"]),
    )
    with pytest.raises(ProvisioningRefused, match="hay 2 cuentas"), ad.session():
        ad.ensure_account(spec())
    assert fake.writes() == []


def test_ensure_account_name_taken_by_another_person_is_refused(ad: AdProvisioner, fake: FakeConnection) -> None:
    """Same CN in the OU (a homonym): AD answers entryAlreadyExists (68), a person must look at it."""
    fake.on_search(USERS_DN, user_filter("jperez"))
    mail_free(fake)
    fake.answer_writes(68)
    with pytest.raises(ProvisioningRefused, match="crear cuenta: entryAlreadyExists"), ad.session():
        ad.ensure_account(spec())


# -- set_temporary_password ---------------------------------------------------------------------


def _password_writes(dn: str, password: str) -> list[Call]:
    return [
        ("modify", dn, {"unicodePwd": [(MODIFY_REPLACE, [f'"{password}"'.encode("utf-16-le")])]}, None),
        ("modify", dn, {"pwdLastSet": [(MODIFY_REPLACE, ["0"])]}, None),
    ]


def test_temporary_password_of_a_new_account_sets_it_forces_change_then_enables(ad: AdProvisioner, fake: FakeConnection) -> None:
    fake.on_search(USERS_DN, user_filter("jperez"), entry(JPEREZ_DN, userAccountControl=["514"]))
    with ad.session():
        changes = ad.set_temporary_password("jperez", TEMP_PASSWORD, new_account=True)
    assert fake.writes() == _password_writes(JPEREZ_DN, TEMP_PASSWORD) + [uac_change(JPEREZ_DN, "512")]
    assert changes == ["clave temporal asignada (debe cambiarse al ingresar)", "cuenta habilitada"]
    assert fake.searches() == [lookup("jperez", ["userAccountControl"])]
    # the exact bytes AD expects: the password in double quotes, UTF-16 little endian, no BOM
    unicode_pwd = fake.writes()[0][2]["unicodePwd"][0][1][0]
    assert unicode_pwd == b'"\x00T\x00m\x00p\x00#\x002\x000\x002\x006\x00-\x00c\x00l\x00a\x00v\x00e\x00"\x00'


def test_temporary_password_of_a_new_account_keeps_the_other_flags(ad: AdProvisioner, fake: FakeConnection) -> None:
    # 66050 = NORMAL_ACCOUNT | ACCOUNTDISABLE | DONT_EXPIRE_PASSWORD
    fake.on_search(USERS_DN, user_filter("jperez"), entry(JPEREZ_DN, userAccountControl=["66050"]))
    with ad.session():
        ad.set_temporary_password("jperez", TEMP_PASSWORD, new_account=True)
    assert fake.writes()[-1] == uac_change(JPEREZ_DN, "66048")


@pytest.mark.parametrize("uac", ["512", "514"])
def test_temporary_password_of_an_existing_account_does_not_touch_user_account_control(
    ad: AdProvisioner, fake: FakeConnection, uac: str
) -> None:
    fake.on_search(USERS_DN, user_filter("jperez"), entry(JPEREZ_DN, userAccountControl=[uac]))
    with ad.session():
        changes = ad.set_temporary_password("jperez", TEMP_PASSWORD)
    assert fake.writes() == _password_writes(JPEREZ_DN, TEMP_PASSWORD)
    assert changes == ["clave temporal asignada (debe cambiarse al ingresar)"]


def test_temporary_password_of_a_new_account_already_enabled_does_not_enable_again(
    ad: AdProvisioner, fake: FakeConnection
) -> None:
    fake.on_search(USERS_DN, user_filter("jperez"), entry(JPEREZ_DN, userAccountControl=["512"]))
    with ad.session():
        ad.set_temporary_password("jperez", TEMP_PASSWORD, new_account=True)
    assert fake.writes() == _password_writes(JPEREZ_DN, TEMP_PASSWORD)


def test_temporary_password_refused_by_the_password_policy_stops_there(ad: AdProvisioner, fake: FakeConnection) -> None:
    """unicodePwd answered constraintViolation (19, 0000052D): refused, nothing else is sent."""
    fake.on_search(USERS_DN, user_filter("jperez"), entry(JPEREZ_DN, userAccountControl=["514"])).answer_writes(19)
    with pytest.raises(ProvisioningRefused, match="inicializar clave: constraintViolation"), ad.session():
        ad.set_temporary_password("jperez", TEMP_PASSWORD, new_account=True)
    assert fake.writes() == _password_writes(JPEREZ_DN, TEMP_PASSWORD)[:1]


def test_temporary_password_of_a_missing_account_is_refused(ad: AdProvisioner, fake: FakeConnection) -> None:
    fake.on_search(USERS_DN, user_filter("jperez"))
    with pytest.raises(ProvisioningRefused, match="no existe"), ad.session():
        ad.set_temporary_password("jperez", TEMP_PASSWORD, new_account=True)
    assert fake.writes() == []


# -- enable --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("before", "after"), [("514", "512"), ("66050", "66048"), ("546", "544")])
def test_enable_clears_only_the_disabled_bit(ad: AdProvisioner, fake: FakeConnection, before: str, after: str) -> None:
    fake.on_search(USERS_DN, user_filter("jperez"), entry(JPEREZ_DN, userAccountControl=[before]))
    with ad.session():
        assert ad.enable("jperez") == ["cuenta activada"]
    assert fake.writes() == [uac_change(JPEREZ_DN, after)]
    assert fake.searches() == [lookup("jperez", ["userAccountControl"])]


@pytest.mark.parametrize("uac", [["512"], ["66048"], 512, []])
def test_enable_of_an_enabled_account_changes_nothing(ad: AdProvisioner, fake: FakeConnection, uac: Any) -> None:
    fake.on_search(USERS_DN, user_filter("jperez"), entry(JPEREZ_DN, userAccountControl=uac))
    with ad.session():
        assert ad.enable("jperez") == []
    assert fake.writes() == []


# -- retire --------------------------------------------------------------------------------------


def test_retire_disables_then_leaves_every_group(ad: AdProvisioner, fake: FakeConnection) -> None:
    fake.on_search(USERS_DN, user_filter("aperez"), entry(APEREZ_DN, userAccountControl=["66048"]))
    fake.on_search(GROUPS_DN, groups_filter(APEREZ_IN_FILTER), entry(SALUD_DN, cn=["GG-Salud"]), entry(VPN_DN, cn=["GG-VPN"]))
    with ad.session():
        changes = ad.retire("aperez")
    assert fake.writes() == [
        uac_change(APEREZ_DN, "66050"),
        ("modify", SALUD_DN, {"member": [(MODIFY_DELETE, [APEREZ_DN])]}, None),
        ("modify", VPN_DN, {"member": [(MODIFY_DELETE, [APEREZ_DN])]}, None),
    ]
    assert fake.searches() == [
        lookup("aperez", ["userAccountControl"]),
        ("search", GROUPS_DN, groups_filter(APEREZ_IN_FILTER), SUBTREE, ["cn"]),
    ]
    assert changes == ["cuenta deshabilitada", f"retirado de {SALUD_DN}", f"retirado de {VPN_DN}"]


def test_retire_of_a_retired_account_in_no_group_changes_nothing(ad: AdProvisioner, fake: FakeConnection) -> None:
    fake.on_search(USERS_DN, user_filter("aperez"), entry(APEREZ_DN, userAccountControl=["514"]))
    fake.on_search(GROUPS_DN, groups_filter(APEREZ_IN_FILTER))
    with ad.session():
        assert ad.retire("aperez") == []
    assert fake.writes() == []


def test_retire_finishes_a_half_done_retirement(ad: AdProvisioner, fake: FakeConnection) -> None:
    """Disabled on an earlier attempt, still in one group: only the membership goes."""
    fake.on_search(USERS_DN, user_filter("aperez"), entry(APEREZ_DN, userAccountControl=["514"]))
    fake.on_search(GROUPS_DN, groups_filter(APEREZ_IN_FILTER), entry(VPN_DN, cn=["GG-VPN"]))
    with ad.session():
        assert ad.retire("aperez") == [f"retirado de {VPN_DN}"]
    assert fake.writes() == [("modify", VPN_DN, {"member": [(MODIFY_DELETE, [APEREZ_DN])]}, None)]


def test_retire_in_ad_has_no_placeholder_member(ad: AdProvisioner, fake: FakeConnection) -> None:
    """AD groups may be empty: a refusal of the member removal is not 'replaced by cn=nobody'."""
    fake.on_search(USERS_DN, user_filter("aperez"), entry(APEREZ_DN, userAccountControl=["514"]))
    fake.on_search(GROUPS_DN, groups_filter(APEREZ_IN_FILTER), entry(VPN_DN, cn=["GG-VPN"]))
    fake.answer_writes(65)
    with pytest.raises(ProvisioningRefused, match=re.escape(f"retirar de {VPN_DN}: objectClassViolation")), ad.session():
        ad.retire("aperez")
    assert fake.writes() == [("modify", VPN_DN, {"member": [(MODIFY_DELETE, [APEREZ_DN])]}, None)]


def test_retire_of_a_missing_account_is_refused(ad: AdProvisioner, fake: FakeConnection) -> None:
    fake.on_search(USERS_DN, user_filter("aperez"))
    with pytest.raises(ProvisioningRefused, match="no existe"), ad.session():
        ad.retire("aperez")
    assert fake.writes() == []


# -- unlock --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lockout", [["133497312000000000"], "133497312000000000", [format_ad_timestamp(b"133497312000000000")]])
def test_unlock_resets_lockout_time(ad: AdProvisioner, fake: FakeConnection, lockout: Any) -> None:
    fake.on_search(USERS_DN, user_filter("jperez"), entry(JPEREZ_DN, lockoutTime=lockout, userAccountControl=["512"]))
    with ad.session():
        assert ad.unlock("jperez") == ["bloqueo retirado"]
    assert fake.writes() == [("modify", JPEREZ_DN, {"lockoutTime": [(MODIFY_REPLACE, ["0"])]}, None)]
    assert fake.searches() == [lookup("jperez", ["lockoutTime", "userAccountControl"])]


@pytest.mark.parametrize(
    "attributes",
    [
        {"lockoutTime": ["0"], "userAccountControl": ["512"]},
        {"lockoutTime": "0", "userAccountControl": "512"},
        {"lockoutTime": [0], "userAccountControl": [512]},
        {"lockoutTime": [], "userAccountControl": ["512"]},
        {"userAccountControl": ["512"]},
        # what ldap3 makes of "0" when it knows the schema
        {"lockoutTime": [format_ad_timestamp(b"0")], "userAccountControl": [512]},
        {"lockoutTime": ["1601-01-01 00:00:00+00:00"], "userAccountControl": ["66048"]},
    ],
)
def test_unlock_of_an_account_not_locked_changes_nothing(
    ad: AdProvisioner, fake: FakeConnection, attributes: dict[str, Any]
) -> None:
    fake.on_search(USERS_DN, user_filter("jperez"), entry(JPEREZ_DN, **attributes))
    with ad.session():
        assert ad.unlock("jperez") == []
    assert fake.writes() == []


@pytest.mark.parametrize("lockout", [["133497312000000000"], ["0"]])
def test_unlock_of_a_disabled_account_is_refused(ad: AdProvisioner, fake: FakeConnection, lockout: list[str]) -> None:
    fake.on_search(USERS_DN, user_filter("jperez"), entry(JPEREZ_DN, lockoutTime=lockout, userAccountControl=["514"]))
    with pytest.raises(ProvisioningRefused, match=r"deshabilitada.*FO-M11-P2-05"), ad.session():
        ad.unlock("jperez")
    assert fake.writes() == []


# -- groups --------------------------------------------------------------------------------------


def _membership(group_dn: str, escaped_dn: str) -> Call:
    return ("search", group_dn, f"(member={escaped_dn})", BASE, ["cn"])


def test_add_to_groups_adds_only_where_missing(ad: AdProvisioner, fake: FakeConnection) -> None:
    fake.on_search(USERS_DN, user_filter("aperez"), entry(APEREZ_DN, objectClass=["user"]))
    fake.on_search(SALUD_DN, f"(member={APEREZ_IN_FILTER})", entry(SALUD_DN, cn=["GG-Salud"]))  # already in
    fake.on_search(VPN_DN, f"(member={APEREZ_IN_FILTER})")  # not yet
    fake.on_search(VPN_DN, "(objectClass=*)", entry(VPN_DN, cn=["GG-VPN"]))  # and the group exists
    with ad.session():
        changes = ad.add_to_groups("aperez", [SALUD_DN, VPN_DN])
    assert changes == [f"agregado a {VPN_DN}"]
    assert fake.writes() == [("modify", VPN_DN, {"member": [(MODIFY_ADD, [APEREZ_DN])]}, None)]
    assert fake.searches() == [
        lookup("aperez", ["objectClass"]),
        _membership(SALUD_DN, APEREZ_IN_FILTER),
        _membership(VPN_DN, APEREZ_IN_FILTER),
        ("search", VPN_DN, "(objectClass=*)", BASE, ["cn"]),
    ]


def test_add_to_groups_when_already_everywhere_changes_nothing(ad: AdProvisioner, fake: FakeConnection) -> None:
    fake.on_search(USERS_DN, user_filter("jperez"), entry(JPEREZ_DN, objectClass=["user"]))
    fake.on_search(SALUD_DN, f"(member={JPEREZ_DN})", entry(SALUD_DN, cn=["GG-Salud"]))
    with ad.session():
        assert ad.add_to_groups("jperez", [SALUD_DN]) == []
    assert fake.writes() == []


def test_add_to_a_missing_group_is_refused(ad: AdProvisioner, fake: FakeConnection) -> None:
    missing = f"CN=GG-No-Existe,{GROUPS_DN}"
    fake.on_search(USERS_DN, user_filter("jperez"), entry(JPEREZ_DN, objectClass=["user"]))
    fake.on_search(missing, f"(member={JPEREZ_DN})", code=32)
    fake.on_search(missing, "(objectClass=*)", code=32)
    with pytest.raises(ProvisioningRefused, match=r"el grupo .* no existe"), ad.session():
        ad.add_to_groups("jperez", [missing])
    assert fake.writes() == []


def test_add_to_groups_of_a_missing_account_is_refused(ad: AdProvisioner, fake: FakeConnection) -> None:
    fake.on_search(USERS_DN, user_filter("jperez"))
    with pytest.raises(ProvisioningRefused, match="no existe"), ad.session():
        ad.add_to_groups("jperez", [SALUD_DN])
    assert fake.writes() == []


def test_remove_from_groups_removes_only_where_member(ad: AdProvisioner, fake: FakeConnection) -> None:
    fake.on_search(USERS_DN, user_filter("aperez"), entry(APEREZ_DN, objectClass=["user"]))
    fake.on_search(SALUD_DN, f"(member={APEREZ_IN_FILTER})")  # not a member
    fake.on_search(SALUD_DN, "(objectClass=*)", entry(SALUD_DN, cn=["GG-Salud"]))
    fake.on_search(VPN_DN, f"(member={APEREZ_IN_FILTER})", entry(VPN_DN, cn=["GG-VPN"]))  # member
    with ad.session():
        changes = ad.remove_from_groups("aperez", [SALUD_DN, VPN_DN])
    assert changes == [f"retirado de {VPN_DN}"]
    assert fake.writes() == [("modify", VPN_DN, {"member": [(MODIFY_DELETE, [APEREZ_DN])]}, None)]
    assert fake.searches() == [
        lookup("aperez", ["objectClass"]),
        _membership(SALUD_DN, APEREZ_IN_FILTER),
        ("search", SALUD_DN, "(objectClass=*)", BASE, ["cn"]),
        _membership(VPN_DN, APEREZ_IN_FILTER),
    ]


def test_remove_from_groups_of_a_missing_account_changes_nothing(ad: AdProvisioner, fake: FakeConnection) -> None:
    fake.on_search(USERS_DN, user_filter("jperez"))
    with ad.session():
        assert ad.remove_from_groups("jperez", [SALUD_DN]) == []
    assert fake.writes() == []
    assert fake.searches() == [lookup("jperez", ["objectClass"])]


# -- retry or refuse -----------------------------------------------------------------------------


@pytest.mark.parametrize("code", [51, 52, 80, 1, 3, 11])
def test_busy_or_unavailable_answers_mean_retry(ad: AdProvisioner, fake: FakeConnection, code: int) -> None:
    fake.on_search(USERS_DN, user_filter("jperez"), entry(JPEREZ_DN, userAccountControl=["514"])).answer_writes(code)
    with pytest.raises(DirectoryUnavailable, match=f"activar: {RESULT_CODES[code]}"), ad.session():
        ad.enable("jperez")


@pytest.mark.parametrize("code", [50, 19, 53, 32, 21])
def test_definite_answers_mean_refused(ad: AdProvisioner, fake: FakeConnection, code: int) -> None:
    fake.on_search(USERS_DN, user_filter("jperez"), entry(JPEREZ_DN, userAccountControl=["514"])).answer_writes(code)
    with pytest.raises(ProvisioningRefused, match=f"activar: {RESULT_CODES[code]}"), ad.session():
        ad.enable("jperez")


@pytest.mark.parametrize(("code", "error"), [(51, DirectoryUnavailable), (52, DirectoryUnavailable), (50, ProvisioningRefused)])
def test_member_changes_sort_errors_the_same_way(ad: AdProvisioner, fake: FakeConnection, code: int, error: type) -> None:
    fake.on_search(USERS_DN, user_filter("jperez"), entry(JPEREZ_DN, objectClass=["user"]))
    fake.on_search(VPN_DN, f"(member={JPEREZ_DN})")
    fake.on_search(VPN_DN, "(objectClass=*)", entry(VPN_DN, cn=["GG-VPN"]))
    fake.answer_writes(code)
    with pytest.raises(error, match=re.escape(f"agregar a {VPN_DN}")), ad.session():
        ad.add_to_groups("jperez", [VPN_DN])


@pytest.mark.parametrize(("code", "error"), [(51, DirectoryUnavailable), (80, DirectoryUnavailable), (50, ProvisioningRefused)])
def test_failed_searches_sort_errors_too(ad: AdProvisioner, fake: FakeConnection, code: int, error: type) -> None:
    fake.on_search(USERS_DN, user_filter("jperez"), code=code)
    with pytest.raises(error, match="búsqueda"), ad.session():
        ad.enable("jperez")


def test_a_connection_error_on_a_write_means_retry(ad: AdProvisioner, fake: FakeConnection) -> None:
    fake.on_search(USERS_DN, user_filter("jperez"), entry(JPEREZ_DN, userAccountControl=["514"]))
    fake.answer_writes(LDAPSocketReceiveError("connection reset"))
    with pytest.raises(DirectoryUnavailable, match="activar: connection reset"), ad.session():
        ad.enable("jperez")
    assert fake.calls[-1] == ("unbind",)


def test_a_connection_error_on_a_search_means_retry(ad: AdProvisioner, fake: FakeConnection) -> None:
    fake.search_error = LDAPSocketReceiveError("timed out")
    with pytest.raises(DirectoryUnavailable, match="búsqueda: timed out"), ad.session():
        ad.retire("jperez")


# -- Directory._lock_state and authenticate with flavor ad ---------------------------------------------


@pytest.mark.parametrize(
    ("attributes", "state"),
    [
        ({"userAccountControl": ["514"]}, AuthStatus.DISABLED),
        ({"userAccountControl": 514}, AuthStatus.DISABLED),
        ({"userAccountControl": ["66050"], "lockoutTime": ["0"]}, AuthStatus.DISABLED),
        ({"userAccountControl": ["514"], "lockoutTime": ["133497312000000000"]}, AuthStatus.DISABLED),
        ({"userAccountControl": ["512"], "lockoutTime": ["133497312000000000"]}, AuthStatus.LOCKED),
        ({"userAccountControl": [512], "lockoutTime": [format_ad_timestamp(b"133497312000000000")]}, AuthStatus.LOCKED),
        ({"userAccountControl": ["512"], "lockoutTime": 133497312000000000}, AuthStatus.LOCKED),
        ({"userAccountControl": ["512"], "lockoutTime": ["0"]}, None),
        ({"userAccountControl": ["512"], "lockoutTime": "0"}, None),
        ({"userAccountControl": ["512"], "lockoutTime": [0]}, None),
        ({"userAccountControl": ["512"], "lockoutTime": ["1601-01-01 00:00:00+00:00"]}, None),
        ({"userAccountControl": [512], "lockoutTime": [format_ad_timestamp(b"0")]}, None),
        ({"userAccountControl": ["66048"], "lockoutTime": []}, None),
        ({"userAccountControl": ["512"]}, None),
        ({"userAccountControl": []}, None),
        ({}, None),
    ],
)
def test_lock_state_of_ad_accounts(attributes: dict[str, Any], state: AuthStatus | None) -> None:
    assert Directory(AD_SETTINGS)._lock_state(attributes) is state


def _person_entry(**lock: Any) -> dict[str, Any]:
    return entry(
        JPEREZ_DN,
        sAMAccountName=["jperez"],
        displayName=["Juan Pérez"],
        mail=["jperez@entidad.gov.co"],
        title=["Profesional universitario"],
        department=["SALUD-01"],
        employeeID=["1234567890"],
        **lock,
    )


PERSON_FILTER = "(&(objectClass=person)(sAMAccountName=jperez))"
PERSON_ATTRIBUTES = [
    "sAMAccountName",
    "displayName",
    "mail",
    "title",
    "department",
    "employeeID",
    "lockoutTime",
    "userAccountControl",
]


def test_authenticate_ad_binds_as_the_found_dn(fake: FakeConnection) -> None:
    fake.on_search(USERS_DN, PERSON_FILTER, _person_entry(userAccountControl=["512"], lockoutTime=["0"]))
    directory = FakeDirectory(AD_SETTINGS, fake)
    result = directory.authenticate(" jperez ", "la-clave")
    assert result.status is AuthStatus.OK
    assert result.person is not None
    assert (result.person.dn, result.person.full_name, result.person.email) == (JPEREZ_DN, "Juan Pérez", "jperez@entidad.gov.co")
    assert (result.person.position, result.person.dependency_code, result.person.document) == (
        "Profesional universitario",
        "SALUD-01",
        "1234567890",
    )
    assert fake.calls == [("search", USERS_DN, PERSON_FILTER, SUBTREE, PERSON_ATTRIBUTES), ("unbind",)]
    [(user, password, user_conn)] = directory.user_connections
    assert (user, password, user_conn.calls) == (JPEREZ_DN, "la-clave", [("bind",), ("unbind",)])


def test_authenticate_ad_names_a_disabled_account_only_after_its_right_password(fake: FakeConnection) -> None:
    fake.on_search(USERS_DN, PERSON_FILTER, _person_entry(userAccountControl=["514"]))
    directory = FakeDirectory(AD_SETTINGS, fake)
    assert directory.authenticate("jperez", "la-clave").status is AuthStatus.DISABLED
    assert len(directory.user_connections) == 1  # the password was checked first


@pytest.mark.parametrize(("lockout_after", "status"), [(["133497312000000000"], AuthStatus.LOCKED), (["0"], AuthStatus.INVALID)])
def test_authenticate_ad_failed_bind_reads_the_lock_again(
    fake: FakeConnection, lockout_after: list[str], status: AuthStatus
) -> None:
    fake.on_search(USERS_DN, PERSON_FILTER, _person_entry(userAccountControl=["512"], lockoutTime=["0"]))
    fake.on_search(USERS_DN, PERSON_FILTER, _person_entry(userAccountControl=["512"], lockoutTime=lockout_after))
    directory = FakeDirectory(AD_SETTINGS, fake, user_bind_code=49)
    assert directory.authenticate("jperez", "mal").status is status
    assert [c[0] for c in fake.calls] == ["search", "search", "unbind"]


def test_authenticate_ad_bind_error_other_than_invalid_credentials_is_unavailable(fake: FakeConnection) -> None:
    fake.on_search(USERS_DN, PERSON_FILTER, _person_entry(userAccountControl=["512"]))
    directory = FakeDirectory(AD_SETTINGS, fake, user_bind_code=52)
    assert directory.authenticate("jperez", "la-clave").status is AuthStatus.UNAVAILABLE


# -- generate_password ---------------------------------------------------------------------------


@pytest.mark.parametrize(("length", "expected"), [(None, 16), (8, 12), (12, 12), (24, 24)])
def test_generate_password_has_every_character_class(length: int | None, expected: int) -> None:
    for _ in range(50):
        password = generate_password() if length is None else generate_password(length)
        assert len(password) == expected >= 12
        assert any(c in string.ascii_lowercase for c in password)
        assert any(c in string.ascii_uppercase for c in password)
        assert any(c in string.digits for c in password)
        assert any(c in PASSWORD_SYMBOLS for c in password)
        assert set(password) <= set(string.ascii_letters + string.digits + PASSWORD_SYMBOLS)


def test_generate_password_is_never_the_same() -> None:
    assert len({generate_password() for _ in range(200)}) == 200
