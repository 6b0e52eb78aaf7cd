"""URL rules compile their builders on first use (``portal/routing.py``): the URLs they build must be
the ones Werkzeug's own rules build, for every rule of the application, with and without extra
query arguments."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import AnyConverter, Map, PathConverter, Rule
from werkzeug.routing.converters import NumberConverter

from portal.routing import LazyBuilderRule


def _sample_values(rule: Rule) -> dict[str, Any]:
    """A value for each URL variable, with characters that need quoting where text is allowed."""
    values: dict[str, Any] = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif isinstance(converter, NumberConverter):
            values[name] = 7
        elif isinstance(converter, PathConverter):
            values[name] = "año 2026/acta ñ.pdf"
        else:
            values[name] = "año 2026"
    return values


def test_every_rule_is_lazy_and_builds_what_werkzeug_builds(app: Flask) -> None:
    rules = list(app.url_map.iter_rules())
    assert rules and all(isinstance(rule, LazyBuilderRule) for rule in rules)
    plain = Map([Rule(r.rule, endpoint=r.endpoint, defaults=r.defaults, methods=r.methods) for r in rules])
    plain.converters.update(app.url_map.converters)
    twins = {rule.rule: rule for rule in plain.iter_rules()}
    for rule in rules:
        twin = twins[rule.rule]
        values = _sample_values(rule)
        # each builder twice: the first call compiles it, the second runs what it left in place
        for append_unknown in (True, False, True, False):
            for extra in ({}, {"orden": "vence", "q": "Pérez & hijos"}):
                built = rule.build({**values, **extra}, append_unknown=append_unknown)
                expected = twin.build({**values, **extra}, append_unknown=append_unknown)
                assert built == expected, (rule.rule, append_unknown, extra)
