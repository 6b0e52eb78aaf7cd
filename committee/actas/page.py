"""What the acta's page shows, read in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from committee import documents
from committee.actas.common import ANSWERABLE_STATES, Signatory, signatories
from committee.actas.content import ActaBody
from committee.actas.models import (
    ActaResponse,
    ActaResponseKind,
    ActaSignature,
    ActaState,
    ActaVersion,
    CommitteeActa,
    CommitteeDeadline,
)
from committee.documents import SignatureLine
from committee.models import CommitteeMember
from committee.permissions import can_view_sessions
from config.profiles import Profile
from portal.db import DbSession
from portal.errors import NotFoundError
from portal.models import User


@dataclass
class ActaPage:
    """What the acta's page shows, read in a fixed number of queries (``acta.versions``, ``responses`` and
    ``signatures`` are filled, so templates may use them)."""

    acta: CommitteeActa
    versions: list[ActaVersion]
    responses: list[ActaResponse]
    signatures: list[ActaSignature]
    deadlines: list[CommitteeDeadline]
    signatories: list[Signatory]

    @property
    def current(self) -> ActaVersion:
        return self.versions[-1]

    @property
    def body(self) -> ActaBody:
        return cast(ActaBody, self.current.body)

    @property
    def open_deadlines(self) -> list[CommitteeDeadline]:
        return [d for d in self.deadlines if d.closed_at is None]

    @property
    def closed_deadlines(self) -> list[CommitteeDeadline]:
        return [d for d in self.deadlines if d.closed_at is not None]

    @property
    def pending_signatories(self) -> list[Signatory]:
        signed = {s.member_id for s in self.signatures}
        return [s for s in self.signatories if s.member.id not in signed]

    def can_view(self, user: User) -> bool:
        """The committee's readers, and whoever signs in a seat (a delegate with its account)."""
        return can_view_sessions(user) or any(s.may_sign(user) for s in self.signatories)

    def signature_lines(self, version: ActaVersion) -> list[SignatureLine]:
        """The signatures of ``version`` as it prints them: who signed, in which seat, when, and the code."""
        seats = {s.member.id: s for s in self.signatories}
        lines = []
        for signature in self.signatures:
            if signature.version_number != version.number:
                continue
            seat = seats.get(signature.member_id)
            if seat is not None and seat.delegate is not None and signature.user_id != seat.member.user_id:
                name, position = seat.name, seat.position
            else:
                name, position = signature.user.full_name, signature.member.position
            lines.append(SignatureLine(name, position, signature.signed_at, signature.version_sha256))
        return lines

    def can_respond(self, member: CommitteeMember | None) -> bool:
        """A member (not the secretariat) may answer a sent acta until the observations deadline."""
        return (
            member is not None
            and member.is_active
            and not member.is_technical_secretariat
            and self.acta.state in ANSWERABLE_STATES
        )

    def can_sign(self, user: User) -> bool:
        """A signatory (or the delegate signing in its seat) who has not signed yet, once the acta is approved."""
        return self.acta.state is ActaState.APROBADA and any(s.may_sign(user) for s in self.pending_signatories)

    def approvals_of_current(self) -> list[ActaResponse]:
        return [
            r for r in self.responses if r.kind is ActaResponseKind.APROBACION and r.version_number == self.acta.current_version
        ]


def acta_page(session: DbSession, acta_id: int) -> ActaPage | None:
    acta = session.get(CommitteeActa, acta_id)
    if acta is None:
        return None
    versions = list(
        session.execute(select(ActaVersion).where(ActaVersion.acta_id == acta.id).order_by(ActaVersion.number)).scalars()
    )
    responses = list(
        session.execute(select(ActaResponse).where(ActaResponse.acta_id == acta.id).order_by(ActaResponse.id)).scalars()
    )
    signatures = list(
        session.execute(select(ActaSignature).where(ActaSignature.acta_id == acta.id).order_by(ActaSignature.id)).scalars()
    )
    deadlines = list(
        session.execute(select(CommitteeDeadline).where(CommitteeDeadline.acta_id == acta.id).order_by(CommitteeDeadline.id))
        .scalars()
        .unique()
    )
    set_committed_value(acta, "versions", versions)
    set_committed_value(acta, "responses", responses)
    set_committed_value(acta, "signatures", signatures)
    return ActaPage(acta, versions, responses, signatures, deadlines, signatories(session, acta.session))


DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def render_version(page: ActaPage, number: int, fmt: str, *, profile: Profile) -> tuple[bytes, str]:
    """A version of the acta as PDF or DOCX, with the signatures made on it; ``NotFoundError`` if none."""
    version = next((v for v in page.versions if v.number == number), None)
    if version is None:
        raise NotFoundError(f"El acta no tiene la versión {number}.")
    render = documents.render_acta_pdf if fmt == "pdf" else documents.render_acta_docx
    data = render(
        cast(ActaBody, version.body),
        profile=profile,
        version_number=version.number,
        version_kind=version.kind.value,
        signatures=page.signature_lines(version),
    )
    return data, "application/pdf" if fmt == "pdf" else DOCX_MIMETYPE
