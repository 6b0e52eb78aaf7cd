"""Input hygiene for every request, in one place (before any view, form or schema sees it).

- Strings: query arguments, form fields (names and values), JSON strings and keys, and URL
  parts may not hold NUL or other control characters (tab, line feed and carriage return are
  allowed: browsers send line breaks of a textarea as CR LF), nor lone UTF-16 surrogates.
  The query string and URL-encoded bodies must be valid UTF-8.
- Integers: a JSON number, or a query argument or form field made only of digits, must fit a
  64-bit signed integer (a page number or size, at most a million); integer URL parts fit the database's 32-bit keys (``BoundedIntConverter``
  replaces Flask's ``int`` converter app-wide, so a larger one is a 404).
- JSON bodies nest at most ``MAX_JSON_DEPTH`` levels (checked before parsing, which would
  otherwise exhaust the recursion limit).

A refusal is a 400 with a Spanish message (``problem+json`` under ``/api/``). What passes here is
still validated by forms and schemas (ranges, lengths, choices); a value the database still
cannot take (a number out of a column's range) is a 422 through ``register_data_error_handler``.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Flask, request
from flask_babel import gettext as _
from sqlalchemy.exc import DataError
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

MAX_JSON_DEPTH = 32
#: Largest key in a URL: the primary keys are 32-bit integers on PostgreSQL.
MAX_URL_INT = 2**31 - 1
#: Largest integer accepted anywhere else (64-bit signed, what every database column can hold).
MAX_INT = 2**63 - 1
#: Page numbers and sizes: beyond this an OFFSET overflows before it finds nothing.
PAGE_ARGS = frozenset({"page", "per_page", "pagina", "por_pagina"})
MAX_PAGE = 1_000_000

_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_INTEGER = re.compile(r"[+-]?\d+")


class InputRefused(BadRequest):
    """A request refused by the hygiene guard; the description says why, in Spanish."""


class BoundedIntConverter(IntegerConverter):
    """Flask's ``int`` converter with an upper bound: ``/x/99999999999999999999`` is a 404."""

    def __init__(self, map: Any, fixed_digits: int = 0, min: int | None = None, max: int | None = None, signed: bool = False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=MAX_URL_INT if max is None else max, signed=signed)


def _check_text(value: str, where: str) -> None:
    if _FORBIDDEN.search(value):
        raise InputRefused(_("El campo «%(campo)s» contiene caracteres de control no permitidos.", campo=where[:60]))


def _check_integer_text(value: str, where: str) -> None:
    if len(value) > 18 and _INTEGER.fullmatch(value) and abs(int(value)) > MAX_INT:
        raise InputRefused(_("El número del campo «%(campo)s» está fuera del rango permitido.", campo=where[:60]))


def _check_utf8(raw: bytes, where: str) -> None:
    for part in re.split(rb"[&;]", raw):
        if not part:
            continue
        try:
            unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            raise InputRefused(_("La solicitud contiene texto que no es UTF-8 válido (%(donde)s).", donde=where)) from None


_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


def json_depth_exceeds(data: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether JSON text nests deeper than ``limit`` (brackets inside strings do not count)."""
    if data.count(b"[") + data.count(b"{") <= limit:
        return False
    depth = 0
    for match in _BRACKET.finditer(_JSON_STRING.sub(b"", data)):
        if match.group() in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _walk_json(value: Any, path: str) -> None:
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            _check_text(item, where)
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if abs(item) > MAX_INT:
                raise InputRefused(_("El número del campo «%(campo)s» está fuera del rango permitido.", campo=where[:60]))
        elif isinstance(item, float):
            if item != item or item in (float("inf"), float("-inf")):
                raise InputRefused(_("El número del campo «%(campo)s» no es válido.", campo=where[:60]))
        elif isinstance(item, dict):
            for key, child in item.items():
                _check_text(str(key), where)
                stack.append((child, str(key)))
        elif isinstance(item, list):
            stack.extend((child, where) for child in item)


def check_request() -> None:
    """The guard (a ``before_request`` hook that runs first). Raises ``InputRefused``."""
    _check_utf8(request.query_string, "parámetros de la dirección")
    for name, value in request.args.items(multi=True):
        _check_text(name, name)
        _check_text(value, name)
        _check_integer_text(value, name)
        if name in PAGE_ARGS and _INTEGER.fullmatch(value.strip()) and abs(int(value)) > MAX_PAGE:
            raise InputRefused(_("El número de página está fuera del rango permitido."))
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str):
            _check_text(value, name)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    mimetype = request.mimetype
    if mimetype == "application/x-www-form-urlencoded":
        _check_utf8(request.get_data(cache=True), "formulario")
    if mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for name, value in request.form.items(multi=True):
            _check_text(name, name)
            _check_text(value, name)
            _check_integer_text(value, name)
        for name, file in request.files.items(multi=True):
            _check_text(name, name)
            _check_text(file.filename or "", name)
    elif request.is_json:
        raw = request.get_data(cache=True)
        if json_depth_exceeds(raw):
            raise InputRefused(_("El JSON supera la profundidad máxima (%(n)d).", n=MAX_JSON_DEPTH))
        try:
            body = json.loads(raw) if raw.strip() else None
        except ValueError:  # not JSON, or a number with thousands of digits
            raise InputRefused(_("El cuerpo de la solicitud no es JSON válido.")) from None
        _walk_json(body, "cuerpo")


def init_hygiene(app: Flask) -> None:
    """Install the bounded ``int`` converter (before any route exists), the guard and the answers."""
    from portal.errors import error_page, is_api_request, problem
    from portal.extensions import db

    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)

    @app.errorhandler(InputRefused)
    def refused(exc: InputRefused) -> Any:
        detail = str(exc.description)
        return problem(400, detail) if is_api_request() else error_page(400, detail)

    @app.errorhandler(DataError)
    def out_of_range(exc: DataError) -> Any:
        db.session.rollback()
        detail = _("Un valor enviado está fuera del rango que admite el sistema.")
        return problem(422, detail) if is_api_request() else error_page(422, detail)
