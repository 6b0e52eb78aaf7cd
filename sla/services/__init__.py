"""The ANS engine's services (SPEC §5): the entity's calendar, the Manual ANS targets, the timers'
thresholds and notices, the periodic check and what a request's page shows of its timers.

Like every service, these flush and never commit, and take everything explicitly (the acting
user, ``now``); the calendar is read from the database through a per-process cache.
"""

from __future__ import annotations

from sla.services.entity_calendar import (
    FIRST_YEAR,
    LAST_YEAR,
    add_day_off,
    add_half_day,
    build_calendar,
    calendar_revision,
    get_calendar,
    parse_blocks,
    remove_day_off,
    remove_half_day,
)
from sla.services.summary import STATE_LABELS, elapsed_seconds, request_sla_summary, timer_state
from sla.services.targets import (
    MAX_TARGET_HOURS,
    PLACEHOLDER_NOTE,
    TargetRow,
    parse_target_key,
    save_target,
    target_table,
    targets_for,
)
from sla.services.tick import TickReport, tick
from sla.services.timers import (
    recompute_running_timers,
    reschedule_notices,
    schedule_notices,
    sent_levels,
    threshold_amounts,
    thresholds,
    unschedule_notices,
)

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "MAX_TARGET_HOURS",
    "PLACEHOLDER_NOTE",
    "STATE_LABELS",
    "TargetRow",
    "TickReport",
    "add_day_off",
    "add_half_day",
    "build_calendar",
    "calendar_revision",
    "elapsed_seconds",
    "get_calendar",
    "parse_blocks",
    "parse_target_key",
    "recompute_running_timers",
    "remove_day_off",
    "remove_half_day",
    "request_sla_summary",
    "reschedule_notices",
    "save_target",
    "schedule_notices",
    "sent_levels",
    "target_table",
    "targets_for",
    "threshold_amounts",
    "thresholds",
    "tick",
    "timer_state",
    "unschedule_notices",
]
