"""Demo data for ``make run``: the profile's dependencies and the demo accounts (README)."""

from __future__ import annotations

from flask import current_app

from portal import services
from portal.db import DbSession
from portal.directory import Directory, DirectorySettings
from portal.models import Dependency, DependencyKind
from portal.roles import Role
from portal.shell import shell

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


def load_demo(session: DbSession, *, command: bool = False) -> list[str]:
    """Create what is missing; running it twice changes nothing. Returns what it did.

    After the shell's own dependencies and accounts, each domain package's demo loader runs in its
    order; ``command`` (``flask demo load``) also runs those meant for a first look at the portal
    (a session of the committee convened for today), which the test fixtures leave out.
    """
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

    it_office = services.find_dependency(session, profile.it_office_code)
    secretario = services.find_user(session, "secretario")
    if it_office is not None and secretario is not None and it_office.head_id is None:
        _set_head(session, it_office, secretario.id)

    for _order, loader, command_only in shell().demo_loaders:
        if command or not command_only:
            done += loader(session, profile)
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
