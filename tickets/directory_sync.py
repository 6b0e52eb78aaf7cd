"""Reading the directory as a whole: import people and dependencies, reconcile granted roles.

Neither ever reads an unreachable or partly answering directory as "these people left" (peers
have disabled hundreds of users after one LDAP outage): the whole listing is read first and
checked complete; on any error nothing is changed and the reason is given. Import only adds
and updates; it never disables or deletes anyone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ldap3 import SUBTREE
from ldap3.core.exceptions import LDAPException
from sqlalchemy import select

from portal import services as portal_services
from portal.db import DbSession
from portal.directory import Directory, DirectoryPerson, DirectoryUnavailable
from portal.models import Dependency, DependencyKind
from tickets.models import AccessRequest, Connector, RequestAction, RequestState, TargetSystem

PAGE_SIZE = 500


class IncompleteListing(Exception):
    """The directory did not give the whole listing: acting on it could remove people wrongly."""


def read_people(directory: Directory) -> list[DirectoryPerson]:
    """Every person under the users base, with paged searches; all or nothing."""
    amap = directory.settings.attributes
    wanted = [amap[k] for k in ("username", "full_name", "email", "position", "dependency", "document")]
    conn = directory.service_connection()
    people: list[DirectoryPerson] = []
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
        if conn.result.get("result") not in (0, None):
            raise IncompleteListing(f"la búsqueda terminó con {conn.result.get('description')}")
    except LDAPException as exc:
        raise DirectoryUnavailable(str(exc)) from exc
    finally:
        try:
            conn.unbind()
        except LDAPException:
            pass
    return people


@dataclass
class ImportReport:
    read: int = 0
    created: int = 0
    updated: int = 0
    dependencies_created: list[str] = field(default_factory=list)


def import_people(
    session: DbSession,
    people: list[DirectoryPerson],
    progress: Callable[[Iterator[DirectoryPerson]], Iterator[DirectoryPerson]] | None = None,
) -> ImportReport:
    """Create or refresh portal users (and missing dependencies) from a complete listing."""
    report = ImportReport(read=len(people))
    known = {code for code in session.execute(select(Dependency.code)).scalars()}
    for code in sorted({p.dependency_code for p in people if p.dependency_code} - known):
        portal_services.save_dependency(
            session,
            actor=None,
            data=portal_services.DependencyData(code, f"Dependencia {code} (completar nombre)", DependencyKind.OFICINA),
        )
        report.dependencies_created.append(code)
    iterator: Iterator[DirectoryPerson] = iter(people)
    if progress is not None:
        iterator = progress(iterator)
    for person in iterator:
        existing = portal_services.find_user(session, person.username)
        before = (existing.full_name, existing.email, existing.position, existing.directory_dn) if existing else None
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
