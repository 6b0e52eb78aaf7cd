"""An approved acta is an approved document (SPEC §6): approval — tacit, express or by the final
version — writes the approved version (no draft mark, how and when it was approved), the one the
members sign, each signature with the SHA-256 of that version; the draft goes by e-mail with its
PDF; members who have not answered are warned; actas are numbered per year as they are created,
and the previous one is linked from the fixed item.

December 2026: the session is held on Wednesday the 9th, the draft is sent on Monday the 14th and
the observations are due on Thursday the 17th at 23:59:59 (Bogotá).
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from email.message import EmailMessage

from pypdf import PdfReader
from sqlalchemy import select

from committee.actas import services as actas
from committee.actas.content import body_digest
from committee.actas.models import ActaApproval, ActaResponseKind, ActaState, ActaVersion, ActaVersionKind, DeadlineKind
from committee.models import AgendaItemKind
from config.profiles import VALLE
from portal.extensions import db
from tests.unit.catalog.factories import mails, subject, user
from tests.unit.committee.acta_factories import (
    APPROVERS,
    DELEGATED,
    SECRETARIAT,
    acta_row,
    bogota,
    close,
    deadline_of,
    held_session,
    send,
    session_row,
    tick,
)

HELD = date(2026, 12, 9)
SENT = bogota(2026, 12, 14, 10, 0)
TACIT_SENTENCE = "Aprobada tácitamente el 17 de diciembre de 2026, sin observaciones dentro del plazo"


def pdf_text(data: bytes) -> str:
    """The text of a PDF, with the line breaks of wrapped cells as spaces."""
    return re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def versions(acta_id: int) -> list[ActaVersion]:
    return list(
        db.session.execute(
            select(ActaVersion)
            .where(ActaVersion.acta_id == acta_id)
            .order_by(ActaVersion.number)
            .execution_options(populate_existing=True)
        ).scalars()
    )


def document(acta_id: int, number: int, fmt: str = "pdf") -> bytes:
    page = actas.acta_page(db.session, acta_id)
    assert page is not None
    data, _mimetype = actas.render_version(page, number, fmt, profile=VALLE)
    return data


def tacitly_approved() -> int:
    acta_id = close(held_session(HELD))
    send(acta_id, SENT)
    due = deadline_of(acta_id, DeadlineKind.OBSERVACIONES).due_at
    assert due == bogota(2026, 12, 17, 23, 59, 59)
    assert tick(due + timedelta(seconds=1)).tacit == [acta_id]
    return acta_id


def test_tacit_approval_gives_the_approved_version_without_the_draft_mark(app) -> None:
    with app.app_context():
        acta_id = tacitly_approved()
        acta = acta_row(acta_id)
        assert (acta.state, acta.approval, acta.current_version) == (ActaState.APROBADA, ActaApproval.TACITA, 2)
        draft, approved = versions(acta_id)
        assert (draft.kind, approved.kind) == (ActaVersionKind.BORRADOR, ActaVersionKind.APROBADA)
        assert approved.created_by_id is None
        assert approved.body["approval"]["text"] == TACIT_SENTENCE
        assert approved.sha256 == body_digest(approved.body) != draft.sha256

        text = pdf_text(document(acta_id, 2))
        assert "BORRADOR" not in text and "borrador" not in text
        assert "no es el acta aprobada" not in text
        assert TACIT_SENTENCE in text
        assert "Versión: 2 (aprobada)" in text
        assert "BORRADOR" in pdf_text(document(acta_id, 1))
        docx_data = document(acta_id, 2, "docx")
        assert b"BORRADOR" not in docx_data


def test_a_signed_acta_pdf_lists_the_signatures_with_their_code(app) -> None:
    with app.app_context():
        acta_id = tacitly_approved()
        code = versions(acta_id)[-1].sha256
        signers = [*APPROVERS, DELEGATED, SECRETARIAT]
        for minute, username in enumerate(signers):
            page = actas.acta_page(db.session, acta_id)
            assert page is not None and page.can_sign(user(username)), username
            signature = actas.sign(db.session, acta_row(acta_id), actor=user(username), now=bogota(2026, 12, 18, 9, minute))
            assert (signature.version_number, signature.version_sha256) == (2, code)
            db.session.commit()
        assert acta_row(acta_id).state is ActaState.SUSCRITA

        text = pdf_text(document(acta_id, 2))
        assert text.count(code) == len(signers)
        secretario = user("secretario").full_name
        assert f"Firmado en el portal por {secretario} (Secretario de las TIC (preside; voto dirimente)) el 18/12/2026" in text
        assert "a las 09:00 a. m." in text
        # the delegate came without an account: the member it represented signed in its seat
        assert f"Firmado en el portal por {user(DELEGATED).full_name}" in text


def test_express_approval_and_the_final_version_are_approved_versions(app) -> None:
    with app.app_context():
        acta_id = close(held_session(HELD))
        send(acta_id, SENT)
        for minute, username in enumerate(APPROVERS):
            actas.respond(
                db.session,
                acta_row(acta_id),
                actor=user(username),
                kind=ActaResponseKind.APROBACION,
                text=None,
                now=bogota(2026, 12, 15, 9, minute),
            )
            db.session.commit()
        approved = versions(acta_id)[-1]
        assert approved.kind is ActaVersionKind.APROBADA
        assert approved.body["approval"]["text"] == (
            "Aprobada expresamente el 15 de diciembre de 2026 por los integrantes que asistieron a la sesión"
        )

        observed = close(held_session(date(2026, 12, 10)))
        send(observed, SENT)
        actas.respond(
            db.session,
            acta_row(observed),
            actor=user("integrante1"),
            kind=ActaResponseKind.OBSERVACIONES,
            text="Precisar la votación del segundo punto.",
            now=bogota(2026, 12, 15, 9, 0),
        )
        db.session.commit()
        body = versions(observed)[-1].body
        actas.finalize(
            db.session,
            acta_row(observed),
            actor=user(SECRETARIAT),
            introduction=body["introduction"],
            item_notes={},
            closing=body["closing"],
            note="Ajustada según las observaciones.",
            now=bogota(2026, 12, 16, 9, 0),
        )
        db.session.commit()
        final = versions(observed)[-1]
        assert (final.kind, final.created_by_id) == (ActaVersionKind.APROBADA, user(SECRETARIAT).id)
        assert final.body["approval"]["text"].startswith("Aprobada el 16 de diciembre de 2026 en su versión definitiva")
        assert "BORRADOR" not in pdf_text(document(observed, final.number))


def _attachment(message: EmailMessage) -> tuple[str, bytes]:
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert len(parts) == 1, [p.get_content_type() for p in message.iter_attachments()]
    content = parts[0].get_content()
    assert isinstance(content, bytes)
    return parts[0].get_filename() or "", content


def test_the_acta_mail_has_the_pdf_attached_and_the_deadline(app, tmp_path) -> None:
    with app.app_context():
        acta_id = close(held_session(HELD))
        send(acta_id, SENT)
        title = acta_row(acta_id).title
    sent = [m for m in mails(tmp_path) if subject(m).startswith("Proyecto de acta")]
    assert len(sent) == 1
    message = sent[0]
    assert title.lower() in subject(message)
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "a más tardar el jueves, 17 de diciembre de 2026 a las 23:59:59" in text
    assert "adjunto en PDF" in text
    filename, pdf = _attachment(message)
    assert filename.endswith("-v1.pdf") and pdf.startswith(b"%PDF")
    assert "BORRADOR" in pdf_text(pdf) and "Hora de cierre" in pdf_text(pdf)


def test_members_who_have_not_answered_are_warned_the_business_day_before(app, tmp_path) -> None:
    with app.app_context():
        acta_id = close(held_session(HELD))
        send(acta_id, SENT)
        actas.respond(
            db.session,
            acta_row(acta_id),
            actor=user("integrante1"),
            kind=ActaResponseKind.APROBACION,
            text=None,
            now=bogota(2026, 12, 15, 9, 0),
        )
        db.session.commit()
        deadline = deadline_of(acta_id, DeadlineKind.OBSERVACIONES)
        assert deadline.warn_at == bogota(2026, 12, 16, 23, 59, 59)
        assert tick(deadline.warn_at - timedelta(seconds=1)).warned == []
        assert tick(deadline.warn_at).warned == [deadline.id]
        assert tick(deadline.warn_at + timedelta(minutes=1)).warned == []
    reminders = [m for m in mails(tmp_path) if subject(m).startswith("Recordatorio: observaciones")]
    assert len(reminders) == 1
    warned = {a.username for a in reminders[0]["to"].addresses}
    assert "integrante1" not in warned and SECRETARIAT not in warned
    assert {"secretario", "integrante2", "integrante4", "control.interno"} <= warned
    body = reminders[0].get_body(preferencelist=("plain",))
    assert body is not None and "vence el jueves, 17 de diciembre de 2026" in body.get_content()


def test_acta_numbers_are_consecutive_per_year_in_the_order_actas_are_created(app) -> None:
    with app.app_context():
        later = held_session(date(2026, 3, 20), programmed_at=bogota(2026, 3, 1, 9, 0))
        earlier = held_session(date(2026, 3, 10), programmed_at=bogota(2026, 3, 2, 9, 0))
        assert (session_row(later.session_id).number, session_row(earlier.session_id).number) == (1, 2)
        first = close(earlier)
        second = close(later)
        next_year = close(held_session(date(2027, 1, 20), programmed_at=bogota(2027, 1, 5, 9, 0)))
        assert acta_row(first).title == "Acta N.º 1 de 2026"
        assert acta_row(second).title == "Acta N.º 2 de 2026"
        assert acta_row(next_year).title == "Acta N.º 1 de 2027"
        assert versions(second)[0].body["title"] == "Acta N.º 2 de 2026"

        # the fixed item "Lectura y aprobación del acta anterior" names the previous acta
        previous_item = next(i for i in versions(second)[0].body["items"] if i["kind"] == AgendaItemKind.ACTA_ANTERIOR.value)
        assert previous_item["previous_acta"] == "Acta N.º 1 de 2026"
        assert "Acta anterior: Acta N.º 1 de 2026." in pdf_text(document(second, 1))
        first_item = next(i for i in versions(first)[0].body["items"] if i["kind"] == AgendaItemKind.ACTA_ANTERIOR.value)
        assert first_item["previous_acta"] is None
        previous = actas.previous_acta(db.session, session_row(later.session_id))
        assert previous is not None and previous.id == first
