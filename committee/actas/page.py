"""What the acta's page shows, read in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from committee.actas.common import ANSWERABLE_STATES, signatory_members
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
from committee.models import CommitteeMember
from portal.db import DbSession


@dataclass
class ActaPage:
    """What the acta's page shows, read in a fixed number of queries (``acta.versions``, ``responses`` and
    ``signatures`` are filled, so templates may use them)."""

    acta: CommitteeActa
    versions: list[ActaVersion]
    responses: list[ActaResponse]
    signatures: list[ActaSignature]
    deadlines: list[CommitteeDeadline]
    signatories: list[CommitteeMember]

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
    def pending_signatories(self) -> list[CommitteeMember]:
        signed = {s.member_id for s in self.signatures}
        return [m for m in self.signatories if m.id not in signed]

    def can_respond(self, member: CommitteeMember | None) -> bool:
        """A member (not the secretariat) may answer a sent acta until the observations deadline."""
        return (
            member is not None
            and member.is_active
            and not member.is_technical_secretariat
            and self.acta.state in ANSWERABLE_STATES
        )

    def can_sign(self, member: CommitteeMember | None) -> bool:
        """A signatory who has not signed yet, once the acta is approved."""
        return member is not None and self.acta.state is ActaState.APROBADA and member in self.pending_signatories

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
    return ActaPage(acta, versions, responses, signatures, deadlines, signatory_members(session, acta.session))
