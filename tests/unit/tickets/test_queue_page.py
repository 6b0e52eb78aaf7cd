"""The queue people work (issue 17): due time, priority, who acts next and age as columns; sort
from a whitelist on the server; filters kept in the URL; the filtered list exported to XLSX."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert, select, update

from portal import listing
from portal.db import utcnow
from portal.extensions import db
from tests.unit.tickets.factories import get_user
from tests.unit.tickets.test_page_queries import statements_for
from tests.unit.tickets.test_queue_queries import bulk_requests, client_for, queries_for, rows
from tickets.models import AccessRequest, Priority, RequestState
from tickets.queries import SORTS, sort_key


def set_due(app: Any, request_id: int, hours: float) -> None:
    """Move the request's ANS (solucion) due time to ``hours`` from now."""
    from sla.models import SlaMetric, SlaTimer

    with app.app_context():
        db.session.execute(
            update(SlaTimer)
            .where(SlaTimer.request_id == request_id, SlaTimer.metric == SlaMetric.SOLUCION)
            .values(due_at=utcnow() + timedelta(hours=hours))
        )
        db.session.commit()


def numbers(page: str) -> list[str]:
    return re.findall(r'<a href="/solicitudes/\d+">(SOL-\d{4}-\d{5})</a>', page)


def test_only_whitelisted_sort_keys_reach_the_query() -> None:
    assert sort_key("vence") == "vence"
    assert sort_key("-prioridad") == "-prioridad"
    for raw in ("filed_at desc", "id; DROP TABLE access_requests", "", None, "VENCE", "beneficiary_name"):
        assert sort_key(raw) == "recientes"


def test_an_unknown_sort_key_shows_the_default_order(app) -> None:
    with app.app_context():
        bulk_requests(5, 0)
    client = client_for(app, "lider.ed")
    default = rows(client.get("/solicitudes?bandeja=todas").get_data(as_text=True))
    response = client.get("/solicitudes?bandeja=todas&orden=beneficiary_name%20desc")
    assert response.status_code == 200
    assert rows(response.get_data(as_text=True)) == default
    for key in SORTS:
        assert client.get(f"/solicitudes?bandeja=todas&orden={key}").status_code == 200


def test_the_due_time_header_sorts_by_the_ans_due_time(app, make_request) -> None:
    ids = [make_request(state=RequestState.RADICADA) for _ in range(3)]
    for request_id, hours in zip(ids, (30, -2, 5), strict=True):
        set_due(app, request_id, hours)
    client = client_for(app, "lider.ed")
    page = client.get("/solicitudes?bandeja=todas").get_data(as_text=True)
    link = re.search(r'<a class="queue-sort" data-sort="vence" href="([^"]+)"', page)
    assert link is not None
    first = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert rows(first) == [ids[1], ids[2], ids[0]]
    assert 'aria-sort="ascending"' in first and "Vencida" in first
    again = re.search(r'<a class="queue-sort" data-sort="vence" href="([^"]+)"', first)
    assert again is not None
    second = client.get(again.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert rows(second) == [ids[0], ids[2], ids[1]]
    assert 'aria-sort="descending"' in second


def test_priority_sorts_high_first(app, make_request) -> None:
    normal = make_request(state=RequestState.RADICADA)
    high = make_request(state=RequestState.RADICADA)
    with app.app_context():
        db.session.execute(update(AccessRequest).where(AccessRequest.id == normal).values(priority=Priority.NORMAL))
        db.session.execute(update(AccessRequest).where(AccessRequest.id == high).values(priority=Priority.ALTA))
        db.session.commit()
    client = client_for(app, "lider.ed")
    found = rows(client.get("/solicitudes?bandeja=todas&orden=prioridad").get_data(as_text=True))
    assert found.index(high) < found.index(normal)
    found = rows(client.get("/solicitudes?bandeja=todas&orden=-prioridad").get_data(as_text=True))
    assert found.index(normal) < found.index(high)


def test_who_acts_next_is_a_person_and_the_age_is_counted(app, make_request) -> None:
    at_jefe = make_request(state=RequestState.RADICADA)
    draft = make_request(state=RequestState.BORRADOR)
    with app.app_context():
        jefe, enlace = get_user("jefe.salud").full_name, get_user("enlace.salud").full_name
        db.session.execute(
            update(AccessRequest).where(AccessRequest.id == at_jefe).values(filed_at=utcnow() - timedelta(days=3, hours=1))
        )
        db.session.commit()
    page = client_for(app, "enlace.salud").get("/solicitudes?bandeja=mias").get_data(as_text=True)
    cells = dict(re.findall(r'<tr data-request="(\d+)">.*?<td data-label="Debe actuar" data-actor>([^<]*)</td>', page, re.S))
    assert cells[str(at_jefe)] == jefe
    assert cells[str(draft)] == enlace
    assert "3 días" in page
    assert "2 solicitudes" in page


def test_one_request_is_one_solicitud(app, make_request) -> None:
    make_request(state=RequestState.RADICADA)
    page = client_for(app, "lider.ed").get("/solicitudes?bandeja=todas").get_data(as_text=True)
    assert re.search(r'role="status">\s*1 solicitud\s*<', page)


def test_filters_and_sort_stay_in_every_link_of_the_page(app) -> None:
    with app.app_context():
        bulk_requests(30, 0)
    client = client_for(app, "lider.ed")
    query = "bandeja=todas&estado=en_aprobacion&formato=FO-M11-P2-05&q=Persona&orden=-numero&por_pagina=10"
    page = client.get("/solicitudes?" + query).get_data(as_text=True)
    expected = {"bandeja": ["todas"], "estado": ["en_aprobacion"], "formato": ["FO-M11-P2-05"], "q": ["Persona"]}
    links = [h.replace("&amp;", "&") for h in re.findall(r'href="(/solicitudes[^"]*\?[^"]*)"', page)]
    sort_links = [h for h in links if "orden=" in h and "exportar" not in h and "page=" not in h]
    export = next(h for h in links if "/solicitudes/exportar.xlsx" in h)
    pages = [h for h in links if "page=" in h]
    assert sort_links and pages
    for link in [*sort_links, export, *pages]:
        args = parse_qs(urlsplit(link).query)
        assert {k: args.get(k) for k in expected} == expected, link
    assert parse_qs(urlsplit(export).query)["orden"] == ["-numero"]
    assert all(parse_qs(urlsplit(p).query)["orden"] == ["-numero"] for p in pages)
    assert '<details class="mt-2" open>' in page  # active filters are shown, not collapsed
    shown = numbers(page)
    assert shown == sorted(shown, reverse=True) and len(shown) == 10
    # the bookmark gives the same page again
    assert numbers(client.get("/solicitudes?" + query).get_data(as_text=True)) == shown


def workbook_rows(response: Any) -> list[tuple[Any, ...]]:
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(BytesIO(response.data)).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == sheet.dimensions
    return list(sheet.iter_rows(values_only=True))


#: beneficiaries' names as a person might type them to attack whoever opens the export
TYPED_FORMULAS = ("=1+2", '=HYPERLINK("http://x.example","clic")', "+57 300", "@SUMA(A1)", "-2+3")


def test_the_export_holds_every_row_of_the_filtered_list_not_one_page(app) -> None:
    with app.app_context():
        bulk_requests(40, 0)
        for n, typed in enumerate(TYPED_FORMULAS, start=1):
            changed = db.session.execute(
                update(AccessRequest)
                .where(AccessRequest.beneficiary_name == f"Persona {n:03d}")
                .values(beneficiary_name=typed)
                .returning(AccessRequest.id)
            )
            assert len(changed.all()) == 1
        db.session.commit()
    client = client_for(app, "lider.ed")
    listed: list[str] = []
    for n in (1, 2, 3, 4):
        listed += numbers(client.get(f"/solicitudes?bandeja=todas&orden=numero&por_pagina=10&page={n}").get_data(as_text=True))
    table = workbook_rows(client.get("/solicitudes/exportar.xlsx?bandeja=todas&orden=numero"))
    header, body = table[0], table[1:]
    assert header[0] == "Número" and "Vence (ANS)" in header and "Debe actuar" in header
    assert [row[0] for row in body] == listed and len(body) == 40
    actors = {row[header.index("Debe actuar")] for row in body}
    with app.app_context():
        assert actors == {get_user("lider.ed").full_name}
    # a formula typed by someone stays text, verbatim, and is never evaluated
    sheet = load_workbook(BytesIO(client.get("/solicitudes/exportar.xlsx?bandeja=todas").data)).active
    column = header.index("Beneficiario")
    typed = {row[column].value: row[column] for row in sheet.iter_rows(min_row=2) if row[column].value in TYPED_FORMULAS}
    assert set(typed) == set(TYPED_FORMULAS)
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in typed.values())


def test_the_export_keeps_the_filters_and_the_scope(app) -> None:
    with app.app_context():
        bulk_requests(20, 0)  # half Salud, half Hacienda
    salud = client_for(app, "enlace.salud")
    table = workbook_rows(salud.get("/solicitudes/exportar.xlsx?bandeja=dependencia"))
    assert len(table) - 1 == 10
    assert len({row[table[0].index("Dependencia")] for row in table[1:]}) == 1
    listed = rows(salud.get("/solicitudes?bandeja=dependencia&por_pagina=100").get_data(as_text=True))
    assert len(listed) == 10
    assert salud.get("/solicitudes/exportar.xlsx?bandeja=todas").status_code == 403
    filtered = workbook_rows(client_for(app, "lider.ed").get("/solicitudes/exportar.xlsx?bandeja=todas&q=Persona+00"))
    assert len(filtered) - 1 == 10
    anonymous = app.test_client().get("/solicitudes/exportar.xlsx?bandeja=todas")
    assert anonymous.status_code in (302, 401)


def test_an_export_past_the_limit_asks_to_narrow_the_filters(app, monkeypatch: pytest.MonkeyPatch) -> None:
    from tickets import queue_views

    monkeypatch.setattr(queue_views, "EXPORT_LIMIT", 5)
    with app.app_context():
        bulk_requests(6, 0)
    client = client_for(app, "lider.ed")
    response = client.get("/solicitudes/exportar.xlsx?bandeja=todas&estado=en_aprobacion")
    assert response.status_code == 303
    assert parse_qs(urlsplit(response.headers["Location"]).query)["estado"] == ["en_aprobacion"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "más de 5 solicitudes" in page
    assert len(workbook_rows(client.get("/solicitudes/exportar.xlsx?bandeja=todas&q=Persona+005"))) == 2


# ---------------------------------------------------------------- every sort, through the headers

#: i -> (minutes since filed, priority, state, ANS timer). The filing order differs from the
#: numbers' order, so each key orders the rows differently. The timer is (metric, hours to its
#: due time, paused, stopped); only a running or paused "solucion" timer is the request's ANS.
SORT_DATA: dict[int, tuple[int, Priority, RequestState, tuple[str, float, bool, bool] | None]] = {
    0: (30, Priority.NORMAL, RequestState.EN_APROBACION, ("solucion", 5, False, False)),
    1: (10, Priority.NORMAL, RequestState.RADICADA, ("atencion", -50, False, False)),
    2: (70, Priority.ALTA, RequestState.EN_APROBACION, ("solucion", -3, False, False)),
    3: (20, Priority.NORMAL, RequestState.EN_APROBACION, ("solucion", 20, False, False)),
    4: (50, Priority.NORMAL, RequestState.RADICADA, ("solucion", -90, False, True)),
    5: (40, Priority.ALTA, RequestState.EN_APROBACION, ("solucion", 1, True, False)),
    6: (60, Priority.ALTA, RequestState.APROBADA, ("solucion", 9, False, False)),
    7: (0, Priority.NORMAL, RequestState.EN_APROBACION, None),
}


def expected_order(key: str, ids: list[int]) -> list[int]:
    """The order ``key`` promises (``tickets.queries.SORTS``), computed here from ``SORT_DATA``."""

    def due(i: int) -> float | None:
        timer = SORT_DATA[i][3]
        return timer[1] if timer and timer[0] == "solucion" and not timer[3] else None

    def minutes(i: int) -> int:
        return SORT_DATA[i][0]

    orders = {
        "recientes": sorted(range(8), key=lambda i: (minutes(i), -i)),
        "antiguas": sorted(range(8), key=lambda i: (-minutes(i), i)),
        "numero": list(range(8)),
        "estado": sorted(range(8), key=lambda i: (SORT_DATA[i][2].value, minutes(i), -i)),
        "prioridad": sorted(range(8), key=lambda i: (SORT_DATA[i][1].value, minutes(i), -i)),
        "vence": sorted(range(8), key=lambda i: (due(i) is None, due(i) or 0, i)),
        "-vence": sorted(range(8), key=lambda i: (due(i) is None, -(due(i) or 0), -i)),
    }
    orders["-numero"] = orders["numero"][::-1]
    orders["-estado"] = orders["estado"][::-1]
    orders["-prioridad"] = orders["prioridad"][::-1]
    return [ids[i] for i in orders[key]]


def sort_data(app: Any) -> list[int]:
    from sla.models import SlaMetric, SlaOutcome, SlaTimer

    now = utcnow()
    with app.app_context():
        bulk_requests(8, 0)
        requests = db.session.execute(select(AccessRequest).order_by(AccessRequest.number)).scalars().all()
        assert len(requests) == 8
        for i, r in enumerate(requests):
            minutes, priority, state, timer = SORT_DATA[i]
            r.filed_at, r.priority, r.state = now - timedelta(minutes=minutes), priority, state
            if timer is None:
                continue
            metric, hours, paused, stopped = timer
            due = now + timedelta(hours=hours)
            db.session.execute(
                insert(SlaTimer).values(
                    request_id=r.id,
                    metric=SlaMetric(metric),
                    form=r.form,
                    action=r.action,
                    dependency_id=r.dependency_id,
                    target_seconds=3600,
                    started_at=now - timedelta(days=1),
                    paused_at=now if paused else None,
                    warn_at=due,
                    due_at=due,
                    escalate_at=due,
                    stopped_at=now if stopped else None,
                    outcome=SlaOutcome.COMPLETADO if stopped else None,
                    elapsed_seconds=100 if stopped else None,
                )
            )
        db.session.commit()
        return [r.id for r in requests]


def header_links(page: str) -> dict[str, str]:
    found = re.findall(r'<a class="queue-sort" data-sort="(\w+)" href="([^"]+)"', page)
    return {column: href.replace("&amp;", "&") for column, href in found}


def test_every_sort_key_orders_the_rows_by_its_column(app) -> None:
    ids = sort_data(app)
    client = client_for(app, "lider.ed")
    for key in SORTS:
        page = client.get(f"/solicitudes?bandeja=todas&orden={key}").get_data(as_text=True)
        assert rows(page) == expected_order(key, ids), key


def test_each_header_sorts_its_column_one_way_then_the_other(app) -> None:
    ids = sort_data(app)
    client = client_for(app, "lider.ed")
    page = client.get("/solicitudes?bandeja=todas&estado=&q=").get_data(as_text=True)
    links = header_links(page)
    assert set(links) == {"numero", "estado", "prioridad", "vence", "edad"}
    seen: set[str] = set()
    for column, href in links.items():
        first_key = parse_qs(urlsplit(href).query)["orden"][0]
        first = client.get(href).get_data(as_text=True)
        assert rows(first) == expected_order(first_key, ids), column
        assert re.search(r'<th scope="col" aria-sort="(ascending|descending)"><a class="queue-sort" data-sort="' + column, first)
        second_href = header_links(first)[column]
        second_key = parse_qs(urlsplit(second_href).query)["orden"][0]
        assert second_key != first_key
        assert rows(client.get(second_href).get_data(as_text=True)) == expected_order(second_key, ids), column
        seen |= {first_key, second_key}
    # between them the headers reach every order the queue offers
    assert seen == set(SORTS)


def test_a_sort_key_made_of_sql_is_never_an_error(app) -> None:
    with app.app_context():
        bulk_requests(3, 0)
    client = client_for(app, "lider.ed")
    default = rows(client.get("/solicitudes?bandeja=todas").get_data(as_text=True))
    for raw in ("id;DROP TABLE access_requests", "-", "vence,numero", "%27", "prioridad%20desc", "x" * 5000):
        response = client.get(f"/solicitudes?bandeja=todas&orden={raw}")
        assert response.status_code == 200, raw
        assert rows(response.get_data(as_text=True)) == default
        assert client.get(f"/solicitudes/exportar.xlsx?bandeja=todas&orden={raw}").status_code == 200
    assert len(default) == 3


# ---------------------------------------------------------------- bounded counts, SQL per page


def test_the_count_stops_at_the_bound_and_the_list_still_pages(app, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listing, "COUNT_LIMIT", 5)
    with app.app_context():
        bulk_requests(12, 0)
    client = client_for(app, "lider.ed")
    first = client.get("/solicitudes?bandeja=todas&por_pagina=10").get_data(as_text=True)
    assert re.search(r'role="status">\s*Más de 5 solicitudes\s*<', first)
    assert "12 solicitudes" not in first and len(rows(first)) == 10
    assert 'rel="next"' in first
    second = client.get("/solicitudes?bandeja=todas&por_pagina=10&page=2").get_data(as_text=True)
    assert len(rows(second)) == 2 and 'rel="next"' not in second
    assert not set(rows(first)) & set(rows(second))
    # a full page past the bound is not counted further; a list under the bound is counted exactly
    ten = client.get("/solicitudes?bandeja=todas&por_pagina=10&q=Persona+00").get_data(as_text=True)
    assert len(rows(ten)) == 10 and re.search(r'role="status">\s*Más de 5 solicitudes\s*<', ten)
    two = client.get("/solicitudes?bandeja=todas&por_pagina=10&q=Persona+01").get_data(as_text=True)
    assert len(rows(two)) == 2 and re.search(r'role="status">\s*2 solicitudes\s*<', two)
    none = client.get("/solicitudes?bandeja=todas&por_pagina=10&q=Nadie").get_data(as_text=True)
    assert rows(none) == [] and re.search(r'role="status">\s*0 solicitudes\s*<', none)


def test_the_bound_is_shown_as_colombians_write_it(app) -> None:
    with app.app_context():
        bulk_requests(3, 0)
    page = client_for(app, "lider.ed").get("/solicitudes?bandeja=todas").get_data(as_text=True)
    assert re.search(r'role="status">\s*3 solicitudes\s*<', page)
    assert listing.COUNT_LIMIT == 1000  # the page says "Más de 1.000" past it (test_page_queries)


@pytest.mark.parametrize("key", ["recientes", "vence", "-prioridad", "estado"])
def test_a_queue_page_makes_at_most_five_queries_for_10_or_120_requests(app, key: str) -> None:
    client = client_for(app, "lider.ed")
    path = f"/solicitudes?bandeja=todas&orden={key}&formato=FO-M11-P2-05&q=Persona&por_pagina="
    with app.app_context():
        bulk_requests(10, 0)
    small, page = queries_for(app, client, path + "10&page=1")
    assert len(rows(page)) == 10
    with app.app_context():
        bulk_requests(110, 10)
    large, page = queries_for(app, client, path + "100&page=1")
    assert len(rows(page)) == 100
    assert small <= 5 and large <= 5, (small, large)
    assert large == small
    # the export reads every row in one statement too
    exported = {}
    for query in ("q=Persona+00", "q=Persona"):
        statements, response = statements_for(app, client, f"/solicitudes/exportar.xlsx?bandeja=todas&orden={key}&{query}")
        exported[query] = (len(statements), len(workbook_rows(response)) - 1)
    assert exported["q=Persona+00"][1] == 10 and exported["q=Persona"][1] == 120
    assert exported["q=Persona+00"][0] == exported["q=Persona"][0] <= 5, exported
