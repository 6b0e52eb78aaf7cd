"""Entity profiles: who the deployment serves (SPEC §1).

A profile is pure data. The two shipped profiles match the two seeds: ``valle`` (Gobernación del
Valle del Cauca, procedure PR-M2-P6-01) and ``cartagena`` (Alcaldía de Cartagena, Manual de la
Mesa de Trabajo de Transformación Digital). An entity adds its own by adding an entry here.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DependencySeed:
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class Profile:
    code: str
    entity_name: str
    entity_short_name: str
    it_office_name: str
    committee_name: str
    approver_title: str
    secretary_title: str
    logo: str
    address: str
    phone: str
    contact_email: str
    website: str
    email_domain: str
    privacy_policy_ref: str
    it_office_code: str
    dependencies: tuple[DependencySeed, ...] = field(default_factory=tuple)
    #: the demo directory's LDIF (under ``config/``) for ``make run``: the demo accounts with the
    #: entity's e-mail domain and dependency codes
    demo_directory: str = "demo_directory.ldif"


VALLE = Profile(
    code="valle",
    entity_name="Gobernación del Valle del Cauca",
    entity_short_name="Gobernación del Valle",
    it_office_name="Secretaría de las TIC",
    committee_name="Comité TIC Departamental",
    approver_title="Líder de economía digital",
    secretary_title="Secretario de las TIC",
    logo="img/logo-valle.svg",
    address="Carrera 6 entre calles 9 y 10, Edificio Palacio de San Francisco, Santiago de Cali",
    phone="(602) 620 0000",
    contact_email="contactenos@valledelcauca.gov.co",
    website="https://www.valledelcauca.gov.co",
    email_domain="valledelcauca.gov.co",
    privacy_policy_ref="Política de tratamiento de datos personales de la Gobernación del Valle del Cauca",
    it_office_code="TIC",
    dependencies=(
        DependencySeed("TIC", "Secretaría de las TIC", "secretaria"),
        DependencySeed("HAC", "Secretaría de Hacienda", "secretaria"),
        DependencySeed("SAL", "Secretaría de Salud", "secretaria"),
        DependencySeed("EDU", "Secretaría de Educación", "secretaria"),
        DependencySeed("DAP", "Departamento Administrativo de Planeación", "departamento_administrativo"),
        DependencySeed("OCI", "Oficina de Control Interno", "oficina"),
        DependencySeed("JUR", "Departamento Administrativo Jurídico", "departamento_administrativo"),
        DependencySeed("GOB", "Secretaría de Gobierno", "secretaria"),
        DependencySeed("INDER", "Instituto del Deporte, la Educación Física y la Recreación", "ente_descentralizado"),
        DependencySeed("MBUGA", "Municipio de Guadalajara de Buga", "municipio"),
    ),
)

CARTAGENA = Profile(
    code="cartagena",
    entity_name="Alcaldía Distrital de Cartagena de Indias",
    entity_short_name="Alcaldía de Cartagena",
    it_office_name="Oficina Asesora de Informática",
    committee_name="Mesa de Trabajo de Transformación Digital",
    approver_title="Líder de economía digital",
    secretary_title="Jefe de la Oficina Asesora de Informática",
    logo="img/logo-cartagena.svg",
    address="Plaza de la Aduana, Centro, Cartagena de Indias",
    phone="(605) 641 1370",
    contact_email="atencionalciudadano@cartagena.gov.co",
    website="https://www.cartagena.gov.co",
    email_domain="cartagena.gov.co",
    privacy_policy_ref="Política de tratamiento de datos personales del Distrito de Cartagena de Indias",
    it_office_code="OAI",
    dependencies=(
        DependencySeed("OAI", "Oficina Asesora de Informática", "oficina"),
        DependencySeed("HAC", "Secretaría de Hacienda", "secretaria"),
        DependencySeed("SAL", "Departamento Administrativo Distrital de Salud", "departamento_administrativo"),
        DependencySeed("EDU", "Secretaría de Educación", "secretaria"),
        DependencySeed("PLA", "Secretaría de Planeación", "secretaria"),
        DependencySeed("OCI", "Oficina de Control Interno", "oficina"),
        DependencySeed("GEN", "Secretaría General", "secretaria"),
        DependencySeed("INF", "Secretaría de Infraestructura", "secretaria"),
        DependencySeed("IDER", "Instituto de Deporte y Recreación", "ente_descentralizado"),
    ),
    demo_directory="demo_directory_cartagena.ldif",
)

PROFILES: dict[str, Profile] = {p.code: p for p in (VALLE, CARTAGENA)}


def get_profile(code: str) -> Profile:
    try:
        return PROFILES[code]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise RuntimeError(f"PORTAL_PROFILE={code!r} is not a known profile ({known})") from None
