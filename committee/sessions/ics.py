"""iCalendar (RFC 5545) invitations of committee sessions, built with the ``icalendar`` package.

One VEVENT per session with a UID that never changes; every convocation raises SEQUENCE, so
calendar clients replace the earlier invitation instead of adding a second event. Start and end
carry TZID America/Bogota (with its VTIMEZONE); METHOD is REQUEST for an invitation or an update
and CANCEL when the session is cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from icalendar import Calendar, Event, vCalAddress, vText

from portal.clock import BOGOTA

PRODID = "-//Mesa TIC//Comite TIC//ES"


class AttendeeRole(StrEnum):
    REQUIRED = "REQ-PARTICIPANT"
    OPTIONAL = "OPT-PARTICIPANT"


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class Attendee:
    name: str
    email: str
    role: AttendeeRole


@dataclass(frozen=True)
class Invitation:
    uid: str
    sequence: int
    summary: str
    description: str
    starts_at: datetime
    ends_at: datetime
    location: str
    organizer: Person
    attendees: tuple[Attendee, ...]
    stamp: datetime
    url: str | None = None
    cancelled: bool = False


def _address(person_email: str, name: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{person_email}")
    address.params["CN"] = vText(name)
    return address


def build_invitation(invitation: Invitation) -> str:
    """The ``.ics`` text of an invitation (CRLF line endings, folded as RFC 5545 asks)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if invitation.cancelled else "REQUEST")

    event = Event()
    event.add("uid", invitation.uid)
    event.add("sequence", invitation.sequence)
    event.add("dtstamp", invitation.stamp)
    event.add("dtstart", invitation.starts_at.astimezone(BOGOTA))
    event.add("dtend", invitation.ends_at.astimezone(BOGOTA))
    event.add("summary", invitation.summary)
    event.add("description", invitation.description)
    event.add("location", invitation.location)
    if invitation.url:
        event.add("url", invitation.url)
    event.add("status", "CANCELLED" if invitation.cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", _address(invitation.organizer.email, invitation.organizer.name))
    for attendee in invitation.attendees:
        address = _address(attendee.email, attendee.name)
        address.params["CUTYPE"] = "INDIVIDUAL"
        address.params["ROLE"] = attendee.role.value
        address.params["PARTSTAT"] = "NEEDS-ACTION"
        address.params["RSVP"] = "TRUE"
        event.add("attendee", address, encode=False)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical().decode("utf-8")
