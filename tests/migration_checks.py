"""Shared checks: migrations run from empty, down and up again, and match the models."""

from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade


def upgrade_downgrade_upgrade(app: Flask) -> None:
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        upgrade()


def assert_no_drift(app: Flask) -> None:
    from portal.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        from portal.db import compared_on

        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": compared_on(conn.dialect.name)})
        with warnings.catch_warnings():
            # autogenerate cannot compare expression indexes (the role-scope unique index)
            warnings.filterwarnings("ignore", message=".*expression-based index.*")
            warnings.filterwarnings("ignore", message=".*functional index.*")
            diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"
