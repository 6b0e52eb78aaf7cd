"""A hostile corpus through every form and JSON body: never a 500, never markup shown raw.

Each POST/PUT route is driven by someone who may use it (the first principal whose row in the
authorization table reaches it, ``O``). Web forms are read from their page (every text field
gets the payload, choices keep a valid option); API bodies are built from the OpenAPI schema
(every string gets the payload). Expected: a validation error (400/413/422), a refusal by state
(409), or the value accepted and, on the page that follows, shown escaped. Never a 5xx.
CSRF checking is off here (it is tested in test_auth).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from portal import create_app
from portal.extensions import db
from tests.conftest import DEMO_PASSWORD, app_config
from tests.unit.security.authz_expected import EXPECTED, PRINCIPALS
from tests.unit.security.test_authorization_matrix import PRINCIPALS as USERS
from tests.unit.security.test_authorization_matrix import _rules, _seed, _url, _values

#: takes minutes: the workers are handed this file first
pytestmark = pytest.mark.long

XSS = "<script>alert('x')</script>"
CORPUS: dict[str, str] = {
    "xss": XSS + '"><img src=x onerror=alert(1)>',
    "ldap": "*)(uid=*))(|(uid=*\\2a",
    "sql": "'; DROP TABLE users; -- \" OR 1=1",
    "formula": '=HYPERLINK("http://evil.example","x")',
    "megabyte": "A" * 1_000_000,
    "nul": "a\x00b",
    "control": "a\x1b[31mb\x7f",
    "unicode": "Ñandú – Ελλάδα 😀 \u202eabc",
}
#: Routes left out: they end the driver's own session or account.
SKIP = ("/salir", "/cerrar-sesiones", "desactivar")
TEXT_TYPES = {"text", "email", "search", "url", "tel", "password", None}


def _driver(key: str) -> str | None:
    cells = EXPECTED.get(key, "").split(" ")
    for name, cell in zip(PRINCIPALS, cells, strict=False):
        if name != "anonimo" and cell.startswith("O"):
            return name
    return None


@pytest.fixture(scope="module")
def corpus_app(demo_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    base = tmp_path_factory.mktemp("corpus")
    path = base / "corpus.sqlite"
    shutil.copy(demo_sqlite_template, path)
    app = create_app(app_config(base, f"sqlite:///{path}", WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False))
    _seed(app)
    yield app
    with app.app_context():
        db.engine.dispose()


def _form_fields(html: str, payload: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for tag in re.finditer(r"<(input|textarea|select)\b([^>]*)>", html):
        kind, attrs = tag.group(1), tag.group(2)
        name = re.search(r'name="([^"]+)"', attrs)
        if not name or name.group(1) == "csrf_token":
            continue
        input_type = re.search(r'type="([^"]+)"', attrs)
        input_type = input_type.group(1) if input_type else None
        if kind == "select":
            rest = html[tag.end() :]
            option = re.search(r'<option[^>]*value="([^"]*)"', rest)
            data[name.group(1)] = option.group(1) if option else ""
        elif kind == "textarea" or input_type in TEXT_TYPES:
            data[name.group(1)] = payload
        elif input_type in ("checkbox", "radio"):
            value = re.search(r'value="([^"]*)"', attrs)
            data[name.group(1)] = value.group(1) if value else "y"
        elif input_type in ("date",):
            data[name.group(1)] = "2026-06-01"
        elif input_type in ("time",):
            data[name.group(1)] = "10:00"
        elif input_type == "number":
            data[name.group(1)] = "1"
    return data


def _json_body(schema: dict[str, Any], components: dict[str, Any], payload: str, depth: int = 0) -> Any:
    if "$ref" in schema:
        return _json_body(components[schema["$ref"].rsplit("/", 1)[-1]], components, payload, depth)
    if depth > 4:
        return None
    kind = schema.get("type")
    kind = next((k for k in kind if k != "null"), None) if isinstance(kind, list) else kind
    if "enum" in schema:
        return next(v for v in schema["enum"] if v is not None)
    if kind == "object" or "properties" in schema:
        return {
            k: _json_body(v, components, payload, depth + 1)
            for k, v in schema.get("properties", {}).items()
            if not v.get("readOnly")
        }
    if kind == "array":
        return [_json_body(schema.get("items", {}), components, payload, depth + 1)]
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    if schema.get("format") == "date":
        return "2026-06-01"
    if schema.get("format") == "date-time":
        return "2026-06-01T10:00:00-05:00"
    return payload


def _clients(app: Flask) -> dict[str, Any]:
    from portal import services

    clients: dict[str, Any] = {}
    for name, username in USERS.items():
        if username is None:
            continue
        client = app.test_client()
        assert client.post("/ingresar", data={"username": username, "password": DEMO_PASSWORD}).status_code == 302
        with app.app_context():
            token, _row = services.issue_api_token(
                db.session, actor=None, user=services.find_user(db.session, username), name="c"
            )
            db.session.commit()
        clients[name] = (client, {"Authorization": f"Bearer {token}"})
    return clients


@pytest.mark.parametrize("payload_name", list(CORPUS))
def test_every_form_and_json_body_survives_the_corpus(corpus_app, payload_name):
    payload = CORPUS[payload_name]
    clients = _clients(corpus_app)
    values = _values(corpus_app, "SAL")
    spec = corpus_app.test_client().get("/api/v1/openapi.json").get_json()
    components = spec["components"]["schemas"]
    failures: list[str] = []
    tried = 0
    for key, rule in _rules(corpus_app):
        method = key.split(" ", 1)[0]
        if method not in ("POST", "PUT") or any(s in key for s in SKIP) or (driver := _driver(key)) is None:
            continue
        client, headers = clients[driver]
        url = _url(rule, values)
        if url.startswith("/api/"):
            path = re.sub(r"<(?:[^:<>]+:)?([a-z_]+)>", r"{\1}", rule.rule)
            operation = spec["paths"].get(path, {}).get(method.lower(), {})
            body_schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            body = _json_body(body_schema, components, payload) if body_schema else {}
            response = client.open(url, method=method, json=body, headers=headers)
        else:
            page = client.get(url) if "GET" in (rule.methods or set()) else None
            html = page.get_data(as_text=True) if page is not None and page.status_code == 200 else ""
            data = _form_fields(html, payload) or {
                n: payload for n in ("reason", "comment", "justification", "notes", "description", "name")
            }
            response = client.open(url, method=method, data=data, follow_redirects=True)
        tried += 1
        body_text = response.get_data(as_text=True)
        if response.status_code >= 500:
            failures.append(f"{key} as {driver}: {response.status_code}")
        elif response.mimetype == "text/html" and XSS in body_text:
            failures.append(f"{key} as {driver}: markup shown raw")
        response.close()
    assert tried > 50
    assert not failures, failures


def test_invalid_utf8_in_forms_and_json_is_a_400(corpus_app):
    client, headers = _clients(corpus_app)["admin"]
    form = client.post(
        "/dependencias/nueva", data=b"code=X1&name=%C3%28&kind=oficina", content_type="application/x-www-form-urlencoded"
    )
    assert form.status_code == 400
    body = client.post(
        "/api/v1/dependencies",
        data=b'{"code": "X1", "name": "\xc3\x28", "kind": "oficina"}',
        headers={**headers, "Content-Type": "application/json"},
    )
    assert body.status_code == 400 and body.mimetype == "application/problem+json"
