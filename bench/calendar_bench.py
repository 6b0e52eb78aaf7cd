"""Due dates with the Colombian calendar: our single and batch forms against ``businesstimedelta``."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from typing import Any

import holidays
import numpy as np

from sla.calendar import BusinessCalendar

FIRST = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
SPAN = 365 * 86_400
MAX_DELTA = 40 * 3600


def workload(n: int, seed: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """``n`` start instants over 2026 (POSIX seconds) and amounts of business time (1 s to 40 h)."""
    rng = np.random.default_rng(seed)
    return FIRST + rng.integers(0, SPAN, n), rng.integers(1, MAX_DELTA, n)


def reference_rules() -> Any:
    """The same calendar for ``businesstimedelta``: 08–18 with a 12–14 lunch, Monday–Friday, Colombian holidays."""
    import businesstimedelta
    import pytz

    zone = pytz.timezone("America/Bogota")
    weekdays = [0, 1, 2, 3, 4]
    return businesstimedelta.Rules(
        [
            businesstimedelta.WorkDayRule(start_time=clock(8), end_time=clock(18), working_days=weekdays, tz=zone),
            businesstimedelta.LunchTimeRule(start_time=clock(12), end_time=clock(14), working_days=weekdays, tz=zone),
            businesstimedelta.HolidayRule(holidays.country_holidays("CO", years=range(2025, 2029), language="es"), tz=zone),
        ]
    ), zone


def run(n: int, sample: int, log: Any) -> dict[str, Any]:
    import businesstimedelta

    calendar = BusinessCalendar()
    starts, deltas = workload(n)

    log(f"calendario: forma por lotes, {n:,} vencimientos")
    batch_times = []
    for _ in range(3):
        t0 = time.perf_counter()
        batch = calendar.add_business_time_batch(starts, deltas)
        batch_times.append(time.perf_counter() - t0)
    batch_seconds = min(batch_times)

    log(f"calendario: forma individual, {n:,} vencimientos")
    start_list = [datetime.fromtimestamp(s, UTC) for s in starts.tolist()]
    delta_list = [timedelta(seconds=d) for d in deltas.tolist()]
    add = calendar.add_business_time
    t0 = time.perf_counter()
    single = [add(s, d) for s, d in zip(start_list, delta_list, strict=True)]
    single_seconds = time.perf_counter() - t0
    assert [int(r.timestamp()) for r in single[:10_000]] == batch[:10_000].tolist()

    log(f"referencia businesstimedelta: muestra de {sample:,} (varios minutos)")
    rules, zone = reference_rules()
    local_starts = [s.astimezone(zone) for s in start_list[:sample]]
    reference_deltas = [businesstimedelta.BusinessTimeDelta(rules, seconds=d) for d in deltas[:sample].tolist()]
    t0 = time.perf_counter()
    reference = [s + d for s, d in zip(local_starts, reference_deltas, strict=True)]
    reference_seconds = time.perf_counter() - t0
    agree = sum(int(r.timestamp()) == b for r, b in zip(reference, batch[:sample].tolist(), strict=True))

    reference_per_op = reference_seconds / sample
    return {
        "computations": n,
        "reference_sample": sample,
        "reference_us_per_op": reference_per_op * 1e6,
        "reference_scaled_seconds": reference_per_op * n,
        "single_seconds": single_seconds,
        "single_us_per_op": single_seconds / n * 1e6,
        "single_speedup": reference_per_op / (single_seconds / n),
        "batch_seconds": batch_seconds,
        "batch_us_per_op": batch_seconds / n * 1e6,
        "batch_speedup": reference_per_op / (batch_seconds / n),
        "reference_agreement": agree / sample,
    }
