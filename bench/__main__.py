"""``python -m bench`` (``make bench``): run every measurement, print one table, write bench/results.json.

``python -m bench --only report`` (or ``calendar``, ``tick``, ``provisioning``, ``web``, ``growth``;
repeatable) measures just those parts. The provisioning, web and growth parts write their own keys
of bench/results.json on every run, keeping the others; ``--sizes 10000,100000`` limits the sizes
the web and growth parts load (``bench/growth.py``: the list pages in-process, their growth).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bench import calendar_bench, database, growth, provisioning, web

RESULTS = Path(__file__).resolve().parent / "results.json"
#: issue 5's targets on a 2-core machine
TARGETS = {
    "batch_seconds": 0.5,
    "batch_speedup": 300,
    "single_us_per_op": 3.0,
    "single_speedup": 60,
    "tick_seconds": 0.2,
    "report_seconds": 2.0,
}
#: the parts ``--only`` can pick; the default runs them all
PARTS = ("calendar", "tick", "report", "provisioning", "web", "growth")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run_database(requests: int, open_timers: int, parts: frozenset[str] = frozenset(PARTS)) -> dict[str, Any]:
    from sla.calendar import BusinessCalendar
    from tests.fixtures.services import Postgres

    workdir = database.workdir()
    server = Postgres(workdir / "postgres")
    log("PostgreSQL: iniciando un clúster temporal")
    server.start()
    try:
        database.tune(server)
        version = database.psycopg.connect(server.dsn("postgres")).execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
        results: dict[str, Any] = {"postgresql": version}

        if "tick" in parts:
            now = int(datetime(2026, 3, 18, 15, tzinfo=UTC).timestamp())
            tick_url = server.create_database("bench_tick")
            tick_app = database.make_app(tick_url, workdir / "tick")
            database.load_tick_database(server.dsn("bench_tick"), open_timers // 2, now, 0.01, log)
            log("tick: midiendo")
            tick = database.run_tick(tick_app, now)
            tick["open_timers"] = open_timers
            results["tick"] = tick

        if "report" in parts:
            report_url = server.create_database("bench_report")
            report_app = database.make_app(report_url, workdir / "report")
            database.load_report_database(server.dsn("bench_report"), requests, 2025, BusinessCalendar(), log)
            log("informe: midiendo el mes de junio de 2025 y, como referencia, el año completo")
            now_report = datetime(2026, 1, 15, 12, tzinfo=UTC)
            month = database.run_report(report_app, date(2025, 6, 1), date(2025, 6, 30), now_report)
            year = database.run_report(report_app, date(2025, 1, 1), date(2025, 12, 31), now_report, repeat=1)
            month["requests_in_database"] = requests
            results.update(report_month=month, report_year=year)
        return results
    finally:
        server.cleanup()


def table(results: dict[str, Any]) -> str:
    """The measured parts as one table (a run with ``--only`` has some of them)."""
    rows = [("Medición", "Resultado", "Meta", "Cumple")]
    cal = results.get("calendar")
    if cal is not None:
        n = cal["computations"]
        rows += [
            (
                f"businesstimedelta, {n:,} vencimientos (muestra {cal['reference_sample']:,} escalada)",
                f"{cal['reference_scaled_seconds']:.1f} s ({cal['reference_us_per_op']:.0f} µs c/u)",
                "referencia",
                "",
            ),
            (
                f"Calendario CO, forma individual, {n:,}",
                f"{cal['single_seconds']:.2f} s ({cal['single_us_per_op']:.2f} µs c/u, {cal['single_speedup']:.0f}×)",
                "< 3 µs c/u, ≥ 60×",
                ok(cal["single_us_per_op"] < TARGETS["single_us_per_op"] and cal["single_speedup"] >= TARGETS["single_speedup"]),
            ),
            (
                f"Calendario CO, forma por lotes, {n:,}",
                f"{cal['batch_seconds']:.3f} s ({cal['batch_us_per_op'] * 1000:.0f} ns c/u, {cal['batch_speedup']:.0f}×)",
                "< 0,5 s, ≥ 300×",
                ok(cal["batch_seconds"] < TARGETS["batch_seconds"] and cal["batch_speedup"] >= TARGETS["batch_speedup"]),
            ),
        ]
    tick = results.get("tick")
    if tick is not None:
        rows.append(
            (
                f"Tick: {tick['open_timers']:,} tiempos abiertos, {tick['notices']:,} avisos debidos",
                f"{tick['seconds'] * 1000:.0f} ms ({tick['mails']} correos; tick sin avisos {tick['idle_tick_seconds'] * 1000:.1f} ms)",
                "< 200 ms",
                ok(tick["seconds"] < TARGETS["tick_seconds"]),
            )
        )
    month, year = results.get("report_month"), results.get("report_year")
    if month is not None and year is not None:
        rows += [
            (
                f"Informe ANS mensual ({month['period']}), {month['requests_in_database']:,} solicitudes en la base",
                f"{month['seconds_median']:.2f} s (primera {month['seconds_first']:.2f} s; {month['measured_timers']:,} tiempos)",
                "< 2 s",
                ok(month["seconds_median"] < TARGETS["report_seconds"]),
            ),
            (
                f"Informe ANS del año completo ({year['period']}), como referencia",
                f"{year['seconds_first']:.2f} s ({year['measured_timers']:,} tiempos)",
                "—",
                "",
            ),
        ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    if cal is not None:
        lines.append(f"Acuerdo con businesstimedelta en la muestra: {cal['reference_agreement'] * 100:.2f} %")
    return "\n".join(lines)


def ok(value: bool) -> str:
    return "sí" if value else "NO"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--computations", type=int, default=1_000_000)
    parser.add_argument("--reference-sample", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--open-timers", type=int, default=1_000_000)
    parser.add_argument("--provisioning-jobs", type=int, default=provisioning.JOBS)
    parser.add_argument(
        "--only",
        choices=PARTS,
        action="append",
        help="measure only this part (repeatable); a partial run prints its rows and leaves bench/results.json alone, "
        "but for provisioning and web, written under their keys",
    )
    parser.add_argument("--sizes", default="10000,100000,1000000", help="web, growth: the numbers of requests, comma-separated")
    parser.add_argument("--calls", type=int, default=30, help="growth: calls of each page per size")
    parser.add_argument("--seconds", type=int, default=15, help="web: seconds of wrk per page")
    args = parser.parse_args(argv)
    parts = frozenset(args.only or PARTS)
    os.environ.setdefault("FLASK_APP", "portal:create_app")
    started = time.perf_counter()
    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "targets": TARGETS,
    }
    if "calendar" in parts:
        results["calendar"] = calendar_bench.run(args.computations, args.reference_sample, log)
    if parts & {"tick", "report"}:
        results.update(run_database(args.requests, args.open_timers, parts))
    if "provisioning" in parts:
        results["provisioning"] = provisioning.run(log, args.provisioning_jobs)
    sizes = sorted(int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip())
    if "web" in parts:
        results["web"] = web.run(sizes, args.seconds, log)
        results["web"].update(machine=results["machine"], measured_at=results["started_at"])
    if "growth" in parts:
        results["growth"] = growth.run(sizes, log, args.calls)
        results["growth"].update(machine=results["machine"], measured_at=results["started_at"])
    results["total_seconds"] = time.perf_counter() - started
    if parts - {"provisioning", "web", "growth"}:
        print(table(results))
    if "provisioning" in results:
        print(provisioning.table(results["provisioning"]))
    if "web" in results:
        print(web.table(results["web"]))
    if "growth" in results:
        print(growth.table(results["growth"]))
    if parts == frozenset(PARTS):
        write_results(results)
        print(f"Resultados en {RESULTS} ({results['total_seconds']:.0f} s en total).")
    elif parts & {"provisioning", "web", "growth"}:
        write_results({key: results[key] for key in ("provisioning", "web", "growth") if key in results})
        print(f"{results['total_seconds']:.0f} s en total; guardado en {RESULTS}.")
    else:
        print(f"{results['total_seconds']:.0f} s en total; {RESULTS} no se modifica en una medición parcial.")
    return 0


def write_results(update: dict[str, Any]) -> None:
    """Merge ``update`` into bench/results.json: other keys (written by other parts) stay."""
    current: dict[str, Any] = {}
    if RESULTS.exists():
        current = json.loads(RESULTS.read_text(encoding="utf-8"))
    current.update(update)
    RESULTS.write_text(json.dumps(current, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
