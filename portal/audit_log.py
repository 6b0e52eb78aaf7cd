"""Control Interno's view of the audit trail: the filters of the page (who, what, object, dates),
read from the query string so a filtered list is a link, and the bounded XLSX export of what they
select.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import Select, or_, select

from portal.audit_names import ACTION_NAMES, action_name, object_name
from portal.clock import BOGOTA
from portal.extensions import db
from portal.listing import date_arg, search_arg
from portal.models import AuditEvent, User
from portal.spreadsheets import workbook_bytes

#: the most rows one export holds; a larger selection is cut, and the workbook says so
EXPORT_LIMIT = 10_000


@dataclass(frozen=True)
class AuditFilters:
    """``?quien=&accion=&objeto=&id=&desde=&hasta=``: a filter that does not parse filters nothing.
    ``quien`` matches the actor's user name or full name."""

    who: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: date | None = None
    until: date | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> AuditFilters:
        action = args.get("accion") or None
        return cls(
            who=search_arg(args, "quien"),
            action=action if action in ACTION_NAMES else None,
            object_type=search_arg(args, "objeto"),
            object_id=search_arg(args, "id"),
            since=date_arg(args, "desde"),
            until=date_arg(args, "hasta"),
        )

    def query(self) -> Select[Any]:
        """The matching events, newest first: by ``occurred_at`` then ``id``, the order of the
        indexes ``ix_audit_events_recent``, ``_action`` and ``_object`` (a page reads its rows in
        index order, however long the trail)."""
        query = select(AuditEvent)
        if self.who:
            pattern = f"%{_escape_like(self.who)}%"
            named = select(User.id).where(User.full_name.ilike(pattern, escape="\\"))
            query = query.where(or_(AuditEvent.actor_name.ilike(pattern, escape="\\"), AuditEvent.actor_id.in_(named)))
        if self.action:
            query = query.where(AuditEvent.action == self.action)
        if self.object_type:
            query = query.where(AuditEvent.object_type == self.object_type)
        if self.object_id:
            query = query.where(AuditEvent.object_id == self.object_id)
        if self.since:
            query = query.where(AuditEvent.occurred_at >= _start_of(self.since))
        if self.until:
            query = query.where(AuditEvent.occurred_at < _start_of(self.until + timedelta(days=1)))
        return query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())

    def url_args(self) -> dict[str, str]:
        """The filters in force as query arguments: for the export, the pages and the verification."""
        args = {
            "quien": self.who,
            "accion": self.action,
            "objeto": self.object_type,
            "id": self.object_id,
            "desde": self.since.isoformat() if self.since else None,
            "hasta": self.until.isoformat() if self.until else None,
        }
        return {name: value for name, value in args.items() if value}

    def described(self) -> list[tuple[str, str]]:
        """The filters in force, as (label, value), for the export's second sheet."""
        rows = [
            (_("Quién"), self.who),
            (_("Acción"), action_name(self.action) if self.action else None),
            (_("Objeto"), object_name(self.object_type) if self.object_type else None),
            (_("Identificador del objeto"), self.object_id),
            (_("Desde"), self.since.strftime("%d/%m/%Y") if self.since else None),
            (_("Hasta"), self.until.strftime("%d/%m/%Y") if self.until else None),
        ]
        return [(label, value) for label, value in rows if value]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _start_of(day: date) -> datetime:
    """Midnight of ``day`` in Bogotá: the dates of the filter are the office's dates."""
    return datetime.combine(day, time(0), tzinfo=BOGOTA)


def object_labels(events: list[AuditEvent]) -> dict[int, str]:
    """What each event names as its object: a person by name (never "usuario 11"), anything else
    by its kind and number, "Solicitud 12"."""
    user_ids = {int(e.object_id) for e in events if e.object_type == "usuario" and e.object_id.isdigit()}
    names: dict[str, str] = {}
    if user_ids:
        rows = db.session.execute(select(User.id, User.full_name, User.username).where(User.id.in_(user_ids)))
        names = {str(user_id): f"{full_name or username} ({username})" for user_id, full_name, username in rows}
    labels = {}
    for event in events:
        if event.object_type == "usuario" and event.object_id in names:
            labels[event.id] = _("Usuario: %(name)s", name=names[event.object_id])
        else:
            labels[event.id] = f"{object_name(event.object_type)} {event.object_id}"
    return labels


def action_choices() -> list[tuple[str, str]]:
    """Every action with its readable name, in alphabetical order of the name."""
    return sorted(((code, str(name)) for code, name in ACTION_NAMES.items()), key=lambda choice: choice[1])


def export_workbook(filters: AuditFilters, *, now: datetime) -> bytes:
    """The filtered events (at most ``EXPORT_LIMIT``) with a frozen heading row and autofilters, and
    a second sheet with the filters and whether the export was cut."""
    events = list(db.session.execute(filters.query().limit(EXPORT_LIMIT + 1)).scalars())
    cut = len(events) > EXPORT_LIMIT
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Auditoría")
    headings = [
        _("Evento"),
        _("Fecha y hora"),
        _("Actor"),
        _("Acción"),
        _("Código"),
        _("Objeto"),
        _("Identificador"),
        _("Origen"),
    ]
    sheet.append(headings)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    events = events[:EXPORT_LIMIT]
    labels = object_labels(events)
    for event in events:
        sheet.append(
            [
                event.id,
                event.occurred_at.astimezone(BOGOTA).replace(tzinfo=None),
                event.actor_name,
                action_name(event.action),
                event.action,
                labels[event.id],
                event.object_id,
                event.source_address or "",
            ]
        )
        sheet.cell(row=sheet.max_row, column=2).number_format = "DD/MM/YYYY HH:MM:SS"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:H{max(sheet.max_row, 1)}"
    for column, width in zip("ABCDEFGH", (10, 20, 22, 44, 30, 26, 14, 16), strict=True):
        sheet.column_dimensions[column].width = width
    about = workbook.create_sheet(_("Filtros"))
    about.append([_("Exportado el"), now.astimezone(BOGOTA).strftime("%d/%m/%Y %H:%M")])
    for label, value in filters.described() or [(_("Filtros"), _("Ninguno: todos los eventos"))]:
        about.append([label, value])
    if cut:
        about.append([_("Aviso"), _("Se exportaron los 10.000 eventos más recientes; filtre para ver los demás.")])
    return workbook_bytes(workbook)
