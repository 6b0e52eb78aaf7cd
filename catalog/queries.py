"""The catalogue's lists: filters, search and the public view (read-only queries)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import Select, exists, func, or_, select

from catalog.models import PUBLIC_STATES, Enabler, Initiative, InitiativeEnabler, InitiativeState
from catalog.permissions import visibility_clause
from portal.models import User

PAGE_SIZE = 25


@dataclass(frozen=True)
class CatalogFilters:
    dependency_id: int | None = None
    state: InitiativeState | None = None
    enabler: Enabler | None = None
    #: True: only PETI initiatives; False: only those outside the PETI; None: both
    in_peti: bool | None = None
    year: int | None = None
    text: str | None = None


def _filtered(query: Select[tuple[Initiative]], filters: CatalogFilters) -> Select[tuple[Initiative]]:
    if filters.dependency_id is not None:
        query = query.where(Initiative.dependency_id == filters.dependency_id)
    if filters.state is not None:
        query = query.where(Initiative.state == filters.state)
    if filters.enabler is not None:
        query = query.where(
            exists().where(InitiativeEnabler.initiative_id == Initiative.id, InitiativeEnabler.enabler == filters.enabler)
        )
    if filters.in_peti is not None:
        query = query.where(Initiative.is_in_peti.is_(filters.in_peti))
    if filters.year is not None:
        query = query.where(Initiative.year == filters.year)
    if filters.text:
        pattern = "%" + filters.text.lower().replace("\\", "").replace("%", "").replace("_", "") + "%"
        query = query.where(
            or_(
                func.lower(Initiative.code).like(pattern),
                func.lower(Initiative.title).like(pattern),
                func.lower(Initiative.description).like(pattern),
                func.lower(Initiative.objective).like(pattern),
            )
        )
    return query


def catalog_query(user: User, filters: CatalogFilters) -> Select[tuple[Initiative]]:
    """The initiatives ``user`` may see that match ``filters``, newest code first."""
    query = select(Initiative).where(visibility_clause(user))
    return _filtered(query, filters).order_by(Initiative.year.desc(), Initiative.code.desc())


def public_query(filters: CatalogFilters) -> Select[tuple[Initiative]]:
    """What the public catalogue lists: approved, in execution or finished; never a draft or a refusal."""
    if filters.state is not None and filters.state not in PUBLIC_STATES:
        filters = replace(filters, state=None)
    query = select(Initiative).where(Initiative.state.in_(PUBLIC_STATES))
    return _filtered(query, filters).order_by(Initiative.year.desc(), Initiative.code.desc())
