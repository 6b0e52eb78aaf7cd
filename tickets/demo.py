"""Demo data of the requests: the default systems catalogue and approval policies."""

from __future__ import annotations

from typing import Any

from flask import current_app

from portal.db import DbSession


def load_demo(session: DbSession, profile: Any) -> list[str]:
    from tickets.services.admin import ensure_default_catalogue

    return ensure_default_catalogue(session, groups_dn=str(current_app.config["LDAP_GROUPS_DN"]))
