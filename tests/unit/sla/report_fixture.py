"""Eight requests with known instants for the ANS report, and the figures worked out by hand.

All are filed on Monday 9 March 2026 at 08:00 (Bogotá); each later event is a number of business
hours after the filing (``after``), so every measured time below is exact. Placeholder targets:
atención 4 h; solución 24 h (``crear``) or 16 h (``desbloquear``); each step 8 h.

| req | dep | form/action          | jefe decides | aprobador | resolved | notes |
|-----|-----|----------------------|--------------|-----------|----------|-------|
| 1   | SAL | 05 crear             | 1            | 3         | 4        |       |
| 2   | SAL | 05 crear             | 2            | 4         | 8        |       |
| 3   | HAC | 05 crear             | 5            | 6         | 12       | atención breached (5 > 4) |
| 4   | HAC | 12 desbloquear       | 1            | 10        | 20       | step 2 breached (9 > 8), solución breached (20 > 16) |
| 5   | SAL | 12 desbloquear       | 0.5          | 1         | 30       | solución breached (30 > 16) |
| 6   | HAC | 05 crear             | 0.5          | 1         | 2        |       |
| 7   | SAL | 05 crear             | —            | —         | —        | Secretario's exception at 2 h; stays open (aprobada) |
| 8   | HAC | 05 crear             | rejects at 1 | —         | —        | solución not measured |

Measured (business hours):
- atención: 1, 2, 5, 1, 0.5, 0.5, 2, 1 → 7 of 8 within 4 h = 87.5 %; sorted 0.5 0.5 1 1 1 2 2 5:
  median (p = 0.5 → position 3.5) = 1, p90 (position 6.3) = 2 + 0.3 × 3 = 2.9;
- solución: 4, 8, 12, 20, 30, 2 → 4 of 6 = 66.7 %; sorted 2 4 8 12 20 30: median (2.5) = 10,
  p90 (4.5) = 20 + 0.5 × 10 = 25;
- steps: jefe 1, 2, 5, 1, 0.5, 0.5, 1 and aprobador 2, 2, 1, 9, 0.5, 0.5 → 12 of 13 = 92.3 %;
  sorted 0.5×4 1×4 2×3 5 9: median (6) = 1, p90 (10.8) = 2 + 0.8 × 3 = 4.4.
"""

from __future__ import annotations

from datetime import date

from tests.unit.sla.flow import after, approve_chain, bogota, decide, exception, file, resolve
from tickets.models import RequestAction, RequestForm

FILED = bogota(2026, 3, 9, 8)
PERIOD = (date(2026, 3, 1), date(2026, 3, 31))
REPORT_NOW = bogota(2026, 3, 31, 12)

CREAR = (RequestForm.CREACION, RequestAction.CREAR)
DESBLOQUEAR = (RequestForm.CLAVE, RequestAction.DESBLOQUEAR)
RESOLVED = [
    (1, "SAL", CREAR, 1, 3, 4),
    (2, "SAL", CREAR, 2, 4, 8),
    (3, "HAC", CREAR, 5, 6, 12),
    (4, "HAC", DESBLOQUEAR, 1, 10, 20),
    (5, "SAL", DESBLOQUEAR, 0.5, 1, 30),
    (6, "HAC", CREAR, 0.5, 1, 2),
]

#: metric -> (measured, within target, compliance %, median h, p90 h)
SUMMARY = {
    "atencion": (8, 7, 87.5, 1.0, 2.9),
    "solucion": (6, 4, 66.7, 10.0, 25.0),
    "paso": (13, 12, 92.3, 1.0, 4.4),
}
#: solución by form: FO-M11-P2-05 2 4 8 12 (median 6, p90 position 2.7: 8 + 0.7 × 4), FO-M11-P2-12 20 30
SOLUCION_BY_FORM = {"FO-M11-P2-05": (4, 4, 100.0, 6.0, 10.8), "FO-M11-P2-12": (2, 0, 0.0, 25.0, 29.0)}
#: atención by form: 05 → 1 2 5 0.5 2 1 (5 of 6; sorted 0.5 1 1 2 2 5: median 1.5, p90 position 4.5 = 3.5)
ATENCION_BY_FORM = {"FO-M11-P2-05": (6, 5, 83.3, 1.5, 3.5), "FO-M11-P2-12": (2, 2, 100.0, 0.75, 0.95)}
#: solución by dependency: SAL 4 8 30 (p90 position 1.8: 8 + 0.8 × 22), HAC 12 20 2 (12 + 0.8 × 8)
SOLUCION_BY_DEPENDENCY = {"SAL": (3, 2, 66.7, 8.0, 25.6), "HAC": (3, 2, 66.7, 12.0, 18.4)}
#: steps by approver (username): jefe.salud 1 2 0.5; jefe.hacienda 5 1 0.5 1; lider.ed 2 2 1 9 0.5 0.5
APPROVERS = {
    "jefe.salud": (3, 3, 100.0, 1.0, 1.8),
    "jefe.hacienda": (4, 4, 100.0, 1.0, 3.8),
    "lider.ed": (6, 5, 83.3, 1.5, 5.5),
}
#: worst breaches first: (request n, metric, target h, measured h)
BREACHES = [(5, "solucion", 16.0, 30.0), (4, "solucion", 16.0, 20.0), (3, "atencion", 4.0, 5.0), (4, "paso", 8.0, 9.0)]
#: request 7 is open (aprobada) on 31 March: 15 business days after 9 March (23 March is a holiday)
OPEN_BY_AGE = [0, 0, 0, 0, 1]


def build() -> dict[int, int]:
    """Create the eight requests (needs an app context); returns n -> request id."""
    ids: dict[int, int] = {}
    for n, dependency, (form, action), jefe_at, aprobador_at, resolved_at in RESOLVED:
        ids[n] = file(n, FILED, dependency=dependency, form=form, action=action)
        approve_chain(ids[n], after(FILED, jefe_at), after(FILED, aprobador_at))
        resolve(ids[n], after(FILED, resolved_at))
    ids[7] = file(7, FILED, dependency="SAL")
    exception(ids[7], after(FILED, 2))
    ids[8] = file(8, FILED, dependency="HAC")
    decide(ids[8], "jefe.hacienda", "rechazar", after(FILED, 1))
    return ids
