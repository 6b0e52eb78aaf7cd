"""The web pages of issue 16 at 10,000, 100,000 and 1,000,000 requests (``python -m bench --only web``).

For each size: one database of the throw-away cluster, loaded with the ANS report's generator
(``bench.database``, seeded) plus 1 % of the requests waiting for the líder de economía digital;
the portal served by gunicorn (2 sync workers, as in production on 2 cores) next to a Flask
"hello" under the same gunicorn (the ceiling); ``wrk`` against each page, logged in as a person
is (the session cookie) or with a personal API token, every answer checked to be a 200 (not a
redirect to the login); the SQL statements of each page counted in-process; the filing
throughput through the API with 1 and 8 clients; and the time a logged-in request spends before
its view runs.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from bench.inprocess import PASSWORD, USER_AGENT, signed_in_client, statements_of

ROOT = Path(__file__).resolve().parent.parent
SESSION_COOKIE = "mesatic_session"
#: wrk as the issue measured it: 2 threads, 16 connections, 15 seconds
WRK_THREADS, WRK_CONNECTIONS = 2, 16


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    path: str
    user: str
    api: bool = False


PAGES = (
    Page("queue", "Bandeja del aprobador /solicitudes", "/solicitudes?bandeja=por_aprobar", "lider.ed"),
    Page("enlace_list", "Lista del enlace, filtrada", "/solicitudes?bandeja=mias&estado=en_ejecucion", "enlace.salud"),
    Page("request_page", "Una solicitud /solicitudes/<id>", "/solicitudes/{pending_id}", "lider.ed"),
    Page("dashboard", "Inicio (tablero)", "/", "secretario"),
    Page("ans_report", "Informe ANS de un mes", "/ans/informes?desde=2025-06-01&hasta=2025-06-30", "secretario"),
    Page("api_list", "GET /api/v1/requests?page=1", "/api/v1/requests?page=1", "enlace.salud", api=True),
)

WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body) if status ~= 200 then bad = bad + 1 end end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("bad") end
  io.write(string.format("BENCH requests=%d duration=%d p50=%d p99=%d bad=%d errors=%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), total,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def ensure_wrk(log: Callable[[str], None]) -> str:
    """``wrk``, installed from Debian the way ``scripts/install-system-packages.sh`` installs the others."""
    found = shutil.which("wrk")
    if found:
        return found
    log("wrk no está instalado: se instala con apt-get (necesita root o sudo)")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"], check=True, env=env)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("No se pudo instalar wrk.")
    return found


def add_pending(dsn: str) -> int:
    """Turn 1 % of the loaded requests (every hundredth) into requests waiting for the líder de
    economía digital (the second step pending, its timers running); the id of the newest one."""
    import psycopg

    with psycopg.connect(dsn, autocommit=False) as conn:
        conn.execute(
            "UPDATE access_requests SET state = 'en_aprobacion', approved_at = NULL, resolved_at = NULL WHERE id % 100 = 0"
        )
        conn.execute(
            "UPDATE approval_steps SET state = 'pendiente', decided_by_id = NULL, decided_at = NULL "
            "WHERE position = 2 AND request_id % 100 = 0"
        )
        conn.execute(
            "UPDATE sla_timers SET stopped_at = NULL, outcome = NULL, elapsed_seconds = NULL "
            "WHERE request_id % 100 = 0 AND (metric = 'solucion' OR step_id = 2 * request_id)"
        )
        pending = conn.execute("SELECT max(id) FROM access_requests WHERE state = 'en_aprobacion'").fetchone()
        conn.commit()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return int(pending[0])  # type: ignore[index]


def portal_environment(database_url: str, redis_url: str, instance: Path) -> dict[str, str]:
    return os.environ | {
        "PORTAL_ENV": "development",
        "PORTAL_PROFILE": "valle",
        "PORTAL_INSTANCE_PATH": str(instance),
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench",
        "CELERY_BROKER_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url,
        "LDAP_URL": "mock://demo",
        "MAIL_FILE_DIR": str(instance / "mail"),
    }


class Gunicorn:
    """``gunicorn -w 2`` (sync workers) serving ``app`` on a free port."""

    def __init__(self, app: str, env: dict[str, str], log_path: Path) -> None:
        from tests.fixtures.services import _die_with_parent, free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_file = log_path.open("ab")
        command = [sys.executable, "-m", "gunicorn", "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{self.port}", app]
        self.process = subprocess.Popen(
            _die_with_parent(command), cwd=ROOT, env=env, stdout=self.log_file, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(self.url + "/livez" if "portal" in app else self.url, timeout=30)
                return
            except requests.RequestException:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise SystemExit(f"gunicorn ({app}) no arrancó: vea {log_path}") from None
                time.sleep(0.3)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGQUIT)  # gunicorn's quick shutdown: no waiting on a busy worker
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        self.log_file.close()


def login(base: str, username: str) -> requests.Session:
    """A person's session, by the login form, as a browser gets it."""
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    form = session.get(base + "/ingresar", timeout=30).text
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    assert match, "login form without csrf_token"
    answer = session.post(
        base + "/ingresar",
        data={"csrf_token": match.group(1), "username": username, "password": PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 302 or SESSION_COOKIE not in session.cookies:
        raise SystemExit(f"No se pudo ingresar como {username}: {answer.status_code}")
    return session


def issue_token(app: Any, username: str) -> str:
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import User
    from portal.services import issue_api_token

    with app.app_context():
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        token, _row = issue_api_token(db.session, actor=None, user=user, name=f"bench {uuid.uuid4().hex[:8]}")
        db.session.commit()
    return token


def headers_for(base: str, page: Page, tokens: dict[str, str]) -> dict[str, str]:
    if page.api:
        return {"User-Agent": USER_AGENT, "Authorization": f"Bearer {tokens[page.user]}"}
    session = login(base, page.user)
    cookie = "; ".join(f"{name}={value}" for name, value in session.cookies.items())
    return {"User-Agent": USER_AGENT, "Cookie": cookie}


def check_page(url: str, page: Page, headers: dict[str, str]) -> None:
    """The answer is the real page: a 200, not a redirect to the login nor an error page."""
    answer = requests.get(url, headers=headers, allow_redirects=False, timeout=60)
    if answer.status_code != 200:
        raise SystemExit(f"{page.label}: {answer.status_code} en lugar de 200 ({url})")
    if page.api:
        assert "items" in answer.json(), page.label
    else:
        assert 'action="/salir"' in answer.text or "/salir" in answer.text, f"{page.label}: no es una página de sesión"


def run_wrk(wrk: str, url: str, headers: dict[str, str], seconds: int, workdir: Path) -> dict[str, float]:
    script = workdir / "bench.lua"
    lines = [f'wrk.headers["{name}"] = "{value}"' for name, value in headers.items()]
    script.write_text("\n".join(lines) + WRK_SCRIPT, encoding="utf-8")
    output = subprocess.run(
        [wrk, f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"BENCH requests=(\d+) duration=(\d+) p50=(\d+) p99=(\d+) bad=(\d+) errors=(\d+)", output)
    assert match, output
    n, duration, p50, p99, bad, errors = (int(g) for g in match.groups())
    if bad or errors:
        raise SystemExit(f"{url}: {bad} respuestas distintas de 200 y {errors} errores de conexión en wrk")
    return {"rps": n / (duration / 1e6), "p50_ms": p50 / 1000, "p99_ms": p99 / 1000, "requests": n}


def count_queries(app: Any, path: str, page: Page, tokens: dict[str, str]) -> int:
    """The SQL statements one request of ``path`` sends, counted in this process."""
    client, headers = signed_in_client(app, page, tokens.get(page.user, ""))
    # warmed first: caches, as in a running worker; and a token's "last used" is written at most
    # once a minute
    client.get(path, headers=headers)
    return statements_of(app, client, path, headers)


def before_view_overhead(app: Any, username: str, rounds: int = 2000) -> dict[str, float]:
    """Milliseconds a logged-in request spends in the before-request hooks and loading its user
    (the session cookie read, the user and roles loaded, the idle check), and its SQL statements.

    ``ms`` is the elapsed time, round trips to PostgreSQL included (BEGIN, the user's query,
    ROLLBACK: on a busy machine each waits for the server to be scheduled); ``cpu_ms`` is this
    process's own CPU time, what the portal's code costs whatever the load of the machine."""
    from flask_login import current_user
    from sqlalchemy import event

    from portal.extensions import db

    client = app.test_client()
    headers = {"User-Agent": USER_AGENT}
    form = client.get("/ingresar", headers=headers).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    client.post("/ingresar", data={"csrf_token": token, "username": username, "password": PASSWORD}, headers=headers)
    cookie = client.get_cookie(SESSION_COOKIE)
    assert cookie is not None
    environ = {"HTTP_COOKIE": f"{SESSION_COOKIE}={cookie.value}", "HTTP_USER_AGENT": USER_AGENT, "REMOTE_ADDR": "127.0.0.1"}
    statements: list[str] = []

    def once() -> None:
        with app.request_context(_environ(app, "/privacidad", environ)):
            app.preprocess_request()
            assert current_user.is_authenticated
            db.session.remove()

    def record(*args: Any) -> None:
        statements.append(args[2])

    for _ in range(50):
        once()
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    once()
    event.remove(engine, "before_cursor_execute", record)
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        once()
    return {
        "ms": (time.perf_counter() - started) * 1000 / rounds,
        "cpu_ms": (time.process_time() - cpu) * 1000 / rounds,
        "queries": len(statements),
    }


def _environ(app: Any, path: str, extra: dict[str, str]) -> dict[str, Any]:
    from werkzeug.test import EnvironBuilder

    builder = EnvironBuilder(path=path, base_url="http://localhost")
    try:
        return builder.get_environ() | extra
    finally:
        builder.close()


FILING_BODY = {
    "form": "FO-M11-P2-05",
    "action": "crear",
    "priority": "normal",
    "beneficiary_name": "Persona de prueba de carga",
    "beneficiary_document_type": "CC",
    "beneficiary_position": "Profesional universitario",
    "link_type": "planta",
    "justification": "Ingresa a la dependencia y necesita cuenta de red.",
    "roles_to_add": [],
}


def filing_throughput(base: str, token: str, body: dict[str, Any], clients: int, seconds: float) -> dict[str, float]:
    """Requests created and filed (``POST /requests`` then ``/submit``) per second by ``clients`` clients."""
    done: list[int] = []
    failures: list[str] = []
    stop_at = time.monotonic() + seconds

    def client() -> None:
        http = requests.Session()
        http.headers.update({"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT})
        count = 0
        while time.monotonic() < stop_at:
            tag = uuid.uuid4().hex[:12]
            data = body | {
                "beneficiary_username": f"carga.{tag}",
                "beneficiary_email": f"carga.{tag}@valledelcauca.gov.co",
                "beneficiary_document": str(int(tag[:8], 16) % 10**10),
            }
            created = http.post(base + "/api/v1/requests", json=data, timeout=60)
            if created.status_code != 201:
                failures.append(f"{created.status_code} {created.text[:200]}")
                return
            filed = http.post(f"{base}/api/v1/requests/{created.json()['id']}/submit", timeout=60)
            if filed.status_code != 200:
                failures.append(f"{filed.status_code} {filed.text[:200]}")
                return
            count += 1
        done.append(count)

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    if failures:
        raise SystemExit(f"Radicación por la API: {failures[0]}")
    return {"clients": clients, "filings": sum(done), "per_second": sum(done) / elapsed}


def run(sizes: list[int], seconds: int, log: Callable[[str], None]) -> dict[str, Any]:
    """Every page at every size, next to the same-run ceiling; filing and the before-view overhead."""
    from bench import database
    from sla.calendar import BusinessCalendar
    from tests.fixtures.services import Postgres, Redis

    wrk = ensure_wrk(log)
    workdir = database.workdir()
    server, redis = Postgres(workdir / "postgres"), Redis(workdir / "redis")
    log("PostgreSQL y Redis: iniciando servidores temporales")
    server.start()
    redis.start()
    results: dict[str, Any] = {"sizes": {}, "wrk": f"-t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{seconds}s"}
    try:
        database.tune(server)
        hello = Gunicorn("bench.hello:app", os.environ.copy(), workdir / "hello.log")
        try:
            for n in sizes:
                results["sizes"][str(n)] = run_size(n, seconds, server, redis, hello, wrk, workdir, log, BusinessCalendar())
        finally:
            hello.stop()
    finally:
        redis.stop()
        server.cleanup()
    first, last = str(sizes[0]), str(sizes[-1])
    for key in [p.key for p in PAGES]:
        small, big = results["sizes"][first]["pages"][key], results["sizes"][last]["pages"][key]
        results.setdefault("growth", {})[key] = (small["rps"] / big["rps"]) if big["rps"] else None
    return results


def run_size(
    n: int, seconds: int, server: Any, redis: Any, hello: Gunicorn, wrk: str, workdir: Path, log: Callable[[str], None], cal: Any
) -> dict[str, Any]:
    from bench import database

    name = f"bench_web_{n}"
    url = server.create_database(name)
    app = database.make_app(url, workdir / name)
    database.load_report_database(server.dsn(name), n, 2025, cal, log)
    pending_id = add_pending(server.dsn(name))
    portal = Gunicorn(
        "portal:create_app()", portal_environment(url, redis.url, workdir / name / "instance"), workdir / "portal.log"
    )
    try:
        tokens = {user: issue_token(app, user) for user in {p.user for p in PAGES if p.api} | {"enlace.salud"}}
        log(f"{n:,}: techo (Flask «hello» con el mismo gunicorn)")
        ceiling = run_wrk(wrk, hello.url + "/", {"User-Agent": USER_AGENT}, seconds, workdir)
        pages: dict[str, Any] = {}
        for page in PAGES:
            path = page.path.format(pending_id=pending_id)
            headers = headers_for(portal.url, page, tokens)
            check_page(portal.url + path, page, headers)
            log(f"{n:,}: {page.label}")
            measured = run_wrk(wrk, portal.url + path, headers, seconds, workdir)
            measured["queries"] = count_queries(app, path, page, tokens)
            measured["ratio"] = measured["rps"] / ceiling["rps"]
            pages[page.key] = measured
        log(f"{n:,}: tiempo antes de la vista (micro-medición en proceso)")
        overhead = before_view_overhead(app, "lider.ed")
        log(f"{n:,}: radicación por la API con 1 y 8 clientes")
        body = FILING_BODY | filing_ids(app)
        filing = [filing_throughput(portal.url, tokens["enlace.salud"], body, clients, seconds) for clients in (1, 8)]
    finally:
        portal.stop()
    return {"ceiling": ceiling, "pages": pages, "before_view": overhead, "filing": filing}


def filing_ids(app: Any) -> dict[str, int]:
    from sqlalchemy import text

    from portal.extensions import db

    with app.app_context():
        dependency = db.session.execute(text("SELECT id FROM dependencies WHERE code = 'SAL'")).scalar_one()
        system = db.session.execute(text("SELECT id FROM target_systems WHERE code = 'directorio'")).scalar_one()
    return {"dependency_id": dependency, "system_id": system}


def table(web: dict[str, Any]) -> str:
    """One row per page and size: req/s, p50, p99, queries, share of the ceiling, growth."""
    rows = [("Página", "Solicitudes", "req/s", "p50 ms", "p99 ms", "consultas", "% del techo", "crecimiento")]
    sizes = list(web["sizes"])
    for page in PAGES:
        for size in sizes:
            m = web["sizes"][size]["pages"][page.key]
            growth = web.get("growth", {}).get(page.key) if size == sizes[-1] and len(sizes) > 1 else None
            rows.append(
                (
                    page.label,
                    f"{int(size):,}",
                    f"{m['rps']:.0f}",
                    f"{m['p50_ms']:.1f}",
                    f"{m['p99_ms']:.1f}",
                    str(m["queries"]),
                    f"{m['ratio'] * 100:.1f} %",
                    f"{growth:.2f}×" if growth else "",
                )
            )
    for size in sizes:
        data = web["sizes"][size]
        rows.append(
            ("Techo: Flask «hello», mismo gunicorn", f"{int(size):,}", f"{data['ceiling']['rps']:.0f}", "", "", "", "", "")
        )
        for f in data["filing"]:
            rows.append(
                (
                    f"Radicación por la API, {f['clients']} cliente(s)",
                    f"{int(size):,}",
                    f"{f['per_second']:.1f}",
                    "",
                    "",
                    "",
                    "",
                    "",
                )
            )
        before = data["before_view"]
        rows.append(
            ("Antes de la vista (en proceso)", f"{int(size):,}", "", f"{before['ms']:.2f}", "", str(before["queries"]), "", "")
        )
        if "cpu_ms" in before:
            rows.append(("Antes de la vista, CPU del proceso", f"{int(size):,}", "", f"{before['cpu_ms']:.2f}", "", "", "", ""))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)
