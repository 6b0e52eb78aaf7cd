"""The approved version of an acta: "an approved acta is an approved document" (SPEC §6).

However the acta is approved — expressly by the members who attended, tacitly when the observation
period ends without observations (seed Mesa §6), or by its final version after the observations —
approval writes a version of kind ``aprobada``: no draft mark, a sentence saying how and when it was
approved, and the SHA-256 of its body, which its signatures carry as their verification code.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from babel.dates import format_date

from committee.actas.common import current_version, write_version
from committee.actas.content import ApprovalEntry
from committee.actas.models import ActaApproval, ActaState, ActaVersion, ActaVersionKind, CommitteeActa
from portal.clock import local_date
from portal.db import DbSession
from portal.models import User


def day_text(instant: datetime) -> str:
    """ "17 de diciembre de 2026" (Bogotá)."""
    return format_date(local_date(instant), "d 'de' MMMM 'de' y", locale="es_CO")


def approval_text(kind: ActaApproval, approved_at: datetime) -> str:
    """How and when the acta was approved, as its approved version prints it."""
    day = day_text(approved_at)
    if kind is ActaApproval.TACITA:
        return f"Aprobada tácitamente el {day}, sin observaciones dentro del plazo"
    if kind is ActaApproval.EXPRESA:
        return f"Aprobada expresamente el {day} por los integrantes que asistieron a la sesión"
    return f"Aprobada el {day} en su versión definitiva, con los ajustes a las observaciones de los integrantes"


def approve(
    session: DbSession,
    acta: CommitteeActa,
    *,
    kind: ActaApproval,
    approved_at: datetime,
    actor: User | None,
    now: datetime,
    body: dict[str, Any] | None = None,
    note: str | None = None,
) -> ActaVersion:
    """Approve the (locked) acta and write its approved version: ``body`` (the final version's
    texts) or the current version's, with how and when it was approved. ``actor`` is who wrote the
    version: the secretariat for a final version, None when the portal approves."""
    text = body if body is not None else copy.deepcopy(current_version(session, acta).body)
    approval: ApprovalEntry = {
        "kind": kind.value,
        "approved_at": approved_at.isoformat(),
        "text": approval_text(kind, approved_at),
    }
    text["approval"] = approval
    acta.state = ActaState.APROBADA
    acta.approval = kind
    acta.approved_at = approved_at
    return write_version(session, acta, actor=actor, kind=ActaVersionKind.APROBADA, body=text, note=note, now=now)
