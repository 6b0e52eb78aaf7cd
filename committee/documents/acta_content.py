"""What the acta prints, in PDF and in DOCX alike: its sections, tables and lines, from an
``ActaVersion.body``.
"""

from __future__ import annotations

from collections.abc import Sequence

from committee.actas.content import ActaBody, AttendeeEntry, CommitmentEntry, ItemEntry, VoteCounts
from committee.commitments.models import CommitmentState
from committee.documents.common import _day, _instant, local_time, long_date, short_date
from committee.models import AgendaItemKind, SessionKind
from committee.room.models import AttendanceKind, ItemOutcome, VoteChoice


def _label(enum: type[ItemOutcome] | type[CommitmentState] | type[VoteChoice] | type[AgendaItemKind], value: str | None) -> str:
    if value is None:
        return "—"
    try:
        return enum(value).label
    except ValueError:
        return value


def vote_counts_text(votes: VoteCounts) -> str:
    """``A favor 5 · En contra 2 · Abstención 1`` (and those present who did not vote, if any)."""
    text = f"A favor {votes['a_favor']} · En contra {votes['en_contra']} · Abstención {votes['abstencion']}"
    if votes["sin_voto"]:
        text += f" · Sin voto {votes['sin_voto']}"
    return text


def _kind_label(kind: str) -> str:
    try:
        return AttendanceKind(kind).label
    except ValueError:
        return kind


def _session_kind_label(kind: str) -> str:
    try:
        return SessionKind(kind).label
    except ValueError:
        return kind


def _item_heading(item: ItemEntry) -> str:
    return f"{item['position']}. {item['title']}"


def _item_lines(item: ItemEntry) -> list[str]:
    """The votes, the outcome and the casting decision of an item, one line each."""
    lines: list[str] = []
    votes = item["votes"]
    if votes is not None:
        lines.append(
            f"Votación: {vote_counts_text(votes)} "
            f"({votes['present_voting']} de {votes['voting_members']} integrantes con voto presentes)."
        )
    if item["vote_detail"]:
        lines.append(
            "Sentido del voto: "
            + "; ".join(f"{v['member']}: {_label(VoteChoice, v['choice'])}" for v in item["vote_detail"])
            + "."
        )
    if item["outcome"] is not None:
        lines.append(f"Resultado de la votación: {_label(ItemOutcome, item['outcome'])}.")
    if item["casting"]:
        lines.append(f"Decisión dirimente: {item['casting']}")
    if item["final_outcome"] is not None and item["final_outcome"] != item["outcome"]:
        lines.append(f"Decisión del comité: {_label(ItemOutcome, item['final_outcome'])}.")
    return lines


def _attendee_rows(attendees: Sequence[AttendeeEntry]) -> list[list[str]]:
    rows = []
    for person in attendees:
        position = person["position"]
        if person["represents"]:
            position = f"{position} (en representación de {person['represents']})"
        rows.append([person["name"], position, _kind_label(person["kind"]), local_time(_instant(person["arrived_at"]))])
    return rows


def _commitment_rows(commitments: Sequence[CommitmentEntry], *, with_session: bool) -> list[list[str]]:
    rows = []
    for c in commitments:
        row = [c["description"], c["responsible"], short_date(_day(c["due_date"])), _label(CommitmentState, c["state"])]
        rows.append([c["session"], *row] if with_session else row)
    return rows


def _paragraphs(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\r\n", "\n").split("\n") if part.strip()]


def _session_data_rows(body: ActaBody, *, version_number: int, version_kind: str, acta_state_label: str) -> list[tuple[str, str]]:
    return [
        ("Comité", body["committee"]),
        ("Sesión", body["session_label"]),
        ("Tipo de sesión", _session_kind_label(body["kind"])),
        ("Fecha", long_date(_day(body["date"]))),
        ("Hora de instalación", local_time(_instant(body["opened_at"]))),
        ("Hora de cierre", local_time(_instant(body["closed_at"]))),
        ("Lugar", body["place"] or "—"),
        ("Estado del acta", acta_state_label),
        ("Versión del acta", _version_text(version_number, version_kind)),
    ]


def _version_text(version_number: int, version_kind: str) -> str:
    label = {"borrador": "borrador", "definitiva": "versión definitiva"}.get(version_kind, version_kind)
    return f"{version_number} ({label})"


def _is_draft(version_kind: str) -> bool:
    return version_kind == "borrador"


ACTA_SECTIONS = (
    "1. Datos de la sesión",
    "2. Verificación del quórum",
    "3. Asistentes",
    "4. Ausentes",
    "5. Orden del día",
    "6. Desarrollo de la sesión",
    "7. Compromisos",
    "8. Seguimiento de compromisos",
    "9. Cierre",
    "10. Firmas",
)
ATTENDEE_HEADINGS = ["Nombre", "Cargo", "Calidad", "Hora de llegada"]
COMMITMENT_HEADINGS = ["Compromiso", "Responsable", "Fecha límite", "Estado"]
FOLLOW_UP_HEADINGS = ["Sesión de origen", *COMMITMENT_HEADINGS]


def _acta_title(body: ActaBody) -> str:
    return f"{body['title']} · {body['committee']}".upper()
