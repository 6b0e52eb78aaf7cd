"""Every list a page or the API reads reaches the big tables by an index, on a real PostgreSQL.

The database holds tens of thousands of requests (the bench's seeded COPY loaders), analysed, so
the planner chooses as it would on a full one. Each case calls the function its view calls,
records the statements it sends and runs ``EXPLAIN (FORMAT JSON)`` on each one: no sequential scan
of the requests, steps, history, timers or audit tables, no sort over the whole matching set
under an ordered page, and the index the case names is the one read. A missing index fails with
its name.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask
from sqlalchemy import event, select

from bench import database
from bench.web import add_pending
from portal import create_app
from portal.extensions import db
from portal.models import User
from portal.services import issue_api_token
from sla.calendar import BusinessCalendar
from tests.conftest import app_config, login
from tests.fixtures.services import Postgres, Slapd
from tickets.api import KEYSETS
from tickets.queries import SORTS, Queue

#: requests loaded: enough that a page read in index order is far cheaper than a scan
REQUESTS = 30_000
#: the tables that grow with the number of requests
BIG = frozenset({"access_requests", "approval_steps", "request_events", "sla_timers", "audit_events"})
SORTS_NODES = ("Sort", "Incremental Sort")
#: columns whose order is total: an incremental sort after one of them only orders ties
UNIQUE_KEYS = frozenset({"access_requests.number", "access_requests.id", "audit_events.id"})


@pytest.fixture(scope="module")
def big_app(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: Postgres, pg_demo_template: str, slapd_server: Slapd
) -> Iterator[Flask]:
    """The demo database with ``REQUESTS`` requests, their steps, timers and history, 1 % waiting
    for the líder de economía digital, and as many audit events; analysed."""
    name = f"plans_{uuid.uuid4().hex[:8]}"
    url = postgres_server.create_database(name, template=pg_demo_template)
    dsn = postgres_server.dsn(name)
    database.load_report_database(dsn, REQUESTS, 2025, BusinessCalendar(), lambda _message: None)
    add_pending(dsn)
    database.load_audit_events(dsn, REQUESTS)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("ANALYZE")
    app = create_app(app_config(Path(tmp_path_factory.mktemp("plans")), url, **slapd_server.env()))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    postgres_server.drop_database(name)


@dataclass
class Plan:
    """A statement's plan (``EXPLAIN (FORMAT JSON)``) and what it reads."""

    statement: str
    tree: dict[str, Any]
    nodes: list[tuple[dict[str, Any], bool]] = field(default_factory=list)

    def __post_init__(self) -> None:
        def walk(node: dict[str, Any], in_subplan: bool) -> None:
            in_subplan = in_subplan or node.get("Parent Relationship") in ("SubPlan", "InitPlan")
            self.nodes.append((node, in_subplan))
            for child in node.get("Plans", []):
                walk(child, in_subplan)

        walk(self.tree, False)

    def problems(self, *, sorted_set: bool = False) -> list[str]:
        """A sequential scan of a big table, but the bounded read of a page count (a scan feeding
        a LIMIT straight: ``COUNT_LIMIT + 1`` rows and it stops); a sort on the main
        path over a big table, which reads every matching row to show one page, unless
        ``sorted_set`` (the case's table says why the set it sorts is bounded). A sort inside a
        per-row sub-plan orders one request's few steps and is fine."""
        found = []
        for node, in_subplan in self.nodes:
            if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in BIG and not self._bounded(node):
                found.append(f"Seq Scan on {node['Relation Name']}")
            if str(node.get("Subplan Name", "")).startswith("hashed") and _reads_big_table(node):
                found.append(f"{node['Subplan Name']} over a big table (it reads every matching row once per page)")
            if (
                node["Node Type"] in SORTS_NODES
                and not in_subplan
                and not sorted_set
                and not self._streams(node)
                and _reads_big_table(node)
            ):
                found.append(f"{node['Node Type']} ({', '.join(node.get('Sort Key', []))}) over a big table")
        return found

    def _bounded(self, scan: dict[str, Any]) -> bool:
        """A scan that feeds a LIMIT straight stops once it has produced the limit's rows."""
        parent = next((node for node, _in_subplan in self.nodes if scan in node.get("Plans", [])), None)
        return parent is not None and parent["Node Type"] == "Limit"

    def _streams(self, sort: dict[str, Any]) -> bool:
        """An incremental sort whose presorted key is unique sorts groups of one row: it streams."""
        return sort["Node Type"] == "Incremental Sort" and bool(set(sort.get("Presorted Key", [])) & UNIQUE_KEYS)

    def indexes(self) -> set[str]:
        return {node["Index Name"] for node, _in_subplan in self.nodes if "Index Name" in node}

    def report(self) -> str:
        return f"{self.statement[:600]} …\n{json.dumps(_strip(self.tree))[:6000]}"


def _reads_big_table(node: dict[str, Any]) -> bool:
    return node.get("Relation Name") in BIG or any(_reads_big_table(child) for child in node.get("Plans", []))


def _strip(node: dict[str, Any]) -> dict[str, Any]:
    keep = ("Node Type", "Parent Relationship", "Relation Name", "Index Name", "Sort Key", "Filter", "Index Cond", "Plan Rows")
    return {k: v for k, v in node.items() if k in keep} | {"Plans": [_strip(c) for c in node.get("Plans", [])]}


def _touches_big_table(statement: str) -> bool:
    return any(f"FROM {table}" in statement or f"JOIN {table}" in statement for table in BIG)


def plans_of(app: Flask, client: Any, url: str, headers: dict[str, str] | None = None) -> list[Plan]:
    """GET ``url`` as the view serves it; the plan of every statement it sent to a big table."""
    statements: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        statements.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        answer = client.get(url, headers=headers or {})
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert answer.status_code == 200, (url, answer.status_code, answer.get_data(as_text=True)[:300])
    with app.app_context():
        connection = db.session.connection()
        plans = []
        for statement, parameters in statements:
            if _touches_big_table(statement) and not statement.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE")):
                raw = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar_one()
                plans.append(Plan(statement, (raw if isinstance(raw, list) else json.loads(raw))[0]["Plan"]))
        db.session.rollback()
    return plans


def check(plans: list[Plan], index: str | tuple[str, ...], *, sorted_set: bool = False) -> None:
    """No statement scans a big table or sorts it (but ``sorted_set``), and one of them reads
    ``index`` (or one of them)."""
    assert plans, "no statement read a big table"
    for plan in plans:
        problems = plan.problems(sorted_set=sorted_set)
        assert not problems, f"{problems}\n{plan.report()}"
    wanted = (index,) if isinstance(index, str) else index
    used = set().union(*(plan.indexes() for plan in plans))
    assert used & set(wanted), f"expected the index {' or '.join(wanted)}; the plans read {sorted(used)}"


@pytest.fixture(scope="module")
def clients(big_app: Flask) -> Any:
    """A logged-in test client per person (by the login form, as a browser)."""

    @cache
    def client_of(username: str) -> Any:
        client = big_app.test_client()
        assert login(client, username).status_code == 302
        return client

    return client_of


@pytest.fixture(scope="module")
def api_headers(big_app: Flask) -> dict[str, str]:
    with big_app.app_context():
        person = db.session.execute(select(User).where(User.username == "enlace.salud")).unique().scalar_one()
        token, _row = issue_api_token(db.session, actor=None, user=person, name="planes")
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


#: The index that gives each sort of ``SORTS`` its order (forwards or backwards).
ORDER_INDEX: dict[str, str] = {
    "recientes": "ix_access_requests_recent",
    "antiguas": "ix_access_requests_recent",
    "numero": "uq_access_requests_number",
    "-numero": "uq_access_requests_number",
    "estado": "ix_access_requests_state_recent",
    "-estado": "ix_access_requests_state_recent",
    "prioridad": "ix_access_requests_priority_recent",
    "-prioridad": "ix_access_requests_priority_recent",
}
#: The index of a queue's own filter in the default order: the planner walks it or, when the
#: filter keeps most rows, the sort's index and filters.
QUEUE_INDEX: dict[Queue, str] = {
    Queue.MINE: "ix_access_requests_requester_recent",
    Queue.DEPENDENCY: "ix_access_requests_dependency_recent",
}
#: "Por aprobar" reads the requests in approval (a partial index; a jefe's, by state and
#: dependency) and may sort them (the planner does when it expects few): the set is the work
#: waiting for a decision, which does not grow with the entity's history.
PENDING_INDEX: dict[str, tuple[str, ...]] = {
    "jefe.salud": ("ix_access_requests_approval_recent", "ix_access_requests_state_dependency"),
    "lider.ed": ("ix_access_requests_approval_recent",),
    "secretario": ("ix_access_requests_approval_recent",),
}
#: The API's keyset orders (``tickets.api.KEYSETS``) and the index each reads, for the enlace's
#: list: "antiguas" puts the drafts last there (the page puts them first), "estado" has no date.
API_INDEX: dict[str, tuple[str, ...]] = {
    "recientes": ("ix_access_requests_requester_recent", "ix_access_requests_recent"),
    "antiguas": ("ix_access_requests_requester_oldest", "ix_access_requests_oldest"),
    "numero": ("uq_access_requests_number",),
    "estado": ("ix_access_requests_state_id",),
}
#: Sorts without an index: "vence" orders by each request's running ANS timer, a value of another
#: table, and sorts the matching requests; every other sort of the queue page is listed above.
UNINDEXED_SORTS = frozenset({"vence", "-vence"})


def test_every_sort_of_the_queues_and_the_api_is_in_the_table() -> None:
    assert set(SORTS) == set(ORDER_INDEX) | UNINDEXED_SORTS
    assert set(KEYSETS) == set(API_INDEX)


#: (person, queue, sort): every sort both ways on the unfiltered queue, where a mismatch between
#: the order and its index sorts the whole table; one direction of each on the filtered ones
QUEUE_CASES = [
    *(("agente", Queue.ALL, sort) for sort in sorted(ORDER_INDEX)),
    *(
        (username, queue, sort)
        for username, queue in (("enlace.salud", Queue.MINE), ("enlace.salud", Queue.DEPENDENCY))
        for sort in ("recientes", "numero", "-estado", "prioridad")
    ),
]


@pytest.mark.parametrize(("username", "queue", "sort"), QUEUE_CASES)
def test_a_queue_reads_its_page_in_index_order(big_app: Flask, clients: Any, username: str, queue: Queue, sort: str) -> None:
    index: tuple[str, ...] = (ORDER_INDEX[sort],)
    if sort in ("recientes", "antiguas") and queue in QUEUE_INDEX:
        index = (QUEUE_INDEX[queue], *index)
    check(plans_of(big_app, clients(username), f"/solicitudes?bandeja={queue.value}&orden={sort}"), index)


@pytest.mark.parametrize("sort", ["recientes", "antiguas", "-prioridad"])
@pytest.mark.parametrize("username", sorted(PENDING_INDEX))
def test_the_approvers_queue_reads_the_requests_in_approval(big_app: Flask, clients: Any, username: str, sort: str) -> None:
    plans = plans_of(big_app, clients(username), f"/solicitudes?bandeja=por_aprobar&orden={sort}")
    index = (*PENDING_INDEX[username], ORDER_INDEX[sort])  # the sort's index, read for the states in approval
    check(plans, index, sorted_set=True)


@pytest.mark.parametrize("sort", ["recientes", "-estado"])
def test_the_enlaces_list_filtered_by_state_reads_the_state_index(big_app: Flask, clients: Any, sort: str) -> None:
    plans = plans_of(big_app, clients("enlace.salud"), f"/solicitudes?bandeja=mias&estado=en_ejecucion&orden={sort}")
    # one state: the state's index, or the date index filtered (a state keeps a steady share of them)
    check(plans, ("ix_access_requests_state_recent", "ix_access_requests_recent"))


@pytest.mark.parametrize("sort", sorted(KEYSETS))
def test_the_api_list_reads_an_index_on_the_first_page_and_after_a_cursor(
    big_app: Flask, api_headers: dict[str, str], sort: str
) -> None:
    client = big_app.test_client()
    check(plans_of(big_app, client, f"/api/v1/requests?sort={sort}&per_page=25", api_headers), API_INDEX[sort])
    cursor = client.get(f"/api/v1/requests?sort={sort}&per_page=25", headers=api_headers).get_json()["next_cursor"]
    assert cursor
    after = plans_of(big_app, client, f"/api/v1/requests?sort={sort}&per_page=25&after={cursor}", api_headers)
    check(after, API_INDEX[sort])


def test_the_ans_report_of_one_month_reads_the_timers_of_the_month_by_their_stop(big_app: Flask, clients: Any) -> None:
    """The figures are aggregates of the month's timers (percentiles sort them): the set is the
    month's, read by an index range on ``stopped_at``, never the whole table."""
    plans = plans_of(big_app, clients("secretario"), "/ans/informes?desde=2025-06-01&hasta=2025-06-30")
    check(plans, "ix_sla_timers_stopped_at", sorted_set=True)


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("", "ix_audit_events_recent"),
        ("?desde=2025-06-01&hasta=2025-06-30", "ix_audit_events_recent"),
        ("?objeto=solicitud&id=17", "ix_audit_events_object"),
        ("?accion=solicitud.paso_aprobado", ("ix_audit_events_action", "ix_audit_events_recent")),
    ],
)
def test_the_audit_page_reads_an_index_in_its_order(
    big_app: Flask, clients: Any, query: str, index: str | tuple[str, ...]
) -> None:
    check(plans_of(big_app, clients("control.interno"), "/auditoria" + query), index)
