"""The acta of a committee session (SPEC §6, seed Mesa §4 and §6): the only code that changes actas.

"Enviar por correo electrónico el proyecto del acta a los integrantes … dentro de los cinco (5) días
hábiles siguientes a la sesión, quienes deberá aprobarla o hacer sus observaciones dentro de los
tres (3) días hábiles siguientes. Si vencido este plazo no se han recibido observaciones, se
entenderá que el proyecto de acta fue aprobado. En caso de que existan observaciones …, elaborar la
versión definitiva, dentro de los tres (3) días hábiles siguientes al recibo de las observaciones"
(seed Mesa §6); the members "suscribir las actas de cada sesión" (seed Mesa §4).

``borrador`` (generated when the session closes, numbered consecutively in the year) → ``enviada``
(by e-mail with its PDF) → ``con_observaciones`` → ``aprobada`` (expressly, tacitly by
``committee.tick.tick``, or by the final version: each writes the approved version, with no draft
mark and the sentence of how and when) → ``suscrita`` (every seat signed, each signature with the
SHA-256 of the version). Versions are never changed: every edit writes the next one. Each function locks the
acta, checks who acts and from which state, writes the audit event and raises ``NotAllowed``,
``WrongState`` or ``ValidationFailed``; the caller commits.
"""

from __future__ import annotations

from committee.actas.approval import (
    acta_pdf_attachment,
    approve_tacitly,
    member_of,
    respond,
    send_acta,
    sign,
    unanswered_members,
)
from committee.actas.approved import approval_text, approve
from committee.actas.common import (
    ANSWERABLE_STATES,
    DEFAULT_CONTEXT,
    EDITABLE_STATES,
    MAX_TEXT,
    MIN_OBSERVATION,
    Signatory,
    acta_for_session,
    acta_title,
    approving_members,
    audit_acta,
    current_version,
    lock_acta,
    previous_acta,
    require_secretariat,
    signatories,
    signatory_members,
)
from committee.actas.draft import build_body
from committee.actas.page import ActaPage, acta_page, render_version
from committee.actas.versions import edit_acta, finalize, on_session_closed

__all__ = [
    "ANSWERABLE_STATES",
    "DEFAULT_CONTEXT",
    "EDITABLE_STATES",
    "MAX_TEXT",
    "MIN_OBSERVATION",
    "ActaPage",
    "Signatory",
    "acta_for_session",
    "acta_page",
    "acta_pdf_attachment",
    "acta_title",
    "approval_text",
    "approve",
    "approve_tacitly",
    "approving_members",
    "audit_acta",
    "build_body",
    "current_version",
    "edit_acta",
    "finalize",
    "lock_acta",
    "member_of",
    "on_session_closed",
    "previous_acta",
    "render_version",
    "require_secretariat",
    "respond",
    "send_acta",
    "sign",
    "signatories",
    "signatory_members",
    "unanswered_members",
]
