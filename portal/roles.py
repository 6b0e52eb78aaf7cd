"""The roles of SPEC §1. ``enlace`` and ``jefe`` are scoped to one dependency."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    ENLACE = "enlace"
    JEFE = "jefe"
    APROBADOR = "aprobador"
    SEGURIDAD = "seguridad"
    AGENTE = "agente"
    SECRETARIO = "secretario"
    SECRETARIA_TECNICA = "secretaria_tecnica"
    INTEGRANTE = "integrante"
    CONTROL_INTERNO = "control_interno"
    ADMIN = "admin"
    #: Runs the Gobierno Digital plan (seed PR-M2-P6-01, activities 1, 2, 5–7: "Profesional Universitario
    #: o Contratista"). Entity-wide within ``gobierno_digital`` only: not an ``ENTITY_WIDE_READERS`` role,
    #: so it sees no access requests or other dependencies' data outside the plan.
    PROFESIONAL_GD = "profesional_gd"

    @property
    def is_scoped(self) -> bool:
        return self in SCOPED_ROLES

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


SCOPED_ROLES = frozenset({Role.ENLACE, Role.JEFE})

#: Roles that see every dependency's data (read access; what they may change is decided per action).
ENTITY_WIDE_READERS = frozenset({Role.ADMIN, Role.APROBADOR, Role.SEGURIDAD, Role.AGENTE, Role.SECRETARIO, Role.CONTROL_INTERNO})

ROLE_LABELS = {
    Role.ENLACE: _l("Enlace TIC"),
    Role.JEFE: _l("Jefe de dependencia"),
    Role.APROBADOR: _l("Líder de economía digital"),
    Role.SEGURIDAD: _l("Seguridad de la información"),
    Role.AGENTE: _l("Mesa de servicio"),
    Role.SECRETARIO: _l("Secretario de las TIC"),
    Role.SECRETARIA_TECNICA: _l("Secretaría técnica del comité"),
    Role.INTEGRANTE: _l("Integrante del comité"),
    Role.CONTROL_INTERNO: _l("Control interno"),
    Role.ADMIN: _l("Administrador"),
    Role.PROFESIONAL_GD: _l("Profesional de Gobierno Digital"),
}
