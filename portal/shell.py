"""How a domain package joins the application shell.

``portal`` imports no domain package. ``create_app`` imports each package named in the
``PORTAL_DOMAINS`` setting and calls its ``init_app(app)``; the package registers its blueprints,
CLI groups and tasks there, and its navigation entries, home-page panels and demo data through the
functions below. Everything is kept per application, so two applications of one process (tests)
never share a menu.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, url_for
from markupsafe import Markup, escape

from portal.roles import Role

DemoLoader = Callable[[Any, Any], list[str]]


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    roles: frozenset[Role] | None = None  # None: every signed-in user
    #: place in the menu, lowest first (the shell's own entries use multiples of 10)
    order: int = 100


@dataclass(frozen=True)
class PanelLink:
    """One of a panel's most urgent items: what it is, where it opens and what to do there."""

    text: str
    url: str
    #: the next action, in the imperative ("Aprobar", "Votar"); part of the link's name
    action: str = ""


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    #: a text or a ``LiveText``: the counts and the nearest deadline
    description: Any
    #: computed when the page renders: the most urgent items, as links to open them
    links: Callable[[], list[PanelLink]] | None = None


@dataclass
class Shell:
    nav: list[NavItem] = field(default_factory=list)
    panels: dict[Role, list[Panel]] = field(default_factory=dict)
    #: (order, loader, on the command only): ``flask demo load`` runs them all in order; the test
    #: fixtures' ``load_demo`` leaves out those marked for the command only
    demo_loaders: list[tuple[int, DemoLoader, bool]] = field(default_factory=list)
    #: the menu of each set of roles under each script root, built on its first page (``menu``)
    menus: dict[tuple[frozenset[Role], str], list[tuple[str, str, Any]]] = field(default_factory=dict)


def shell(app: Flask | None = None) -> Shell:
    app = app or current_app
    return app.extensions.setdefault("shell", Shell())  # type: ignore[no-any-return]


def add_nav_items(app: Flask, *items: NavItem) -> None:
    nav = shell(app).nav
    nav.extend(item for item in items if item.endpoint not in {i.endpoint for i in nav})
    nav.sort(key=lambda item: item.order)
    shell(app).menus.clear()


def menu(roles: frozenset[Role], script_root: str) -> list[tuple[str, str, Any]]:
    """``(endpoint, url, label)`` of each menu entry a person with ``roles`` sees, in order: built
    once per set of roles (the entries and their URLs do not change once the application runs),
    not on every page. Call it inside a request (the URLs carry its script root)."""
    menus = shell().menus
    entries = menus.get((roles, script_root))
    if entries is None:
        entries = [
            (item.endpoint, url_for(item.endpoint), item.label)
            for item in shell().nav
            if item.roles is None or item.roles & roles
        ]
        menus[(roles, script_root)] = entries
    return entries


def add_panels(app: Flask, panels: dict[Role, list[Panel]]) -> None:
    """Add each role's panels; a panel with the key of one already there replaces it."""
    for role, new in panels.items():
        current = shell(app).panels.setdefault(role, [])
        for panel in new:
            keys = [p.key for p in current]
            if panel.key in keys:
                current[keys.index(panel.key)] = panel
            else:
                current.append(panel)


def add_demo_loader(app: Flask, order: int, loader: DemoLoader, *, command_only: bool = False) -> None:
    """``loader(session, profile)`` returns a line per thing it created; it must be idempotent."""
    shell(app).demo_loaders.append((order, loader, command_only))
    shell(app).demo_loaders.sort(key=lambda entry: entry[0])


class LiveText:
    """A panel text computed when the page renders, for the signed-in user (escaped: plain text)."""

    def __init__(self, compute: Callable[[], str]) -> None:
        self.compute = compute

    def __str__(self) -> str:
        return self.compute()

    def __html__(self) -> Markup:
        return escape(self.compute())
