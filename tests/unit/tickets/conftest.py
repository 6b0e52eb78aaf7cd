"""Fixtures for the tests of access requests: ``users``, ``make_request``, API tokens.

``make_request(form=..., state=...)`` drives the real service functions from a draft to the wanted
state, committing after each transition as a request handler would, and returns the request's id.
``users`` maps a username to its ``User`` row, loaded fresh from the current session on each access.

Service-level code runs inside ``with app.app_context():``. Never keep an application context
pushed while the test client makes requests: the request would reuse it, and with it ``g`` (the
logged-in user) and the session of the previous request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import User
from tests.unit.tickets.factories import build_request
from tickets.models import RequestForm, RequestState


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
def make_request(app: Flask) -> Callable[..., int]:
    """``make_request(form=RequestForm.CREACION, state=RequestState.RADICADA, dependency="SAL",
    requester=None, **data_overrides) -> request id`` (requester defaults to the dependency's enlace)."""

    def factory(
        form: RequestForm = RequestForm.CREACION,
        state: RequestState = RequestState.RADICADA,
        dependency: str = "SAL",
        requester: str | None = None,
        **data_overrides: Any,
    ) -> int:
        with app.app_context():
            return build_request(form, state, dependency, requester, **data_overrides)

    return factory


@pytest.fixture
def api_token(app: Flask) -> Callable[[str], str]:
    """A personal API token for a user, issued by ``flask users token USERNAME``."""
    issued: dict[str, str] = {}

    def issue(username: str) -> str:
        if username not in issued:
            result = app.test_cli_runner().invoke(args=["users", "token", username])
            assert result.exit_code == 0, result.output
            issued[username] = result.output.strip()
        return issued[username]

    return issue


@pytest.fixture
def api(app: Flask, api_token: Callable[[str], str]) -> Callable[..., Any]:
    """``api(username, method, path, json=None)``: a call to the API with that user's token."""
    client = app.test_client()

    def call(username: str | None, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {api_token(username)}"} if username else {}
        return client.open(path, method=method, headers=headers, **kwargs)

    return call
