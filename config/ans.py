"""Placeholder ANS targets (SPEC §5). Replace them with the entity's Manual ANS from the admin page.

Neither seed gives figures: PR-M2-P6-01 only says requests are handled "con base en el Manual ANS".
So these defaults are placeholders, labelled so wherever they show; ``admin`` sets the entity's
own values per form, action, priority and metric (stored in ``sla_targets``).
"""

from __future__ import annotations

#: Business hours for a ``normal`` request: first attention (decision or staff comment).
ATENCION_HOURS = 4
#: Business hours to resolve, per action: password and lock cases and re-enabling or removing an
#: account are quicker than creating an account or changing its roles.
SOLUCION_HOURS: dict[str, int] = {
    "crear": 24,
    "activar": 16,
    "retirar": 16,
    "desbloquear": 16,
    "inicializar": 16,
    "modificar_roles": 24,
}
#: Business hours each approver has for their step (OLA).
PASO_HOURS = 8
#: An ``alta`` priority request gets this fraction of each target.
PRIORITY_FACTOR: dict[str, float] = {"normal": 1.0, "alta": 0.5}

#: The thresholds of the notices: a warning to the assignee or approver at 75 %, the breach at
#: 100 % (escalated to the ``aprobador``), the escalation to the ``secretario`` at 150 % (SPEC §5).
WARN_FRACTION = 0.75
ESCALATE_FRACTION = 1.5


def default_target_minutes(form: str, action: str, priority: str, metric: str) -> int:
    """The placeholder target, in business minutes, of a metric (``atencion``, ``solucion``, ``paso``)."""
    del form  # the placeholders depend on the action only; the entity's own targets may differ per form
    hours = {"atencion": ATENCION_HOURS, "solucion": SOLUCION_HOURS[action], "paso": PASO_HOURS}[metric]
    return round(hours * 60 * PRIORITY_FACTOR[priority])
