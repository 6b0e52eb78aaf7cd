"""How the list pages grow with the number of requests, measured in-process (``python -m bench --only growth``).

For each size (``--sizes``, 10,000 and 1,000,000 by the issue): a database of a throw-away
cluster loaded like the web part's (``bench.database``'s seeded COPY loaders, 1 % of the
requests waiting for the líder de economía digital); then each page is called through the Flask
test client, logged in as its person is (or with a personal API token), a few times to warm the
caches and then ``calls`` times: the median time of a call and the SQL statements one call
sends. The growth factor of a page is its median at the largest size over its median at the
smallest: issue 16 asks for less than 1.5.

No gunicorn, no network: the figure is the page's own cost (view, queries, template), the one
that could grow with the data.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.inprocess import USER_AGENT, signed_in_client, statements_of
from bench.web import PAGES as WEB_PAGES
from bench.web import Page

#: issue 16: a page at 1,000,000 requests costs less than 1.5 times what it costs at 10,000
TARGET_GROWTH = 1.5
#: the list pages of the web part, and the API list read after a cursor
PAGES = tuple(page for page in WEB_PAGES if page.key in ("queue", "enlace_list", "api_list")) + (
    Page("api_after", "GET /api/v1/requests?after=…", "/api/v1/requests?after={cursor}", "enlace.salud", api=True),
)


def measure(app: Any, page: Page, path: str, token: str, calls: int) -> dict[str, Any]:
    """Median milliseconds of ``calls`` calls of ``path`` (after a warm-up) and one call's statements."""
    client, headers = signed_in_client(app, page, token)
    for _ in range(3):  # caches, compiled statements, templates, as in a running worker
        assert client.get(path, headers=headers).status_code == 200, path
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        answer = client.get(path, headers=headers)
        times.append(time.perf_counter() - started)
        assert answer.status_code == 200, (path, answer.status_code)
    queries = statements_of(app, client, path, headers)
    return {"ms_median": statistics.median(times) * 1000, "ms_min": min(times) * 1000, "queries": queries}


def measure_size(app: Any, calls: int) -> dict[str, Any]:
    from bench.web import issue_token

    token = issue_token(app, "enlace.salud")
    first = app.test_client().get(
        "/api/v1/requests?page=1", headers={"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT}
    )
    cursor = first.get_json()["next_cursor"]
    return {page.key: measure(app, page, page.path.format(cursor=cursor), token, calls) for page in PAGES}


def run(sizes: list[int], log: Callable[[str], None], calls: int = 30) -> dict[str, Any]:
    """Every page at every size; the growth factors from the smallest size to the largest."""
    from bench import database
    from bench.web import add_pending
    from sla.calendar import BusinessCalendar
    from tests.fixtures.services import Postgres

    workdir = database.workdir()
    server = Postgres(workdir / "postgres")
    log("PostgreSQL: iniciando un clúster temporal")
    server.start()
    results: dict[str, Any] = {"calls": calls, "sizes": {}}
    try:
        database.tune(server)
        for n in sizes:
            name = f"bench_growth_{n}"
            url = server.create_database(name)
            app = database.make_app(url, Path(workdir) / name)
            started = time.perf_counter()
            database.load_report_database(server.dsn(name), n, 2025, BusinessCalendar(), log)
            add_pending(server.dsn(name))
            results["sizes"][str(n)] = {"load_seconds": time.perf_counter() - started}
            log(f"{n:,}: {time.perf_counter() - started:.0f} s de carga; midiendo {len(PAGES)} páginas, {calls} llamadas c/u")
            results["sizes"][str(n)]["pages"] = measure_size(app, calls)
            with app.app_context():
                from portal.extensions import db

                db.engine.dispose()
            server.drop_database(name)  # the next size's load has the disk and the buffers
    finally:
        server.cleanup()
    small, big = results["sizes"][str(sizes[0])]["pages"], results["sizes"][str(sizes[-1])]["pages"]
    results["growth"] = {key: big[key]["ms_median"] / small[key]["ms_median"] for key in small}
    return results


def table(growth: dict[str, Any]) -> str:
    """One row per page and size: median ms, queries; the growth factor on the largest size."""
    rows = [("Página (en proceso)", "Solicitudes", "mediana ms", "mín. ms", "consultas", "crecimiento", "Cumple")]
    sizes = list(growth["sizes"])
    for page in PAGES:
        for size in sizes:
            m = growth["sizes"][size]["pages"][page.key]
            factor = growth["growth"][page.key] if size == sizes[-1] and len(sizes) > 1 else None
            rows.append(
                (
                    page.label,
                    f"{int(size):,}",
                    f"{m['ms_median']:.1f}",
                    f"{m['ms_min']:.1f}",
                    str(m["queries"]),
                    f"{factor:.2f}×" if factor else "",
                    ("sí" if factor < TARGET_GROWTH else "NO") if factor else "",
                )
            )
    for size in sizes:
        rows.append(
            (
                "Carga (COPY, índices, ANALYZE, pendientes)",
                f"{int(size):,}",
                "",
                "",
                "",
                "",
                f"{growth['sizes'][size]['load_seconds']:.0f} s",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)
