"""The committee's printed documents (SPEC §6): the acta as PDF and DOCX, and the listado de asistencia.

Every page carries the institutional header (entity, office, title | Código, Versión, Fecha,
Página X de Y). The acta is printed from an ``ActaVersion.body`` (``committee.actas.content.ActaBody``):
what was frozen when the draft was generated plus the texts the secretariat edited, never from the
live session, so a version prints the same today and in ten years. Nothing here writes to the
database.
"""

from __future__ import annotations

from committee.documents.acta_content import (
    ACTA_SECTIONS,
    ATTENDEE_HEADINGS,
    COMMITMENT_HEADINGS,
    FOLLOW_UP_HEADINGS,
    SignatureLine,
    presence_text,
    version_status,
    vote_counts_text,
)
from committee.documents.acta_docx import render_acta_docx
from committee.documents.acta_pdf import render_acta_pdf
from committee.documents.attendance import ATTENDANCE_HEADINGS, AttendanceLine, attendance_lines, render_attendance_pdf
from committee.documents.common import (
    ACTA_DOCUMENT,
    ATTENDANCE_DOCUMENT,
    ATTENDANCE_FORMAT_VERSION,
    DOCUMENT_CODE_PREFIXES,
    DRAFT_MARK,
    DRAFT_NOTICE,
    MAYOR_REPORT_DOCUMENT,
    CommitteePdf,
    document_code,
    local_time,
    long_date,
    quorum_text,
    short_date,
)

__all__ = [
    "ACTA_DOCUMENT",
    "ACTA_SECTIONS",
    "ATTENDANCE_DOCUMENT",
    "ATTENDANCE_FORMAT_VERSION",
    "ATTENDANCE_HEADINGS",
    "ATTENDEE_HEADINGS",
    "COMMITMENT_HEADINGS",
    "DOCUMENT_CODE_PREFIXES",
    "DRAFT_MARK",
    "DRAFT_NOTICE",
    "FOLLOW_UP_HEADINGS",
    "MAYOR_REPORT_DOCUMENT",
    "AttendanceLine",
    "CommitteePdf",
    "SignatureLine",
    "attendance_lines",
    "document_code",
    "local_time",
    "long_date",
    "presence_text",
    "quorum_text",
    "render_acta_docx",
    "render_acta_pdf",
    "render_attendance_pdf",
    "short_date",
    "version_status",
    "vote_counts_text",
]
