"""Files kept by the plan (checked by content by ``portal.uploads``, stored with ``StoredFile``): the
acta of an analysis session, the attachments of a contract's progress report and the evidence of an
enlace's answer. Never deleted (TRD)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask import Response
from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import DbSession
from portal.extensions import db
from portal.models import StoredFile, User, enum_column
from portal.uploads import CheckedFile

#: PDF for actas and reports; evidence may also be a screenshot.
EVIDENCE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})


class DocumentPurpose(StrEnum):
    ACTA = "acta"
    INFORME = "informe_avance"
    EVIDENCIA = "evidencia"


class GdDocument(StoredFile, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "gd_documents"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN analysis_session_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN contract_report_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN duty_item_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_owner",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[DocumentPurpose] = mapped_column(enum_column(DocumentPurpose, "gd_document_purpose"))
    analysis_session_id: Mapped[int | None] = mapped_column(ForeignKey("gd_analysis_sessions.id"), index=True)
    contract_report_id: Mapped[int | None] = mapped_column(ForeignKey("gd_contract_reports.id"), index=True)
    duty_item_id: Mapped[int | None] = mapped_column(ForeignKey("gd_duty_items.id"), index=True)


def add_document(
    session: DbSession, *, purpose: DocumentPurpose, file: CheckedFile, actor: User, now: datetime, **owner: int
) -> GdDocument:
    """Keep a checked file for one owner (``analysis_session_id=…``, ``contract_report_id=…`` or ``duty_item_id=…``)."""
    document = GdDocument(purpose=purpose, **owner, **StoredFile.fields_of(file, uploaded_by=actor, uploaded_at=now))
    session.add(document)
    session.flush()
    return document


def download(document: GdDocument) -> Response:
    """The file as an attachment, sandboxed (it is the user's content, not ours)."""
    response = Response(document.content, mimetype=document.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{document.filename.replace(chr(34), "")}"'
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
