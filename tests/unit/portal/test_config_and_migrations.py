"""Configuration rules and the migrations-vs-models drift check on SQLite."""

from __future__ import annotations

import pytest

from config import build_config
from tests.conftest import app_config


def test_production_without_secret_key_refuses_to_start(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        build_config(tmp_path, {"PORTAL_ENV": "production"})


def test_development_generates_and_keeps_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = build_config(tmp_path)["SECRET_KEY"]
    assert len(first) >= 32 and build_config(tmp_path)["SECRET_KEY"] == first


def test_environment_overrides_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@db/mesatic")
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://cache:6379/0")
    monkeypatch.setenv("PORTAL_PROFILE", "cartagena")
    cfg = build_config(tmp_path)
    assert cfg["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/mesatic"
    assert cfg["CELERY_BROKER_URL"] == "redis://cache:6379/0"
    assert cfg["PROFILE"].committee_name == "Mesa de Trabajo de Transformación Digital"


def test_unknown_profile_is_a_clear_error(tmp_path):
    with pytest.raises(RuntimeError, match="PORTAL_PROFILE"):
        build_config(tmp_path, {"PORTAL_PROFILE": "marte"})


def test_migrations_from_empty_match_the_models_on_sqlite(tmp_path):
    from portal import create_app
    from tests.migration_checks import assert_no_drift, upgrade_downgrade_upgrade

    app = create_app(app_config(tmp_path, f"sqlite:///{tmp_path / 'empty.sqlite'}"))
    upgrade_downgrade_upgrade(app)
    assert_no_drift(app)
