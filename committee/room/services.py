"""The committee in the room (SPEC §6, seed Mesa §8): installation, attendance, quorum, votes, closing.

"La Mesa … sesionará y deliberará con la mayoría de sus integrantes y las decisiones las tomará por
la mayoría de los integrantes asistentes … En caso de empate en la votación, el jefe de la Oficina
Asesora de Informática tomará la decisión" (seed Mesa §8). Quorum is more than half of the active
voting members, counted live: a member is in the room in person or through a delegate until its
departure is recorded. Guests and members without vote never count.

The technical secretariat installs and closes the session, keeps the attendance (members,
delegates, guests and the heads who must attend, seed Mesa §3), writes the deliberation and opens
and closes each voting; a voting member present in person votes from its own device, and so does a
delegate registered with its account; the secretariat records the votes given aloud only for
members who have not voted themselves. Each decision keeps who was present when its voting closed. Like every service
module, each function takes the session, the actor and ``now``, locks the committee session (so the
room's changes queue up), flushes, writes the audit event and raises ``NotAllowed``, ``WrongState``
or ``ValidationFailed``; the caller commits.
"""

from __future__ import annotations

from committee.room.attendance import (
    DELEGATION_PURPOSE,
    EARLY_ARRIVAL,
    EARLY_OPENING,
    open_session,
    record_attendance,
    record_departure,
    record_return,
)
from committee.room.closing import close_session
from committee.room.common import VOTABLE_KINDS
from committee.room.heads import HeadStatus, head_status
from committee.room.majority import QuorumStatus, outcome_of, quorum
from committee.room.state import ItemRoom, RoomState, room_state
from committee.room.votes import (
    INITIATIVE_AFTER,
    LOST_QUORUM,
    MAX_CASTING_NOTE,
    MAX_NOTES,
    MIN_CASTING_NOTE,
    NOT_TREATED,
    cast_deciding_vote,
    cast_vote,
    close_voting,
    open_voting,
    save_item_notes,
)

__all__ = [
    "DELEGATION_PURPOSE",
    "EARLY_ARRIVAL",
    "EARLY_OPENING",
    "INITIATIVE_AFTER",
    "LOST_QUORUM",
    "MAX_CASTING_NOTE",
    "MAX_NOTES",
    "MIN_CASTING_NOTE",
    "NOT_TREATED",
    "VOTABLE_KINDS",
    "HeadStatus",
    "ItemRoom",
    "QuorumStatus",
    "RoomState",
    "cast_deciding_vote",
    "cast_vote",
    "close_session",
    "close_voting",
    "head_status",
    "open_session",
    "open_voting",
    "outcome_of",
    "quorum",
    "record_attendance",
    "record_departure",
    "record_return",
    "room_state",
    "save_item_notes",
]
