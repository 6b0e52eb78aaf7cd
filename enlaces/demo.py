"""Demo designations."""

from __future__ import annotations

from sqlalchemy import select

from config.profiles import Profile
from portal import services
from portal.db import DbSession
from portal.demo import demo_act_pdf


def load_demo(session: DbSession, profile: Profile) -> list[str]:
    """The demo enlaces of Salud and Hacienda, designated by their heads (a demo act each)."""
    import hashlib
    from datetime import date

    from enlaces.models import ActType, Designation, DesignationStatus
    from portal.audit import record_event

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
