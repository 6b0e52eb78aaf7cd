"""``flask directory import`` never blanks what the directory did not return (issue 15): an
attribute absent from one entry keeps the portal's value, a required attribute missing from most
entries refuses the whole import and names it, and new dependencies take the directory's name."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.models import Dependency, User

HEADER = """dn: ou=people,dc=demo,dc=gov,dc=co
objectClass: organizationalUnit
ou: people

dn: ou=dependencias,dc=demo,dc=gov,dc=co
objectClass: organizationalUnit
ou: dependencias

dn: ou=CUL,ou=dependencias,dc=demo,dc=gov,dc=co
objectClass: organizationalUnit
ou: CUL
description: Secretaria de Cultura

dn: ou=DEP,ou=dependencias,dc=demo,dc=gov,dc=co
objectClass: organizationalUnit
ou: DEP
ou: Secretaria del Deporte

"""


def _person(uid: str, *, mail: bool = True, title: str | None = "Profesional", ou: str = "SAL") -> str:
    lines = [f"dn: uid={uid},ou=people,dc=demo,dc=gov,dc=co", "objectClass: inetOrgPerson", f"uid: {uid}", f"cn: {uid}", "sn: x"]
    if mail:
        lines.append(f"mail: {uid}@valledelcauca.gov.co")
    if title:
        lines.append(f"title: {title}")
    lines.append(f"ou: {ou}")
    return "\n".join(lines) + "\n"


def _app(make_app, tmp_path: Path, people: list[str]) -> Flask:  # type: ignore[no-untyped-def]
    ldif = tmp_path / "directorio.ldif"
    ldif.write_text(HEADER + "\n".join(people), encoding="utf-8")
    return make_app(LDAP_DEMO_LDIF=str(ldif), LDAP_DEMO_STATE=str(tmp_path / "directorio.json"))  # type: ignore[no-any-return]


def _user(app: Flask, username: str) -> tuple[str | None, str | None, str | None]:
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        dependency = user.dependency.code if user.dependency else None
        return user.email, user.position, dependency


def test_an_attribute_absent_from_an_entry_keeps_the_stored_value(make_app, tmp_path: Path) -> None:
    app = _app(
        make_app,
        tmp_path,
        [_person("jefe.salud", mail=False, title=None), _person("enlace.hacienda", ou="HAC"), _person("persona1")],
    )
    email_before, position_before, _dep = _user(app, "jefe.salud")
    assert email_before and position_before
    result = app.test_cli_runner().invoke(args=["directory", "import"])
    assert result.exit_code == 0, result.output
    assert _user(app, "jefe.salud")[:2] == (email_before, position_before)
    assert _user(app, "enlace.hacienda")[:2] == ("enlace.hacienda@valledelcauca.gov.co", "Profesional")


def test_a_required_attribute_missing_from_most_entries_refuses_the_import_and_names_it(make_app, tmp_path: Path) -> None:
    people = [_person("jefe.salud", mail=False), _person("enlace.hacienda", mail=False, ou="HAC"), _person("persona1", ou="CUL")]
    app = _app(make_app, tmp_path, people)
    before = _user(app, "jefe.salud"), _user(app, "enlace.hacienda")
    result = app.test_cli_runner().invoke(args=["directory", "import"])
    assert result.exit_code != 0
    assert "No se importó nada" in result.output
    assert "mail falta en 2 de 3 entradas" in result.output and "revise las ACL" in result.output
    assert "title falta" not in result.output
    assert (_user(app, "jefe.salud"), _user(app, "enlace.hacienda")) == before
    with app.app_context():
        assert db.session.execute(select(User).where(User.username == "persona1")).scalar() is None
        assert db.session.execute(select(Dependency).where(Dependency.code == "CUL")).scalar() is None


def test_new_dependencies_take_their_name_from_the_directory(make_app, tmp_path: Path) -> None:
    people = [_person("persona1", ou="CUL"), _person("persona2", ou="DEP"), _person("persona3", ou="SINOU")]
    app = _app(make_app, tmp_path, people)
    result = app.test_cli_runner().invoke(args=["directory", "import"])
    assert result.exit_code == 0, result.output
    assert "dependencias nuevas: CUL, DEP, SINOU" in result.output
    with app.app_context():
        rows = db.session.execute(
            select(Dependency.code, Dependency.name).where(Dependency.code.in_(["CUL", "DEP", "SINOU"]))
        ).all()
        names = {code: name for code, name in rows}
    assert names == {
        "CUL": "Secretaria de Cultura",
        "DEP": "Secretaria del Deporte",
        "SINOU": "Dependencia SINOU (completar nombre)",
    }
    assert _user(app, "persona1")[2] == "CUL"


def test_a_directory_that_lists_nobody_is_refused_and_disables_nobody(make_app, tmp_path: Path) -> None:
    app = _app(make_app, tmp_path, [])
    with app.app_context():
        active = db.session.execute(select(User.username).where(User.is_active_account.is_(True))).scalars().all()
    result = app.test_cli_runner().invoke(args=["directory", "import"])
    assert result.exit_code != 0
    assert "ninguna persona" in result.output
    with app.app_context():
        still = db.session.execute(select(User.username).where(User.is_active_account.is_(True))).scalars().all()
    assert sorted(still) == sorted(active)
