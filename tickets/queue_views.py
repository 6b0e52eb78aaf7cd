"""The request queues (``/solicitudes``): one page of a queue and its XLSX export.

The filters and the sort live in the URL (a person bookmarks a queue as they left it); the sort
is one of ``tickets.queries.SORTS``, never text from the URL. Registered on the ``tickets``
blueprint, so ``url_for("tickets.queue")`` is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from portal import listing
from portal.clock import BOGOTA, local_date
from portal.db import utcnow
from portal.downloads import send_stored_file
from portal.extensions import db
from portal.i18n import when_phrase
from portal.listing import date_arg, enum_arg, int_arg, paginate, search_arg
from portal.permissions import roles_required
from portal.spreadsheets import workbook_bytes
from tickets.models import RequestAction, RequestForm, RequestState
from tickets.queries import (
    PAGE_SIZES,
    Queue,
    QueueFilters,
    QueueRow,
    as_queue_row,
    filter_choices,
    queue_query,
    queue_rows,
    queues_for,
    sort_key,
)
from tickets.views import bp

#: the most rows an export writes; past it the person is asked to narrow the filters
EXPORT_LIMIT = 10_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: states in which the requester acts next (edit, file again, confirm and close)
REQUESTER_ACTS = frozenset({RequestState.BORRADOR, RequestState.DEVUELTA, RequestState.RESUELTA})
DESK_ACTS = frozenset({RequestState.APROBADA, RequestState.EN_EJECUCION})
#: the arguments that make a queue what it is (and nothing else from the URL)
FILTER_ARGS = ("bandeja", "q", "estado", "formato", "accion", "dependencia", "sistema", "desde", "hasta", "excepcion", "vencidas")


@dataclass(frozen=True)
class SortHeader:
    """A column header that sorts: ``first`` on the first click, ``second`` on the next."""

    label: str
    first: str
    second: str
    #: ``first`` orders the column's values ascending (for aria-sort)
    first_ascending: bool = True


def _sort_headers() -> dict[str, SortHeader]:
    return {
        "numero": SortHeader(_("Número"), "numero", "-numero"),
        "prioridad": SortHeader(_("Prioridad"), "prioridad", "-prioridad"),
        "estado": SortHeader(_("Estado"), "estado", "-estado"),
        "vence": SortHeader(_("Vence (ANS)"), "vence", "-vence"),
        "edad": SortHeader(_("Antigüedad"), "antiguas", "recientes", first_ascending=False),
    }


def _sort_options() -> list[tuple[str, str]]:
    return [
        ("recientes", _("Más recientes")),
        ("antiguas", _("Más antiguas")),
        ("vence", _("Vencen primero")),
        ("-vence", _("Vencen últimas")),
        ("prioridad", _("Prioridad alta primero")),
        ("-prioridad", _("Prioridad normal primero")),
        ("numero", _("Número ascendente")),
        ("-numero", _("Número descendente")),
        ("estado", _("Estado (A–Z)")),
        ("-estado", _("Estado (Z–A)")),
    ]


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
        sort=sort_key(args.get("orden")),
    )


def _filter_args() -> dict[str, Any]:
    """The filters of this URL, as links to the same queue keep them."""
    return {name: request.args[name] for name in FILTER_ARGS if request.args.get(name)}


def _selected_queue() -> tuple[list[Queue], Queue]:
    available = queues_for(db.session, current_user, local_date(utcnow()))
    if not available:
        abort(403)
    try:
        selected = Queue(request.args.get("bandeja", available[0].value))
    except ValueError:
        abort(404)
    if selected not in available:
        abort(403)
    return available, selected


def next_actor(row: QueueRow) -> str:
    """Who must act next on the request, by name when a person does."""
    state = row.request.state
    if row.pending_kind is not None:
        return row.decider_name or _("Nadie puede decidir el paso")
    if state in REQUESTER_ACTS:
        return str(row.request.requester.full_name)
    if state in DESK_ACTS:
        return _("Mesa de servicio")
    return "—"


def age_days(filed_at: datetime | None, today: date) -> int | None:
    """Calendar days since the request was filed, counted in Bogotá."""
    return None if filed_at is None else (today - filed_at.astimezone(BOGOTA).date()).days


def age_text(days: int | None) -> str:
    if days is None:
        return "—"
    if days == 0:
        return _("Hoy")
    return ngettext("%(num)d día", "%(num)d días", days)


@bp.get("")
@roles_required()
def queue():  # type: ignore[no-untyped-def]
    available, selected = _selected_queue()
    filters = _filters_from_args()
    per_page = request.args.get("por_pagina", type=int) or 25
    if per_page not in PAGE_SIZES:
        per_page = 25
    now = utcnow()
    today = local_date(now)
    query = queue_query(db.session, current_user, selected, filters, today, now)
    page = paginate(queue_rows(query, today), per_page=per_page)
    dependencies, systems = filter_choices(db.session)
    kept = _filter_args()
    return render_template(
        "tickets/queue.html",
        page=page,
        rows=[as_queue_row(item) for item in page.items],
        queues=available,
        selected=selected,
        filters=filters,
        per_page=per_page,
        kept=kept,
        sort_headers=_sort_headers(),
        sort_options=_sort_options(),
        active_filters=sum(1 for name in kept if name not in ("bandeja", "q")),
        dependencies=dependencies,
        systems=systems,
        states=list(RequestState),
        forms=list(RequestForm),
        actions=list(RequestAction),
        now=now,
        today=today,
        next_actor=next_actor,
        age_days=age_days,
        age_text=age_text,
        when_phrase=when_phrase,
        # read at request time: the bound past which the page says "más de 1.000"
        count_limit=listing.COUNT_LIMIT,
        count_limit_text=format_decimal(listing.COUNT_LIMIT),
        total_text=format_decimal(page.total or 0),
        sort_link=lambda key: url_for("tickets.queue", **{**kept, "orden": key, "por_pagina": str(per_page)}),
    )


def _local(instant: datetime | None) -> datetime | None:
    """A UTC instant as Bogotá wall time without a zone (a spreadsheet cell has none)."""
    return instant.astimezone(BOGOTA).replace(tzinfo=None) if instant else None


@bp.get("/exportar.xlsx")
@roles_required()
def queue_export() -> ResponseReturnValue:
    """The filtered queue, every row the person may see (not only one page), as XLSX."""
    _available, selected = _selected_queue()
    filters = _filters_from_args()
    now = utcnow()
    today = local_date(now)
    query = queue_rows(queue_query(db.session, current_user, selected, filters, today, now), today)
    rows = [as_queue_row(item) for item in db.session.execute(query.limit(EXPORT_LIMIT + 1)).unique()]
    if len(rows) > EXPORT_LIMIT:
        flash(
            ngettext(
                "La lista tiene más de %(limit)s solicitud y la exportación llega hasta ese número. "
                "Filtre la lista (por estado, dependencia o fechas) y vuelva a exportar.",
                "La lista tiene más de %(limit)s solicitudes y la exportación llega hasta ese número. "
                "Filtre la lista (por estado, dependencia o fechas) y vuelva a exportar.",
                EXPORT_LIMIT,
                limit=format_decimal(EXPORT_LIMIT),
            ),
            "warning",
        )
        return redirect(url_for("tickets.queue", **{**_filter_args(), "orden": filters.sort}), code=303)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Solicitudes")
    headers = [
        _("Número"),
        _("Formato"),
        _("Acción"),
        _("Beneficiario"),
        _("Dependencia"),
        _("Sistema"),
        _("Estado"),
        _("Paso actual"),
        _("Prioridad"),
        _("Debe actuar"),
        _("Vence (ANS)"),
        _("ANS en pausa"),
        _("Radicada"),
        _("Antigüedad (días)"),
        _("Excepción del Secretario"),
        _("Aprovisionamiento fallido"),
    ]
    sheet.append(headers)
    yes, no = _("Sí"), _("No")
    for row in rows:
        r = row.request
        sheet.append(
            [
                r.label,
                r.form.value,
                r.action.label,
                r.beneficiary_name,
                r.dependency.name,
                r.system.name,
                r.state.label,
                row.pending_kind.label if row.pending_kind else None,
                r.priority.label,
                next_actor(row),
                _local(row.due_at),
                yes if row.is_paused else no,
                _local(r.filed_at),
                age_days(r.filed_at, today),
                yes if r.is_exception else no,
                yes if row.has_failed else no,
            ]
        )
    for column in (11, 13):
        for cell in sheet[get_column_letter(column)][1:]:
            cell.number_format = "dd/mm/yyyy hh:mm"
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(header) + 4))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    filename = f"solicitudes-{selected.value}-{today.isoformat()}.xlsx"
    return send_stored_file(workbook_bytes(workbook), filename, XLSX)
