"""Committee sessions: programming, the orden del día, guests, cancellation, the yearly plan, members."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from catalog import services
from catalog.models import Initiative, InitiativeState
from committee import members
from committee.models import AgendaItemKind, CommitteeSession, SessionKind, SessionState
from committee.sessions import agenda, plan
from committee.sessions import services as sessions
from portal.errors import NotAllowed, ValidationFailed, WrongState
from portal.extensions import db
from tests.unit.catalog.factories import NOW, make_initiative, make_session, user


def session_of(session_id: int) -> CommitteeSession:
    return db.session.execute(
        select(CommitteeSession).where(CommitteeSession.id == session_id).execution_options(populate_existing=True)
    ).scalar_one()


def kinds(session_id: int) -> list[str]:
    return [i.kind.value for i in agenda.agenda_items(db.session, session_of(session_id))]


def test_a_session_starts_with_the_fixed_agenda_and_a_stable_uid(app) -> None:
    with app.app_context():
        session_id = make_session()
        committee_session = session_of(session_id)
        assert committee_session.ics_uid == f"sesion-{session_id}@valledelcauca.gov.co"
        assert committee_session.label == "Sesión ordinaria N.º 1 de 2026"
        assert committee_session.state is SessionState.PROGRAMADA
        assert kinds(session_id) == ["verificacion_quorum", "acta_anterior", "seguimiento_compromisos", "proposiciones_varios"]
        assert committee_session.requested_inputs  # the profile's default inputs
        second = session_of(make_session(day=date(2026, 6, 5)))
        assert second.number == 2


def test_the_agenda_takes_postulated_initiatives_before_other_business_and_reorders(app) -> None:
    with app.app_context():
        session_id = make_session()
        salud = make_initiative(InitiativeState.POSTULADA, "SAL")
        hacienda = make_initiative(InitiativeState.POSTULADA, "HAC")
        st = user("st.mesa")
        for initiative_id in (salud, hacienda):
            agenda.add_initiative_to_agenda(
                db.session, session_of(session_id), db.session.get(Initiative, initiative_id), actor=st, now=NOW
            )
        agenda.add_topic(db.session, session_of(session_id), actor=st, title="Presentación del avance del PETI", now=NOW)
        db.session.commit()
        assert kinds(session_id) == [
            "verificacion_quorum",
            "acta_anterior",
            "seguimiento_compromisos",
            "iniciativa",
            "iniciativa",
            "tema",
            "proposiciones_varios",
        ]
        assert db.session.get(Initiative, salud).state is InitiativeState.EN_AGENDA
        items = agenda.agenda_items(db.session, session_of(session_id))
        assert [i.position for i in items] == list(range(1, 8))
        # the Hacienda initiative goes first among the initiatives
        agenda.move_agenda_item(db.session, session_of(session_id), items[4].id, actor=st, offset=-1, now=NOW)
        db.session.commit()
        titles = [i.title for i in agenda.agenda_items(db.session, session_of(session_id))]
        assert "Secretaría de Hacienda" in titles[3] and "Secretaría de Salud" in titles[4]
        ids = [i.id for i in agenda.agenda_items(db.session, session_of(session_id))]
        with pytest.raises(ValidationFailed, match="quórum"):
            agenda.reorder_agenda(db.session, session_of(session_id), ids[1:2] + ids[:1] + ids[2:], actor=st, now=NOW)
        db.session.rollback()
        with pytest.raises(ValidationFailed, match="último"):
            agenda.reorder_agenda(db.session, session_of(session_id), ids[:-2] + ids[-1:] + ids[-2:-1], actor=st, now=NOW)
        db.session.rollback()
        with pytest.raises(ValidationFailed, match="una sola vez"):
            agenda.reorder_agenda(db.session, session_of(session_id), ids[:-1], actor=st, now=NOW)
        db.session.rollback()
        # the secretariat may move the previous acta after the initiatives
        new_order = [ids[0], ids[2], ids[3], ids[4], ids[1], ids[5], ids[6]]
        agenda.reorder_agenda(db.session, session_of(session_id), new_order, actor=st, now=NOW)
        db.session.commit()
        assert [i.id for i in agenda.agenda_items(db.session, session_of(session_id))] == new_order


def test_removing_an_initiative_puts_it_back_as_postulated_fixed_items_stay(app) -> None:
    with app.app_context():
        session_id = make_session()
        initiative_id = make_initiative(InitiativeState.EN_AGENDA, session_id=session_id)
        st = user("st.mesa")
        items = agenda.agenda_items(db.session, session_of(session_id))
        with pytest.raises(WrongState, match="punto fijo"):
            agenda.remove_agenda_item(db.session, session_of(session_id), items[0].id, actor=st, now=NOW)
        db.session.rollback()
        initiative_item = next(i for i in items if i.kind is AgendaItemKind.INICIATIVA)
        agenda.remove_agenda_item(db.session, session_of(session_id), initiative_item.id, actor=st, now=NOW)
        db.session.commit()
        assert db.session.get(Initiative, initiative_id).state is InitiativeState.POSTULADA
        assert [i.position for i in agenda.agenda_items(db.session, session_of(session_id))] == [1, 2, 3, 4]
        # deferred in this session, it cannot come back to the same agenda
        agenda.add_initiative_to_agenda(
            db.session, session_of(session_id), db.session.get(Initiative, initiative_id), actor=st, now=NOW
        )
        services.record_outcome(
            db.session,
            db.session.get(Initiative, initiative_id),
            actor=st,
            outcome=InitiativeState.APLAZADA,
            note="Falta el estudio de mercado",
            now=NOW,
        )
        db.session.commit()
        with pytest.raises(WrongState, match="ya está en el orden del día"):
            agenda.add_initiative_to_agenda(
                db.session, session_of(session_id), db.session.get(Initiative, initiative_id), actor=st, now=NOW
            )


@pytest.mark.parametrize("who", ["secretario", "integrante1", "enlace.salud", "admin", "control.interno"])
def test_only_the_technical_secretariat_programs_and_changes_sessions(app, who: str) -> None:
    with app.app_context():
        session_id = make_session()
        data = sessions.SessionData(kind=SessionKind.ORDINARIA, day=date(2026, 4, 10), start_time=NOW.time(), end_time=NOW.time())
        from tests.unit.catalog.factories import context

        with pytest.raises(NotAllowed):
            sessions.create_session(db.session, actor=user(who), data=data, context=context(), now=NOW)
        with pytest.raises(NotAllowed):
            agenda.add_topic(db.session, session_of(session_id), actor=user(who), title="Un tema cualquiera", now=NOW)
        with pytest.raises(NotAllowed):
            sessions.cancel_session(
                db.session, session_of(session_id), actor=user(who), reason="Motivo suficiente", context=context(), now=NOW
            )


def test_an_extraordinary_session_records_who_asked_and_why(app) -> None:
    from tests.unit.catalog.factories import context

    with app.app_context():
        bare = sessions.SessionData(
            kind=SessionKind.EXTRAORDINARIA,
            day=date(2026, 3, 4),
            start_time=NOW.time(),
            end_time=NOW.time().replace(hour=18),
            place="Sala 1",
        )
        with pytest.raises(ValidationFailed) as refused:
            sessions.create_session(db.session, actor=user("st.mesa"), data=bare, context=context(), now=NOW)
        assert {"requested_by_member_id", "extraordinary_reason"} <= set(refused.value.fields)
        member = next(m for m in members.active_members(db.session) if m.user.username == "integrante2")
        bare.requested_by_member_id = member.id
        bare.extraordinary_reason = "Decidir la respuesta a un incidente de ciberseguridad."
        created = sessions.create_session(db.session, actor=user("st.mesa"), data=bare, context=context(), now=NOW)
        db.session.commit()
        assert created.requested_by is not None and created.requested_by.user.username == "integrante2"
        assert created.label == "Sesión extraordinaria N.º 1 de 2026"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"day": date(2026, 3, 1)}, "day"),
        ({"place": None, "virtual_link": None}, "place"),
        ({"place": None, "virtual_link": "http://reunion.example/abc"}, "virtual_link"),
    ],
)
def test_session_data_is_validated(app, changes: dict[str, object], field: str) -> None:
    with app.app_context(), pytest.raises(ValidationFailed) as refused:
        make_session(**changes)  # type: ignore[arg-type]
    assert field in refused.value.fields


def test_the_yearly_plan_warns_about_quarters_without_an_ordinary_session(app) -> None:
    with app.app_context():
        make_session(day=date(2026, 3, 20))
        make_session(kind=SessionKind.EXTRAORDINARIA, day=date(2026, 5, 8))
        cancelled = make_session(day=date(2026, 8, 14))
        from tests.unit.catalog.factories import context

        sessions.cancel_session(
            db.session,
            session_of(cancelled),
            actor=user("st.mesa"),
            reason="Cruce con el consejo de gobierno",
            context=context(),
            now=NOW,
        )
        db.session.commit()
        quarters = plan.year_plan(db.session, 2026)
        assert [q.has_ordinary for q in quarters] == [True, False, False, False]
        assert [(q.first_day, q.last_day) for q in quarters][1] == (date(2026, 4, 1), date(2026, 6, 30))
        warnings = plan.quarter_warnings(db.session, date(2026, 7, 15))
        assert [w.message for w in warnings] == [
            "El II trimestre de 2026 terminó sin sesión ordinaria.",
            "El III trimestre de 2026 no tiene sesión ordinaria programada.",
            "El IV trimestre de 2026 no tiene sesión ordinaria programada.",
        ]


def test_cancelling_releases_the_agenda(app) -> None:
    from tests.unit.catalog.factories import context

    with app.app_context():
        session_id = make_session()
        initiative_id = make_initiative(InitiativeState.EN_AGENDA, session_id=session_id)
        with pytest.raises(ValidationFailed):
            sessions.cancel_session(
                db.session, session_of(session_id), actor=user("st.mesa"), reason="", context=context(), now=NOW
            )
        sessions.cancel_session(
            db.session,
            session_of(session_id),
            actor=user("st.mesa"),
            reason="Falta de quórum previsto",
            context=context(),
            now=NOW,
        )
        db.session.commit()
        assert session_of(session_id).state is SessionState.CANCELADA
        assert db.session.get(Initiative, initiative_id).state is InitiativeState.POSTULADA
        with pytest.raises(WrongState):
            agenda.add_topic(db.session, session_of(session_id), actor=user("st.mesa"), title="Un tema más", now=NOW)


def test_members_one_chair_who_is_the_head_of_the_it_office(app) -> None:
    with app.app_context():
        seats = members.active_members(db.session)
        assert seats[0].user.username == "secretario" and seats[0].is_chair and seats[0].is_voting
        assert {m.user.username for m in seats if not m.is_voting} == {"control.interno", "st.mesa"}
        assert [m.user.username for m in seats if m.is_technical_secretariat] == ["st.mesa"]
        admin = user("admin")
        lider = user("lider.ed")
        with pytest.raises(ValidationFailed) as refused:
            members.save_committee_member(
                db.session, actor=admin, data=members.MemberData(user_id=lider.id, position="Líder", is_chair=True)
            )
        assert "is_chair" in refused.value.fields
        with pytest.raises(ValidationFailed) as refused:
            members.save_committee_member(
                db.session, actor=admin, data=members.MemberData(user_id=user("integrante1").id, position="Otra")
            )
        assert "user_id" in refused.value.fields
        with pytest.raises(NotAllowed):
            members.save_committee_member(
                db.session, actor=user("st.mesa"), data=members.MemberData(user_id=lider.id, position="Líder")
            )
        added = members.save_committee_member(
            db.session,
            actor=admin,
            data=members.MemberData(user_id=lider.id, position="Líder de economía digital", is_voting=False),
        )
        db.session.commit()
        assert added in members.active_members(db.session)
