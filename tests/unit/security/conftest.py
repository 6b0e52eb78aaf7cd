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


def make_initiative(  # type: ignore[no-untyped-def]
    app,
    title: str = "Historia clínica electrónica interoperable",
    dependency: str = "SAL",
    enlace: str = "enlace.salud",
    **overrides,
) -> int:
    """An initiative of a dependency registered by its enlace through the catalogue's service."""
    from datetime import UTC, date, datetime

    from catalog import services as catalog_services
    from catalog.models import Enabler, FundingSource

    with app.app_context():
        values = {
            "dependency_id": services.find_dependency(db.session, dependency).id,
            "title": title,
            "description": "Implementar la historia clínica electrónica en la red pública de salud.",
            "objective": "Que cada paciente tenga una sola historia clínica digital.",
            "enablers": [Enabler.ARQUITECTURA],
            "is_in_peti": True,
            "estimated_budget": 1000,
            "funding_source": FundingSource.SGR,
            "start_date": date(2026, 6, 1),
            "end_date": date(2027, 5, 31),
            "sponsor": "Secretario de Salud",
            **overrides,
        }
        initiative = catalog_services.create_initiative(
            db.session,
            actor=services.find_user(db.session, enlace),
            data=catalog_services.InitiativeData(**values),
            now=datetime(2026, 3, 2, 15, 0, tzinfo=UTC),
        )
        db.session.commit()
        return initiative.id
