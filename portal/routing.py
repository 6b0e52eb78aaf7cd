"""URL rules whose URL builders are written on first use instead of when the rule is declared.

Werkzeug writes and compiles two small Python functions per rule (building a URL with and without
extra query arguments) as soon as the rule joins the URL map: about nine tenths of the time
``create_app`` takes with the portal's ~280 rules, paid by every web, worker and CLI process
although a process builds URLs for a few rules only. Matching a request never needs them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing import Rule


class LazyBuilderRule(Rule):
    """A ``Rule`` that compiles each of its URL builders the first time ``url_for`` needs it."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        attribute = "_build_unknown" if append_unknown else "_build"
        compile_now = super()._compile_builder

        def build_on_first_use(rule: Rule, *args: Any, **kwargs: Any) -> tuple[str, str]:
            builder = compile_now(append_unknown).__get__(rule, None)
            setattr(rule, attribute, builder)  # later calls go straight to the compiled builder
            return builder(*args, **kwargs)

        return build_on_first_use
