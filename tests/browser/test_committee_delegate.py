"""A delegate in real Chromium (SPEC §6): the secretariat registers the delegate of a member with the
official communication and the delegate's portal account; the delegate votes from its own device,
and once the acta is approved (tacitly) signs the approved version in the member's seat. The
approved PDF has no draft mark, says how it was approved and lists the signature with its code."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from committee import members
from committee import tick as mesa_tick
from committee.actas.models import ActaState, ActaVersion, CommitteeActa, CommitteeDeadline, DeadlineKind
from committee.demo import load_committee_demo
from committee.models import AgendaItem
from committee.room import services as meeting
from committee.room.models import VoteChoice
from portal.db import utcnow
from portal.extensions import db
from tests.browser.conftest import PageFactory, check_accessibility, login
from tests.browser.test_committee_room import convened_today
from tests.unit.catalog.factories import user
from tests.unit.committee.meeting_factories import PDF

DELEGATE = "agente"
DELEGATE_NAME = "Diana Muñoz Patiño"


@pytest.fixture(scope="module", autouse=True)
def committee(live_app: Flask) -> Iterator[None]:
    with live_app.app_context():
        load_committee_demo(db.session, live_app.config["PROFILE"])
        db.session.commit()
    yield


def arrives(st: Page, username: str) -> None:
    st.locator(f'[data-absent-member="{username}"]').get_by_role("button", name="Presente").click()
    expect(st.locator(f'[data-attendee="{username}"]')).to_be_visible()


def pdf_text(data: bytes) -> str:
    return re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def test_a_delegate_attends_votes_and_signs_the_approved_acta(new_page: PageFactory, live_server: str, live_app: Flask) -> None:
    session_id, _initiative_id, _code = convened_today(live_app)
    room_url = f"{live_server}/comite/sesiones/{session_id}/sala"
    with live_app.app_context():
        seat = next(m for m in members.active_members(db.session) if m.user.username == "integrante1")
        member_name, seat_label = seat.user.full_name, f"{seat.user.full_name} — {seat.position}"

    st = new_page()
    login(st, live_server, "st.mesa")
    st.goto(room_url)
    st.get_by_role("button", name="Instalar la sesión").click()
    expect(st.locator("[data-session-state]")).to_have_text("En curso")
    for username in ("secretario", "integrante2", "seguridad"):
        arrives(st, username)

    # integrante1 sends a delegate, with the official communication and the delegate's account
    st.get_by_text("Registrar un delegado").click()
    st.get_by_label("Integrante que delega").select_option(label=seat_label)
    st.get_by_label("Nombre del delegado").fill(DELEGATE_NAME)
    st.get_by_label("Cargo del delegado").fill("Técnico de mesa de servicio")
    st.get_by_label("Cuenta del delegado en el portal (para votar y firmar)").select_option(label=f"{DELEGATE_NAME} ({DELEGATE})")
    st.get_by_label("Comunicación oficial de la delegación (PDF, máximo 10 MB)").set_input_files(
        files=[{"name": "delegacion.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    st.get_by_role("button", name="Registrar delegado").click()
    expect(st.get_by_role("status").filter(has_text="Delegado registrado")).to_be_visible()
    delegate_row = st.locator(f'[data-attendee="{DELEGATE_NAME}"]')
    expect(delegate_row).to_have_attribute("data-kind", "delegado")
    expect(delegate_row).to_contain_text(f"Delegado de {member_name}")
    expect(st.locator("[data-quorum]")).to_have_attribute("data-quorum", "si")

    st.locator('[data-head="SAL"]').get_by_role("button", name="Presente").click()
    expect(st.locator('[data-head="SAL"]')).to_have_attribute("data-head-present", "si")
    item = '[data-item-kind="iniciativa"]'
    st.locator(item).get_by_role("button", name="Abrir votación").click()
    expect(st.get_by_role("status").filter(has_text="Votación abierta")).to_be_visible()

    # the delegate votes for integrante1 from its own device
    delegate = new_page()
    login(delegate, live_server, DELEGATE)
    delegate.goto(room_url)
    legend = delegate.locator(f"{item} [data-my-vote] legend")
    expect(legend).to_contain_text(f"como delegado de {member_name}")
    delegate.locator(f"{item} [data-my-vote]").get_by_role("button", name="A favor").click()
    expect(delegate.get_by_role("status").filter(has_text="Voto registrado")).to_be_visible()
    expect(legend).to_contain_text("registrado: A favor")

    with live_app.app_context():
        item_id = db.session.execute(
            select(AgendaItem.id).where(AgendaItem.session_id == session_id, AgendaItem.initiative_id.is_not(None))
        ).scalar_one()
        for username in ("secretario", "integrante2"):
            meeting.cast_vote(
                db.session, db.session.get(AgendaItem, item_id), actor=user(username), choice=VoteChoice.A_FAVOR, now=utcnow()
            )
            db.session.commit()

    # the secretariat sees the delegate's own vote, and cannot overwrite it
    st.goto(room_url)
    st.locator(item).get_by_text("Registrar votos dados en voz alta").click()
    expect(st.locator(f'{item} [data-voter="integrante1"] [data-own-vote]')).to_contain_text(
        f"A favor · votó desde su dispositivo ({DELEGATE_NAME})"
    )
    st.locator(item).get_by_role("button", name="Cerrar la votación").click()
    expect(st.locator(f"{item} [data-outcome]")).to_have_attribute("data-outcome", "aprobada")
    st.once("dialog", lambda dialog: dialog.accept())
    st.get_by_role("button", name="Cerrar la sesión").click()
    expect(st.locator("[data-session-state]")).to_have_text("Realizada")
    st.locator("[data-acta-link]").click()
    st.get_by_role("button", name="Enviar proyecto de acta").click()
    expect(st.locator("[data-acta-state]")).to_have_attribute("data-acta-state", "enviada")

    # nobody observes: the acta is approved tacitly once the period ends
    with live_app.app_context():
        acta = db.session.execute(select(CommitteeActa).where(CommitteeActa.session_id == session_id)).scalar_one()
        acta_id = acta.id
        due = db.session.execute(
            select(CommitteeDeadline.due_at).where(
                CommitteeDeadline.acta_id == acta_id, CommitteeDeadline.kind == DeadlineKind.OBSERVACIONES
            )
        ).scalar_one()
        assert mesa_tick.tick(db.session, due + timedelta(seconds=1)).tacit == [acta_id]
        db.session.commit()
        code = db.session.execute(
            select(ActaVersion.sha256).where(ActaVersion.acta_id == acta_id, ActaVersion.number == 2)
        ).scalar_one()

    acta_url = f"{live_server}/comite/actas/{acta_id}"
    signer = new_page(bypass_csp=True)
    login(signer, live_server, DELEGATE)
    signer.goto(acta_url)
    expect(signer.locator("[data-acta-state]")).to_have_attribute("data-acta-state", "aprobada")
    expect(signer.locator("[data-approval]")).to_contain_text("Aprobada tácitamente el")
    expect(signer.get_by_role("region", name="Suscribir el acta", exact=True)).to_contain_text(
        f"en representación de {member_name}"
    )
    check_accessibility(signer)
    signer.get_by_role("button", name="Suscribir el acta").click()
    expect(signer.get_by_role("status").filter(has_text="Acta suscrita")).to_be_visible()
    signature = signer.locator("[data-signature]").filter(has_text=DELEGATE_NAME)
    expect(signature).to_contain_text(code)
    expect(signature).to_contain_text(f"en representación de {member_name}")
    check_accessibility(signer)

    approved = signer.request.get(f"{acta_url}/versiones/2.pdf")
    assert approved.ok
    text = pdf_text(approved.body())
    assert "BORRADOR" not in text and "Aprobada tácitamente el" in text
    assert f"Firmado en el portal por {DELEGATE_NAME} (Técnico de mesa de servicio, en representación de {member_name}" in text
    assert code in text
    with live_app.app_context():
        assert db.session.get(CommitteeActa, acta_id).state is ActaState.APROBADA  # type: ignore[union-attr]
