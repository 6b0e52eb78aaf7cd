"""Sessions end on the server: logout, password change, disabling, the administrator's button,
the absolute lifetime; a copied cookie stops working; the user loads in one query."""

from __future__ import annotations

from sqlalchemy import event, select

from portal import services
from portal.extensions import db
from portal.models import AuditEvent, User
from tests.conftest import csrf_token, login

COOKIE = "mesatic_session"


def _cookie(client) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


def _replay(app, value: str, path: str = "/"):
    thief = app.test_client()
    thief.set_cookie(COOKIE, value)
    return thief.get(path)


def _logout(client) -> None:
    assert client.post("/salir", data={"csrf_token": csrf_token(client, "/")}).status_code == 302


def test_a_cookie_copied_before_logout_no_longer_works(app, login_as):
    client = login_as("jefe.salud")
    stolen = _cookie(client)
    assert _replay(app, stolen).status_code == 200  # the copy works while the session lives
    _logout(client)
    replayed = _replay(app, stolen)
    assert replayed.status_code == 302 and "/ingresar" in replayed.headers["Location"]


def test_a_replayed_cookie_gets_a_spanish_notice_and_its_session_is_forgotten(app, login_as):
    client = login_as("agente")
    stolen = _cookie(client)
    _logout(client)
    thief = app.test_client()
    thief.set_cookie(COOKIE, stolen)
    response = thief.get("/", follow_redirects=True)
    assert "Su sesión fue cerrada. Ingrese de nuevo." in response.get_data(as_text=True)


def test_a_cookie_does_not_work_from_another_browser(app, login_as):
    client = login_as("agente")
    thief = app.test_client()
    thief.set_cookie(COOKIE, _cookie(client))
    assert thief.get("/", headers={"User-Agent": "OtroNavegador/1.0"}).status_code == 302
    assert client.get("/").status_code == 200


def test_absolute_lifetime_ends_an_active_session(make_app):
    app = make_app()
    client = app.test_client()
    assert login(client, "agente").status_code == 302
    lifetime = app.config["SESSION_MAX_LIFETIME"].total_seconds()
    assert lifetime == 12 * 3600
    with client.session_transaction() as sess:
        sess["login_at"] = sess["login_at"] - lifetime - 1  # logged in 12 h ago, active a second ago
    response = client.get("/")
    assert response.status_code == 302 and "/ingresar" in response.headers["Location"]
    assert "duración máxima" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_activity_keeps_a_session_alive_within_the_absolute_lifetime(make_app):
    app = make_app()
    client = app.test_client()
    login(client, "agente")
    with client.session_transaction() as sess:
        sess["login_at"] = sess["login_at"] - 11 * 3600
    assert client.get("/").status_code == 200


def test_the_session_cookie_is_not_permanent(client):
    """A permanent session would turn Flask-Login's strong protection into a mere warning."""
    response = login(client, "agente")
    cookie = response.headers.get("Set-Cookie", "")
    assert "Expires=" not in cookie and "Max-Age" not in cookie


def test_a_password_change_ends_the_sessions(app, login_as):
    client = login_as("admin")
    stolen = _cookie(client)
    with app.app_context():
        services.create_local_admin(
            db.session, username="admin", full_name="Administrador", email=None, password="Otra-clave-2026!"
        )
        db.session.commit()
    assert _replay(app, stolen).status_code == 302
    assert client.get("/").status_code == 302


def test_disabling_the_account_ends_its_sessions_and_its_tokens(app, login_as):
    client = login_as("enlace.salud")
    with app.app_context():
        user = services.find_user(db.session, "enlace.salud")
        token, _row = services.issue_api_token(db.session, actor=None, user=user, name="x")
        db.session.commit()
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    result = app.test_cli_runner().invoke(args=["users", "disable", "enlace.salud"])
    assert result.exit_code == 0, result.output
    assert client.get("/").status_code == 302
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert login(app.test_client(), "enlace.salud").status_code == 401
    assert app.test_cli_runner().invoke(args=["users", "enable", "enlace.salud"]).exit_code == 0
    assert login(app.test_client(), "enlace.salud").status_code == 302


def test_an_inactive_account_is_named_only_with_the_right_password(app):
    app.test_cli_runner().invoke(args=["users", "disable", "admin"])
    wrong = login(app.test_client(), "admin", "incorrecta").get_data(as_text=True)
    assert "Usuario o contraseña incorrectos." in wrong and "inactiva" not in wrong
    right = login(app.test_client(), "admin").get_data(as_text=True)
    assert "Su cuenta está inactiva" in right


def test_the_administrator_closes_every_session_of_a_person(app, login_as):
    victim = app.test_client()
    login(victim, "jefe.hacienda")
    admin = login_as("admin")
    page = admin.get("/administracion/usuarios?q=jefe.hacienda")
    assert page.status_code == 200 and "Cerrar todas las sesiones" in page.get_data(as_text=True)
    with app.app_context():
        user_id = services.find_user(db.session, "jefe.hacienda").id
    token = csrf_token(admin, "/administracion/usuarios")
    response = admin.post(f"/administracion/usuarios/{user_id}/cerrar-sesiones", data={"csrf_token": token})
    assert response.status_code == 303
    assert victim.get("/").status_code == 302
    assert admin.get("/").status_code == 200
    with app.app_context():
        event_ = db.session.execute(select(AuditEvent).where(AuditEvent.action == "sesion.cerrar_todas")).scalars().all()[-1]
        assert event_.actor_name == "admin" and event_.after == {"motivo": "administrador"}


def test_only_the_administrator_may_close_sessions_of_others(app, login_as):
    client = login_as("secretario")
    assert client.get("/administracion/usuarios").status_code == 403
    token = csrf_token(client, "/")
    assert client.post("/administracion/usuarios/1/cerrar-sesiones", data={"csrf_token": token}).status_code == 403


def test_the_cli_closes_every_session(app, login_as):
    client = login_as("lider.ed")
    assert app.test_cli_runner().invoke(args=["users", "end-sessions", "lider.ed"]).exit_code == 0
    assert client.get("/").status_code == 302


def test_logging_in_again_after_logout_works(app, login_as):
    client = login_as("agente")
    _logout(client)
    assert login(client, "agente").status_code == 302
    assert client.get("/").status_code == 200


def _statements_during(app, client, path: str) -> list[str]:
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return statements


def test_a_page_request_loads_the_user_and_its_roles_in_one_query(app, login_as):
    for username in ("jefe.salud", "admin", "seguridad"):
        client = app.test_client()
        login(client, username)
        statements = _statements_during(app, client, "/privacidad")  # a page that reads nothing itself
        assert len(statements) == 1, statements
        assert "role_assignments" in statements[0]


def test_an_api_request_loads_the_token_user_and_roles_in_one_query(app):
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == "jefe.salud")).scalar_one()
        token, _row = services.issue_api_token(db.session, actor=None, user=user, name="x")
        db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # first use: written once
    statements: list[str] = []
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", lambda _c, _cu, statement, *_a: statements.append(statement))
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert len(statements) == 1, statements


def test_every_role_of_a_user_is_loaded(app, bearer):
    """The single joined query loads the whole collection, not the first row's role only."""
    client = app.test_client()
    login(client, "seguridad")  # seguridad and integrante
    page = client.get("/").get_data(as_text=True)
    assert "Seguridad de la información" in page and "Integrante del comité" in page
    roles = app.test_client().get("/api/v1/me", headers=bearer("seguridad")).get_json()["roles"]
    assert {r["role"] for r in roles} == {"seguridad", "integrante"}


def _provision(app, form, action, username: str) -> None:
    from tests.unit.tickets.factories import build_request
    from tickets.models import RequestState
    from tickets.provisioning_models import JobState, ProvisioningJob
    from tickets.tasks import run_provisioning_job

    with app.app_context():
        build_request(form, state=RequestState.APROBADA, action=action, beneficiary_username=username, roles_to_add=[])
        ids = db.session.execute(select(ProvisioningJob.id).where(ProvisioningJob.state == JobState.PENDIENTE)).scalars().all()
    for job_id in ids:
        run_provisioning_job.apply(args=[job_id])


def test_a_reinitialised_password_ends_the_sessions_and_a_retirement_disables_the_account(app, bearer):
    from tickets.models import RequestAction, RequestForm

    person = app.test_client()
    assert login(person, "integrante5").status_code == 302
    headers = bearer("integrante5")
    _provision(app, RequestForm.CLAVE, RequestAction.INICIALIZAR, "integrante5")
    assert person.get("/").status_code == 302
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 200  # tokens are not sessions
    _provision(app, RequestForm.CREACION, RequestAction.RETIRAR, "integrante5")
    with app.app_context():
        assert not services.find_user(db.session, "integrante5").is_active_account
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401
    _provision(app, RequestForm.CREACION, RequestAction.ACTIVAR, "integrante5")
    with app.app_context():
        assert services.find_user(db.session, "integrante5").is_active_account
