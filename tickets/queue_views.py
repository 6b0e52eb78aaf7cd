"""The request queues (``/solicitudes``): one page of a queue, its filters and sort from the URL.

Registered on the ``tickets`` blueprint, so ``url_for("tickets.queue")`` is unchanged.
"""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from portal.clock import local_date
from portal.db import utcnow
from portal.extensions import db
from portal.listing import date_arg, enum_arg, int_arg, paginate, search_arg
from portal.permissions import roles_required
from tickets.models import RequestAction, RequestForm, RequestState
from tickets.queries import PAGE_SIZES, Queue, QueueFilters, filter_choices, queue_query, queues_for, with_pending_step_kind
from tickets.views import bp


def _filters_from_args() -> QueueFilters:
    args = request.args
    return QueueFilters(
        state=enum_arg(args, "estado", RequestState),
        form=enum_arg(args, "formato", RequestForm),
        action=enum_arg(args, "accion", RequestAction),
        dependency_id=int_arg(args, "dependencia"),
        system_id=int_arg(args, "sistema"),
        filed_from=date_arg(args, "desde"),
        filed_to=date_arg(args, "hasta"),
        exception_only=args.get("excepcion") == "1",
        overdue_only=args.get("vencidas") == "1",
        text=search_arg(args),
        sort=args.get("orden", "recientes"),
    )


@bp.get("")
@roles_required()
def queue():  # type: ignore[no-untyped-def]
    available = queues_for(db.session, current_user, local_date(utcnow()))
    if not available:
        abort(403)
    try:
        selected = Queue(request.args.get("bandeja", available[0].value))
    except ValueError:
        abort(404)
    if selected not in available:
        abort(403)
    filters = _filters_from_args()
    per_page = request.args.get("por_pagina", type=int) or 25
    if per_page not in PAGE_SIZES:
        per_page = 25
    now = utcnow()
    query = queue_query(db.session, current_user, selected, filters, local_date(now), now)
    page = paginate(with_pending_step_kind(query), per_page=per_page)
    dependencies, systems = filter_choices(db.session)
    return render_template(
        "tickets/queue.html",
        page=page,
        queues=available,
        selected=selected,
        filters=filters,
        per_page=per_page,
        dependencies=dependencies,
        systems=systems,
        states=list(RequestState),
        forms=list(RequestForm),
        actions=list(RequestAction),
    )
