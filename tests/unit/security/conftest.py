"""Helpers of the security tests: API tokens per demo user."""

from __future__ import annotations

import pytest

from portal import services
from portal.extensions import db


@pytest.fixture
def bearer(app):  # type: ignore[no-untyped-def]
    """``bearer("admin")`` -> headers with a fresh token of that demo user."""

    def make(username: str) -> dict[str, str]:
        with app.app_context():
            user = services.find_user(db.session, username)
            token, _row = services.issue_api_token(db.session, actor=None, user=user, name="pruebas")
            db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return make
