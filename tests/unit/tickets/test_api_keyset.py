"""The API list pages by keyset (issue 16): ``next_cursor`` passed as ``after`` reads the next page
from where the last one ended, in every sort, with ties and drafts (no filing date, no number),
and a deep page costs the queries the first one does."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from portal.extensions import db
from tests.unit.tickets.factories import get_user
from tests.unit.tickets.test_page_queries import LIST, assert_within, statements_for
from tests.unit.tickets.test_queue_queries import bulk_requests
from tickets.models import AccessRequest, RequestState

SORTS = ("recientes", "antiguas", "numero", "estado")


def _mixed_list(app: Flask) -> int:
    """enlace.salud's requests: filed ones, a run of them filed at the same instant, other
    states, and drafts; returns how many its "mias" queue holds."""
    with app.app_context():
        bulk_requests(80, 0)
        mine = select(AccessRequest.id).where(AccessRequest.requester_id == get_user("enlace.salud").id)
        ids = sorted(db.session.execute(mine).scalars())
        same_instant = db.session.get(AccessRequest, ids[10])
        assert same_instant is not None
        db.session.execute(update(AccessRequest).where(AccessRequest.id.in_(ids[10:20])).values(filed_at=same_instant.filed_at))
        db.session.execute(update(AccessRequest).where(AccessRequest.id.in_(ids[20:25])).values(state=RequestState.APROBADA))
        db.session.execute(
            update(AccessRequest)
            .where(AccessRequest.id.in_(ids[25:33]))
            .values(state=RequestState.BORRADOR, filed_at=None, number=None)
        )
        db.session.commit()
        return len(ids)


def _walk(api: Any, headers: dict[str, str], query: str, per_page: int) -> tuple[list[int], list[dict[str, Any]]]:
    body = api.get(f"/api/v1/requests?{query}&per_page={per_page}", headers=headers).get_json()
    ids, bodies = [item["id"] for item in body["items"]], [body]
    while body["next_cursor"]:
        assert body["has_next"]
        body = api.get(f"/api/v1/requests?{query}&per_page={per_page}&after={body['next_cursor']}", headers=headers).get_json()
        assert len(body["items"]) <= per_page and (body["total"], body["page"]) == (None, None)
        ids += [item["id"] for item in body["items"]]
        bodies.append(body)
    assert not body["has_next"]
    return ids, bodies


@pytest.mark.parametrize("sort", SORTS)
def test_following_the_cursor_reads_the_whole_list_once_in_order(app, api_token, sort: str) -> None:
    count = _mixed_list(app)
    api, headers = app.test_client(), {"Authorization": f"Bearer {api_token('enlace.salud')}"}
    query = f"queue=mias&sort={sort}"
    whole = [item["id"] for item in api.get(f"/api/v1/requests?{query}&per_page=200", headers=headers).get_json()["items"]]
    assert len(whole) == count
    ids, bodies = _walk(api, headers, query, per_page=10)
    assert ids == whole
    assert len(bodies) == -(-count // 10)


def test_the_cursor_follows_the_filters(app, api_token) -> None:
    _mixed_list(app)
    api, headers = app.test_client(), {"Authorization": f"Bearer {api_token('enlace.salud')}"}
    ids, _bodies = _walk(api, headers, "queue=mias&state=borrador", per_page=10)
    assert len(ids) == 8


def test_a_deep_page_costs_what_the_first_does(app, api_token) -> None:
    with app.app_context():
        bulk_requests(300, 0)
    api, headers = app.test_client(), {"Authorization": f"Bearer {api_token('lider.ed')}"}
    api.get("/api/v1/requests", headers=headers)  # a token's "last used" is written once a minute
    body = api.get("/api/v1/requests?queue=todas&per_page=10", headers=headers).get_json()
    counts = []
    for _page in range(25):
        path = f"/api/v1/requests?queue=todas&per_page=10&after={body['next_cursor']}"
        statements, response = statements_for(app, api, path, headers)
        assert_within(statements, LIST, path)
        counts.append(len(statements))
        body = response.get_json()
    assert len(set(counts)) == 1, counts
    assert body["items"] and body["has_next"]


@pytest.mark.parametrize(
    "cursor", ["xyz", "WyJyZWNpZW50ZXMiLG51bGwsIjEiXQ", "WyJudW1lcm8iLCJTT0wtMjAyNi0wMDAwMSIsMV0", "a" * 201]
)
def test_a_cursor_that_is_not_one_of_this_sort_is_refused(app, api_token, cursor: str) -> None:
    headers = {"Authorization": f"Bearer {api_token('lider.ed')}"}
    response = app.test_client().get(f"/api/v1/requests?queue=todas&sort=recientes&after={cursor}", headers=headers)
    assert response.status_code == 400
    assert list(response.get_json()["errors"]) == ["after"]
