"""Database plumbing shared by every domain: the declarative base, UTC timestamps, helpers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeAlias

from sqlalchemy import DateTime, MetaData, TypeDecorator, update
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, registry, scoped_session

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC instant on every backend (SQLite keeps no offset: we store UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


def configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """SQLite: enforce foreign keys, let the web process and the worker share the file."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


#: What services accept: a plain session, or Flask-SQLAlchemy's scoped ``db.session``.
DbSession: TypeAlias = Session | scoped_session[Any]


class YearlyCounter:
    """The columns of a per-year counter table (request numbers, initiative codes): the year and
    the last value given, which only ``next_yearly_value`` changes."""

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(default=0)


def next_yearly_value(session: DbSession, counter: type[YearlyCounter], year: int) -> int:
    """The next value of a per-year counter table (a ``YearlyCounter``).

    Incremented in the caller's transaction: the UPDATE holds the counter row's lock until the
    transaction ends, so concurrent callers get consecutive values, and a rolled-back one gives
    its value back (gap-free numbering of requests and initiatives).
    """
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(counter).values(year=year, last_value=0).on_conflict_do_nothing())
    return int(
        session.execute(
            update(counter).where(counter.year == year).values(last_value=counter.last_value + 1).returning(counter.last_value)
        ).scalar_one()
    )


def compared_on(dialect: str) -> Any:
    """Alembic's ``include_object`` for a connection of ``dialect``: an index built on one dialect
    only (``Index(...).ddl_if(dialect=...)``) is compared with the database only there."""

    def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        only_on = getattr(getattr(obj, "_ddl_if", None), "dialect", None)
        return not (type_ == "index" and only_on and only_on != dialect)

    return include_object
