"""The listado de asistencia of a session (SPEC §6), with a column to sign and the quorum line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from committee.documents.common import (
    ATTENDANCE_DOCUMENT,
    ATTENDANCE_FORMAT_VERSION,
    CommitteePdf,
    document_code,
    local_time,
    long_date,
    quorum_text,
    short_date,
)
from committee.models import CommitteeMember, CommitteeSession, SessionGuest, SessionState
from committee.room.models import AttendanceKind, SessionAttendance
from config.profiles import Profile
from portal.clock import local_date
from portal.db import DbSession
from portal.models import User

ATTENDANCE_HEADINGS = ["Nombre", "Cargo u organización", "Calidad", "En representación de", "Llegada", "Salida", "Firma"]
_KIND_ORDER = {AttendanceKind.INTEGRANTE: 0, AttendanceKind.DELEGADO: 1, AttendanceKind.INVITADO: 2}


@dataclass(frozen=True)
class AttendanceLine:
    """One row of the listado de asistencia, as printed."""

    kind: AttendanceKind
    name: str
    position: str
    represents: str
    arrived_at: datetime
    left_at: datetime | None
    member_id: int | None
    is_voting: bool


def attendance_lines(session: DbSession, committee_session: CommitteeSession) -> tuple[list[AttendanceLine], int]:
    """The attendance of a session (members, then delegates, then guests, each by arrival) and the
    committee's voting seats, in one query of plain columns (no entity, so nothing loads lazily)."""
    member_user = aliased(User)
    voting_seats = (
        select(func.count(CommitteeMember.id))
        .where(CommitteeMember.is_voting.is_(True), CommitteeMember.is_active.is_(True))
        .scalar_subquery()
    )
    result = session.execute(
        select(
            SessionAttendance.kind,
            SessionAttendance.name,
            SessionAttendance.position,
            SessionAttendance.arrived_at,
            SessionAttendance.left_at,
            SessionAttendance.member_id,
            CommitteeMember.position,
            CommitteeMember.is_voting,
            member_user.full_name,
            SessionGuest.organization,
            voting_seats,
        )
        .outerjoin(CommitteeMember, CommitteeMember.id == SessionAttendance.member_id)
        .outerjoin(member_user, member_user.id == CommitteeMember.user_id)
        .outerjoin(SessionGuest, SessionGuest.id == SessionAttendance.guest_id)
        .where(SessionAttendance.session_id == committee_session.id)
        .order_by(SessionAttendance.arrived_at, SessionAttendance.id)
    ).all()
    lines = []
    for kind, name, position, arrived_at, left_at, member_id, seat, is_voting, member_name, organization, _ in result:
        if kind is AttendanceKind.INTEGRANTE:
            shown = seat or position
        elif kind is AttendanceKind.INVITADO:
            shown = position or organization
        else:
            shown = position
        represents = f"{member_name}, {seat}" if kind is AttendanceKind.DELEGADO and member_name else ""
        lines.append(
            AttendanceLine(kind, name, shown or "—", represents, arrived_at, left_at, member_id, bool(member_id and is_voting))
        )
    lines.sort(key=lambda line: _KIND_ORDER.get(line.kind, len(_KIND_ORDER)))
    return lines, int(result[0][-1]) if result else 0


def render_attendance_pdf(session: DbSession, committee_session: CommitteeSession, *, profile: Profile) -> bytes:
    """The listado de asistencia of a session with a column to sign, and the quorum line.

    The quorum counts the voting members in the room, in person or through a delegate (SPEC §6);
    once the session is over, the voting members who attended.
    """
    rows, voting_members = attendance_lines(session, committee_session)
    in_progress = committee_session.state is SessionState.EN_CURSO
    voting_present = len({r.member_id for r in rows if r.is_voting and (r.left_at is None or not in_progress)})

    day = local_date(committee_session.starts_at)
    pdf = CommitteePdf(
        profile=profile,
        title=f"LISTADO DE ASISTENCIA · {profile.committee_name.upper()}",
        code=document_code(profile, ATTENDANCE_DOCUMENT),
        version=ATTENDANCE_FORMAT_VERSION,
        date_text=short_date(day),
    )
    pdf.add_page()
    pdf.section("Datos de la sesión")
    pdf.pairs(
        [
            ("Sesión", committee_session.label),
            ("Fecha", long_date(day)),
            ("Hora de instalación", local_time(committee_session.opened_at)),
            ("Lugar", committee_session.place or committee_session.virtual_link or "—"),
            ("Estado", committee_session.state.label),
        ]
    )
    pdf.ln(2)
    pdf.section("Quórum")
    pdf.paragraph(quorum_text(voting_members, voting_present) if rows else "Sin asistencia registrada.")
    pdf.ln(2)
    pdf.section(f"Asistentes ({len(rows)})")
    if rows:
        pdf.grid(
            ATTENDANCE_HEADINGS,
            [
                [
                    r.name,
                    r.position,
                    r.kind.label,
                    r.represents,
                    local_time(r.arrived_at),
                    local_time(r.left_at) if r.left_at else "",
                    "",
                ]
                for r in rows
            ],
            [34, 38, 18, 34, 17, 17, 28],
            size=7.5,
            min_height=10,
        )
    else:
        pdf.paragraph("No se ha registrado asistencia.")
    pdf.paragraph(
        "Los invitados no cuentan para el quórum ni votan. Un delegado cuenta por el integrante que representa, "
        "con la comunicación oficial de la delegación.",
        size=7.5,
    )
    return bytes(pdf.output())
