"""Fixtures of the ANS tests: an API caller with personal tokens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask


@pytest.fixture
def api(app: Flask) -> Callable[..., Any]:
    """``api(username, method, path, **kwargs)``: a call to the API with that user's token (None: no token)."""
    client = app.test_client()
    tokens: dict[str, str] = {}

    def call(username: str | None, method: str, path: str, **kwargs: Any) -> Any:
        headers = {}
        if username is not None:
            if username not in tokens:
                result = app.test_cli_runner().invoke(args=["users", "token", username])
                assert result.exit_code == 0, result.output
                tokens[username] = result.output.strip()
            headers["Authorization"] = f"Bearer {tokens[username]}"
        return client.open(path, method=method, headers=headers, **kwargs)

    return call
