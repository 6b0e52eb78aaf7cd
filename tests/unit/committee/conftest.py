"""The committee's tests use the catalogue's fixtures: the demo committee, ``users`` and ``api``."""

from tests.unit.catalog.conftest import api, committee, users

__all__ = ["api", "committee", "users"]
