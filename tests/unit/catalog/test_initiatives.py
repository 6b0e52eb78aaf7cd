"""The initiative lifecycle (SPEC §6): codes, transitions, who may do what, validation, documents."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from catalog import execution, services
from catalog.models import Initiative, InitiativeEvent, InitiativeState
from committee.models import CommitteeSession
from committee.sessions import agenda
from portal.errors import NotAllowed, ValidationFailed, WrongState
from portal.extensions import db
from portal.models import AuditEvent
from portal.uploads import check_upload
from tests.unit.catalog.factories import NOW, REASON, initiative_data, mails, make_initiative, make_session, subject, user

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def get(initiative_id: int) -> Initiative:
    found = db.session.execute(
        select(Initiative).where(Initiative.id == initiative_id).execution_options(populate_existing=True)
    ).scalar_one()
    return found


def test_codes_are_yearly_and_gap_free(app) -> None:
    with app.app_context():
        enlace = user("enlace.salud")
        first = services.create_initiative(db.session, actor=enlace, data=initiative_data(), now=NOW)
        db.session.commit()
        # a registration that rolls back gives its number back
        services.create_initiative(db.session, actor=enlace, data=initiative_data(), now=NOW)
        db.session.rollback()
        second = services.create_initiative(db.session, actor=enlace, data=initiative_data(), now=NOW)
        # 23:30 of 31 December in Bogotá is already 2027 in UTC: the code follows the local year
        new_year_eve = datetime(2027, 1, 1, 4, 30, tzinfo=UTC)
        late = services.create_initiative(db.session, actor=enlace, data=initiative_data(), now=new_year_eve)
        next_year = services.create_initiative(
            db.session, actor=enlace, data=initiative_data(), now=new_year_eve + timedelta(hours=1)
        )
        db.session.commit()
        assert [first.code, second.code] == ["INI-2026-0001", "INI-2026-0002"]
        assert (late.code, late.year) == ("INI-2026-0003", 2026)
        assert (next_year.code, next_year.year) == ("INI-2027-0001", 2027)


def test_the_whole_lifecycle_with_history_and_audit(app, tmp_path) -> None:
    with app.app_context():
        initiative_id = make_initiative(InitiativeState.FINALIZADA)
        initiative = services.load_initiative_page(db.session, initiative_id)
        assert initiative is not None
        assert initiative.state is InitiativeState.FINALIZADA
        assert initiative.postulation_confirmed_by is not None and initiative.postulation_confirmed_by.username == "jefe.salud"
        assert initiative.decision_session_id is not None
        assert initiative.progress_percent == 100
        assert [e.kind for e in initiative.events] == [
            "registrada",
            "postulacion_solicitada",
            "postulada",
            "incluida_en_agenda",
            "decision_comite",
            "en_ejecucion",
            "avance_reportado",
            "finalizada",
        ]
        actions = db.session.execute(
            select(AuditEvent.action).where(AuditEvent.object_type == "iniciativa", AuditEvent.object_id == str(initiative_id))
        ).scalars()
        assert list(actions) == [
            "iniciativa.registrar",
            "iniciativa.solicitar_postulacion",
            "iniciativa.confirmar_postulacion",
            "iniciativa.incluir_en_agenda",
            "iniciativa.decision_comite",
            "iniciativa.iniciar_ejecucion",
            "iniciativa.reportar_avance",
            "iniciativa.finalizar",
        ]
    sent = {(subject(m), m["To"]) for m in mails(tmp_path)}
    assert any("postulación por confirmar" in title and "jefe.salud@" in to for title, to in sent)
    assert any("postulada al comité" in title and "st.mesa@" in to and "enlace.salud@" in to for title, to in sent)


def test_postulation_waits_for_the_head_who_may_return_it(app, tmp_path) -> None:
    with app.app_context():
        initiative_id = make_initiative(InitiativeState.REGISTRADA, pending=True)
        initiative = get(initiative_id)
        assert initiative.state is InitiativeState.REGISTRADA and initiative.is_postulation_pending
        # the enlace cannot edit what the head is looking at
        with pytest.raises(WrongState, match="pendiente de confirmación"):
            services.update_initiative(db.session, initiative, actor=user("enlace.salud"), data=initiative_data(), now=NOW)
        db.session.rollback()
        with pytest.raises(ValidationFailed):
            services.return_postulation(db.session, get(initiative_id), actor=user("jefe.salud"), reason="no", now=NOW)
        db.session.rollback()
        services.return_postulation(db.session, get(initiative_id), actor=user("jefe.salud"), reason=REASON, now=NOW)
        db.session.commit()
        initiative = get(initiative_id)
        assert not initiative.is_postulation_pending and initiative.state is InitiativeState.REGISTRADA
        # once returned it can be edited and postulated again
        services.update_initiative(
            db.session, initiative, actor=user("enlace.salud"), data=initiative_data(title="Nuevo alcance"), now=NOW
        )
        services.request_postulation(db.session, get(initiative_id), actor=user("enlace.salud"), now=NOW)
        services.confirm_postulation(db.session, get(initiative_id), actor=user("jefe.salud"), now=NOW)
        db.session.commit()
        assert get(initiative_id).state is InitiativeState.POSTULADA
    (returned,) = [m for m in mails(tmp_path) if "postulación devuelta" in subject(m)]
    assert returned["To"] == "enlace.salud@valledelcauca.gov.co"
    assert REASON in returned.get_content()


def test_an_incomplete_initiative_is_registered_but_not_postulated(app) -> None:
    with app.app_context():
        enlace = user("enlace.salud")
        data = initiative_data(
            enablers=[], estimated_budget=None, funding_source=None, start_date=None, end_date=None, sponsor=None
        )
        initiative = services.create_initiative(db.session, actor=enlace, data=data, now=NOW)
        db.session.commit()
        with pytest.raises(ValidationFailed) as refused:
            services.request_postulation(db.session, initiative, actor=enlace, now=NOW)
        assert set(refused.value.fields) == {
            "enablers",
            "estimated_budget",
            "funding_source",
            "start_date",
            "end_date",
            "sponsor",
        }


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "HCE"}, "title"),
        ({"description": "Muy corta"}, "description"),
        ({"estimated_budget": -1}, "estimated_budget"),
        ({"start_date": date(2026, 6, 1), "end_date": date(2026, 5, 1)}, "end_date"),
    ],
)
def test_registration_validates_the_card(app, overrides: dict[str, Any], field: str) -> None:
    with app.app_context(), pytest.raises(ValidationFailed) as refused:
        services.create_initiative(db.session, actor=user("enlace.salud"), data=initiative_data(**overrides), now=NOW)
    assert field in refused.value.fields


def _register(i: Initiative, who: str) -> Any:
    return services.create_initiative(db.session, actor=user(who), data=initiative_data("SAL"), now=NOW)


def _outcome(i: Initiative, who: str) -> Any:
    return services.record_outcome(db.session, i, actor=user(who), outcome=InitiativeState.APROBADA, note=None, now=NOW)


def _agenda(i: Initiative, who: str) -> Any:
    committee_session = db.session.execute(select(CommitteeSession).limit(1)).scalar_one()
    return agenda.add_initiative_to_agenda(db.session, committee_session, i, actor=user(who), now=NOW)


def _progress(i: Initiative, who: str) -> Any:
    return execution.report_progress(
        db.session, i, actor=user(who), reported_on=date(2026, 3, 1), percent=10, indicators="Diseño listo", risks=None, now=NOW
    )


#: transition -> (the state it starts from, the people who may, the people who may not)
TRANSITIONS: dict[str, tuple[InitiativeState, bool, Callable[[Initiative, str], Any], list[str], list[str]]] = {
    "registrar": (
        InitiativeState.REGISTRADA,
        False,
        _register,
        ["enlace.salud"],
        ["enlace.hacienda", "jefe.salud", "st.mesa", "admin"],
    ),
    "editar": (
        InitiativeState.REGISTRADA,
        False,
        lambda i, who: services.update_initiative(db.session, i, actor=user(who), data=initiative_data(), now=NOW),
        ["enlace.salud"],
        ["enlace.hacienda", "jefe.salud", "st.mesa"],
    ),
    "postular": (
        InitiativeState.REGISTRADA,
        False,
        lambda i, who: services.request_postulation(db.session, i, actor=user(who), now=NOW),
        ["enlace.salud"],
        ["enlace.hacienda", "jefe.salud", "secretario"],
    ),
    "confirmar": (
        InitiativeState.REGISTRADA,
        True,
        lambda i, who: services.confirm_postulation(db.session, i, actor=user(who), now=NOW),
        ["jefe.salud"],
        ["jefe.hacienda", "enlace.salud", "st.mesa", "secretario"],
    ),
    "incluir_en_agenda": (
        InitiativeState.POSTULADA,
        False,
        _agenda,
        ["st.mesa"],
        ["secretario", "enlace.salud", "jefe.salud", "integrante1"],
    ),
    "decidir": (
        InitiativeState.EN_AGENDA,
        False,
        _outcome,
        ["st.mesa", "secretario"],
        ["integrante1", "jefe.salud", "enlace.salud"],
    ),
    "iniciar": (
        InitiativeState.APROBADA,
        False,
        lambda i, who: execution.start_execution(db.session, i, actor=user(who), now=NOW),
        ["enlace.salud"],
        ["jefe.salud", "enlace.hacienda", "st.mesa"],
    ),
    "avance": (InitiativeState.EN_EJECUCION, False, _progress, ["enlace.salud"], ["jefe.salud", "enlace.hacienda", "st.mesa"]),
}


@pytest.mark.parametrize(
    ("transition", "who", "allowed"),
    [(name, who, True) for name, spec in TRANSITIONS.items() for who in spec[3]]
    + [(name, who, False) for name, spec in TRANSITIONS.items() for who in spec[4]],
)
def test_who_may_do_what(app, transition: str, who: str, allowed: bool) -> None:
    state, pending, action, _, _ = TRANSITIONS[transition]
    with app.app_context():
        make_session()
        initiative = get(make_initiative(state, pending=pending))
        if allowed:
            action(initiative, who)
            db.session.commit()
        else:
            with pytest.raises(NotAllowed):
                action(initiative, who)


#: transition -> (who acts, the states it is allowed from; a "+" marks registrada awaiting the head)
FROM_STATES: dict[str, tuple[str, set[str]]] = {
    "editar": ("enlace.salud", {"registrada"}),
    "postular": ("enlace.salud", {"registrada"}),
    "confirmar": ("jefe.salud", {"registrada+"}),
    "incluir_en_agenda": ("st.mesa", {"postulada", "aplazada"}),
    "decidir": ("st.mesa", {"en_agenda"}),
    "iniciar": ("enlace.salud", {"aprobada"}),
    "avance": ("enlace.salud", {"en_ejecucion"}),
}
ALL_STATES = ["registrada", "registrada+", *[s.value for s in InitiativeState if s is not InitiativeState.REGISTRADA]]


@pytest.mark.parametrize("state", ALL_STATES)
def test_each_transition_only_from_its_states(app, state: str) -> None:
    """Every transition from every state: allowed ones succeed, the others raise WrongState (409)."""
    with app.app_context():
        make_session(day=date(2026, 3, 27))
        for transition, (who, allowed_from) in FROM_STATES.items():
            initiative_id = make_initiative(InitiativeState(state.rstrip("+")), pending=state.endswith("+"))
            action = TRANSITIONS[transition][2]
            if state in allowed_from:
                action(get(initiative_id), who)
                db.session.commit()
            else:
                with pytest.raises(WrongState):
                    action(get(initiative_id), who)
                db.session.rollback()


def test_a_deferred_initiative_goes_on_a_later_agenda(app) -> None:
    with app.app_context():
        initiative_id = make_initiative(InitiativeState.APLAZADA)
        later = db.session.get(CommitteeSession, make_session(day=date(2026, 6, 5)))
        agenda.add_initiative_to_agenda(db.session, later, get(initiative_id), actor=user("st.mesa"), now=NOW)
        db.session.commit()
        assert get(initiative_id).state is InitiativeState.EN_AGENDA
        services.record_outcome(
            db.session, get(initiative_id), actor=user("secretario"), outcome=InitiativeState.APROBADA, note=None, now=NOW
        )
        db.session.commit()
        assert get(initiative_id).decision_session_id == later.id


def test_a_refusal_or_deferral_states_its_reason(app) -> None:
    with app.app_context():
        initiative_id = make_initiative(InitiativeState.EN_AGENDA)
        with pytest.raises(ValidationFailed):
            services.record_outcome(
                db.session, get(initiative_id), actor=user("st.mesa"), outcome=InitiativeState.RECHAZADA, note="", now=NOW
            )
        with pytest.raises(ValidationFailed):
            services.record_outcome(
                db.session, get(initiative_id), actor=user("st.mesa"), outcome=InitiativeState.FINALIZADA, note=REASON, now=NOW
            )


def test_progress_reports_and_finishing(app) -> None:
    with app.app_context():
        initiative_id = make_initiative(InitiativeState.EN_EJECUCION)
        enlace = user("enlace.salud")

        def report(percent: int, day: date) -> None:
            execution.report_progress(
                db.session,
                get(initiative_id),
                actor=enlace,
                reported_on=day,
                percent=percent,
                indicators="Indicador",
                risks="Ninguno",
                now=NOW,
            )
            db.session.commit()

        for bad in (-1, 101):
            with pytest.raises(ValidationFailed):
                report(bad, date(2026, 3, 1))
            db.session.rollback()
        with pytest.raises(ValidationFailed):
            report(50, date(2026, 3, 3))  # the cut-off date is tomorrow in Bogotá
        db.session.rollback()
        report(60, date(2026, 2, 27))
        report(40, date(2026, 2, 1))  # a late report of an earlier cut-off does not lower the progress
        assert get(initiative_id).progress_percent == 60
        with pytest.raises(ValidationFailed, match="60 %"):
            execution.finish_initiative(db.session, get(initiative_id), actor=enlace, note=None, now=NOW)
        db.session.rollback()
        report(100, date(2026, 3, 2))
        execution.finish_initiative(db.session, get(initiative_id), actor=enlace, note=None, now=NOW)
        db.session.commit()
        assert get(initiative_id).state is InitiativeState.FINALIZADA


def test_documents_are_pdf_checked_by_content(app) -> None:
    with app.app_context():
        initiative_id = make_initiative(InitiativeState.POSTULADA)
        document = services.add_document(
            db.session, get(initiative_id), actor=user("enlace.salud"), file=check_upload("ficha.pdf", PDF), now=NOW
        )
        db.session.commit()
        assert document.sha256 == check_upload("x.pdf", PDF).sha256
        with pytest.raises(ValidationFailed):
            check_upload("ficha.pdf", PNG)  # a PNG named .pdf
        with pytest.raises(ValidationFailed):
            services.add_document(
                db.session,
                get(initiative_id),
                actor=user("enlace.salud"),
                file=check_upload("foto.png", PNG, allowed=frozenset({"image/png"})),
                now=NOW,
            )
        with pytest.raises(NotAllowed):
            services.add_document(
                db.session, get(initiative_id), actor=user("enlace.hacienda"), file=check_upload("f.pdf", PDF), now=NOW
            )


def test_the_database_refuses_a_postulated_initiative_without_confirmation(app) -> None:
    with app.app_context():
        initiative_id = make_initiative(InitiativeState.REGISTRADA)
        with pytest.raises(IntegrityError):
            db.session.execute(text("UPDATE initiatives SET state = 'postulada' WHERE id = :id"), {"id": initiative_id})
        db.session.rollback()
        with pytest.raises(IntegrityError):
            db.session.execute(text("UPDATE initiatives SET progress_percent = 120 WHERE id = :id"), {"id": initiative_id})
        db.session.rollback()
        events = db.session.execute(select(InitiativeEvent).where(InitiativeEvent.initiative_id == initiative_id)).scalars().all()
        assert [e.kind for e in events] == ["registrada"]
