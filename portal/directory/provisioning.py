"""Directory changes for approved requests (SPEC §4), one idempotent operation per action.

Each operation reads the entry first and does only what is missing, so running it again changes
nothing and succeeds. It returns the list of changes made (empty when the directory already
matched). ``DirectoryUnavailable`` means "try again later"; ``ProvisioningRefused`` means the
directory answered and the change cannot be made as asked (a person must look at it).

Flavours: ``OpenLdapProvisioner`` (inetOrgPerson, groupOfNames, ppolicy) and ``AdProvisioner``
(userAccountControl, lockoutTime, pwdLastSet, unicodePwd over LDAPS).
"""

from __future__ import annotations

import hashlib
import secrets
import string
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ldap3 import BASE, MODIFY_ADD, MODIFY_DELETE, MODIFY_REPLACE, SUBTREE, Connection
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import escape_rdn

from portal.directory.base import DISABLED_LOCK_TIME, Directory, DirectoryUnavailable, save_mock_state

#: OpenLDAP's Relax Rules control, needed to touch ppolicy's operational attributes.
RELAX_RULES = ("1.3.6.1.4.1.4203.666.5.12", True, None)
AD_ACCOUNTDISABLE = 0x2
AD_NORMAL_ACCOUNT = 0x200
#: LDAP result codes that mean "the server is there but busy or going away": retry later.
TRANSIENT_RESULTS = frozenset({1, 3, 11, 51, 52, 80})
PASSWORD_SYMBOLS = "!#$%&*+-=?@_"
RETIRED_ACCOUNT_EXISTS = "la cuenta {username} ya existe y está retirada: solicite su activación (FO-M11-P2-05, activar)"
FOREIGN_ACCOUNT_EXISTS = (
    "la cuenta {username} ya existe en el directorio y no la creó esta solicitud: no se modificó; "
    "si está retirada, solicite su activación (FO-M11-P2-05, activar); si olvidó la clave, use el formato FO-M11-P2-12"
)
EMAIL_TAKEN = "el correo {email} ya pertenece a la cuenta {other} del directorio: no se creó otra cuenta con él"


class ProvisioningRefused(Exception):
    """The directory answered, and the change cannot be made as requested."""


@dataclass(frozen=True)
class AccountSpec:
    username: str
    full_name: str
    email: str
    given_name: str | None = None
    surname: str | None = None
    position: str | None = None
    dependency_code: str | None = None
    document: str | None = None
    #: the request that asks for the account; written on the entry it creates, so a retry knows it
    origin: str | None = None

    @property
    def origin_mark(self) -> str | None:
        return f"Creada por Mesa TIC: {self.origin}" if self.origin else None


def generate_password(length: int = 16) -> str:
    """A temporary password from ``secrets`` with every character class, for any usual policy."""
    length = max(length, 12)
    alphabet = string.ascii_letters + string.digits + PASSWORD_SYMBOLS
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if (
            any(c.islower() for c in candidate)
            and any(c.isupper() for c in candidate)
            and any(c.isdigit() for c in candidate)
            and any(c in PASSWORD_SYMBOLS for c in candidate)
        ):
            return candidate


def generalized_time(value: Any) -> str | None:
    """ppolicy times come back as datetimes (schema known), bytes or text: one text form."""
    if value is None or value == []:
        return None
    if isinstance(value, bytes):
        return value.decode("ascii")
    if isinstance(value, str):
        return value
    return str(value.strftime("%Y%m%d%H%M%SZ"))


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


class Provisioner:
    """Shared plumbing: one bound service connection per run, errors sorted into retry or refuse."""

    def __init__(self, directory: Directory, *, empty_group_member: str = "cn=nobody") -> None:
        self.directory = directory
        self.settings = directory.settings
        self.empty_group_member = empty_group_member
        self._conn: Connection | None = None

    @contextmanager
    def session(self) -> Iterator[Provisioner]:
        self._conn = self.directory.service_connection()
        try:
            yield self
        finally:
            try:
                self._conn.unbind()
            except LDAPException:
                pass
            self._conn = None
            save_mock_state(self.settings)

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("use 'with provisioner.session():'")
        return self._conn

    def _check(self, ok: bool, what: str) -> None:
        if ok:
            return
        result = self.conn.result or {}
        code = result.get("result")
        message = f"{what}: {result.get('description')} {result.get('message') or ''}".strip()
        if code in TRANSIENT_RESULTS or code is None:
            raise DirectoryUnavailable(message)
        raise ProvisioningRefused(message)

    def _call(self, what: str, operation: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            ok = operation(*args, **kwargs)
        except LDAPException as exc:  # socket errors, timeouts: the directory is not answering
            raise DirectoryUnavailable(f"{what}: {exc}") from exc
        self._check(bool(ok), what)
        return ok

    def _search(self, base: str, search_filter: str, scope: Any, attributes: Sequence[str]) -> list[dict[str, Any]]:
        try:
            self.conn.search(base, search_filter, scope, attributes=list(attributes))
        except LDAPException as exc:
            raise DirectoryUnavailable(f"búsqueda: {exc}") from exc
        code = self.conn.result.get("result")
        if code == 32:  # noSuchObject
            return []
        if code not in (0, 4):
            self._check(False, "búsqueda")
        return [e for e in self.conn.response or [] if e.get("type") == "searchResEntry"]

    def ensure_account(self, spec: AccountSpec) -> list[str]:
        raise NotImplementedError

    def enable(self, username: str) -> list[str]:
        raise NotImplementedError

    def retire(self, username: str) -> list[str]:
        raise NotImplementedError

    def unlock(self, username: str) -> list[str]:
        raise NotImplementedError

    def set_temporary_password(self, username: str, password: str, *, new_account: bool = False) -> list[str]:
        raise NotImplementedError

    def password_stamp(self, username: str) -> str | None:
        """When the account's password last changed, as the directory says (None: never or unknown)."""
        return None

    def _check_existing(self, spec: AccountSpec, entry: dict[str, Any] | None) -> None:
        """A ``crear`` never touches an account someone else made (SPEC §4): only an entry carrying
        this request's mark (an earlier attempt of the same job) is taken as done."""
        amap = self.settings.attributes
        if entry is not None:
            marks = entry["attributes"].get(amap.get("origin", "description")) or []
            marks = [marks] if isinstance(marks, str) else list(marks)
            if spec.origin_mark is None or spec.origin_mark not in [str(m) for m in marks]:
                raise ProvisioningRefused(FOREIGN_ACCOUNT_EXISTS.format(username=spec.username))
            return
        search_filter = f"({amap['email']}={escape_filter_chars(spec.email)})"
        taken = self._search(self.settings.users_dn, search_filter, SUBTREE, [amap["username"]])
        if taken:
            other = _first(taken[0]["attributes"].get(amap["username"])) or taken[0]["dn"]
            raise ProvisioningRefused(EMAIL_TAKEN.format(email=spec.email, other=other))

    def user_dn(self, username: str) -> str:
        return f"{self.settings.attributes['username']}={escape_rdn(username)},{self.settings.users_dn}"

    def find_user(self, username: str, attributes: Sequence[str] = ()) -> dict[str, Any] | None:
        amap = self.settings.attributes
        search_filter = f"({amap['username']}={escape_filter_chars(username)})"
        entries = self._search(self.settings.users_dn, search_filter, SUBTREE, list(attributes) or ["objectClass"])
        if len(entries) > 1:
            raise ProvisioningRefused(f"hay {len(entries)} cuentas con el usuario {username}")
        return entries[0] if entries else None

    def require_user(self, username: str, attributes: Sequence[str] = ()) -> dict[str, Any]:
        entry = self.find_user(username, attributes)
        if entry is None:
            raise ProvisioningRefused(f"la cuenta {username} no existe en el directorio")
        return entry

    def groups_of(self, dn: str) -> list[str]:
        search_filter = f"(&(objectClass=groupOfNames)(member={escape_filter_chars(dn)}))"
        if self.settings.flavor == "ad":
            search_filter = f"(&(objectClass=group)(member={escape_filter_chars(dn)}))"
        return [e["dn"] for e in self._search(self.settings.groups_dn, search_filter, SUBTREE, ["cn"])]

    def is_member(self, group_dn: str, dn: str) -> bool:
        found = self._search(group_dn, f"(member={escape_filter_chars(dn)})", BASE, ["cn"])
        if not found and not self._search(group_dn, "(objectClass=*)", BASE, ["cn"]):
            raise ProvisioningRefused(f"el grupo {group_dn} no existe")
        return bool(found)

    def add_to_groups(self, username: str, group_dns: Sequence[str]) -> list[str]:
        dn = self.require_user(username)["dn"]
        changes = []
        for group_dn in group_dns:
            if not self.is_member(group_dn, dn):
                self._call(f"agregar a {group_dn}", self.conn.modify, group_dn, {"member": [(MODIFY_ADD, [dn])]})
                changes.append(f"agregado a {group_dn}")
        return changes

    def remove_from_groups(self, username: str, group_dns: Sequence[str]) -> list[str]:
        entry = self.find_user(username)
        if entry is None:
            return []
        changes = []
        for group_dn in group_dns:
            if self.is_member(group_dn, entry["dn"]):
                self._remove_member(group_dn, entry["dn"])
                changes.append(f"retirado de {group_dn}")
        return changes

    def _remove_member(self, group_dn: str, dn: str) -> None:
        ok = self.conn.modify(group_dn, {"member": [(MODIFY_DELETE, [dn])]})
        if not ok and self.conn.result.get("result") == 65 and self.settings.flavor != "ad":
            # groupOfNames needs a member: the last one is replaced by a placeholder
            ok = self.conn.modify(group_dn, {"member": [(MODIFY_REPLACE, [self.empty_group_member])]})
        self._check(bool(ok), f"retirar de {group_dn}")


class OpenLdapProvisioner(Provisioner):
    """inetOrgPerson accounts, groupOfNames groups, ppolicy locks (SPEC §4)."""

    def _attributes(self, spec: AccountSpec) -> dict[str, Any]:
        amap = self.settings.attributes
        attrs: dict[str, Any] = {
            "objectClass": ["inetOrgPerson"],
            amap["username"]: spec.username,
            amap["full_name"]: spec.full_name,
            "sn": spec.surname or spec.full_name,
            amap["email"]: spec.email,
        }
        for key, value in (
            ("position", spec.position),
            ("dependency", spec.dependency_code),
            ("document", spec.document),
            ("origin", spec.origin_mark),
        ):
            if value:
                attrs[amap[key]] = value
        if spec.given_name:
            attrs["givenName"] = spec.given_name
        return attrs

    def ensure_account(self, spec: AccountSpec) -> list[str]:
        """Create the account; an entry this request made earlier is done, any other is refused untouched."""
        amap = self.settings.attributes
        entry = self.find_user(spec.username, [amap["full_name"], amap["email"], amap["origin"], "pwdAccountLockedTime"])
        self._check_existing(spec, entry)
        if entry is None:
            self._call("crear cuenta", self.conn.add, self.user_dn(spec.username), attributes=self._attributes(spec))
            return [f"cuenta {spec.username} creada"]
        if generalized_time(_first(entry["attributes"].get("pwdAccountLockedTime"))) == DISABLED_LOCK_TIME:
            raise ProvisioningRefused(RETIRED_ACCOUNT_EXISTS.format(username=spec.username))
        return []

    def lock_state(self, username: str) -> tuple[str, str | None]:
        entry = self.require_user(username, ["pwdAccountLockedTime"])
        return entry["dn"], generalized_time(_first(entry["attributes"].get("pwdAccountLockedTime")))

    def enable(self, username: str) -> list[str]:
        dn, locked = self.lock_state(username)
        if locked is None:
            return []
        self._call("activar", self.conn.modify, dn, {"pwdAccountLockedTime": [(MODIFY_DELETE, [])]})
        return ["cuenta activada"]

    def retire(self, username: str) -> list[str]:
        """Disable (``pwdAccountLockedTime: 000001010000Z``) and leave every group; the entry stays."""
        dn, locked = self.lock_state(username)
        changes = []
        if locked != DISABLED_LOCK_TIME:
            self._call("retirar", self.conn.modify, dn, {"pwdAccountLockedTime": [(MODIFY_REPLACE, [DISABLED_LOCK_TIME])]})
            changes.append("cuenta deshabilitada")
        for group_dn in self.groups_of(dn):
            self._remove_member(group_dn, dn)
            changes.append(f"retirado de {group_dn}")
        return changes

    def unlock(self, username: str) -> list[str]:
        """Clear a lock from failed binds (the user remembers the password); a retired account stays retired."""
        dn, locked = self.lock_state(username)
        if locked is None:
            return []
        if locked == DISABLED_LOCK_TIME:
            raise ProvisioningRefused(
                f"la cuenta {username} está retirada, no bloqueada: solicite su activación con el formato FO-M11-P2-05"
            )
        self._call("desbloquear", self.conn.modify, dn, {"pwdAccountLockedTime": [(MODIFY_DELETE, [])]})
        return ["bloqueo retirado"]

    def password_stamp(self, username: str) -> str | None:
        entry = self.require_user(username, ["pwdChangedTime"])
        return generalized_time(_first(entry["attributes"].get("pwdChangedTime")))

    def set_temporary_password(self, username: str, password: str, *, new_account: bool = False) -> list[str]:
        """Password-modify extended operation (the server checks its quality), then ``pwdReset: TRUE``."""
        dn = self.require_user(username)["dn"]
        self._call("inicializar clave", self.conn.extend.standard.modify_password, user=dn, new_password=password)
        self._call(
            "forzar cambio de clave", self.conn.modify, dn, {"pwdReset": [(MODIFY_REPLACE, ["TRUE"])]}, controls=[RELAX_RULES]
        )
        return ["clave temporal asignada (debe cambiarse al ingresar)"]


class AdProvisioner(Provisioner):
    """Active Directory: userAccountControl, lockoutTime, pwdLastSet, unicodePwd (needs LDAPS)."""

    def _uac(self, username: str) -> tuple[str, int]:
        entry = self.require_user(username, ["userAccountControl"])
        return entry["dn"], int(_first(entry["attributes"].get("userAccountControl")) or AD_NORMAL_ACCOUNT)

    def ensure_account(self, spec: AccountSpec) -> list[str]:
        amap = self.settings.attributes
        entry = self.find_user(spec.username, [amap["email"], amap["origin"], "userAccountControl", "pwdLastSet"])
        self._check_existing(spec, entry)
        if entry is not None:
            found = entry["attributes"]
            disabled = int(_first(found.get("userAccountControl")) or 0) & AD_ACCOUNTDISABLE
            # a disabled account that once had a password was retired; one without is ours, half-created
            if disabled and str(_first(found.get("pwdLastSet")) or "0") not in ("0", "1601-01-01 00:00:00+00:00"):
                raise ProvisioningRefused(RETIRED_ACCOUNT_EXISTS.format(username=spec.username))
            return []
        dn = f"CN={escape_rdn(spec.full_name)},{self.settings.users_dn}"
        attrs: dict[str, Any] = {
            "objectClass": ["top", "person", "organizationalPerson", "user"],
            "sAMAccountName": spec.username,
            "userPrincipalName": spec.email,
            "displayName": spec.full_name,
            "mail": spec.email,
            "userAccountControl": str(AD_NORMAL_ACCOUNT | AD_ACCOUNTDISABLE),
        }
        for key, value in (
            ("position", spec.position),
            ("dependency", spec.dependency_code),
            ("document", spec.document),
            ("origin", spec.origin_mark),
        ):
            if value:
                attrs[amap[key]] = value
        if spec.given_name:
            attrs["givenName"] = spec.given_name
        if spec.surname:
            attrs["sn"] = spec.surname
        self._call("crear cuenta", self.conn.add, dn, attributes=attrs)
        return [f"cuenta {spec.username} creada (deshabilitada hasta asignar la clave)"]

    def enable(self, username: str) -> list[str]:
        dn, uac = self._uac(username)
        if not uac & AD_ACCOUNTDISABLE:
            return []
        self._call("activar", self.conn.modify, dn, {"userAccountControl": [(MODIFY_REPLACE, [str(uac & ~AD_ACCOUNTDISABLE)])]})
        return ["cuenta activada"]

    def retire(self, username: str) -> list[str]:
        dn, uac = self._uac(username)
        changes = []
        if not uac & AD_ACCOUNTDISABLE:
            self._call(
                "retirar", self.conn.modify, dn, {"userAccountControl": [(MODIFY_REPLACE, [str(uac | AD_ACCOUNTDISABLE)])]}
            )
            changes.append("cuenta deshabilitada")
        for group_dn in self.groups_of(dn):
            self._remove_member(group_dn, dn)
            changes.append(f"retirado de {group_dn}")
        return changes

    def unlock(self, username: str) -> list[str]:
        entry = self.require_user(username, ["lockoutTime", "userAccountControl"])
        if int(_first(entry["attributes"].get("userAccountControl")) or 0) & AD_ACCOUNTDISABLE:
            raise ProvisioningRefused(f"la cuenta {username} está deshabilitada: solicite su activación (FO-M11-P2-05)")
        lockout = _first(entry["attributes"].get("lockoutTime"))
        if lockout in (None, 0, "0") or str(lockout).startswith("1601-01-01"):
            return []
        self._call("desbloquear", self.conn.modify, entry["dn"], {"lockoutTime": [(MODIFY_REPLACE, ["0"])]})
        return ["bloqueo retirado"]

    def password_stamp(self, username: str) -> str | None:
        entry = self.require_user(username, ["pwdLastSet"])
        value = _first(entry["attributes"].get("pwdLastSet"))
        return None if value in (None, "", 0, "0") else str(value)

    def set_temporary_password(self, username: str, password: str, *, new_account: bool = False) -> list[str]:
        """unicodePwd (quoted, UTF-16LE) then ``pwdLastSet: 0``; a new account is enabled afterwards."""
        dn, uac = self._uac(username)
        encoded = f'"{password}"'.encode("utf-16-le")
        self._call("inicializar clave", self.conn.modify, dn, {"unicodePwd": [(MODIFY_REPLACE, [encoded])]})
        self._call("forzar cambio de clave", self.conn.modify, dn, {"pwdLastSet": [(MODIFY_REPLACE, ["0"])]})
        changes = ["clave temporal asignada (debe cambiarse al ingresar)"]
        if new_account and uac & AD_ACCOUNTDISABLE:
            enabled = str(uac & ~AD_ACCOUNTDISABLE)
            self._call("activar", self.conn.modify, dn, {"userAccountControl": [(MODIFY_REPLACE, [enabled])]})
            changes.append("cuenta habilitada")
        return changes


class DemoProvisioner(OpenLdapProvisioner):
    """The in-process demo directory has no password-modify operation and no ppolicy: the
    temporary password is written to ``userPassword`` directly. Only for ``mock://`` URLs."""

    def set_temporary_password(self, username: str, password: str, *, new_account: bool = False) -> list[str]:
        dn = self.require_user(username)["dn"]
        self._call("inicializar clave", self.conn.modify, dn, {"userPassword": [(MODIFY_REPLACE, [password])]})
        return ["clave temporal asignada (directorio de demostración)"]

    def password_stamp(self, username: str) -> str | None:
        """No ``pwdChangedTime`` here: a digest of the stored password tells a change as well."""
        value = _first(self.require_user(username, ["userPassword"])["attributes"].get("userPassword"))
        if not value:
            return None
        raw = value if isinstance(value, bytes) else str(value).encode()
        return hashlib.sha256(raw).hexdigest()[:40]


def provisioner_for(directory: Directory) -> Provisioner:
    if directory.settings.is_mock:
        return DemoProvisioner(directory)
    return AdProvisioner(directory) if directory.settings.flavor == "ad" else OpenLdapProvisioner(directory)
