"""Demo data for ``make run``: the profile's dependencies and the demo accounts (README)."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from portal import services
from portal.db import DbSession
from portal.directory import Directory, DirectorySettings
from portal.models import Dependency, DependencyKind
from portal.roles import Role

DEMO_PASSWORD = "Demo2026!"

#: username -> roles; a scoped role names its dependency code.
DEMO_ACCOUNTS: dict[str, list[tuple[Role, str | None]]] = {
    "enlace.salud": [(Role.ENLACE, "SAL")],
    "jefe.salud": [(Role.JEFE, "SAL")],
    "enlace.hacienda": [(Role.ENLACE, "HAC")],
    "jefe.hacienda": [(Role.JEFE, "HAC")],
    "lider.ed": [(Role.APROBADOR, None)],
    "seguridad": [(Role.SEGURIDAD, None), (Role.INTEGRANTE, None)],
    "agente": [(Role.AGENTE, None)],
    "secretario": [(Role.SECRETARIO, None)],
    "st.mesa": [(Role.SECRETARIA_TECNICA, None)],
    "control.interno": [(Role.CONTROL_INTERNO, None)],
    **{f"integrante{i}": [(Role.INTEGRANTE, None)] for i in range(1, 6)},
}


def load_demo(session: DbSession) -> list[str]:
    """Create what is missing; running it twice changes nothing. Returns what it did."""
    profile = current_app.config["PROFILE"]
    done: list[str] = []
    for seed in profile.dependencies:
        if services.find_dependency(session, seed.code) is None:
            services.save_dependency(
                session, actor=None, data=services.DependencyData(seed.code, seed.name, DependencyKind(seed.kind))
            )
            done.append(f"dependencia {seed.code}")

    if services.find_user(session, "admin") is None:
        services.create_local_admin(
            session, username="admin", full_name="Administrador del portal", email=None, password=DEMO_PASSWORD, min_length=8
        )
        done.append("usuario admin (local)")

    directory = Directory(DirectorySettings.from_config(current_app.config))
    conn = directory.service_connection()
    try:
        for username, roles in DEMO_ACCOUNTS.items():
            found = directory.find_person(conn, username)
            if found is None:
                done.append(f"usuario {username}: no está en el directorio, omitido")
                continue
            is_new = services.find_user(session, username) is None
            user = services.sync_directory_person(session, found[0])
            for role, dep_code in roles:
                dependency = services.find_dependency(session, dep_code) if dep_code else None
                services.assign_role(session, actor=None, user=user, role=role, dependency=dependency)
                if role is Role.JEFE and dependency is not None and dependency.head_id is None:
                    _set_head(session, dependency, user.id)
            if is_new:
                done.append(f"usuario {username}")
    finally:
        conn.unbind()

    from tickets.services import ensure_default_catalogue

    done += ensure_default_catalogue(session, groups_dn=str(current_app.config["LDAP_GROUPS_DN"]))

    done += _demo_designations(session)

    it_office = services.find_dependency(session, profile.it_office_code)
    secretario = services.find_user(session, "secretario")
    if it_office is not None and secretario is not None and it_office.head_id is None:
        _set_head(session, it_office, secretario.id)

    from catalog.demo import load_committee_demo

    done += load_committee_demo(session, profile)
    from gobierno_digital.demo import load_demo as load_gobierno_digital_demo

    done += load_gobierno_digital_demo(session, profile)
    return done


def _set_head(session: DbSession, dependency: Dependency, head_id: int) -> None:
    data = services.DependencyData(dependency.code, dependency.name, dependency.kind, head_id, dependency.is_active)
    services.save_dependency(session, actor=None, data=data, dependency=dependency)


def demo_act_pdf(title: str) -> bytes:
    """A one-page PDF standing in for a designation act in the demo."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, title.encode("latin-1", "replace").decode("latin-1"))
    return bytes(pdf.output())


def _demo_designations(session: DbSession) -> list[str]:
    """The demo enlaces of Salud and Hacienda, designated by their heads (a demo act each)."""
    import hashlib
    from datetime import date

    from portal.audit import record_event
    from portal.models import ActType, Designation, DesignationStatus

    done = []
    for dep_code, enlace, jefe in (("SAL", "enlace.salud", "jefe.salud"), ("HAC", "enlace.hacienda", "jefe.hacienda")):
        dependency = services.find_dependency(session, dep_code)
        person, head = services.find_user(session, enlace), services.find_user(session, jefe)
        if dependency is None or person is None or head is None:
            continue
        if session.execute(select(Designation.id).where(Designation.dependency_id == dependency.id)).scalar():
            continue
        content = demo_act_pdf(f"Resolución de demostración: designa a {person.full_name} como enlace TIC de {dependency.name}.")
        designation = Designation(
            dependency_id=dependency.id,
            person_id=person.id,
            designated_by_id=head.id,
            act_type=ActType.RESOLUCION,
            act_number=f"DEMO-{dep_code}-001",
            act_date=date(2026, 1, 15),
            effective_date=date(2026, 1, 15),
            status=DesignationStatus.VIGENTE,
            act_filename=f"resolucion-demo-{dep_code.lower()}.pdf",
            act_size=len(content),
            act_sha256=hashlib.sha256(content).hexdigest(),
            act_content=content,
        )
        session.add(designation)
        session.flush()
        record_event(
            session,
            actor=head,
            action="designacion.crear",
            object_type="designacion",
            object_id=designation.id,
            after={"dependency": dep_code, "person": enlace, "demo": True},
        )
        done.append(f"designación {dep_code}")
    return done
