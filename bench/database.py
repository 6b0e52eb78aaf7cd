"""The tick over 1,000,000 open timers and the monthly report over 1,000,000 requests, on PostgreSQL.

Two databases of one throw-away cluster, each migrated with the project's migrations and loaded
with the demo organisation, then filled with COPY (foreign-key triggers off during the load, the
rows being consistent by construction) and analysed.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import numpy as np
import psycopg
from flask import Flask
from psycopg import sql
from sqlalchemy import text

from sla.calendar import BusinessCalendar

HOUR = 3600
FORM_ACTIONS = [
    ("FO-M11-P2-05", "crear", 24),
    ("FO-M11-P2-05", "activar", 16),
    ("FO-M11-P2-05", "retirar", 16),
    ("FO-M11-P2-12", "desbloquear", 16),
    ("FO-M11-P2-12", "inicializar", 16),
    ("FO-M11-P2-13", "modificar_roles", 24),
]
REQUEST_COLUMNS = (
    "id, number, form, action, state, priority, system_id, requester_id, dependency_id, beneficiary_name, "
    "beneficiary_document_type, beneficiary_document, beneficiary_email, beneficiary_position, beneficiary_username, "
    "link_type, justification, roles_to_add, roles_to_remove, is_exception, exception_justification, exception_by_id, "
    "round, created_at, updated_at, filed_at, approved_at, resolved_at"
)
STEP_COLUMNS = "id, request_id, round, position, kind, state, decided_by_id, decided_at, started_at"
TIMER_COLUMNS = (
    "id, request_id, step_id, metric, target_seconds, is_placeholder_target, started_at, paused_seconds, "
    "warn_at, due_at, escalate_at, stopped_at, outcome, elapsed_seconds, form, action, dependency_id, approver_id"
)
PENDING_COLUMNS = "timer_id, level, notice_at, request_id, step_id, step_kind, dependency_id, requester_id"
EVENT_COLUMNS = "id, request_id, at, actor_id, kind, from_state, to_state, note, on_behalf_of_id"


def stamps(seconds: np.ndarray) -> list[str]:
    """POSIX seconds → ISO-8601 UTC text for COPY, vectorised."""
    return np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s", timezone="UTC").tolist()


def copy(conn: psycopg.Connection, table: str, columns: str, rows: Iterable[str], chunk: int = 100_000, total: int = 0) -> None:
    """COPY ``rows`` into ``table`` through psycopg's copy protocol, generated as they are sent
    (never the whole table in memory), with a progress bar on the terminal (rows sent)."""
    with (
        conn.cursor() as cursor,
        cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as stream,
        click.progressbar(length=total, label=f"  {table}", file=sys.stderr, show_pos=True, show_eta=True) as bar,
    ):
        buffer: list[str] = []
        for row in rows:
            buffer.append(row)
            if len(buffer) >= chunk:
                stream.write("".join(buffer))
                bar.update(len(buffer))
                buffer.clear()
        if buffer:
            stream.write("".join(buffer))
            bar.update(len(buffer))


def tune(server: Any) -> None:
    """A modest configuration for a 2-core machine with 24 GiB; restarts the cluster."""
    with psycopg.connect(server.dsn("postgres"), autocommit=True) as conn:
        for setting, value in (("shared_buffers", "1GB"), ("work_mem", "64MB"), ("maintenance_work_mem", "512MB")):
            conn.execute(f"ALTER SYSTEM SET {setting} = '{value}'")
    server.stop()
    server.start()


def make_app(url: str, workdir: Path) -> Flask:
    from flask_migrate import upgrade

    from portal import create_app
    from portal.demo import load_demo
    from portal.extensions import db

    app = create_app(
        {
            "INSTANCE_PATH": str(workdir / "instance"),
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": url,
            "CELERY_BROKER_URL": "memory://",
            "CELERY_TASK_ALWAYS_EAGER": False,
            "MAIL_FILE_PATH": str(workdir / "mail"),
            "MAIL_SERVER": None,
            "LDAP_URL": "mock://demo",
            "PORTAL_PROFILE": "valle",
        }
    )
    with app.app_context():
        upgrade()
        load_demo(db.session)
        db.session.commit()
        # the database's settings (the migrations turn JIT off) apply to new connections, as in a
        # server started after its migrations
        db.engine.dispose()
    return app


def ids(conn: psycopg.Connection, query: str) -> dict[str, int]:
    return {name: id_ for id_, name in conn.execute(query).fetchall()}


class Organisation:
    def __init__(self, conn: psycopg.Connection) -> None:
        self.dependencies = list(ids(conn, "SELECT id, code FROM dependencies ORDER BY id").values())
        self.users = ids(conn, "SELECT id, username FROM users")
        self.system_id = conn.execute("SELECT id FROM target_systems WHERE code = 'directorio'").fetchone()[0]  # type: ignore[index]


def request_rows(
    n: int,
    org: Organisation,
    rng: np.random.Generator,
    filed: np.ndarray,
    state: Sequence[str],
    approved: np.ndarray,
    resolved: np.ndarray,
    dependencies_out: list[int] | None = None,
) -> Iterable[str]:
    combos = rng.integers(0, len(FORM_ACTIONS), n)
    dependencies = np.array(org.dependencies)[rng.integers(0, len(org.dependencies), n)]
    if dependencies_out is not None:
        dependencies_out.extend(dependencies.tolist())
    exceptions = rng.random(n) < 0.005
    filed_text, approved_text, resolved_text = stamps(filed), stamps(approved), stamps(resolved)
    requester = org.users["enlace.salud"]
    secretario = org.users["secretario"]
    for i in range(n):
        form, action, _hours = FORM_ACTIONS[combos[i]]
        is_exception = bool(exceptions[i])
        yield (
            f"{i + 1}\tSOL-{filed_text[i][:4]}-{i + 1:07d}\t{form}\t{action}\t{state[i]}\tnormal\t{org.system_id}\t{requester}\t"
            f"{dependencies[i]}\tPersona {i}\tCC\t{10_000_000 + i}\tp{i}@valledelcauca.gov.co\tProfesional\tp{i}\tplanta\t"
            f"Acceso para el cargo.\t[]\t[]\t{'t' if is_exception else 'f'}\t"
            f"{'Urgencia del servicio.' if is_exception else chr(92) + 'N'}\t{secretario if is_exception else chr(92) + 'N'}\t1\t"
            f"{filed_text[i]}\t{filed_text[i]}\t{filed_text[i]}\t{approved_text[i] if state[i] != 'en_aprobacion' else chr(92) + 'N'}\t"
            f"{resolved_text[i] if state[i] == 'resuelta' else chr(92) + 'N'}\n"
        )


def reset_sequences(conn: psycopg.Connection) -> None:
    """Ids were given by the loader: move each sequence past them."""
    for table in ("access_requests", "approval_steps", "sla_timers", "request_events", "audit_events"):
        conn.execute(
            sql.SQL("SELECT setval(pg_get_serial_sequence({name}, 'id'), (SELECT max(id) FROM {table}))").format(
                name=sql.Literal(table), table=sql.Identifier(table)
            )
        )


#: the tables the loaders fill; their secondary indexes are built after the rows are in
LOADED_TABLES = ("access_requests", "approval_steps", "sla_timers", "sla_pending_notices", "request_events", "audit_events")


def secondary_indexes(conn: psycopg.Connection, tables: Sequence[str] = LOADED_TABLES) -> list[tuple[str, str]]:
    """(name, definition) of the indexes of ``tables`` that back no constraint (primary keys and
    unique constraints stay: their keys arrive in order, cheap to maintain)."""
    rows = conn.execute(
        "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
        "WHERE t.relname = ANY(%s) AND t.relnamespace = 'public'::regnamespace "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) ORDER BY 1",
        (list(tables),),
    ).fetchall()
    return [(str(name), str(definition)) for name, definition in rows]


def _load(url_dsn: str, loader: Callable[[psycopg.Connection], None], log: Callable[[str], None] | None = None) -> None:
    """Run ``loader`` in one transaction tuned for a bulk load: foreign-key triggers off (the rows
    are consistent by construction), no wait for the WAL flush, the secondary indexes dropped
    before and built once after; then one VACUUM ANALYZE (statistics, and the visibility map the
    index-only scans rely on)."""
    say = log or (lambda _message: None)
    started = time.perf_counter()
    with psycopg.connect(url_dsn, autocommit=False) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '512MB'")
        indexes = secondary_indexes(conn)
        for name, _definition in indexes:
            conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
        loader(conn)
        loaded = time.perf_counter()
        say(f"filas cargadas en {loaded - started:.0f} s; construyendo {len(indexes)} índices")
        with click.progressbar(indexes, label="  índices", file=sys.stderr, show_pos=True) as bar:
            for _name, definition in bar:
                conn.execute(definition)  # type: ignore[arg-type]  # pg_get_indexdef's own text
        conn.commit()
        say(f"índices en {time.perf_counter() - loaded:.0f} s")
    analysed = time.perf_counter()
    with psycopg.connect(url_dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    say(f"VACUUM ANALYZE en {time.perf_counter() - analysed:.0f} s")


# ---------------------------------------------------------------- the tick


def load_tick_database(dsn: str, n_requests: int, now: int, due_fraction: float, log: Callable[[str], None]) -> None:
    """``n_requests`` requests in approval, each with a running ``solucion`` timer and a running step
    timer: 2 × ``n_requests`` open timers, of which ``due_fraction`` have a notice due at ``now``."""
    rng = np.random.default_rng(11)
    n = n_requests

    def loader(conn: psycopg.Connection) -> None:
        org = Organisation(conn)
        filed = now - rng.integers(HOUR, 20 * 86_400, n)
        log(f"tick: COPY de {n:,} solicitudes")
        request_dependencies: list[int] = []
        copy(
            conn,
            "access_requests",
            REQUEST_COLUMNS,
            request_rows(n, org, rng, filed, ["en_aprobacion"] * n, filed, filed, request_dependencies),
        )
        filed_text = stamps(filed)
        log(f"tick: COPY de {n:,} pasos de aprobación")
        copy(
            conn,
            "approval_steps",
            STEP_COLUMNS,
            (f"{i + 1}\t{i + 1}\t1\t1\tjefe\tpendiente\t\\N\t\\N\t{filed_text[i]}\n" for i in range(n)),
        )
        total = 2 * n
        kind = rng.random(total)
        due = kind < due_fraction
        level = rng.integers(0, 10, total)  # among the due: 6 warnings, 3 breaches, 1 escalation
        warned_before = ~due & (kind < due_fraction + 0.2)  # a fifth already warned, not yet due
        ahead = rng.integers(60, 10 * 86_400, total)
        behind = rng.integers(60, 3600, total)
        warn = np.where(
            due & (level < 6),
            now - behind,
            np.where(due, now - 2 * HOUR - behind, np.where(warned_before, now - 3 * HOUR - behind, now + ahead)),
        )
        due_at = np.where(due & (level >= 6), now - behind, np.where(due, now + ahead, now + ahead + 2 * HOUR))
        escalate = np.where(due & (level == 9), now - behind // 2, due_at + 4 * HOUR)
        # a few timers (0.02 %) had every notice due a day earlier: the warm-up tick sends those,
        # so the measured tick runs with compiled statements and templates, as in a running worker
        warm = (kind >= 0.99) & (kind < 0.9902)
        warn = np.where(warm, now - 2 * 86_400, warn)
        due_at = np.where(warm, now - 2 * 86_400 + HOUR, due_at)
        escalate = np.where(warm, now - 2 * 86_400 + 2 * HOUR, escalate)
        warned = due & (level >= 6) | warned_before
        breached = due & (level == 9)
        warn_t, due_t, esc_t = stamps(warn), stamps(due_at), stamps(escalate)
        log(f"tick: COPY de {total:,} tiempos abiertos ({int(due.sum()):,} con aviso pendiente)")

        def timer_rows() -> Iterable[str]:
            for j in range(total):
                request = j // 2 + 1
                is_step = j % 2
                yield (
                    f"{j + 1}\t{request}\t{request if is_step else chr(92) + 'N'}\t{'paso' if is_step else 'solucion'}\t"
                    f"{8 * HOUR if is_step else 24 * HOUR}\tt\t{filed_text[request - 1]}\t0\t{warn_t[j]}\t{due_t[j]}\t{esc_t[j]}\t"
                    f"\\N\t\\N\t\\N\tFO-M11-P2-05\tcrear\t{request_dependencies[request - 1]}\t\\N\n"
                )

        copy(conn, "sla_timers", TIMER_COLUMNS, timer_rows())
        log("tick: COPY de los avisos pendientes")
        requester = org.users["enlace.salud"]
        dependency_of = np.asarray(request_dependencies)

        def pending_rows() -> Iterable[str]:
            for j in range(total):
                request = j // 2 + 1
                if j % 2:
                    tail = f"{request}\t{request}\tjefe\t{dependency_of[request - 1]}\t{requester}\n"
                else:
                    tail = f"{request}\t\\N\t\\N\t\\N\t\\N\n"
                if not warned[j]:
                    yield f"{j + 1}\taviso\t{warn_t[j]}\t{tail}"
                if not breached[j]:
                    yield f"{j + 1}\tincumplimiento\t{due_t[j]}\t{tail}"
                yield f"{j + 1}\tescalamiento\t{esc_t[j]}\t{tail}"

        copy(conn, "sla_pending_notices", PENDING_COLUMNS, pending_rows())
        reset_sequences(conn)

    _load(dsn, loader)


def run_tick(app: Flask, now: int) -> dict[str, Any]:
    from portal.extensions import db
    from sla import services

    instant = datetime.fromtimestamp(now, UTC)
    with app.app_context():
        # a running server keeps the queue it reads every minute in memory
        db.session.execute(text("CREATE EXTENSION IF NOT EXISTS pg_prewarm"))
        for relation in ("sla_pending_notices", "ix_sla_pending_notices_notice_at"):
            db.session.execute(text("SELECT pg_prewarm(:relation)"), {"relation": relation})
        db.session.commit()
        warm_up = services.tick(db.session, instant - timedelta(days=1))
        db.session.commit()
        t0 = time.perf_counter()
        report = services.tick(db.session, instant)
        db.session.commit()
        elapsed = time.perf_counter() - t0
        t1 = time.perf_counter()
        idle = services.tick(db.session, instant)
        db.session.commit()
        idle_elapsed = time.perf_counter() - t1
    return {
        "notices": report.total,
        "warned": len(report.warned),
        "breached": len(report.breached),
        "escalated": len(report.escalated),
        "mails": report.mails,
        "seconds": elapsed,
        "idle_tick_seconds": idle_elapsed,
        "idle_notices": idle.total,
        "warm_up_notices": warm_up.total,
    }


# ---------------------------------------------------------------- the report


def load_report_database(dsn: str, n: int, year: int, calendar: BusinessCalendar, log: Callable[[str], None]) -> None:
    """``n`` requests filed over ``year``: 95 % resolved, 5 % in execution; four timers each
    (atención, solución, two steps), their stops computed with the batch calendar."""
    rng = np.random.default_rng(7)
    first = int(datetime(year, 1, 1, 13, tzinfo=UTC).timestamp())
    span = int(datetime(year, 12, 1, tzinfo=UTC).timestamp()) - first
    filed = np.sort(first + rng.integers(0, span, n))
    combos_target = np.array([hours * HOUR for _form, _action, hours in FORM_ACTIONS])
    atencion = rng.exponential(2.5 * HOUR, n).astype(np.int64) + 60
    paso2 = rng.exponential(5 * HOUR, n).astype(np.int64) + 60
    execution = rng.exponential(8 * HOUR, n).astype(np.int64) + 60
    solucion = atencion + paso2 + execution
    log(f"informe: {4 * n:,} instantes con el calendario por lotes")
    decided1 = calendar.add_business_time_batch(filed, atencion)
    decided2 = calendar.add_business_time_batch(filed, atencion + paso2)
    resolved = calendar.add_business_time_batch(filed, solucion)
    open_ = rng.random(n) < 0.05
    state = np.where(open_, "en_ejecucion", "resuelta").tolist()

    def loader(conn: psycopg.Connection) -> None:
        org = Organisation(conn)
        gen = np.random.default_rng(3)
        log(f"informe: COPY de {n:,} solicitudes")
        dependency_of: list[int] = []
        copy(
            conn,
            "access_requests",
            REQUEST_COLUMNS,
            request_rows(n, org, gen, filed, state, decided2, resolved, dependency_of),
            total=n,
        )
        deciders = [org.users[u] for u in ("jefe.salud", "jefe.hacienda", "integrante1", "integrante2", "integrante3")]
        aprobador = org.users["lider.ed"]
        jefe = np.array(deciders)[gen.integers(0, len(deciders), n)]
        filed_t, d1_t, d2_t, res_t = stamps(filed), stamps(decided1), stamps(decided2), stamps(resolved)
        log(f"informe: COPY de {2 * n:,} pasos de aprobación")
        copy(
            conn,
            "approval_steps",
            STEP_COLUMNS,
            (
                f"{2 * i + 1}\t{i + 1}\t1\t1\tjefe\taprobado\t{jefe[i]}\t{d1_t[i]}\t{filed_t[i]}\n"
                f"{2 * i + 2}\t{i + 1}\t1\t2\taprobador\taprobado\t{aprobador}\t{d2_t[i]}\t{d1_t[i]}\n"
                for i in range(n)
            ),
            total=n,
        )
        combos = np.random.default_rng(3).integers(0, len(FORM_ACTIONS), n)  # the same draw as request_rows
        sol_target = combos_target[combos]
        far = stamps(filed + 400 * 86_400)
        log(f"informe: COPY de {4 * n:,} tiempos")

        def rows() -> Iterable[str]:
            for i in range(n):
                base = 4 * i
                request = i + 1
                form, action, _hours = FORM_ACTIONS[combos[i]]
                group = f"\t{form}\t{action}\t{dependency_of[i]}"
                yield (
                    f"{base + 1}\t{request}\t\\N\tatencion\t{4 * HOUR}\tt\t{filed_t[i]}\t0\t{far[i]}\t{far[i]}\t{far[i]}\t"
                    f"{d1_t[i]}\tcompletado\t{atencion[i]}{group}\t\\N\n"
                    f"{base + 2}\t{request}\t{2 * i + 1}\tpaso\t{8 * HOUR}\tt\t{filed_t[i]}\t0\t{far[i]}\t{far[i]}\t{far[i]}\t"
                    f"{d1_t[i]}\tcompletado\t{atencion[i]}{group}\t{jefe[i]}\n"
                    f"{base + 3}\t{request}\t{2 * i + 2}\tpaso\t{8 * HOUR}\tt\t{d1_t[i]}\t0\t{far[i]}\t{far[i]}\t{far[i]}\t"
                    f"{d2_t[i]}\tcompletado\t{paso2[i]}{group}\t{aprobador}\n"
                )
                if open_[i]:
                    yield (
                        f"{base + 4}\t{request}\t\\N\tsolucion\t{sol_target[i]}\tt\t{filed_t[i]}\t0\t{far[i]}\t{far[i]}\t{far[i]}\t"
                        f"\\N\t\\N\t\\N{group}\t\\N\n"
                    )
                else:
                    yield (
                        f"{base + 4}\t{request}\t\\N\tsolucion\t{sol_target[i]}\tt\t{filed_t[i]}\t0\t{far[i]}\t{far[i]}\t{far[i]}\t"
                        f"{res_t[i]}\tcompletado\t{solucion[i]}{group}\t\\N\n"
                    )

        copy(conn, "sla_timers", TIMER_COLUMNS, rows(), total=2 * n)
        log(f"informe: COPY del historial (unos {5 * n:,} eventos)")
        requester, agente = org.users["enlace.salud"], org.users["agente"]

        def history() -> Iterable[str]:
            event = 0
            for i in range(n):
                request = i + 1
                lines = [
                    f"{request}\t{filed_t[i]}\t{requester}\tradicada\tborrador\tradicada",
                    f"{request}\t{d1_t[i]}\t{jefe[i]}\tpaso_aprobado\tradicada\ten_aprobacion",
                    f"{request}\t{d2_t[i]}\t{aprobador}\tpaso_aprobado\ten_aprobacion\taprobada",
                    f"{request}\t{d2_t[i]}\t{agente}\ten_ejecucion\taprobada\ten_ejecucion",
                ]
                if not open_[i]:
                    lines.append(f"{request}\t{res_t[i]}\t{agente}\tresuelta\ten_ejecucion\tresuelta")
                for line in lines:
                    event += 1
                    yield f"{event}\t{line}\t\\N\t\\N\n"

        copy(conn, "request_events", EVENT_COLUMNS, history(), total=int(5 * n - open_.sum()))
        reset_sequences(conn)

    _load(dsn, loader, log)


def load_audit_events(dsn: str, n: int) -> None:
    """``n`` audit events, one a minute up to the end of 2025, over the requests loaded (a list of
    Control Interno's audit page to read; the chain's hashes are placeholders, not a valid chain)."""
    with psycopg.connect(dsn, autocommit=False) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute(
            "INSERT INTO audit_events (occurred_at, actor_id, actor_name, action, object_type, object_id, "
            "prev_hash, hash, chain_version) "
            "SELECT timestamptz '2026-01-01 00:00+00' - g * interval '1 minute', NULL, 'carga', "
            "(ARRAY['solicitud.radicar', 'solicitud.paso_aprobado', 'solicitud.comentar', 'solicitud.editar'])[1 + g %% 4], "
            "'solicitud', (1 + g %% %(n)s)::text, md5(g::text) || md5((g + 1)::text), "
            "md5((-g)::text) || md5((g - 1)::text), 2 "
            "FROM generate_series(1, %(n)s) AS g",
            {"n": n},
        )
        conn.commit()


def run_report(app: Flask, start: date, end: date, now: datetime, repeat: int = 3) -> dict[str, Any]:
    from portal.extensions import db
    from sla.reports.assembly import build_report
    from sla.reports.queries import ReportFilters
    from sla.services import get_calendar

    with app.app_context():
        get_calendar(db.session)  # built once per process and cached, as in a running server
        times = []
        report = None
        for _ in range(repeat):
            t0 = time.perf_counter()
            report = build_report(db.session, ReportFilters(start, end), now)
            times.append(time.perf_counter() - t0)
            db.session.rollback()
        assert report is not None
        solucion = next(s for m, s in report.summary.items() if m.value == "solucion")
        return {
            "period": f"{start.isoformat()}..{end.isoformat()}",
            "measured_timers": sum(s.total for s in report.summary.values()),
            "solucion_compliance_percent": solucion.percent,
            "solucion_p90_hours": solucion.p90_hours,
            "seconds_first": times[0],
            "seconds_median": statistics.median(times),
        }


def workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="mesatic-bench-"))
