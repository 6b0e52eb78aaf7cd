"""The committee of each entity profile: its rules and the demo composition (SPEC §6).

The rules come from the seeds: the Mesa de Trabajo de Transformación Digital of Cartagena (Manual
de lineamientos §3, §6, §7, §8) and the Comité TIC Departamental of the Valle del Cauca (procedure
PR-M2-P6-01, Ordenanza 430 de 2016). The seats are the demo composition loaded by
``committee.demo.load_committee_demo``; in production ``admin`` keeps the members in the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Seat:
    """One demo member: the portal account, the position held in the committee and its vote."""

    username: str
    position: str
    is_voting: bool = True
    dependency_code: str | None = None
    is_chair: bool = False
    is_technical_secretariat: bool = False


@dataclass(frozen=True)
class CommitteeRules:
    #: an ``ordinaria`` is convened by e-mail at least this many calendar days before the session
    #: ("con una antelación no inferior a cinco (5) días calendario", seed Mesa §6)
    convocation_min_calendar_days: int = 5
    #: ordinary sessions per year: quarterly ("la periodicidad de las reuniones será de manera trimestral", seed Mesa §7)
    ordinary_sessions_per_year: int = 4
    default_duration_minutes: int = 120
    #: what the convocation asks the attendees to bring ("solicitando insumos necesarios", seed Mesa §6)
    default_requested_inputs: str = (
        "Las dependencias con iniciativas en el orden del día presentan la ficha de la iniciativa, "
        "el presupuesto estimado y su alineación con la Política de Gobierno Digital y el PETI. "
        "Los responsables de compromisos informan su avance."
    )
    #: the draft acta goes to the members within 5 business days after the session (seed Mesa §6)
    acta_send_business_days: int = 5
    #: members approve or observe within 3 business days after it is sent; then tacit approval
    acta_observation_business_days: int = 3
    #: the final version within 3 business days after receiving the observations
    acta_final_business_days: int = 3
    #: the secretariat is warned this many business days before an acta deadline passes (the
    #: warning goes out at the end of the business day before the last one)
    deadline_warning_business_days: int = 1
    #: the responsible of a commitment is reminded this many business days before its due date
    commitment_reminder_business_days: int = 2
    seats: tuple[Seat, ...] = field(default_factory=tuple)


_OFFICE_SEATS_VALLE = (
    Seat("secretario", "Secretario de las TIC (preside; voto dirimente)", True, "TIC", is_chair=True),
    Seat("integrante1", "Gestora de infraestructura de la Secretaría de las TIC", True, "TIC"),
    Seat("integrante2", "Gestor de sistemas de información de la Secretaría de las TIC", True, "TIC"),
    Seat("seguridad", "Profesional de seguridad de la información", True, "TIC"),
    Seat("integrante3", "Enlace TIC de la Secretaría de Educación", True, "EDU"),
    Seat("integrante4", "Enlace TIC del Departamento Administrativo de Planeación", True, "DAP"),
    Seat("integrante5", "Enlace TIC de la Secretaría de Gobierno", True, "GOB"),
    Seat("control.interno", "Jefe de la Oficina de Control Interno (con voz, sin voto)", False, "OCI"),
    Seat("st.mesa", "Secretaría técnica del comité", False, "TIC", is_technical_secretariat=True),
)

_OFFICE_SEATS_CARTAGENA = (
    Seat("secretario", "Jefe de la Oficina Asesora de Informática (preside; voto dirimente)", True, "OAI", is_chair=True),
    Seat("integrante1", "Gestora de infraestructura de la OAI", True, "OAI"),
    Seat("integrante2", "Gestor de sistemas de información de la OAI", True, "OAI"),
    Seat("seguridad", "Profesional de seguridad de la información", True, "OAI"),
    Seat("integrante3", "Líder TIC de la Secretaría de Educación", True, "EDU"),
    Seat("integrante4", "Líder TIC de la Secretaría de Planeación", True, "PLA"),
    Seat("integrante5", "Líder TIC de la Secretaría General", True, "GEN"),
    Seat("control.interno", "Control Interno (con voz, sin voto)", False, "OCI"),
    # "La Secretaría Técnica … será ejercida por la Oficina Asesora de Informática" (seed Mesa §3)
    Seat("st.mesa", "Secretaría técnica (Oficina Asesora de Informática)", False, "OAI", is_technical_secretariat=True),
)

COMMITTEE_RULES: dict[str, CommitteeRules] = {
    "valle": CommitteeRules(seats=_OFFICE_SEATS_VALLE),
    "cartagena": CommitteeRules(seats=_OFFICE_SEATS_CARTAGENA),
}


def committee_rules(profile_code: str) -> CommitteeRules:
    """The rules of a profile; an entity's own profile without an entry gets the seeds' defaults."""
    return COMMITTEE_RULES.get(profile_code, CommitteeRules())
