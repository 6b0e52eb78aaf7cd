"""Two designations for one dependency at the same moment on PostgreSQL leave exactly one vigente."""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import func, select

from enlaces import services as designations
from enlaces.models import ActType, Designation, DesignationStatus
from portal.db import utcnow
from portal.demo import demo_act_pdf
from portal.extensions import db
from portal.models import Dependency, User
from portal.uploads import check_upload
from tests.unit.tickets.factories import directory


def test_simultaneous_designations_leave_one_vigente(pg_app):
    act = check_upload("acto.pdf", demo_act_pdf("Resolución de prueba"))
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def designate(username: str) -> None:
        with pg_app.app_context():
            head = db.session.execute(select(User).where(User.username == "jefe.salud")).scalar_one()
            person = db.session.execute(select(User).where(User.username == username)).scalar_one()
            salud = db.session.execute(select(Dependency).where(Dependency.code == "SAL")).scalar_one()
            barrier.wait()
            try:
                designations.designate(
                    db.session,
                    actor=head,
                    dependency=salud,
                    person=person,
                    act=designations.ActData(ActType.RESOLUCION, f"R-{username}", date(2026, 11, 2), date(2026, 11, 2)),
                    act_file=act,
                    email_domain="valledelcauca.gov.co",
                    now=utcnow(),
                    directory=directory(),
                )
                db.session.commit()
                outcomes.append(username)
            except Exception as exc:
                db.session.rollback()
                outcomes.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=designate, args=(u,)) for u in ("integrante1", "integrante2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with pg_app.app_context():
        salud_id = db.session.execute(select(Dependency.id).where(Dependency.code == "SAL")).scalar_one()
        vigentes = db.session.execute(
            select(func.count())
            .select_from(Designation)
            .where(Designation.dependency_id == salud_id, Designation.status == DesignationStatus.VIGENTE)
        ).scalar_one()
        db.session.remove()
    assert vigentes == 1, outcomes
    # without saying which designation they saw, the dependency row lock queues them: both land, the
    # second replacing the first (test_directory_rules: a client that says it gets 201 and 409)
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["integrante1", "integrante2"]


def test_the_database_itself_refuses_a_second_vigente(pg_app):
    from sqlalchemy.exc import IntegrityError

    with pg_app.app_context():
        current = db.session.execute(
            select(Designation).where(Designation.status == DesignationStatus.VIGENTE).limit(1)
        ).scalar_one()
        duplicate = Designation(
            dependency_id=current.dependency_id,
            person_id=current.person_id,
            designated_by_id=current.designated_by_id,
            act_type=ActType.RESOLUCION,
            act_number="X",
            act_date=date(2026, 1, 1),
            effective_date=date(2026, 1, 1),
            status=DesignationStatus.VIGENTE,
            act_filename="x.pdf",
            act_size=1,
            act_sha256="0" * 64,
            act_content=b"%PDF-",
        )
        db.session.add(duplicate)
        try:
            db.session.commit()
            raise AssertionError("a second vigente designation was accepted")
        except IntegrityError:
            db.session.rollback()
        finally:
            db.session.remove()
