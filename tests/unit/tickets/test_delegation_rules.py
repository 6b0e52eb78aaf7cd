"""Delegations with rules (SPEC §3): per step kind, only to eligible delegates, mailed, audited,
ended early; and the migration that split the old delegations."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.clock import local_date
from portal.db import utcnow
from portal.errors import NotAllowed, ValidationFailed
from portal.extensions import db
from portal.models import AuditEvent
from portal.roles import Role
from tests.conftest import csrf_token, login
from tests.unit.tickets.factories import build_request, edge, fetch, get_user, make_person
from tickets.models import Delegation, RequestState, StepKind
from tickets.permissions import available_actions
from tickets.services.decisions import Decision, decide_step
from tickets.services.delegations import create_delegation, eligible_delegates, end_delegation

CONTROL_INTERNO_REFUSED = "no puede recibir delegaciones: Control Interno y los integrantes del comité no deciden solicitudes."


def delegate_to(delegator: str, delegate: str, kind: StepKind, days: int = 5) -> Delegation:
    today = local_date(utcnow())
    return edge(
        lambda: create_delegation(
            db.session,
            actor=get_user(delegator),
            delegator=get_user(delegator),
            delegate=get_user(delegate),
            step_kind=kind,
            starts_on=today,
            ends_on=today + timedelta(days=days),
            reason="Vacaciones",
            today=today,
        )
    )


def mails_to(tmp_path, address: str) -> list[str]:
    return [t for p in sorted((tmp_path / "mail").glob("*.log")) for t in [p.read_text()] if f"To: {address}" in t]


@pytest.mark.parametrize("delegate", ["control.interno", "integrante1"])
@pytest.mark.parametrize(
    ("delegator", "kind"),
    [("jefe.hacienda", StepKind.JEFE), ("seguridad", StepKind.SEGURIDAD), ("lider.ed", StepKind.APROBADOR)],
    ids=["jefe", "seguridad", "aprobador"],
)
def test_control_interno_and_committee_members_are_refused_as_delegates(app, delegator, kind, delegate) -> None:
    with app.app_context():
        with pytest.raises(ValidationFailed) as refused:
            delegate_to(delegator, delegate, kind)
        assert refused.value.message.endswith(CONTROL_INTERNO_REFUSED)
        assert db.session.execute(select(Delegation)).scalars().all() == []


@pytest.mark.parametrize(
    ("delegator", "kind", "delegate", "message"),
    [
        ("jefe.salud", StepKind.JEFE, "jefe.hacienda", "solo se delega en una persona de la misma dependencia"),
        ("jefe.salud", StepKind.JEFE, "agente", "solo se delega en una persona de la misma dependencia"),
        ("lider.ed", StepKind.APROBADOR, "agente", "solo se delega en quien tiene el rol Líder de economía digital o Secretario"),
        ("seguridad", StepKind.SEGURIDAD, "secretario", "solo se delega en quien tiene el rol Seguridad de la información"),
        ("lider.ed", StepKind.JEFE, "secretario", "no decide pasos «Jefe de la dependencia»"),
    ],
)
def test_the_service_refuses_an_ineligible_delegate(app, delegator, kind, delegate, message) -> None:
    with app.app_context():
        with pytest.raises(ValidationFailed) as refused:
            delegate_to(delegator, delegate, kind)
        assert message in refused.value.message


def test_eligible_delegates_by_step_kind(app) -> None:
    with app.app_context():
        make_person("subdirector.salud", "Subdirector de Salud", "SAL")
        make_person("contratista.hacienda", "Contratista de Hacienda", "HAC")

        def names(delegator: str, kind: StepKind) -> set[str]:
            return {u.username for u in eligible_delegates(db.session, get_user(delegator), kind)}

        assert names("jefe.salud", StepKind.JEFE) == {"enlace.salud", "subdirector.salud"}
        assert names("jefe.hacienda", StepKind.JEFE) == {"contratista.hacienda", "enlace.hacienda"}
        assert names("lider.ed", StepKind.APROBADOR) == {"secretario"}
        assert names("seguridad", StepKind.SEGURIDAD) == set()
        make_person("seguridad2", "Segunda Persona de Seguridad", "TIC", (Role.SEGURIDAD, None))
        assert names("seguridad", StepKind.SEGURIDAD) == {"seguridad2"}


def test_the_picker_offers_only_eligible_people(app) -> None:
    with app.app_context():
        make_person("subdirector.salud", "Subdirector de Salud", "SAL")
        ids = {u: get_user(u).id for u in ("subdirector.salud", "enlace.salud", "control.interno", "secretario", "agente")}
    jefe = app.test_client()
    login(jefe, "jefe.salud")
    page = jefe.get("/solicitudes/delegaciones").get_data(as_text=True)
    offered = set(re.findall(r'<option[^>]*value="([a-z]+:\d+)"', page))
    assert offered == {f"jefe:{ids['subdirector.salud']}", f"jefe:{ids['enlace.salud']}"}

    lider = app.test_client()
    login(lider, "lider.ed")
    page = lider.get("/solicitudes/delegaciones").get_data(as_text=True)
    assert set(re.findall(r'<option[^>]*value="([a-z]+:\d+)"', page)) == {f"aprobador:{ids['secretario']}"}
    # a value the picker did not offer is refused before reaching the service
    token = csrf_token(lider, "/solicitudes/delegaciones")
    today = local_date(utcnow())
    for forged in (f"aprobador:{ids['control.interno']}", f"aprobador:{ids['agente']}"):
        response = lider.post(
            "/solicitudes/delegaciones",
            data={"csrf_token": token, "delegate": forged, "starts_on": today.isoformat(), "ends_on": today.isoformat()},
        )
        assert response.status_code == 400
    with app.app_context():
        assert db.session.execute(select(Delegation)).scalars().all() == []


def test_control_interno_cannot_open_the_delegations_page(app) -> None:
    control = app.test_client()
    login(control, "control.interno")
    assert control.get("/solicitudes/delegaciones").status_code == 403


def test_delegate_mailed_on_creation_delegator_mailed_when_decided_on_their_behalf(app, tmp_path) -> None:
    with app.app_context():
        delegate_to("lider.ed", "secretario", StepKind.APROBADOR)
        created = mails_to(tmp_path, "secretario@valledelcauca.gov.co")
        assert len(created) == 1 and "le delegó sus aprobaciones" in created[0]
        request_id = build_request(state=RequestState.EN_APROBACION)
        edge(
            lambda: decide_step(
                db.session, fetch(request_id), actor=get_user("secretario"), decision=Decision.APROBAR, comment=None, now=utcnow()
            )
        )
        number = fetch(request_id).number
        told = [t for t in mails_to(tmp_path, "lider.ed@valledelcauca.gov.co") if "decidió en su nombre" in t]
        assert len(told) == 1 and number in told[0] and "aprobado" in told[0]


def test_ending_a_delegation_early_is_audited_mailed_and_takes_the_power_away(app, tmp_path) -> None:
    with app.app_context():
        delegation = delegate_to("lider.ed", "secretario", StepKind.APROBADOR)
        request_id = build_request(state=RequestState.EN_APROBACION)
        today = local_date(utcnow())
        assert available_actions(db.session, get_user("secretario"), fetch(request_id), today).decide
        delegation_id = delegation.id
        with pytest.raises(NotAllowed):
            end_delegation(
                db.session, db.session.get(Delegation, delegation_id), actor=get_user("secretario"), reason=None, now=utcnow()
            )
        db.session.rollback()

    lider = app.test_client()
    login(lider, "lider.ed")
    token = csrf_token(lider, "/solicitudes/delegaciones")
    response = lider.post(
        f"/solicitudes/delegaciones/{delegation_id}/terminar", data={"csrf_token": token, "reason": "Regresó de vacaciones"}
    )
    assert response.status_code == 303
    with app.app_context():
        ended = db.session.get(Delegation, delegation_id)
        assert ended.revoked_at is not None and ended.revoked_by.username == "lider.ed"
        assert ended.revoke_reason == "Regresó de vacaciones"
        audit = db.session.execute(select(AuditEvent).where(AuditEvent.action == "delegacion.terminar")).scalar_one()
        assert (audit.actor_name, audit.after["reason"]) == ("lider.ed", "Regresó de vacaciones")
        assert not available_actions(db.session, get_user("secretario"), fetch(request_id), today).decide
        assert any("terminó antes de tiempo" in t for t in mails_to(tmp_path, "secretario@valledelcauca.gov.co"))


def test_two_delegations_of_one_kind_may_not_overlap(app) -> None:
    with app.app_context():
        make_person("subdirector.salud", "Subdirector de Salud", "SAL")
        delegate_to("jefe.salud", "subdirector.salud", StepKind.JEFE)
        with pytest.raises(ValidationFailed):
            delegate_to("jefe.salud", "enlace.salud", StepKind.JEFE)


def test_the_migration_splits_old_delegations_per_kind_and_ends_ineligible_ones(tmp_path) -> None:
    """Rows from before the rules: one per kind the delegator holds, the ineligible ones ended."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from portal import create_app
    from tests.conftest import app_config

    app = create_app(app_config(tmp_path, f"sqlite:///{tmp_path / 'old.sqlite'}"))
    with app.app_context():
        upgrade(revision="b94ec9d92013")
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO dependencies (id, code, name, kind, is_active, created_at) VALUES (1, 'SAL', 'Salud', 'secretaria', 1, '2026-01-01')"
                )
            )
            people = [(1, "jefe", 1), (2, "control", None), (3, "sub", 1), (4, "lider", None), (5, "secre", None)]
            for uid, name, dep in people:
                conn.execute(
                    sa.text(
                        "INSERT INTO users (id, username, full_name, dependency_id, is_active_account, created_at) VALUES (:i, :u, :u, :d, 1, '2026-01-01')"
                    ),
                    {"i": uid, "u": name, "d": dep},
                )
            for uid, role, dep in [
                (1, "jefe", 1),
                (1, "aprobador", None),
                (2, "control_interno", None),
                (4, "aprobador", None),
                (5, "secretario", None),
            ]:
                conn.execute(
                    sa.text(
                        "INSERT INTO role_assignments (user_id, role, dependency_id, created_at) VALUES (:u, :r, :d, '2026-01-01')"
                    ),
                    {"u": uid, "r": role, "d": dep},
                )
            for did, delegator, delegate in [(1, 1, 3), (2, 4, 2), (3, 4, 5)]:
                conn.execute(
                    sa.text(
                        "INSERT INTO delegations (id, delegator_id, delegate_id, starts_on, ends_on, created_at) VALUES (:i, :a, :b, '2026-01-01', '2027-01-01', '2026-01-01')"
                    ),
                    {"i": did, "a": delegator, "b": delegate},
                )
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT delegator_id, delegate_id, step_kind, revoked_at IS NOT NULL, revoke_reason FROM delegations ORDER BY delegator_id, delegate_id, step_kind"
                )
            ).all()
        db.engine.dispose()
    ended = "Terminada al aplicar las reglas de delegación: la persona delegada no puede recibir este paso."
    assert [tuple(r) for r in rows] == [
        (1, 3, "aprobador", True, ended),  # the jefe's subordinate may sign as jefe, not as aprobador
        (1, 3, "jefe", False, None),
        (4, 2, "aprobador", True, ended),  # Control Interno never decides
        (4, 5, "aprobador", False, None),
    ]
