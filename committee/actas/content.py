"""The content of an acta version (``ActaVersion.body``), shared by the workflow that writes it
(``committee.actas``) and the documents that print it (``committee.documents``).

Facts of the session (attendance, votes, decisions) are frozen when the draft is generated; the
texts (``introduction``, each item's ``notes``, ``closing``) are what the secretariat edits.
Instants are ISO-8601 strings in UTC; dates are ``YYYY-MM-DD``.
"""

from __future__ import annotations

from typing import TypedDict


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


class CommitmentEntry(TypedDict):
    description: str
    responsible: str
    due_date: str
    state: str
    #: the session where it was made ("Sesión ordinaria 2/2026")
    session: str


class QuorumEntry(TypedDict):
    voting_members: int
    present_voting: int
    has_quorum: bool


class ActaBody(TypedDict):
    #: "Acta n.º 2 de 2026"
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
    #: who signs: every member who attended in person (name and seat), plus the secretariat
    signatories: list[AbsentEntry]
