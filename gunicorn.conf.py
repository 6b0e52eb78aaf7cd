"""gunicorn's hooks for the portal; gunicorn reads this file from the directory it starts in.

The garbage collector: a worker holds some 300,000 long-lived objects (the modules, the mapped
classes, the Babel data, the compiled templates and SQL), and every full collection walked them
all again — a few hundred milliseconds each on a busy 2-core machine, about a fifth of a page's
CPU time. ``gc.freeze()`` sets them aside once: after the application is loaded, and again after
the worker's first requests, which compile the templates and statements it keeps.
"""

from __future__ import annotations

import gc
from typing import Any

#: requests after which a worker sets aside what its first pages built
WARM_REQUESTS = 200


def freeze_long_lived_objects() -> None:
    gc.collect()
    gc.freeze()


def post_worker_init(worker: Any) -> None:
    freeze_long_lived_objects()


def post_request(worker: Any, req: Any, environ: Any, resp: Any) -> None:
    served = getattr(worker, "mesatic_requests", 0) + 1
    worker.mesatic_requests = served
    if served == WARM_REQUESTS:
        freeze_long_lived_objects()
