"""The portal called in this process, through Flask's test client, as the benches measure it:
signed in as a page's person (by the login form) or with a personal token, and the SQL
statements one call sends."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.web import Page

PASSWORD = "Demo2026!"
USER_AGENT = "mesatic-bench/1"


def signed_in_client(app: Any, page: Page, token: str) -> tuple[Any, dict[str, str]]:
    """A test client logged in as the page's person (by the login form), or a token's headers."""
    client = app.test_client()
    headers = {"User-Agent": USER_AGENT}
    if page.api:
        headers["Authorization"] = f"Bearer {token}"
        return client, headers
    form = client.get("/ingresar", headers=headers).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    assert match, "login form without csrf_token"
    answer = client.post(
        "/ingresar", data={"csrf_token": match.group(1), "username": page.user, "password": PASSWORD}, headers=headers
    )
    assert answer.status_code == 302, (page.user, answer.status_code)
    return client, headers


def statements_of(app: Any, client: Any, path: str, headers: dict[str, str]) -> int:
    """The SQL statements one GET of ``path`` by ``client`` sends (it must answer 200)."""
    from sqlalchemy import event

    from portal.extensions import db

    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        answer = client.get(path, headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert answer.status_code == 200, (path, answer.status_code)
    return len(statements)
