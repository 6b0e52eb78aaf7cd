"""Demo composition of the committee for ``make run`` and the tests (``config/committee.py``)."""

from __future__ import annotations

from sqlalchemy import select

from catalog.members import MemberData, save_committee_member
from catalog.models import CommitteeMember
from config.committee import committee_rules
from config.profiles import Profile
from portal import services as portal_services
from portal.db import DbSession


def load_committee_demo(session: DbSession, profile: Profile) -> list[str]:
    """Seat the demo members of ``profile``'s committee; running it twice changes nothing.

    Skipped when the committee already has members (an administrator configured it) and for
    accounts missing from the directory. Returns what it did.
    """
    if session.execute(select(CommitteeMember.id).limit(1)).scalar() is not None:
        return []
    done: list[str] = []
    for seat in committee_rules(profile.code).seats:
        user = portal_services.find_user(session, seat.username)
        if user is None:
            done.append(f"integrante {seat.username}: no existe, omitido")
            continue
        dependency = portal_services.find_dependency(session, seat.dependency_code) if seat.dependency_code else None
        save_committee_member(
            session,
            actor=None,
            data=MemberData(
                user_id=user.id,
                position=seat.position,
                is_voting=seat.is_voting,
                dependency_id=dependency.id if dependency else None,
                is_chair=seat.is_chair,
                is_technical_secretariat=seat.is_technical_secretariat,
            ),
        )
        done.append(f"integrante del comité {seat.username}")
    return done
