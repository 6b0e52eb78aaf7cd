"""Reading the directory as a whole: import people and dependencies, reconcile granted roles.

Neither ever reads an unreachable or partly answering directory as "these people left" (peers
have disabled hundreds of users after one LDAP outage): the whole listing is read first and
checked complete; on any error nothing is changed and the reason is given. Import only adds
and updates; it never disables or deletes anyone.

An attribute absent from an entry is unknown, not empty (an ACL may hide it from the service
account): it never blanks what the portal holds, and when a required attribute is missing from
most entries the whole import is refused, naming it. Searches are paged (RFC 2696), so the
server's per-search size limit (500 entries in OpenLDAP by default) does not cut the listing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from ldap3 import SUBTREE
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import parse_dn
from sqlalchemy import select

from portal import services as portal_services
from portal.db import DbSession
from portal.directory import REQUIRED_ATTRIBUTES, Directory, DirectoryPerson, DirectoryUnavailable
from portal.models import Dependency, DependencyKind
from tickets.models import AccessRequest, Connector, RequestAction, RequestState, TargetSystem

PAGE_SIZE = 500

#: the name an imported dependency gets when the directory has no entry describing it
PLACEHOLDER_NAME = "Dependencia {code} (completar nombre)"


class IncompleteListing(Exception):
    """The directory did not give the whole listing: acting on it could remove people wrongly."""


class MissingAttributes(IncompleteListing):
    """Most entries came without an attribute the portal needs: the service account cannot read it."""


def _check_required(directory: Directory, entries: list[dict[str, object]]) -> None:
    """Refuse a listing in which a required attribute is missing from most entries."""
    amap = directory.settings.attributes
    missing = []
    for key in REQUIRED_ATTRIBUTES:
        name = amap[key]
        absent = sum(1 for attrs in entries if attrs.get(name) in (None, "", []))
        if entries and absent * 2 > len(entries):
            missing.append(
                ngettext(
                    "%(attribute)s falta en %(absent)d de %(num)d entrada",
                    "%(attribute)s falta en %(absent)d de %(num)d entradas",
                    len(entries),
                    attribute=name,
                    absent=absent,
                )
            )
    if missing:
        raise MissingAttributes(
            _(
                "%(missing)s; la cuenta de servicio no puede leerlo (revise las ACL del directorio)",
                missing="; ".join(missing),
            )
        )


def read_people(directory: Directory) -> list[DirectoryPerson]:
    """Every person under the users base, with paged searches; all or nothing.

    Raises ``MissingAttributes`` when a required attribute is absent from most entries.
    """
    amap = directory.settings.attributes
    wanted = [amap[k] for k in ("username", "full_name", "email", "position", "dependency", "document")]
    conn = directory.service_connection()
    people: list[DirectoryPerson] = []
    seen: list[dict[str, object]] = []
    try:
        entries = conn.extend.standard.paged_search(
            directory.settings.users_dn,
            "(objectClass=person)",
            SUBTREE,
            attributes=wanted,
            paged_size=PAGE_SIZE,
            generator=True,
        )
        for entry in entries:
            if entry.get("type") != "searchResEntry":
                continue
            person = directory.person_from_entry(entry)
            if person.username:
                people.append(person)
                seen.append(dict(entry["attributes"]))
        if conn.result.get("result") not in (0, None):
            raise IncompleteListing(f"la búsqueda terminó con {conn.result.get('description')}")
    except LDAPException as exc:
        raise DirectoryUnavailable(str(exc)) from exc
    finally:
        try:
            conn.unbind()
        except LDAPException:
            pass
    if not people:
        # a search cut short (a server that stops answering) can end without an error: an
        # entity's directory with nobody in it is never read as everybody having left
        raise IncompleteListing("el directorio no devolvió ninguna persona")
    _check_required(directory, seen)
    return people


def dependencies_base(directory: Directory) -> str:
    """Where dependencies are described: ``LDAP_DEPENDENCIES_DN``, else the parent of the users' base."""
    if directory.settings.dependencies_dn:
        return directory.settings.dependencies_dn
    parts = parse_dn(directory.settings.users_dn, escape=True)
    return ",".join(f"{attr}={value}" for attr, value, _sep in parts[1:]) or directory.settings.users_dn


def read_dependency_names(directory: Directory, codes: set[str]) -> dict[str, str]:
    """The real names of dependencies, from the organisational units whose ``ou`` is the code:
    their ``description``, else another ``ou`` value than the code. Codes without an entry are left out.
    """
    if not codes:
        return {}
    wanted = "".join(f"(ou={escape_filter_chars(code)})" for code in sorted(codes))
    conn = directory.service_connection()
    names: dict[str, str] = {}
    try:
        entries = conn.extend.standard.paged_search(
            dependencies_base(directory),
            f"(&(objectClass=organizationalUnit)(|{wanted}))",
            SUBTREE,
            attributes=["ou", "description"],
            paged_size=PAGE_SIZE,
            generator=True,
        )
        by_upper = {code.upper(): code for code in codes}
        for entry in entries:
            if entry.get("type") != "searchResEntry":
                continue
            attrs = entry["attributes"]
            units = [str(v) for v in _values(attrs.get("ou"))]
            code = next((by_upper[u.upper()] for u in units if u.upper() in by_upper), None)
            if code is None or code in names:
                continue
            descriptions = [str(v).strip() for v in _values(attrs.get("description")) if str(v).strip()]
            others = [u.strip() for u in units if u.upper() != code.upper() and u.strip()]
            name = next(iter(descriptions or others), None)
            if name:
                names[code] = name[:200]
    except LDAPException as exc:
        raise DirectoryUnavailable(str(exc)) from exc
    finally:
        try:
            conn.unbind()
        except LDAPException:
            pass
    return names


def _values(value: object) -> list[object]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


@dataclass
class ImportReport:
    read: int = 0
    created: int = 0
    updated: int = 0
    dependencies_created: list[str] = field(default_factory=list)
    dependencies_renamed: list[str] = field(default_factory=list)


def import_people(
    session: DbSession,
    people: list[DirectoryPerson],
    progress: Callable[[Iterator[DirectoryPerson]], Iterator[DirectoryPerson]] | None = None,
    dependency_names: dict[str, str] | None = None,
) -> ImportReport:
    """Create or refresh portal users (and missing dependencies) from a complete listing.

    New dependencies take their name from ``dependency_names`` (read from the directory); one
    still carrying the placeholder name of an earlier import gets its real name. A name an
    administrator gave is kept.
    """
    report = ImportReport(read=len(people))
    names = dependency_names or {}
    existing = {dep.code: dep for dep in session.execute(select(Dependency)).scalars()}
    for code in sorted({p.dependency_code for p in people if p.dependency_code}):
        dependency = existing.get(code.strip().upper())
        name = names.get(code)
        if dependency is None:
            portal_services.save_dependency(
                session,
                actor=None,
                data=portal_services.DependencyData(code, name or PLACEHOLDER_NAME.format(code=code), DependencyKind.OFICINA),
            )
            report.dependencies_created.append(code)
        elif name and dependency.name == PLACEHOLDER_NAME.format(code=dependency.code) and name != dependency.name:
            portal_services.save_dependency(
                session,
                actor=None,
                dependency=dependency,
                data=portal_services.DependencyData(
                    dependency.code, name, dependency.kind, dependency.head_id, dependency.is_active
                ),
            )
            report.dependencies_renamed.append(code)
    iterator: Iterator[DirectoryPerson] = iter(people)
    if progress is not None:
        iterator = progress(iterator)
    for person in iterator:
        known = portal_services.find_user(session, person.username)
        before = (known.full_name, known.email, known.position, known.directory_dn) if known else None
        user = portal_services.sync_directory_person(session, person)
        if before is None:
            report.created += 1
        elif before != (user.full_name, user.email, user.position, user.directory_dn):
            report.updated += 1
    return report


@dataclass(frozen=True)
class ReconcileRow:
    system: str
    role: str
    group_dn: str
    username: str
    granted: bool
    in_directory: bool

    @property
    def status(self) -> str:
        if self.granted and self.in_directory:
            return "ok"
        if self.granted:
            return "falta en el directorio"
        return "sin solicitud que lo respalde"


def granted_memberships(session: DbSession, system: TargetSystem) -> dict[tuple[str, str], bool]:
    """(username, role) -> granted, replaying the resolved requests of the system in order."""
    requests = session.execute(
        select(AccessRequest)
        .where(AccessRequest.system_id == system.id, AccessRequest.state.in_([RequestState.RESUELTA, RequestState.CERRADA]))
        .order_by(AccessRequest.resolved_at, AccessRequest.id)
    ).scalars()
    granted: dict[tuple[str, str], bool] = {}
    for request in requests:
        username = request.beneficiary_username or ""
        if request.action is RequestAction.RETIRAR:
            for key in [k for k in granted if k[0] == username]:
                granted[key] = False
            continue
        for role in request.roles_to_add:
            granted[(username, role)] = True
        for role in request.roles_to_remove:
            granted[(username, role)] = False
    return granted


def read_group_members(directory: Directory, group_dn: str) -> set[str]:
    conn = directory.service_connection()
    try:
        if not conn.search(group_dn, "(objectClass=*)", "BASE", attributes=["member"]):
            raise IncompleteListing(f"no se pudo leer el grupo {group_dn}: {conn.result.get('description')}")
        entry = conn.response[0]
        return {str(m).lower() for m in entry["attributes"].get("member", [])}
    except LDAPException as exc:
        raise DirectoryUnavailable(str(exc)) from exc
    finally:
        try:
            conn.unbind()
        except LDAPException:
            pass


def reconcile(session: DbSession, directory: Directory) -> list[ReconcileRow]:
    """What the portal granted vs what the directory holds, per LDAP system and role."""
    people = {p.dn.lower(): p.username for p in read_people(directory)}
    rows: list[ReconcileRow] = []
    systems = session.execute(select(TargetSystem).where(TargetSystem.connector == Connector.LDAP)).scalars().all()
    for system in systems:
        granted = granted_memberships(session, system)
        for role, group_dn in sorted(system.role_map.items()):
            members = {people[dn] for dn in read_group_members(directory, group_dn) if dn in people}
            granted_users = {u for (u, r), ok in granted.items() if r == role and ok}
            for username in sorted(granted_users | members):
                rows.append(ReconcileRow(system.code, role, group_dn, username, username in granted_users, username in members))
    return rows
