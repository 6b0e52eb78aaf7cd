"""The content of an acta version (``ActaVersion.body``), shared by the workflow that writes it
(``committee.actas``) and the documents that print it (``committee.documents``).

Facts of the session (attendance, votes, decisions) are frozen when the draft is generated; the
texts (``introduction``, each item's ``notes``, ``closing``) are what the secretariat edits.
Instants are ISO-8601 strings in UTC; dates are ``YYYY-MM-DD``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, NotRequired, TypedDict


def body_digest(body: dict[str, Any]) -> str:
    """The SHA-256 of a version's body in canonical JSON (sorted keys, no spaces, UTF-8): the
    verification code of the version, printed with its signatures; anyone holding the body
    (``GET /api/v1/committee/actas/<id>``) can compute it again."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class AttendeeEntry(TypedDict):
    #: ``integrante``, ``delegado`` or ``invitado``
    kind: str
    name: str
    #: the seat (member), the position (delegate) or the organisation (guest)
    position: str
    #: for a delegate: the member it stands for (name and seat)
    represents: str | None
    is_voting: bool
    arrived_at: str
    left_at: str | None
    #: every arrival, departure and return, in order: [{"kind": MovementKind value, "at": ISO}]
    movements: NotRequired[list[dict[str, str]]]


class MovementEntry(TypedDict):
    """One arrival, departure or return in the room, and the quorum it left."""

    at: str
    #: ``MovementKind`` value
    kind: str
    name: str
    #: ``AttendanceKind`` value
    attendee_kind: str
    #: voting members in the room after it
    present_voting: int


class AbsentEntry(TypedDict):
    name: str
    position: str
    is_voting: bool


class VoteCounts(TypedDict):
    voting_members: int
    present_voting: int
    a_favor: int
    en_contra: int
    abstencion: int
    sin_voto: int


class VoteEntry(TypedDict):
    member: str
    choice: str
    #: who entered it: "propio" (the member or its delegate, from their own device) or the name of
    #: the secretariat that recorded it aloud
    entered_by: NotRequired[str]


class HeadEntry(TypedDict):
    """The head of the initiative's dependency, who must attend (seed Mesa §3), when its voting opened."""

    names: str
    dependency: str
    present: bool
    #: who confirmed voting without the head, and when (UTC ISO); None when the head was present
    confirmed_by: str | None
    confirmed_at: str | None


class ItemEntry(TypedDict):
    position: int
    #: ``AgendaItemKind`` value
    kind: str
    title: str
    initiative_code: str | None
    #: the deliberation, editable
    notes: str
    #: ``ItemOutcome`` value of the votes (None when not voted)
    outcome: str | None
    #: the decision that stands (the casting decision after a tie)
    final_outcome: str | None
    votes: VoteCounts | None
    #: each member's vote (name and ``VoteChoice`` value), for the record
    vote_detail: list[VoteEntry]
    #: "Empate dirimido por … : aprobada. Nota." or None
    casting: str | None
    #: why there is no decision (``NoDecisionReason`` value)
    no_decision_reason: NotRequired[str | None]
    #: the voting members in the room when the voting closed (name, and the delegate if any)
    present_at_close: NotRequired[list[str]]
    #: an initiative: its dependency's head when the voting opened
    head: NotRequired[HeadEntry | None]
    #: the "acta anterior" item: the previous acta's title, or None
    previous_acta: NotRequired[str | None]


class CommitmentEntry(TypedDict):
    description: str
    responsible: str
    due_date: str
    state: str
    #: the session where it was made ("Sesión ordinaria 2/2026")
    session: str


class QuorumEntry(TypedDict):
    voting_members: int
    #: voting members in the room when the session closed
    present_voting: int
    has_quorum: bool
    required: NotRequired[int]
    #: when the quorum was first reached (UTC ISO), and with how many; None if never
    reached_at: NotRequired[str | None]
    present_when_reached: NotRequired[int]


class ApprovalEntry(TypedDict):
    """How and when the version was approved (only in an approved version)."""

    #: ``ActaApproval`` value
    kind: str
    approved_at: str
    #: "Aprobada tácitamente el 17 de diciembre de 2026, sin observaciones dentro del plazo"
    text: str


class SignatoryEntry(TypedDict):
    name: str
    position: str
    is_voting: bool
    #: the seat signed for (absent in versions written before delegates signed)
    member_id: NotRequired[int]
    #: a delegate: the member it represented (name and seat)
    represents: NotRequired[str | None]


class ActaBody(TypedDict):
    #: "Acta N.º 2 de 2026"
    title: str
    committee: str
    session_label: str
    #: ``SessionKind`` value
    kind: str
    date: str
    #: when the session was installed and closed (UTC ISO)
    opened_at: str
    closed_at: str
    place: str
    quorum: QuorumEntry
    attendees: list[AttendeeEntry]
    absent: list[AbsentEntry]
    introduction: str
    items: list[ItemEntry]
    #: commitments made in this session
    commitments: list[CommitmentEntry]
    #: earlier commitments reviewed at the follow-up item, with what was reported
    followed_up: list[CommitmentEntry]
    closing: str
    #: who signs: every member who attended in person, the delegate of each member represented,
    #: and the secretariat
    signatories: list[SignatoryEntry]
    #: arrivals, departures and returns in order, with the quorum after each
    movements: NotRequired[list[MovementEntry]]
    #: the approved version: how and when
    approval: NotRequired[ApprovalEntry]
