"""Access requests under concurrency on a real PostgreSQL server."""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import select

from portal import services as portal_services
from portal.audit import verify_chain
from portal.db import utcnow
from portal.errors import WrongState
from portal.extensions import db
from portal.models import AuditEvent, Dependency, User
from portal.roles import Role
from sla.models import SlaMetric, SlaTimer
from tests.unit.tickets.factories import directory
from tickets.models import (
    AccessRequest,
    ApprovalStep,
    DocumentType,
    LinkType,
    RequestAction,
    RequestForm,
    StepState,
    TargetSystem,
)
from tickets.services.decisions import Decision, current_step, decide_step
from tickets.services.filing import RequestData, create_draft, submit_request


def _user(username: str) -> User:
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def _draft(n: int) -> int:
    dependency = db.session.execute(select(Dependency).where(Dependency.code == "SAL")).scalar_one()
    system = db.session.execute(select(TargetSystem).where(TargetSystem.code == "directorio")).scalar_one()
    data = RequestData(
        form=RequestForm.CREACION,
        action=RequestAction.CREAR,
        system_id=system.id,
        dependency_id=dependency.id,
        beneficiary_name=f"Persona de prueba {n}",
        beneficiary_document_type=DocumentType.CC,
        beneficiary_document=f"{10000000 + n}",
        beneficiary_email=f"persona{n}@valledelcauca.gov.co",
        beneficiary_position="Profesional",
        beneficiary_username=f"persona{n}",
        link_type=LinkType.PLANTA,
        justification="Ingreso a la dependencia, requiere cuenta de red.",
        roles_to_add=["correo"],
    )
    request = create_draft(
        db.session, actor=_user("enlace.salud"), data=data, email_domain="valledelcauca.gov.co", today=date.today()
    )
    db.session.commit()
    return request.id


def _run_together(app, targets, threads: int | None = None):  # type: ignore[no-untyped-def]
    """Run ``targets`` at once, each in its own transaction, on at most ``threads`` threads.

    The threads start together at a barrier; a thread runs its share of the targets one after
    another. Keeping the threads within the connection pool (5 + 10 overflow) makes the test
    about the code under test, not about waiting for a free connection on a busy machine.
    """
    count = min(threads or len(targets), len(targets))
    barrier = threading.Barrier(count)
    results: list[object] = [None] * len(targets)

    def run(indexes: list[int]) -> None:
        with app.app_context():
            barrier.wait()
            for i in indexes:
                try:
                    results[i] = targets[i]()
                    db.session.commit()
                except Exception as exc:
                    db.session.rollback()
                    results[i] = exc
                finally:
                    db.session.remove()

    workers = [threading.Thread(target=run, args=(list(range(n, len(targets), count)),)) for n in range(count)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return results


def test_fifty_parallel_filings_get_fifty_consecutive_numbers(pg_app):
    with pg_app.app_context():
        ids = [_draft(n) for n in range(50)]
        db.session.remove()

    def submit(request_id: int):  # type: ignore[no-untyped-def]
        def target():  # type: ignore[no-untyped-def]
            request = db.session.get(AccessRequest, request_id)
            return submit_request(
                db.session,
                request,
                actor=_user("enlace.salud"),
                email_domain="valledelcauca.gov.co",
                now=utcnow(),
                directory=directory(),
            ).number

        return target

    results = _run_together(pg_app, [submit(i) for i in ids], threads=12)
    assert not [r for r in results if isinstance(r, Exception)], results
    year = utcnow().year
    assert sorted(results) == [f"SOL-{year}-{n:05d}" for n in range(1, 51)]  # type: ignore[type-var]
    # The number is taken last in the transaction: what was written before it still agrees with it.
    with pg_app.app_context():
        for request_id in ids:
            request = db.session.get(AccessRequest, request_id)
            assert request is not None and request.filed_at is not None and request.number is not None
            starts = db.session.execute(
                select(SlaTimer.metric, SlaTimer.started_at).where(
                    SlaTimer.request_id == request_id, SlaTimer.metric != SlaMetric.PASO
                )
            ).all()
            assert {metric: started for metric, started in starts} == {
                SlaMetric.ATENCION: request.filed_at,
                SlaMetric.SOLUCION: request.filed_at,
            }
            filed = db.session.execute(
                select(AuditEvent).where(AuditEvent.action == "solicitud.radicar", AuditEvent.object_id == str(request_id))
            ).scalar_one()
            assert filed.after is not None and filed.after["number"] == request.number
        assert verify_chain(db.session) is None


def test_two_approvers_deciding_the_same_step_make_one_decision_and_one_notification(pg_app, tmp_path):
    with pg_app.app_context():
        second_head = _user("integrante1")
        salud = db.session.execute(select(Dependency).where(Dependency.code == "SAL")).scalar_one()
        portal_services.assign_role(db.session, actor=None, user=second_head, role=Role.JEFE, dependency=salud)
        db.session.commit()
        request_id = _draft(1)
        request = db.session.get(AccessRequest, request_id)
        submit_request(
            db.session,
            request,
            actor=_user("enlace.salud"),
            email_domain="valledelcauca.gov.co",
            now=utcnow(),
            directory=directory(),
        )
        db.session.commit()
        first_step = current_step(db.session, request).id
        db.session.remove()
    mail_dir = tmp_path / "mail"
    before = {p.name for p in mail_dir.glob("*.log")}

    def decide(username: str):  # type: ignore[no-untyped-def]
        def target():  # type: ignore[no-untyped-def]
            request = db.session.get(AccessRequest, request_id)
            return decide_step(
                db.session,
                request,
                actor=_user(username),
                decision=Decision.APROBAR,
                comment=None,
                now=utcnow(),
                step_id=first_step,
            )

        return target

    results = _run_together(pg_app, [decide("jefe.salud"), decide("integrante1")])
    wins = [r for r in results if isinstance(r, ApprovalStep)]
    losses = [r for r in results if isinstance(r, WrongState)]
    assert (len(wins), len(losses)) == (1, 1), results
    with pg_app.app_context():
        steps = (
            db.session.execute(select(ApprovalStep).where(ApprovalStep.request_id == request_id).order_by(ApprovalStep.position))
            .scalars()
            .all()
        )
        assert [s.state for s in steps] == [StepState.APROBADO, StepState.PENDIENTE]
    new_mails = [p for p in mail_dir.glob("*.log") if p.name not in before]
    to_approver = [p for p in new_mails if "lider.ed@valledelcauca.gov.co" in p.read_text()]
    assert len(to_approver) == 1, [p.read_text()[:300] for p in new_mails]


def test_the_api_list_follows_its_cursor_on_postgresql(pg_app):
    """Keyset pages compare (filed_at, id) as a row on PostgreSQL: every request once, in order,
    the drafts (no filing date) last."""
    with pg_app.app_context():
        ids = [_draft(n) for n in range(14)]
        for request_id in ids[:10]:
            request = db.session.get(AccessRequest, request_id)
            assert request is not None
            submit_request(
                db.session,
                request,
                actor=_user("enlace.salud"),
                email_domain="valledelcauca.gov.co",
                now=utcnow(),
                directory=directory(),
            )
            db.session.commit()
        db.session.remove()
    token = pg_app.test_cli_runner().invoke(args=["users", "token", "enlace.salud"]).output.strip()
    api, headers = pg_app.test_client(), {"Authorization": f"Bearer {token}"}
    for sort in ("recientes", "antiguas", "numero", "estado"):
        query = f"/api/v1/requests?queue=mias&sort={sort}&per_page=10"
        whole = [item["id"] for item in api.get(query.replace("=10", "=200"), headers=headers).get_json()["items"]]
        assert set(whole) >= set(ids)
        body = api.get(query, headers=headers).get_json()
        walked = [item["id"] for item in body["items"]]
        while body["next_cursor"]:
            body = api.get(f"{query}&after={body['next_cursor']}", headers=headers).get_json()
            walked += [item["id"] for item in body["items"]]
        assert walked == whole, sort
