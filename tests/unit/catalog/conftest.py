"""Fixtures for the catalogue (and, through its conftest, the committee): the demo committee, ``users``, ``api``.

Every application here gets the demo committee (``committee.demo.load_committee_demo``, idempotent).
Service-level code runs inside ``with app.app_context():``; never keep that context pushed while
the test client makes requests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from committee.demo import load_committee_demo
from portal.extensions import db
from portal.models import User


@pytest.fixture(autouse=True)
def committee(app: Flask) -> None:
    with app.app_context():
        load_committee_demo(db.session, app.config["PROFILE"])
        db.session.commit()


class Users(Mapping[str, User]):
    """username -> User, queried on every access so nothing is stale (needs an app context)."""

    def __getitem__(self, username: str) -> User:
        user = db.session.execute(
            select(User).where(User.username == username).execution_options(populate_existing=True)
        ).scalar()
        if user is None:
            raise KeyError(username)
        return user

    def __iter__(self) -> Iterator[str]:
        return iter(db.session.execute(select(User.username).order_by(User.username)).scalars().all())

    def __len__(self) -> int:
        return db.session.execute(select(func.count(User.id))).scalar_one()


@pytest.fixture
def users(app: Flask) -> Users:
    return Users()


@pytest.fixture
def api(app: Flask) -> Callable[..., Any]:
    """``api(username, method, path, json=None)``: a call to the API with that user's token."""
    client = app.test_client()
    tokens: dict[str, str] = {}

    def call(username: str | None, method: str, path: str, **kwargs: Any) -> Any:
        headers = {}
        if username:
            if username not in tokens:
                result = app.test_cli_runner().invoke(args=["users", "token", username])
                assert result.exit_code == 0, result.output
                tokens[username] = result.output.strip()
            headers["Authorization"] = f"Bearer {tokens[username]}"
        return client.open(path, method=method, headers=headers, **kwargs)

    return call
