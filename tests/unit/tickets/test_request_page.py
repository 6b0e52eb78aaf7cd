"""The top of a request's page says who must act and until when, and a return's reason stands out
(issue 17): the person by name and what they are for this step, and the step's ANS due time in prose.
"""

from __future__ import annotations

import html
import re

from portal.db import utcnow
from portal.extensions import db
from portal.i18n import due_phrase
from portal.models import Dependency
from sla.services import request_sla_summary
from tests.unit.tickets.factories import REASON, fetch, get_user, jefe_of
from tests.unit.tickets.test_queue_queries import client_for
from tickets.models import RequestForm, RequestState
from tickets.services.decisions import current_step


def top_line(page: str) -> str:
    found = re.search(r"<p [^>]*data-waiting-for>(.*?)</p>", page, re.S)
    assert found, "the page must say who must act"
    return html.unescape(found.group(1)).strip()


def test_a_filed_request_names_the_jefe_who_must_sign_and_when_the_step_falls_due(app, make_request) -> None:
    request_id = make_request(form=RequestForm.CREACION, state=RequestState.RADICADA)
    with app.test_request_context():
        request = fetch(request_id)
        step = current_step(db.session, request)
        assert step is not None
        rows = [r for r in request_sla_summary(db.session, request, utcnow()) if r["step_id"] == step.id]
        assert rows and rows[0]["due_at"] is not None, "the jefe's step runs an ANS timer"
        due = due_phrase(rows[0]["due_at"])
        jefe = get_user(jefe_of("SAL")).full_name
        dependency = db.session.get(Dependency, request.dependency_id)
        assert dependency is not None
        expected = f"Espera la firma de {jefe} (Jefe de la dependencia, {dependency.name}) — vence {due}"
    assert re.search(r"^el \w+ \d{1,2} de \w+ (de \d{4} )?a las? \d{1,2}:\d{2}\s(a\.\sm\.|p\.\sm\.|m\.)$", due), due

    for username in ("enlace.salud", "jefe.salud", "lider.ed"):
        page = client_for(app, username).get(f"/solicitudes/{request_id}").get_data(as_text=True)
        assert top_line(page) == expected, username
        # it comes before the request's data, where a person looks first
        assert page.index("data-waiting-for") < page.index('id="datos"')


def test_a_request_with_no_step_waiting_has_no_such_line(app, make_request, login_as) -> None:
    request_id = make_request(form=RequestForm.CREACION, state=RequestState.BORRADOR)
    page = login_as("enlace.salud").get(f"/solicitudes/{request_id}").get_data(as_text=True)
    assert "data-waiting-for" not in page
    assert "Espera la firma" not in page


def test_a_returned_request_shows_the_reason_at_the_top(app, make_request, login_as) -> None:
    request_id = make_request(form=RequestForm.CREACION, state=RequestState.DEVUELTA)
    with app.app_context():
        jefe = get_user(jefe_of("SAL")).full_name
    page = login_as("enlace.salud").get(f"/solicitudes/{request_id}").get_data(as_text=True)
    box = re.search(r"<div [^>]*data-return-reason>(.*?)</div>", page, re.S)
    assert box, "a returned request shows why, in its own box"
    text = html.unescape(re.sub(r"<[^>]+>", " ", box.group(1)))
    assert REASON in text and jefe in text
    assert page.index("data-return-reason") < page.index('id="datos"')
    assert "data-waiting-for" not in page  # nobody signs while the requester corrects it
