"""Who decides a step of an approval chain, and why (SPEC §3 "Rules").

One mechanism, in two forms that say the same thing: ``step_routing`` (Python: the decision
service, the e-mails, the ANS notices, the request page) and ``pending_for_clause`` (SQL: the
"Por aprobar" queue).

- The **titulares** of a step are the active holders of its role (for ``jefe``, of the request's
  dependency). A holder is *excluded* when they filed the request, are its beneficiary, or decided
  (themselves or through a delegate) another step of the same round.
- A titular's active **delegate** for that step kind decides too, on the titular's behalf.
- When every holder is excluded (or there is none), the step goes to an excluded holder's delegate;
  failing that, to the ``secretario`` as **suplencia** — recorded as such, not as the Secretario's
  exception, and not counted as one.
- Anyone excluded is never asked: not mailed, not in their queue, no decide button.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, func, inspect, not_, or_, select, true
from sqlalchemy.orm import aliased

from portal.db import DbSession
from portal.models import RoleAssignment, User
from portal.roles import Role
from tickets.models import APPROVAL_STATES, AccessRequest, ApprovalStep, Delegation, StepKind, StepState


class Basis(StrEnum):
    """Why a person may decide a step."""

    TITULAR = "titular"
    DELEGADO = "delegado"
    SUPLENCIA = "suplencia"


class Exclusion(StrEnum):
    """Why a person may not decide a step of this request."""

    REQUESTER = "radico"
    BENEFICIARY = "beneficiario"
    DECIDED = "decidio"

    @property
    def refusal(self) -> str:
        """The 403 message when an excluded person tries anyway."""
        return {
            "radico": "Nadie puede aprobar una solicitud que radicó.",
            "beneficiario": "Nadie puede aprobar una solicitud de la que es beneficiario.",
            "decidio": "Una misma persona decide como máximo un paso de cada solicitud.",
        }[self.value]

    @property
    def reason(self) -> str:
        """What the request page and the e-mails say about the person."""
        return {
            "radico": "radicó la solicitud",
            "beneficiario": "es el beneficiario de la solicitud",
            "decidio": "ya decidió otro paso de la solicitud",
        }[self.value]


@dataclass(frozen=True)
class Decider:
    person: User
    basis: Basis
    #: for a delegate, the holder they act for
    on_behalf_of: User | None = None


@dataclass(frozen=True)
class Excluded:
    person: User
    why: Exclusion
    basis: Basis


@dataclass(frozen=True)
class Candidates:
    """Everyone who could decide steps of one kind in one dependency today, before the request's
    own exclusions: the holders, their active delegations of that kind, the secretarios."""

    kind: StepKind
    holders: tuple[User, ...]
    delegations: tuple[Delegation, ...]
    substitutes: tuple[User, ...]


@dataclass(frozen=True)
class Conflicts:
    """The people a request excludes from deciding its steps (see the module docstring)."""

    requester_id: int
    beneficiary_user_id: int | None
    beneficiary_username: str | None
    beneficiary_email: str | None
    decided_ids: frozenset[int]

    def why(self, person: User) -> Exclusion | None:
        if person.id == self.requester_id:
            return Exclusion.REQUESTER
        if self.beneficiary_user_id == person.id:
            return Exclusion.BENEFICIARY
        if self.beneficiary_username and self.beneficiary_username == person.username.lower():
            return Exclusion.BENEFICIARY
        if self.beneficiary_email and person.email and self.beneficiary_email == person.email.lower():
            return Exclusion.BENEFICIARY
        if person.id in self.decided_ids:
            return Exclusion.DECIDED
        return None


@dataclass(frozen=True)
class Routing:
    """Who may decide a step now, and who may not and why."""

    kind: StepKind
    deciders: tuple[Decider, ...]
    excluded: tuple[Excluded, ...]

    @property
    def is_suplencia(self) -> bool:
        return any(d.basis is Basis.SUPLENCIA for d in self.deciders)

    def decider(self, user: User) -> Decider | None:
        return next((d for d in self.deciders if d.person.id == user.id), None)

    def refusal(self, user: User) -> str:
        """Why ``user`` may not decide this step (the 403 message)."""
        found = next((e for e in self.excluded if e.person.id == user.id), None)
        if found is not None:
            return found.why.refusal
        return f"Este paso ({self.kind.label}) no le corresponde."

    @property
    def excluded_holders(self) -> tuple[Excluded, ...]:
        return tuple(e for e in self.excluded if e.basis is Basis.TITULAR)

    @property
    def why_not_titulars(self) -> str:
        """Why no holder decides (for a delegate of an excluded holder, or a suplencia)."""
        holders = self.excluded_holders
        if not holders:
            return "el paso no tiene titular activo"
        return "; ".join(f"{e.person.full_name} {e.why.reason}" for e in holders)


def holders_query(kind: StepKind, dependency_id: int):  # type: ignore[no-untyped-def]
    query = select(User).join(RoleAssignment, RoleAssignment.user_id == User.id).where(User.is_active_account.is_(True))
    if kind is StepKind.JEFE:
        return query.where(RoleAssignment.role == Role.JEFE, RoleAssignment.dependency_id == dependency_id)
    return query.where(RoleAssignment.role == Role(kind.value))


def active_delegations(
    session: DbSession, delegator_ids: Iterable[int], today: date, kind: StepKind | None = None
) -> list[Delegation]:
    """Delegations of these people running today (of one step kind, when given)."""
    ids = list(delegator_ids)
    if not ids:
        return []
    query = select(Delegation).where(
        Delegation.delegator_id.in_(ids),
        Delegation.revoked_at.is_(None),
        Delegation.starts_on <= today,
        Delegation.ends_on >= today,
    )
    if kind is not None:
        query = query.where(Delegation.step_kind == kind)
    return list(session.execute(query.order_by(Delegation.id)).scalars())


def load_candidates(session: DbSession, kind: StepKind, dependency_id: int, today: date) -> Candidates:
    """The holders of ``kind`` (for ``jefe``, of the dependency), their delegations, the secretarios:
    one query, whatever the number of people, roles and delegations (issue 16)."""
    holder, assignment = aliased(User), aliased(RoleAssignment)
    role = (
        and_(assignment.role == Role.JEFE, assignment.dependency_id == dependency_id)
        if kind is StepKind.JEFE
        else assignment.role == Role(kind.value)
    )
    holder_ids = (
        select(assignment.user_id).join(holder, holder.id == assignment.user_id).where(holder.is_active_account.is_(True), role)
    )
    substitute_ids = select(RoleAssignment.user_id).where(RoleAssignment.role == Role.SECRETARIO)
    is_holder = User.id.in_(holder_ids)
    is_substitute = User.id.in_(substitute_ids)
    rows = session.execute(
        select(User, Delegation, is_holder, is_substitute)
        .outerjoin(
            Delegation,
            and_(
                Delegation.delegate_id == User.id,
                Delegation.step_kind == kind,
                Delegation.revoked_at.is_(None),
                Delegation.starts_on <= today,
                Delegation.ends_on >= today,
                Delegation.delegator_id.in_(holder_ids),
            ),
        )
        .where(User.is_active_account.is_(True), or_(is_holder, is_substitute, Delegation.id.is_not(None)))
        .order_by(User.id, Delegation.id)
    ).all()
    holders: dict[int, User] = {}
    substitutes: dict[int, User] = {}
    delegations: dict[int, Delegation] = {}
    for person, delegation, holds, substitutes_for in rows:
        if holds:
            holders[person.id] = person
        if substitutes_for:
            substitutes[person.id] = person
        if delegation is not None:
            delegations[delegation.id] = delegation
    return Candidates(
        kind,
        tuple(holders.values()),
        tuple(delegations[i] for i in sorted(delegations)),
        tuple(substitutes.values()),
    )


def conflicts_of(request: AccessRequest | Any, round_steps: Iterable[ApprovalStep | Any]) -> Conflicts:
    """The request's exclusions, from the steps of its current round (rows with the same
    attribute names do too: the ANS tick reads only those columns)."""
    decided = {
        person_id
        for s in round_steps
        if s.round == request.round
        for person_id in (s.decided_by_id, s.on_behalf_of_id)
        if person_id is not None and s.state is not StepState.EXCEPCION
    }
    return Conflicts(
        requester_id=request.requester_id,
        beneficiary_user_id=request.beneficiary_user_id,
        beneficiary_username=(request.beneficiary_username or "").lower() or None,
        beneficiary_email=(request.beneficiary_email or "").lower() or None,
        decided_ids=frozenset(decided),
    )


def route(candidates: Candidates, conflicts: Conflicts) -> Routing:
    """Apply the rules of the module docstring; pure, so the ANS tick can reuse loaded candidates."""
    deciders: dict[int, Decider] = {}
    excluded: dict[int, Excluded] = {}

    def exclude(person: User, basis: Basis) -> bool:
        why = conflicts.why(person)
        if why is not None:
            excluded.setdefault(person.id, Excluded(person, why, basis))
        return why is not None

    titulars = [h for h in candidates.holders if not exclude(h, Basis.TITULAR)]
    for holder in titulars:
        deciders[holder.id] = Decider(holder, Basis.TITULAR)
    titular_ids = {h.id for h in titulars}
    for delegation in candidates.delegations:
        if delegation.delegator_id in titular_ids and not exclude(delegation.delegate, Basis.DELEGADO):
            deciders.setdefault(delegation.delegate_id, Decider(delegation.delegate, Basis.DELEGADO, delegation.delegator))
    if not titulars:
        # every holder is excluded: the excluded holder's delegate, else the secretario (suplencia)
        for delegation in candidates.delegations:
            if not exclude(delegation.delegate, Basis.DELEGADO):
                deciders.setdefault(delegation.delegate_id, Decider(delegation.delegate, Basis.DELEGADO, delegation.delegator))
        if not deciders:
            for substitute in candidates.substitutes:
                if not exclude(substitute, Basis.SUPLENCIA):
                    deciders.setdefault(substitute.id, Decider(substitute, Basis.SUPLENCIA))
    for person_id in deciders:
        excluded.pop(person_id, None)
    return Routing(candidates.kind, tuple(deciders.values()), tuple(excluded.values()))


def round_steps(session: DbSession, request: AccessRequest) -> list[ApprovalStep]:
    """The steps of the request's current round: those loaded with it (the request page), or one query."""
    if "steps" not in inspect(request).unloaded:
        return [s for s in request.steps if s.round == request.round]
    return list(
        session.execute(
            select(ApprovalStep)
            .where(ApprovalStep.request_id == request.id, ApprovalStep.round == request.round)
            .order_by(ApprovalStep.position)
        ).scalars()
    )


def step_routing(session: DbSession, request: AccessRequest, step: ApprovalStep, today: date) -> Routing:
    """Who may decide ``step`` of ``request`` today, and who may not and why: the one function the
    decision service, the e-mails, the ANS notices and the request page use."""
    candidates = load_candidates(session, step.kind, request.dependency_id, today)
    return route(candidates, conflicts_of(request, round_steps(session, request)))


# ---------------------------------------------------------------- the same rules in SQL


def _excluded_sql(user_id: Any, username: Any, email: Any | None) -> ColumnElement[bool]:
    """The request (``AccessRequest`` of the enclosing query) excludes this person."""
    decided = aliased(ApprovalStep)
    conditions = [
        AccessRequest.requester_id == user_id,
        and_(AccessRequest.beneficiary_user_id.is_not(None), AccessRequest.beneficiary_user_id == user_id),
        and_(AccessRequest.beneficiary_username.is_not(None), AccessRequest.beneficiary_username == username),
        exists()
        .where(
            decided.request_id == AccessRequest.id,
            decided.round == AccessRequest.round,
            decided.state != StepState.EXCEPCION,
            or_(decided.decided_by_id == user_id, decided.on_behalf_of_id == user_id),
        )
        .correlate_except(decided),
    ]
    if email is not None:
        conditions.append(and_(AccessRequest.beneficiary_email.is_not(None), AccessRequest.beneficiary_email == email))
    return or_(*conditions)


def _person_excluded(person: User) -> ColumnElement[bool]:
    """The request excludes this (known) person."""
    return _excluded_sql(person.id, person.username.lower(), person.email.lower() if person.email else None)


def _row_excluded(person: Any) -> ColumnElement[bool]:
    """The request excludes the person of this row of ``users`` (an alias in a subquery)."""
    return or_(
        _excluded_sql(person.id, func.lower(person.username), None),
        and_(
            person.email.is_not(None),
            AccessRequest.beneficiary_email.is_not(None),
            AccessRequest.beneficiary_email == func.lower(person.email),
        ),
    )


def _role_clause(assignment: type[RoleAssignment], kind: StepKind) -> ColumnElement[bool]:
    if kind is StepKind.JEFE:
        return and_(assignment.role == Role.JEFE, assignment.dependency_id == AccessRequest.dependency_id)
    return assignment.role == Role(kind.value)


def _titular_exists(kind: StepKind) -> ColumnElement[bool]:
    """Some active holder of the step's role is not excluded by the request."""
    holder = aliased(User)
    assignment = aliased(RoleAssignment)
    email = func.lower(holder.email)
    return (
        exists()
        .where(
            assignment.user_id == holder.id,
            holder.is_active_account.is_(True),
            _role_clause(assignment, kind),
            not_(
                or_(
                    _excluded_sql(holder.id, func.lower(holder.username), None),
                    and_(
                        holder.email.is_not(None),
                        AccessRequest.beneficiary_email.is_not(None),
                        AccessRequest.beneficiary_email == email,
                    ),
                )
            ),
        )
        .correlate(AccessRequest)
    )


def _rescuer_exists(kind: StepKind, today: date) -> ColumnElement[bool]:
    """Some active delegate of a holder (for this kind, today) is not excluded by the request."""
    holder = aliased(User)
    assignment = aliased(RoleAssignment)
    delegate = aliased(User)
    return (
        exists()
        .where(
            Delegation.step_kind == kind,
            Delegation.revoked_at.is_(None),
            Delegation.starts_on <= today,
            Delegation.ends_on >= today,
            holder.id == Delegation.delegator_id,
            holder.is_active_account.is_(True),
            assignment.user_id == holder.id,
            _role_clause(assignment, kind),
            delegate.id == Delegation.delegate_id,
            delegate.is_active_account.is_(True),
            not_(_row_excluded(delegate)),
        )
        .correlate(AccessRequest)
    )


def _holds_sql(person: User, kind: StepKind) -> ColumnElement[bool] | None:
    """SQL for "``person`` holds the role of a ``kind`` step of the request", or None if never."""
    if kind is StepKind.JEFE:
        deps = person.scoped_dependency_ids(Role.JEFE)
        return AccessRequest.dependency_id.in_(sorted(deps)) if deps else None
    return true() if person.has_role(Role(kind.value)) else None


def current_kind_sql() -> ColumnElement[StepKind]:
    """The kind of the request's current step (the first pending step of its round)."""
    return (
        select(ApprovalStep.kind)
        .where(
            ApprovalStep.request_id == AccessRequest.id,
            ApprovalStep.round == AccessRequest.round,
            ApprovalStep.state == StepState.PENDIENTE,
        )
        .order_by(ApprovalStep.position)
        .limit(1)
        .correlate(AccessRequest)
        .scalar_subquery()
    )


def pending_for_clause(user: User, delegations_to_user: Sequence[Delegation], today: date) -> ColumnElement[bool]:
    """Requests whose current step ``user`` may decide today: ``step_routing`` in SQL form."""
    current_kind = current_kind_sql()
    branches = []
    for kind in StepKind:
        ways: list[ColumnElement[bool]] = []
        own = _holds_sql(user, kind)
        if own is not None:
            ways.append(own)
        for delegation in delegations_to_user:
            delegator = delegation.delegator
            held = _holds_sql(delegator, kind) if delegation.step_kind is kind and delegator.is_active else None
            if held is not None:
                ways.append(and_(held, or_(not_(_person_excluded(delegator)), not_(_titular_exists(kind)))))
        if user.has_role(Role.SECRETARIO):
            ways.append(and_(not_(_titular_exists(kind)), not_(_rescuer_exists(kind, today))))
        if ways:
            branches.append(and_(current_kind == kind, or_(*ways)))
    if not branches:
        return false()
    return and_(AccessRequest.state.in_(APPROVAL_STATES), not_(_person_excluded(user)), or_(*branches))
