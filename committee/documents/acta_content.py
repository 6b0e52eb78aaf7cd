"""What the acta prints, in PDF and in DOCX alike: its sections, tables and lines, from an
``ActaVersion.body``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from committee.actas.content import ActaBody, AttendeeEntry, CommitmentEntry, ItemEntry, VoteCounts
from committee.commitments.models import CommitmentState
from committee.documents.common import _day, _instant, local_time, long_date, quorum_text, short_date
from committee.models import AgendaItemKind, SessionKind
from committee.room.models import AttendanceKind, ItemOutcome, MovementKind, NoDecisionReason, VoteChoice
from portal.clock import local_date


@dataclass(frozen=True)
class SignatureLine:
    """A signature made in the portal, as the approved version prints it."""

    name: str
    position: str
    signed_at: datetime
    #: the verification code: the SHA-256 of the version signed
    code: str


def presence_text(present: int, voting: int) -> str:
    """ "4 de 9 — sin quórum": voting members present of the committee's, and whether that is quorum."""
    verdict = "con quórum" if voting > 0 and present >= voting // 2 + 1 else "sin quórum"
    return f"{present} de {voting} — {verdict}"


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


def _entered_by(entered_by: str | None) -> str:
    if not entered_by:
        return ""
    return " (voto propio)" if entered_by == "propio" else f" (de viva voz; lo registró {entered_by})"


def _head_line(item: ItemEntry) -> str | None:
    head = item.get("head")
    if not head:
        return None
    if head["present"]:
        return f"Asistencia obligatoria del jefe de {head['dependency']}: {head['names']}, presente al abrirse la votación."
    when = local_time(_instant(head["confirmed_at"]))
    return (
        f"Asistencia obligatoria del jefe de {head['dependency']}: {head['names']} no estaba en la sala al abrirse la "
        f"votación; {head['confirmed_by'] or 'la secretaría técnica'} confirmó votar sin su presencia a las {when}."
    )


def _item_lines(item: ItemEntry) -> list[str]:
    """The previous acta, the head who must attend, the quorum and who was present when the voting
    closed, the votes, the outcome (or why there was none) and the casting decision, one line each."""
    lines: list[str] = []
    if "previous_acta" in item:
        previous = item["previous_acta"]
        lines.append(f"Acta anterior: {previous}." if previous else "No hay acta anterior.")
    head = _head_line(item)
    if head:
        lines.append(head)
    votes = item["votes"]
    if votes is not None:
        present, voting = votes["present_voting"], votes["voting_members"]
        lines.append(
            f"Quórum al cerrar la votación: {presence_text(present, voting)} (se requieren {voting // 2 + 1} "
            "integrantes con voto presentes)."
        )
        if item.get("present_at_close"):
            lines.append("Integrantes con voto presentes: " + "; ".join(item["present_at_close"]) + ".")
        lines.append(f"Votación: {vote_counts_text(votes)}.")
    if item["vote_detail"]:
        lines.append(
            "Sentido del voto: "
            + "; ".join(
                f"{v['member']}: {_label(VoteChoice, v['choice'])}{_entered_by(v.get('entered_by'))}" for v in item["vote_detail"]
            )
            + "."
        )
    if item["outcome"] is not None:
        lines.append(f"Resultado de la votación: {_label(ItemOutcome, item['outcome'])}.")
    reason = item.get("no_decision_reason")
    if reason:
        try:
            lines.append(f"Sin decisión: {NoDecisionReason(reason).label}.")
        except ValueError:
            lines.append(f"Sin decisión: {reason}.")
    if item["casting"]:
        lines.append(f"Decisión dirimente: {item['casting']}")
    if item["final_outcome"] is not None and item["final_outcome"] != item["outcome"]:
        lines.append(f"Decisión del comité: {_label(ItemOutcome, item['final_outcome'])}.")
    return lines


def _quorum_lines(body: ActaBody) -> list[str]:
    """The quorum as it went: when it was reached, and as it stood when the session closed."""
    quorum = body["quorum"]
    voting, present = quorum["voting_members"], quorum["present_voting"]
    if "required" not in quorum:
        return [quorum_text(voting, present)]
    required = quorum["required"]
    lines = [f"Integrantes con voto del comité: {voting}. Quórum para deliberar y decidir: {required} (más de la mitad)."]
    reached_at = quorum.get("reached_at")
    if reached_at:
        when = local_time(_instant(reached_at))
        lines.append(f"Quórum conformado a las {when}: {presence_text(quorum.get('present_when_reached', 0), voting)}.")
    else:
        lines.append("No se conformó el quórum en ningún momento de la sesión.")
    lines.append(f"Al cierre de la sesión ({local_time(_instant(body['closed_at']))}): {presence_text(present, voting)}.")
    return lines


def _movement_lines(body: ActaBody) -> list[str]:
    """ "9:05 a. m. — Llega Ana Pérez (Integrante): 5 de 9 — con quórum"."""
    voting = body["quorum"]["voting_members"]
    lines = []
    for m in body.get("movements", []):
        try:
            verb = MovementKind(m["kind"]).label
        except ValueError:
            verb = m["kind"]
        lines.append(
            f"{local_time(_instant(m['at']))} — {verb} {m['name']} ({_kind_label(m['attendee_kind'])}): "
            f"{presence_text(m['present_voting'], voting)}"
        )
    return lines


def _attendee_times(person: AttendeeEntry) -> str:
    """ "9:00 a. m.; sale 10:15 a. m.; regresa 10:40 a. m."."""
    movements = person.get("movements")
    if not movements:
        times = [local_time(_instant(person["arrived_at"]))]
        if person["left_at"]:
            times.append(f"sale {local_time(_instant(person['left_at']))}")
        return "; ".join(times)
    parts = []
    for m in movements:
        when = local_time(_instant(m["at"]))
        parts.append(when if m["kind"] == MovementKind.LLEGADA.value else f"{MovementKind(m['kind']).label.lower()} {when}")
    return "; ".join(parts)


def _attendee_rows(attendees: Sequence[AttendeeEntry]) -> list[list[str]]:
    rows = []
    for person in attendees:
        position = person["position"]
        if person["represents"]:
            position = f"{position} (en representación de {person['represents']})"
        rows.append([person["name"], position, _kind_label(person["kind"]), _attendee_times(person)])
    return rows


def _commitment_rows(commitments: Sequence[CommitmentEntry], *, with_session: bool) -> list[list[str]]:
    rows = []
    for c in commitments:
        row = [c["description"], c["responsible"], short_date(_day(c["due_date"])), _label(CommitmentState, c["state"])]
        rows.append([c["session"], *row] if with_session else row)
    return rows


def _paragraphs(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\r\n", "\n").split("\n") if part.strip()]


def version_status(body: ActaBody, version_kind: str) -> str:
    """What the version is, as it prints itself (never the acta's state today)."""
    approval = body.get("approval")
    if approval:
        return f"{approval['text']}."
    if version_kind == "definitiva":
        return "Versión definitiva"
    return "Proyecto de acta (borrador), sujeto a las observaciones de los integrantes"


def _session_data_rows(body: ActaBody, *, version_number: int, version_kind: str) -> list[tuple[str, str]]:
    return [
        ("Comité", body["committee"]),
        ("Sesión", body["session_label"]),
        ("Tipo de sesión", _session_kind_label(body["kind"])),
        ("Fecha", long_date(_day(body["date"]))),
        ("Hora de instalación", local_time(_instant(body["opened_at"]))),
        ("Hora de cierre", local_time(_instant(body["closed_at"]))),
        ("Lugar", body["place"] or "—"),
        ("Estado del acta", version_status(body, version_kind)),
        ("Versión del acta", _version_text(version_number, version_kind)),
    ]


def _version_text(version_number: int, version_kind: str) -> str:
    label = {"borrador": "borrador", "definitiva": "versión definitiva", "aprobada": "aprobada"}.get(version_kind, version_kind)
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
ATTENDEE_HEADINGS = ["Nombre", "Cargo", "Calidad", "Llegada y salidas"]
COMMITMENT_HEADINGS = ["Compromiso", "Responsable", "Fecha límite", "Estado"]
FOLLOW_UP_HEADINGS = ["Sesión de origen", *COMMITMENT_HEADINGS]


def _acta_title(body: ActaBody) -> str:
    return f"{body['title']} · {body['committee']}".upper()


def signature_lines(signatures: Sequence[SignatureLine]) -> list[str]:
    """ "Firmado en el portal por … el 18/12/2026 a las 10:05 a. m." and its code, per signature."""
    lines = []
    for s in signatures:
        lines.append(
            f"Firmado en el portal por {s.name} ({s.position}) el {short_date(local_date(s.signed_at))} "
            f"a las {local_time(s.signed_at)}. Código de verificación (SHA-256 de la versión firmada):"
        )
        lines.append(s.code)
    return lines
