"""The OpenLDAP flavour (inetOrgPerson, groupOfNames, ppolicy) by the exact LDAP operations it sends.

Same recording fake as the Active Directory tests; the real slapd runs are in
``tests/integration/test_provisioning.py``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from ldap3 import MODIFY_ADD, MODIFY_DELETE, MODIFY_REPLACE, SUBTREE
from ldap3.protocol.convert import build_controls_list
from ldap3.protocol.formatters.formatters import format_time

from portal.directory.base import ATTRIBUTE_MAPS, DISABLED_LOCK_TIME, DirectorySettings, DirectoryUnavailable
from portal.directory.provisioning import (
    RELAX_RULES,
    AccountSpec,
    DemoProvisioner,
    OpenLdapProvisioner,
    ProvisioningRefused,
    provisioner_for,
)
from tests.unit.portal.test_directory_ad import Call, FakeConnection, FakeDirectory, entry

USERS_DN = "ou=people,dc=entidad,dc=gov,dc=co"
GROUPS_DN = "ou=groups,dc=entidad,dc=gov,dc=co"
SETTINGS = DirectorySettings(
    url="ldap://ldap.entidad.gov.co",
    bind_dn="cn=admin,dc=entidad,dc=gov,dc=co",
    bind_password="service-secret",
    users_dn=USERS_DN,
    groups_dn=GROUPS_DN,
    flavor="openldap",
    attributes=ATTRIBUTE_MAPS["openldap"],
)
JPEREZ_DN = f"uid=jperez,{USERS_DN}"
SALUD_DN = f"cn=salud,{GROUPS_DN}"
VPN_DN = f"cn=vpn,{GROUPS_DN}"
LOCKED_BY_BINDS = "20261121120000Z"
TEMP_PASSWORD = "Tmp#2026-clave"


def lookup(username: str, attributes: list[str]) -> Call:
    return ("search", USERS_DN, f"(uid={username})", SUBTREE, attributes)


def lock_change(dn: str, operation: str, values: list[str]) -> Call:
    return ("modify", dn, {"pwdAccountLockedTime": [(operation, values)]}, None)


def member_delete(group_dn: str, dn: str) -> Call:
    return ("modify", group_dn, {"member": [(MODIFY_DELETE, [dn])]}, None)


@pytest.fixture
def fake() -> FakeConnection:
    return FakeConnection()


@pytest.fixture
def directory(fake: FakeConnection) -> FakeDirectory:
    return FakeDirectory(SETTINGS, fake)


@pytest.fixture
def ldap(directory: FakeDirectory) -> OpenLdapProvisioner:
    provisioner = provisioner_for(directory)
    assert type(provisioner) is OpenLdapProvisioner
    return provisioner


def with_lock(fake: FakeConnection, value: Any, username: str = "jperez", dn: str = JPEREZ_DN) -> FakeConnection:
    attributes = {} if value is None else {"pwdAccountLockedTime": value}
    return fake.on_search(USERS_DN, f"(uid={username})", entry(dn, **attributes))


# -- ensure_account ------------------------------------------------------------------------------


def test_ensure_account_adds_an_inet_org_person(ldap: OpenLdapProvisioner, fake: FakeConnection) -> None:
    fake.on_search(USERS_DN, "(uid=jperez)")
    fake.on_search(USERS_DN, "(mail=jperez@entidad.gov.co)")
    account = AccountSpec(
        username="jperez",
        full_name="Juan Pérez",
        email="jperez@entidad.gov.co",
        given_name="Juan",
        surname="Pérez",
        position="Profesional universitario",
        dependency_code="SALUD-01",
        document="1234567890",
        origin="SOL-2026-00001",
    )
    with ldap.session():
        assert ldap.ensure_account(account) == ["cuenta jperez creada"]
    assert fake.searches() == [
        lookup("jperez", ["cn", "mail", "description", "pwdAccountLockedTime"]),
        ("search", USERS_DN, "(mail=jperez@entidad.gov.co)", SUBTREE, ["uid"]),
    ]
    assert fake.writes() == [
        (
            "add",
            JPEREZ_DN,
            {
                "objectClass": ["inetOrgPerson"],
                "uid": "jperez",
                "cn": "Juan Pérez",
                "sn": "Pérez",
                "mail": "jperez@entidad.gov.co",
                "title": "Profesional universitario",
                "ou": "SALUD-01",
                "employeeNumber": "1234567890",
                "description": "Creada por Mesa TIC: SOL-2026-00001",
                "givenName": "Juan",
            },
        )
    ]


def test_ensure_account_escapes_the_username_in_filter_and_dn(ldap: OpenLdapProvisioner, fake: FakeConnection) -> None:
    fake.on_search(USERS_DN, r"(uid=a\2ab\28c\29,d+e)")
    fake.on_search(USERS_DN, "(mail=ana@entidad.gov.co)")
    with ldap.session():
        ldap.ensure_account(AccountSpec(username="a*b(c),d+e", full_name="Ana", email="ana@entidad.gov.co"))
    [(_, dn, attributes)] = fake.writes()
    assert dn == rf"uid=a*b(c)\,d\+e,{USERS_DN}"
    assert attributes == {
        "objectClass": ["inetOrgPerson"],
        "uid": "a*b(c),d+e",
        "cn": "Ana",
        "sn": "Ana",  # no surname given: sn (required) takes the full name
        "mail": "ana@entidad.gov.co",
    }


def test_ensure_account_existing_is_left_alone_only_when_this_request_made_it(
    ldap: OpenLdapProvisioner, fake: FakeConnection
) -> None:
    mark = "Creada por Mesa TIC: SOL-2026-00001"
    fake.on_search(USERS_DN, "(uid=jperez)", entry(JPEREZ_DN, mail=["JPerez@entidad.gov.co"], description=[mark]))
    fake.on_search(USERS_DN, "(uid=otro)", entry(f"uid=otro,{USERS_DN}", mail=["otro@entidad.gov.co"]))
    fake.on_search(USERS_DN, "(uid=mismo)", entry(f"uid=mismo,{USERS_DN}", mail=["mismo@entidad.gov.co"]))
    with ldap.session():
        ours = AccountSpec(username="jperez", full_name="J", email="jperez@entidad.gov.co", origin="SOL-2026-00001")
        assert ldap.ensure_account(ours) == []
        for username, email in (("otro", "jperez@entidad.gov.co"), ("mismo", "mismo@entidad.gov.co")):
            with pytest.raises(ProvisioningRefused, match="ya existe en el directorio y no la creó esta solicitud"):
                ldap.ensure_account(AccountSpec(username=username, full_name="O", email=email, origin="SOL-2026-00001"))
    assert fake.writes() == []


def test_a_create_request_never_re_enables_a_retired_account(ldap: OpenLdapProvisioner, fake: FakeConnection) -> None:
    fake.on_search(
        USERS_DN, "(uid=jperez)", entry(JPEREZ_DN, mail=["jperez@entidad.gov.co"], pwdAccountLockedTime=["000001010000Z"])
    )
    with pytest.raises(ProvisioningRefused, match="FO-M11-P2-05"), ldap.session():
        ldap.ensure_account(AccountSpec(username="jperez", full_name="J", email="jperez@entidad.gov.co"))
    assert fake.writes() == []


# -- retire / enable / unlock ---------------------------------------------------------------------


def test_retire_locks_with_the_administrative_time_then_leaves_every_group(
    ldap: OpenLdapProvisioner, fake: FakeConnection
) -> None:
    with_lock(fake, None)
    fake.on_search(GROUPS_DN, f"(&(objectClass=groupOfNames)(member={JPEREZ_DN}))", entry(SALUD_DN), entry(VPN_DN))
    with ldap.session():
        changes = ldap.retire("jperez")
    assert DISABLED_LOCK_TIME == "000001010000Z"
    assert fake.writes() == [
        lock_change(JPEREZ_DN, MODIFY_REPLACE, ["000001010000Z"]),
        member_delete(SALUD_DN, JPEREZ_DN),
        member_delete(VPN_DN, JPEREZ_DN),
    ]
    assert fake.searches() == [
        lookup("jperez", ["pwdAccountLockedTime"]),
        ("search", GROUPS_DN, f"(&(objectClass=groupOfNames)(member={JPEREZ_DN}))", SUBTREE, ["cn"]),
    ]
    assert changes == ["cuenta deshabilitada", f"retirado de {SALUD_DN}", f"retirado de {VPN_DN}"]


def test_retire_of_an_account_locked_by_failed_binds_turns_the_lock_administrative(
    ldap: OpenLdapProvisioner, fake: FakeConnection
) -> None:
    with_lock(fake, [LOCKED_BY_BINDS])
    fake.on_search(GROUPS_DN, f"(&(objectClass=groupOfNames)(member={JPEREZ_DN}))")
    with ldap.session():
        assert ldap.retire("jperez") == ["cuenta deshabilitada"]
    assert fake.writes() == [lock_change(JPEREZ_DN, MODIFY_REPLACE, [DISABLED_LOCK_TIME])]


# ldap3 gives the administrative value back as text without schema, as bytes with it (not a valid date)
@pytest.mark.parametrize("value", [["000001010000Z"], "000001010000Z", [format_time(b"000001010000Z")]])
def test_retire_again_changes_nothing(ldap: OpenLdapProvisioner, fake: FakeConnection, value: Any) -> None:
    with_lock(fake, value)
    fake.on_search(GROUPS_DN, f"(&(objectClass=groupOfNames)(member={JPEREZ_DN}))")
    with ldap.session():
        assert ldap.retire("jperez") == []
    assert fake.writes() == []


def test_removing_the_last_member_puts_the_placeholder_in(ldap: OpenLdapProvisioner, fake: FakeConnection) -> None:
    """groupOfNames must keep a member: slapd answers objectClassViolation (65) to the delete."""
    with_lock(fake, ["000001010000Z"])
    fake.on_search(GROUPS_DN, f"(&(objectClass=groupOfNames)(member={JPEREZ_DN}))", entry(VPN_DN))
    fake.answer_writes(65)
    with ldap.session():
        assert ldap.retire("jperez") == [f"retirado de {VPN_DN}"]
    assert fake.writes() == [
        member_delete(VPN_DN, JPEREZ_DN),
        ("modify", VPN_DN, {"member": [(MODIFY_REPLACE, ["cn=nobody"])]}, None),
    ]


def test_the_placeholder_member_is_configurable_and_used_by_remove_from_groups(
    directory: FakeDirectory, fake: FakeConnection
) -> None:
    placeholder = f"cn=vacio,{GROUPS_DN}"
    ldap = OpenLdapProvisioner(directory, empty_group_member=placeholder)
    fake.on_search(USERS_DN, "(uid=jperez)", entry(JPEREZ_DN))
    fake.on_search(VPN_DN, f"(member={JPEREZ_DN})", entry(VPN_DN))
    fake.answer_writes(65)
    with ldap.session():
        assert ldap.remove_from_groups("jperez", [VPN_DN]) == [f"retirado de {VPN_DN}"]
    assert fake.writes() == [
        member_delete(VPN_DN, JPEREZ_DN),
        ("modify", VPN_DN, {"member": [(MODIFY_REPLACE, [placeholder])]}, None),
    ]


@pytest.mark.parametrize(("code", "error"), [(50, ProvisioningRefused), (52, DirectoryUnavailable)])
def test_a_failed_placeholder_replacement_is_sorted_like_any_error(
    ldap: OpenLdapProvisioner, fake: FakeConnection, code: int, error: type
) -> None:
    with_lock(fake, ["000001010000Z"])
    fake.on_search(GROUPS_DN, f"(&(objectClass=groupOfNames)(member={JPEREZ_DN}))", entry(VPN_DN))
    fake.answer_writes(65, code)
    with pytest.raises(error, match=re.escape(f"retirar de {VPN_DN}")), ldap.session():
        ldap.retire("jperez")
    assert len(fake.writes()) == 2


def test_other_member_delete_errors_do_not_use_the_placeholder(ldap: OpenLdapProvisioner, fake: FakeConnection) -> None:
    with_lock(fake, ["000001010000Z"])
    fake.on_search(GROUPS_DN, f"(&(objectClass=groupOfNames)(member={JPEREZ_DN}))", entry(VPN_DN))
    fake.answer_writes(50)
    with pytest.raises(ProvisioningRefused, match="insufficientAccessRights"), ldap.session():
        ldap.retire("jperez")
    assert fake.writes() == [member_delete(VPN_DN, JPEREZ_DN)]


@pytest.mark.parametrize("value", [["000001010000Z"], [format_time(b"000001010000Z")]])
def test_unlock_of_a_retired_account_is_refused_pointing_to_the_activation_form(
    ldap: OpenLdapProvisioner, fake: FakeConnection, value: Any
) -> None:
    with_lock(fake, value)
    with pytest.raises(ProvisioningRefused, match="FO-M11-P2-05") as refused, ldap.session():
        ldap.unlock("jperez")
    assert "retirada" in str(refused.value)
    assert fake.writes() == []


@pytest.mark.parametrize("value", [[LOCKED_BY_BINDS], [format_time(LOCKED_BY_BINDS.encode())]])
def test_unlock_deletes_the_lock_from_failed_binds(ldap: OpenLdapProvisioner, fake: FakeConnection, value: Any) -> None:
    with_lock(fake, value)
    with ldap.session():
        assert ldap.unlock("jperez") == ["bloqueo retirado"]
    assert fake.writes() == [lock_change(JPEREZ_DN, MODIFY_DELETE, [])]
    assert fake.searches() == [lookup("jperez", ["pwdAccountLockedTime"])]


@pytest.mark.parametrize("value", [None, []])
def test_unlock_and_enable_of_an_unlocked_account_change_nothing(
    ldap: OpenLdapProvisioner, fake: FakeConnection, value: Any
) -> None:
    with_lock(fake, value)
    with ldap.session():
        assert ldap.unlock("jperez") == []
        assert ldap.enable("jperez") == []
    assert fake.writes() == []


@pytest.mark.parametrize("value", [["000001010000Z"], [LOCKED_BY_BINDS]])
def test_enable_deletes_any_lock(ldap: OpenLdapProvisioner, fake: FakeConnection, value: Any) -> None:
    with_lock(fake, value)
    with ldap.session():
        assert ldap.enable("jperez") == ["cuenta activada"]
    assert fake.writes() == [lock_change(JPEREZ_DN, MODIFY_DELETE, [])]


# -- groups --------------------------------------------------------------------------------------


def test_add_to_groups_uses_member_add(ldap: OpenLdapProvisioner, fake: FakeConnection) -> None:
    fake.on_search(USERS_DN, "(uid=jperez)", entry(JPEREZ_DN))
    fake.on_search(SALUD_DN, f"(member={JPEREZ_DN})")
    fake.on_search(SALUD_DN, "(objectClass=*)", entry(SALUD_DN))
    with ldap.session():
        assert ldap.add_to_groups("jperez", [SALUD_DN]) == [f"agregado a {SALUD_DN}"]
    assert fake.writes() == [("modify", SALUD_DN, {"member": [(MODIFY_ADD, [JPEREZ_DN])]}, None)]


# -- set_temporary_password ---------------------------------------------------------------------


def _password_ops(dn: str, password: str) -> list[Call]:
    return [
        ("modify_password", dn, None, password, None),
        ("modify", dn, {"pwdReset": [(MODIFY_REPLACE, ["TRUE"])]}, [("1.3.6.1.4.1.4203.666.5.12", True, None)]),
    ]


@pytest.mark.parametrize("new_account", [True, False])
def test_temporary_password_uses_password_modify_then_pwd_reset_with_relax_rules(
    ldap: OpenLdapProvisioner, fake: FakeConnection, new_account: bool
) -> None:
    fake.on_search(USERS_DN, "(uid=jperez)", entry(JPEREZ_DN))
    with ldap.session():
        changes = ldap.set_temporary_password("jperez", TEMP_PASSWORD, new_account=new_account)
    assert changes == ["clave temporal asignada (debe cambiarse al ingresar)"]
    assert fake.writes() == _password_ops(JPEREZ_DN, TEMP_PASSWORD)
    assert fake.searches() == [lookup("jperez", ["objectClass"])]


def test_relax_rules_is_a_control_ldap3_can_send() -> None:
    assert RELAX_RULES == ("1.3.6.1.4.1.4203.666.5.12", True, None)
    assert "1.3.6.1.4.1.4203.666.5.12" in str(build_controls_list([RELAX_RULES]))


@pytest.mark.parametrize(("code", "error"), [(19, ProvisioningRefused), (53, ProvisioningRefused), (52, DirectoryUnavailable)])
def test_password_modify_failures_stop_before_pwd_reset(
    ldap: OpenLdapProvisioner, fake: FakeConnection, code: int, error: type
) -> None:
    fake.on_search(USERS_DN, "(uid=jperez)", entry(JPEREZ_DN)).answer_writes(code)
    with pytest.raises(error, match="inicializar clave"), ldap.session():
        ldap.set_temporary_password("jperez", TEMP_PASSWORD)
    assert fake.writes() == _password_ops(JPEREZ_DN, TEMP_PASSWORD)[:1]


def test_demo_directory_writes_user_password_directly(fake: FakeConnection) -> None:
    demo_settings = DirectorySettings(
        url="mock://demo",
        bind_dn="cn=admin,dc=demo",
        bind_password="x",
        users_dn=USERS_DN,
        groups_dn=GROUPS_DN,
        attributes=ATTRIBUTE_MAPS["openldap"],
    )
    demo = provisioner_for(FakeDirectory(demo_settings, fake))
    assert type(demo) is DemoProvisioner
    fake.on_search(USERS_DN, "(uid=jperez)", entry(JPEREZ_DN))
    with demo.session():
        demo.set_temporary_password("jperez", TEMP_PASSWORD, new_account=True)
    assert fake.writes() == [("modify", JPEREZ_DN, {"userPassword": [(MODIFY_REPLACE, [TEMP_PASSWORD])]}, None)]
