"""The plan's migration: down to its parent and up again on SQLite, no drift from the models, and the
role CHECK constraint accepts ``profesional_gd`` only while the migration is applied."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from portal import create_app
from portal.extensions import db
from tests.conftest import app_config
from tests.migration_checks import assert_no_drift

REVISION, PARENT = "81bc9fb659a3", "3f8d2b6c1e47"


def grant_profesional(user_id: int) -> None:
    db.session.execute(
        text("INSERT INTO role_assignments (user_id, role, created_at) VALUES (:u, 'profesional_gd', CURRENT_TIMESTAMP)"),
        {"u": user_id},
    )
    db.session.commit()


def test_the_migration_goes_down_and_up_again(tmp_path):
    app = create_app(app_config(tmp_path, f"sqlite:///{tmp_path / 'empty.sqlite'}"))
    with app.app_context():
        upgrade()
        db.session.execute(
            text("INSERT INTO users (username, full_name, is_active_account, created_at) VALUES ('p', 'P', 1, CURRENT_TIMESTAMP)")
        )
        user_id = db.session.execute(text("SELECT id FROM users WHERE username = 'p'")).scalar_one()
        grant_profesional(user_id)
        assert "gd_scores" in inspect(db.engine).get_table_names()

        downgrade(revision=PARENT)
        db.session.remove()
        names = inspect(db.engine).get_table_names()
        assert not [n for n in names if n.startswith("gd_")]
        assert db.session.execute(text("SELECT count(*) FROM role_assignments")).scalar_one() == 0
        with pytest.raises(IntegrityError):
            grant_profesional(user_id)
        db.session.rollback()
        indexes = set(
            db.session.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'role_assignments'")
            ).scalars()
        )
        assert {"ix_role_assignments_user_id", "uq_role_assignments_user_role_dependency"} <= indexes

        upgrade()  # to the head: the migrations after this one are part of the models compared below
        grant_profesional(user_id)
        with pytest.raises(IntegrityError):  # the unique (user, role, dependency) index survived the rebuild
            grant_profesional(user_id)
        db.session.rollback()
        db.engine.dispose()
    assert_no_drift(app)
