"""The only place that changes people, roles, dependencies and tokens.

Every function takes the session and the acting user explicitly, writes its audit event in the
same transaction and flushes; the caller (view, API, CLI, task) commits.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from portal.audit import record_event
from portal.db import DbSession, utcnow
from portal.directory import DirectoryPerson
from portal.errors import NotAllowed, ValidationFailed, WrongState
from portal.models import ApiToken, Dependency, DependencyKind, RoleAssignment, User
from portal.roles import Role

MIN_LOCAL_PASSWORD_LENGTH = 12
TOKEN_PREFIX = "mtic_"
#: A token's "last used" is kept to the minute: a busy client does not write a row per call.
TOKEN_USE_RESOLUTION = timedelta(minutes=1)


def _snapshot_user(user: User) -> dict[str, object]:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "dependency_id": user.dependency_id,
        "is_active": user.is_active_account,
    }


def find_user(session: DbSession, username: str) -> User | None:
    return session.execute(select(User).where(func.lower(User.username) == username.strip().lower())).scalar()


def find_dependency(session: DbSession, code: str) -> Dependency | None:
    return session.execute(select(Dependency).where(Dependency.code == code)).scalar()


def create_local_admin(
    session: DbSession,
    *,
    username: str,
    full_name: str,
    email: str | None,
    password: str,
    actor: User | None = None,
    min_length: int = MIN_LOCAL_PASSWORD_LENGTH,
) -> User:
    """Create (or reset the password of) a local administrator for first setup.

    The password is hashed with scrypt; local accounts never touch the directory.
    """
    if len(password) < min_length:
        raise ValidationFailed(f"La contraseña debe tener al menos {min_length} caracteres.")
    user = find_user(session, username)
    if user is not None and not user.is_local:
        raise WrongState(f"El usuario {username} ya existe y se autentica contra el directorio.")
    action = "usuario.restablecer_admin_local"
    if user is None:
        user = User(username=username.strip(), full_name=full_name, email=email)
        session.add(user)
        action = "usuario.crear_admin_local"
    user.password_hash = generate_password_hash(password, method="scrypt")
    user.session_generation = (user.session_generation or 0) + 1  # a new password ends every session
    session.flush()
    if not user.has_role(Role.ADMIN):
        user.role_assignments.append(RoleAssignment(role=Role.ADMIN))
    session.flush()
    record_event(session, actor=actor, action=action, object_type="usuario", object_id=user.id, after=_snapshot_user(user))
    return user


def check_local_password(user: User, password: str) -> bool:
    return bool(user.password_hash) and check_password_hash(user.password_hash or "", password)


def sync_directory_person(session: DbSession, person: DirectoryPerson) -> User:
    """Create or refresh the portal record of a person found in the directory (no roles granted).

    An attribute the directory did not return (``None``) is unknown, not empty: the value the
    portal holds is kept (an ACL hiding ``mail`` must not stop approvers' mail)."""
    user = find_user(session, person.username)
    dependency = find_dependency(session, person.dependency_code) if person.dependency_code else None
    before = _snapshot_user(user) if user else None
    if user is None:
        user = User(username=person.username, full_name=person.full_name)
        session.add(user)
    user.full_name = person.full_name or user.full_name
    if person.email is not None:
        user.email = person.email
    if person.position is not None:
        user.position = person.position
    user.directory_dn = person.dn
    if dependency is not None:
        user.dependency = dependency
    session.flush()
    after = _snapshot_user(user)
    if before != after:
        action = "usuario.sincronizar_directorio" if before else "usuario.crear_desde_directorio"
        record_event(session, actor=None, action=action, object_type="usuario", object_id=user.id, before=before, after=after)
    return user


def record_login(session: DbSession, user: User) -> None:
    user.last_login_at = utcnow()
    record_event(session, actor=user, action="sesion.ingresar", object_type="usuario", object_id=user.id)


def record_failed_login(session: DbSession, username: str, reason: str) -> None:
    record_event(
        session,
        actor=None,
        action="sesion.ingreso_fallido",
        object_type="usuario",
        object_id=username[:60],
        after={"motivo": reason},
    )


def record_refused_login(session: DbSession, username: str, scope: str, retry_after: int) -> None:
    """A login attempt refused by the throttle, before any password was checked."""
    record_event(
        session,
        actor=None,
        action="sesion.ingreso_rechazado",
        object_type="usuario",
        object_id=username[:60],
        after={"limite": scope, "espera_segundos": retry_after},
    )


def assign_role(
    session: DbSession, *, actor: User | None, user: User, role: Role, dependency: Dependency | None = None
) -> RoleAssignment:
    """Grant ``role``; ``enlace`` and ``jefe`` need a dependency, the other roles must not have one."""
    if actor is not None and not actor.has_role(Role.ADMIN):
        raise NotAllowed("Solo un administrador puede asignar roles.")
    if role.is_scoped and dependency is None:
        raise ValidationFailed(f"El rol {role.label} requiere una dependencia.")
    if not role.is_scoped:
        dependency = None
    for existing in user.role_assignments:
        if existing.role == role and existing.dependency_id == (dependency.id if dependency else None):
            return existing
    assignment = RoleAssignment(role=role, dependency=dependency)
    user.role_assignments.append(assignment)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="rol.asignar",
        object_type="usuario",
        object_id=user.id,
        after={"rol": role.value, "dependencia": dependency.code if dependency else None},
    )
    return assignment


def revoke_role(session: DbSession, *, actor: User | None, user: User, role: Role, dependency: Dependency | None = None) -> None:
    if actor is not None and not actor.has_role(Role.ADMIN):
        raise NotAllowed("Solo un administrador puede retirar roles.")
    dep_id = dependency.id if dependency else None
    matches = [a for a in user.role_assignments if a.role == role and a.dependency_id == dep_id]
    if not matches:
        raise WrongState("El usuario no tiene ese rol.")
    for assignment in matches:
        user.role_assignments.remove(assignment)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="rol.retirar",
        object_type="usuario",
        object_id=user.id,
        before={"rol": role.value, "dependencia": dependency.code if dependency else None},
    )


@dataclass(frozen=True)
class DependencyData:
    code: str
    name: str
    kind: DependencyKind
    head_id: int | None = None
    is_active: bool = True


def _snapshot_dependency(dep: Dependency) -> dict[str, object]:
    return {"code": dep.code, "name": dep.name, "kind": dep.kind.value, "head_id": dep.head_id, "is_active": dep.is_active}


def save_dependency(
    session: DbSession, *, actor: User | None, data: DependencyData, dependency: Dependency | None = None
) -> Dependency:
    """Create a dependency, or update ``dependency`` with ``data``. Codes are unique."""
    if actor is not None and not actor.has_role(Role.ADMIN):
        raise NotAllowed("Solo un administrador puede modificar dependencias.")
    code = data.code.strip().upper()
    clash = find_dependency(session, code)
    if clash is not None and clash is not dependency:
        raise ValidationFailed("Ya existe una dependencia con ese código.", fields={"code": ["Código repetido."]})
    before = _snapshot_dependency(dependency) if dependency else None
    if dependency is None:
        dependency = Dependency(code=code, name=data.name, kind=data.kind)
        session.add(dependency)
    dependency.code = code
    dependency.name = data.name.strip()
    dependency.kind = data.kind
    dependency.head_id = data.head_id
    dependency.is_active = data.is_active
    session.flush()
    record_event(
        session,
        actor=actor,
        action="dependencia.crear" if before is None else "dependencia.modificar",
        object_type="dependencia",
        object_id=dependency.id,
        before=before,
        after=_snapshot_dependency(dependency),
    )
    return dependency


def set_dependency_head(session: DbSession, *, actor: User | None, dependency: Dependency, user: User) -> Dependency:
    """Make ``user`` the head of ``dependency`` (the jefe who signs its requests' first step)."""
    data = DependencyData(dependency.code, dependency.name, dependency.kind, user.id, dependency.is_active)
    return save_dependency(session, actor=actor, data=data, dependency=dependency)


def end_sessions(session: DbSession, *, actor: User | None, user: User, reason: str) -> None:
    """End every session of ``user`` on every device: the cookies issued so far stop working.

    Called by logout (``reason="salir"``), a password change, disabling the account and the
    administrator's "cerrar todas las sesiones" (``portal.login`` checks the generation).
    """
    user.session_generation = (user.session_generation or 0) + 1
    session.flush()
    record_event(
        session, actor=actor, action="sesion.cerrar_todas", object_type="usuario", object_id=user.id, after={"motivo": reason}
    )


def set_user_active(session: DbSession, *, actor: User | None, user: User, is_active: bool) -> None:
    """Enable or disable a portal account. Disabling ends its sessions; its tokens stop working."""
    if actor is not None and not actor.has_role(Role.ADMIN):
        raise NotAllowed("Solo un administrador puede activar o desactivar cuentas.")
    if actor is not None and actor.id == user.id and not is_active:
        raise NotAllowed("No puede desactivar su propia cuenta.")
    if user.is_active_account == is_active:
        raise WrongState("La cuenta ya está activa." if is_active else "La cuenta ya está desactivada.")
    before = _snapshot_user(user)
    user.is_active_account = is_active
    if not is_active:
        user.session_generation = (user.session_generation or 0) + 1
    session.flush()
    record_event(
        session,
        actor=actor,
        action="usuario.activar" if is_active else "usuario.desactivar",
        object_type="usuario",
        object_id=user.id,
        before=before,
        after=_snapshot_user(user),
    )


#: ``last_used_at`` is written at most this often per token, not once per API call.
TOKEN_USE_RESOLUTION = timedelta(minutes=1)
MAX_TOKEN_NAME_LENGTH = 120


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_api_token(
    session: DbSession, *, actor: User | None, user: User, name: str, days: int = 90, now: datetime | None = None
) -> tuple[str, ApiToken]:
    """Create a personal API token valid for ``days``; the clear token is returned once and only
    its hash is kept."""
    name = name.strip()
    if not name or len(name) > MAX_TOKEN_NAME_LENGTH:
        raise ValidationFailed("Indique un nombre de hasta 120 caracteres.", fields={"name": ["Nombre obligatorio."]})
    if not 1 <= days <= 3650:
        raise ValidationFailed("La vigencia debe estar entre 1 y 3650 días.", fields={"days": ["Fuera de rango."]})
    now = now or utcnow()
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user=user,
        name=name,
        prefix=token[: len(TOKEN_PREFIX) + 6],
        token_hash=_token_digest(token),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(row)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="token.emitir",
        object_type="usuario",
        object_id=user.id,
        after={"token": row.prefix, "nombre": row.name, "vence": row.expires_at.isoformat()},
    )
    return token, row


def revoke_api_token(session: DbSession, *, actor: User | None, token: ApiToken, now: datetime | None = None) -> None:
    """Revoke a token: the owner revokes its own, an administrator any (the CLI acts as one)."""
    if actor is not None and actor.id != token.user_id and not actor.has_role(Role.ADMIN):
        raise NotAllowed("Solo el titular o un administrador puede revocar este token.")
    if token.revoked_at is not None:
        raise WrongState("El token ya estaba revocado.")
    token.revoked_at = now or utcnow()
    session.flush()
    record_event(
        session,
        actor=actor,
        action="token.revocar",
        object_type="usuario",
        object_id=token.user_id,
        after={"token": token.prefix, "nombre": token.name},
    )


def tokens_of(session: DbSession, user: User) -> list[ApiToken]:
    """The user's tokens, newest first (revoked and expired ones included, to see their history)."""
    return list(session.execute(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())).scalars().all())


def find_token(session: DbSession, reference: str) -> ApiToken | None:
    """A token by its id or its shown prefix (``mtic_xxxxxx``)."""
    query = select(ApiToken)
    if reference.isdigit() and len(reference) < 10:
        return session.get(ApiToken, int(reference))
    return session.execute(query.where(ApiToken.prefix == reference.strip())).scalar()


#: Built once: the token, its user, the user's roles and their dependencies, in one query.
TOKEN_QUERY = (
    select(ApiToken)
    .options(
        joinedload(ApiToken.user).lazyload(User.dependency),
        joinedload(ApiToken.user)
        .joinedload(User.role_assignments)
        .joinedload(RoleAssignment.dependency)
        .lazyload(Dependency.head),
    )
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def user_for_token(session: DbSession, token: str, now: datetime | None = None) -> tuple[User | None, bool]:
    """The active user owning a usable token (not revoked, not expired), with its roles, in one
    query; and whether the token's last use was written (the caller then commits)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200 or not token.isascii():
        return None, False
    row = (
        session.execute(TOKEN_QUERY, {"token_hash": _token_digest(token)})
        .unique()
        .scalar_one_or_none()  # reads every row: the joined roles are all loaded
    )
    now = now or utcnow()
    if row is None or not row.is_usable(now) or not row.user.is_active_account:
        return None, False
    touched = row.last_used_at is None or now - row.last_used_at >= TOKEN_USE_RESOLUTION
    if touched:
        row.last_used_at = now
    return row.user, touched
