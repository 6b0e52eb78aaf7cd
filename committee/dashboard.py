"""The committee's panels on the home page, computed when the page renders for the signed-in user.

For the technical secretariat and the chair, the next session and every quarter of the year without
an ordinary session (seed Mesa §7: "la periodicidad de las reuniones será de manera trimestral") and
the acta deadlines still open; for members, the actas to review; for Control Interno, the overdue
commitments.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select

from committee.actas.models import ActaState, CommitteeActa, CommitteeDeadline, DeadlineKind
from committee.commitments.models import Commitment, CommitmentState
from committee.models import OPEN_SESSION_STATES, CommitteeSession
from committee.sessions.agenda import agenda_candidates
from committee.sessions.plan import quarter_warnings
from portal.clock import BOGOTA, local_date
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import long_date
from portal.roles import Role
from portal.shell import LiveText, Panel, PanelLink


def _next_session_text() -> str:
    now = utcnow()
    upcoming = db.session.execute(
        select(CommitteeSession)
        .where(CommitteeSession.state.in_(OPEN_SESSION_STATES), CommitteeSession.starts_at >= now)
        .order_by(CommitteeSession.starts_at)
        .limit(1)
    ).scalar()
    if upcoming is None:
        return _("No hay sesiones programadas.")
    when = upcoming.starts_at.astimezone(BOGOTA)
    return _(
        "Próxima: %(label)s, %(day)s (%(state)s).",
        label=upcoming.label,
        day=f"{when:%d/%m/%Y}",
        state=upcoming.state.label.lower(),
    )


def committee_text() -> str:
    """Next session, postulated initiatives waiting, and the quarters without an ordinary session."""
    parts = [_next_session_text()]
    waiting = len(agenda_candidates(db.session))
    if waiting:
        parts.append(ngettext("%(num)d iniciativa postulada sin agenda.", "%(num)d iniciativas postuladas sin agenda.", waiting))
    parts += [f"⚠ {w.message}" for w in quarter_warnings(db.session, local_date(utcnow()))]
    return " ".join(parts)


def member_text() -> str:
    return _next_session_text()


def deadlines_text() -> str:
    """The acta deadlines still open, the nearest first: what the secretariat must not let pass."""
    now = utcnow()
    rows = db.session.execute(
        select(CommitteeDeadline.kind, CommitteeDeadline.due_at)
        .where(CommitteeDeadline.closed_at.is_(None), CommitteeDeadline.acta_id.is_not(None))
        .order_by(CommitteeDeadline.due_at)
        .limit(3)
    ).all()
    if not rows:
        return _("No hay plazos de actas abiertos.")
    parts = []
    for kind, due_at in rows:
        state = _("vencido") if due_at < now else _("vence")
        parts.append(f"{kind.label}: {state} {due_at.astimezone(BOGOTA):%d/%m/%Y}")
    return " · ".join(parts) + "."


def actas_text() -> str:
    """Actas sent to the members that still take approvals or observations."""
    sent = db.session.execute(
        select(func.count(CommitteeActa.id)).where(CommitteeActa.state.in_((ActaState.ENVIADA, ActaState.CON_OBSERVACIONES)))
    ).scalar_one()
    to_sign = db.session.execute(
        select(func.count(CommitteeActa.id)).where(CommitteeActa.state == ActaState.APROBADA)
    ).scalar_one()
    if not sent and not to_sign:
        return _("No hay actas por revisar ni por suscribir.")
    return _("Actas en observaciones: %(sent)s · aprobadas por suscribir: %(sign)s.", sent=sent, sign=to_sign)


def overdue_text() -> str:
    """Pending commitments past their due date (seed Mesa §4: non-compliance goes to Control Interno)."""
    overdue = db.session.execute(
        select(func.count(Commitment.id)).where(
            Commitment.state == CommitmentState.PENDIENTE, Commitment.due_date < local_date(utcnow())
        )
    ).scalar_one()
    if not overdue:
        return _("No hay compromisos del comité vencidos.")
    return ngettext("%(num)d compromiso del comité está vencido.", "%(num)d compromisos del comité están vencidos.", overdue)


def _upcoming() -> CommitteeSession | None:
    return db.session.execute(
        select(CommitteeSession)
        .where(CommitteeSession.state.in_(OPEN_SESSION_STATES), CommitteeSession.starts_at >= utcnow())
        .order_by(CommitteeSession.starts_at)
        .limit(1)
    ).scalar()


def secretariat_links() -> list[PanelLink]:
    """The next session: its room on the day, its page (agenda, convocation) before."""
    upcoming = _upcoming()
    if upcoming is None:
        return []
    day = local_date(upcoming.starts_at)
    if day == local_date(utcnow()):
        return [PanelLink(upcoming.label, url_for("room.room", session_id=upcoming.id), _("Abrir la sala de la sesión"))]
    return [
        PanelLink(
            _("%(label)s, %(day)s", label=upcoming.label, day=long_date(day)),
            url_for("committee.session_detail", session_id=upcoming.id),
            _("Preparar la agenda"),
        )
    ]


def member_links() -> list[PanelLink]:
    upcoming = _upcoming()
    if upcoming is None:
        return []
    return [
        PanelLink(
            _("%(label)s, %(day)s", label=upcoming.label, day=long_date(local_date(upcoming.starts_at))),
            url_for("committee.session_detail", session_id=upcoming.id),
            _("Ver la convocatoria"),
        )
    ]


def actas_links() -> list[PanelLink]:
    """Actas waiting for the members' answer, with the day the observations close (seed Mesa §6)."""
    rows = db.session.execute(
        select(CommitteeActa, CommitteeSession, func.min(CommitteeDeadline.due_at))
        .join(CommitteeSession, CommitteeSession.id == CommitteeActa.session_id)
        .outerjoin(
            CommitteeDeadline,
            (CommitteeDeadline.acta_id == CommitteeActa.id)
            & (CommitteeDeadline.kind == DeadlineKind.OBSERVACIONES)
            & CommitteeDeadline.closed_at.is_(None),
        )
        .where(CommitteeActa.state.in_((ActaState.ENVIADA, ActaState.CON_OBSERVACIONES)))
        .group_by(CommitteeActa.id, CommitteeSession.id)
        .order_by(CommitteeActa.id)
        .limit(3)
    ).all()
    links = []
    for acta, held, due_at in rows:
        if due_at is not None:
            text = _(
                "Acta de la %(label)s espera sus observaciones hasta el %(day)s",
                label=held.label[:1].lower() + held.label[1:],
                day=long_date(local_date(due_at)),
            )
        else:
            text = _("Acta de la %(label)s", label=held.label[:1].lower() + held.label[1:])
        links.append(PanelLink(text, url_for("actas.acta", acta_id=acta.id), _("Aprobar u observar")))
    return links


PANELS: dict[Role, list[Panel]] = {
    Role.SECRETARIA_TECNICA: [
        Panel("sesiones", _l("Sesiones del comité"), LiveText(committee_text), secretariat_links),
        Panel("plazos_actas", _l("Plazos de las actas"), LiveText(deadlines_text)),
    ],
    Role.SECRETARIO: [Panel("comite", _l("Sesiones del comité"), LiveText(committee_text))],
    Role.INTEGRANTE: [
        Panel("sesiones", _l("Próximas sesiones"), LiveText(member_text), member_links),
        Panel("actas", _l("Actas por revisar"), LiveText(actas_text), actas_links),
    ],
    Role.CONTROL_INTERNO: [Panel("compromisos_vencidos", _l("Compromisos vencidos del comité"), LiveText(overdue_text))],
}
