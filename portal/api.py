"""API plumbing under ``/api/v1`` (flask-smorest) and the portal's own endpoints.

Authentication is by personal token only (``Authorization: Bearer …``, see ``portal.login``), so
API blueprints are exempt from CSRF. Errors are ``application/problem+json`` (``portal.errors``).
The OpenAPI document is generated from these declarations at ``/api/v1/openapi.json``.
"""

from __future__ import annotations

import http
from typing import Any

from flask import Flask, abort
from flask_login import current_user
from flask_smorest import Api, Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from portal import permissions, services
from portal.extensions import csrf, db
from portal.hygiene import MAX_URL_INT
from portal.models import Dependency, DependencyKind
from portal.permissions import roles_required
from portal.roles import Role

#: Blueprints of every domain's API, registered by ``init_api`` (domains append theirs).
API_BLUEPRINTS: list[Blueprint] = []


PROBLEM_JSON = "application/problem+json"


class ProblemSchema(Schema):
    """An error (RFC 9457), as ``portal.errors.problem`` writes it."""

    type = fields.String(metadata={"example": "about:blank"})
    title = fields.String(metadata={"description": "Short title, in Spanish"})
    status = fields.Integer(metadata={"description": "The HTTP status"})
    detail = fields.String(metadata={"description": "What happened, in Spanish"})
    errors = fields.Dict(
        keys=fields.String(),
        metadata={"description": "For 400 and 422: the messages of each field (nested for nested fields)"},
    )


class ProblemApi(Api):
    """flask-smorest without its JSON error handler: ``portal.errors`` answers every error, and
    the OpenAPI document says so: every error response is ``application/problem+json``."""

    ERROR_SCHEMA = ProblemSchema

    # The OpenAPI document is written when it is first read, not when the application starts:
    # describing some ninety blueprints is a third of ``create_app``, paid by every CLI command,
    # worker and test, while only ``/api/v1/openapi.json`` and its tests read the document.
    _pending_docs: list[tuple[Blueprint, str, Any]]
    _responses_pending: bool | None

    @property
    def spec(self) -> Any:
        if self.__dict__.get("_responses_pending") is True:  # not while ``_init_spec`` still runs
            self._responses_pending = False
            self._describe_responses(self.__dict__["_spec"])
        pending = self.__dict__.get("_pending_docs")
        if pending:
            self._pending_docs = []
            for blp, name, parameters in pending:
                blp.register_views_in_doc(self, self._app, self._spec, name=name, parameters=parameters)
                self._spec.tag({"name": name, "description": blp.description})
        return self.__dict__.get("_spec")

    @spec.setter
    def spec(self, value: Any) -> None:
        self._spec = value

    def register_blueprint(self, blp: Blueprint, *, parameters: Any = None, **options: Any) -> None:
        """``Api.register_blueprint`` with the blueprint's pages in the document written later."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self.__dict__.setdefault("_pending_docs", []).append((blp, name, parameters))

    def _register_error_handlers(self) -> None:
        return None

    def _init_spec(self, **options: Any) -> None:
        self._responses_pending = None
        super()._init_spec(**options)
        if self._responses_pending is not None:
            self._responses_pending = True

    def _register_responses(self) -> None:
        self._responses_pending = False  # described with the rest, on first read

    @staticmethod
    def _describe_responses(spec: Any) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["content"] = {PROBLEM_JSON: {"schema": ProblemSchema}}
            spec.components.response(status.name, response, lazy=True)
        spec.components.response(
            "DEFAULT_ERROR",
            {
                "description": "Error: 400 (with the field errors), 401, 403, 404, 409 (wrong state), 413, 422, 429",
                "content": {PROBLEM_JSON: {"schema": ProblemSchema}},
            },
            lazy=True,
        )


def api_blueprint(name: str, import_name: str, url_prefix: str, description: str) -> Blueprint:
    blp = Blueprint(name, import_name, url_prefix="/api/v1" + url_prefix, description=description)
    API_BLUEPRINTS.append(blp)
    return blp


def init_api(app: Flask) -> Api:
    api = ProblemApi(app)
    for blp in API_BLUEPRINTS:
        csrf.exempt(blp)
        api.register_blueprint(blp)
    app.extensions["api"] = api
    return api


class RoleSchema(Schema):
    role = fields.String()
    dependency = fields.String(allow_none=True)


class UserSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    full_name = fields.String()
    email = fields.String(allow_none=True)
    roles = fields.Method("get_roles", metadata={"description": "Roles, with their dependency when scoped"})

    def get_roles(self, user: Any) -> list[dict[str, Any]]:
        return [{"role": a.role.value, "dependency": a.dependency.code if a.dependency else None} for a in user.role_assignments]


class DependencySchema(Schema):
    id = fields.Integer(dump_only=True)
    code = fields.String(required=True, validate=[validate.Length(min=1, max=20), validate.Regexp(r"^[A-Za-z0-9_-]+$")])
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.Enum(DependencyKind, by_value=True, required=True)
    head_id = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=1, max=MAX_URL_INT))
    is_active = fields.Boolean(load_default=True)


core = api_blueprint("core", __name__, "", "Usuario actual y organización")


@core.route("/me")
@roles_required()
@core.response(200, UserSchema)
def me() -> Any:
    """The user owning the token."""
    return current_user


@core.route("/dependencies")
@roles_required()
@core.response(200, DependencySchema(many=True))
def list_dependencies() -> Any:
    """Dependencies the user may see (a dependency-scoped user sees only its own)."""
    query = select(Dependency).order_by(Dependency.name)
    visible = permissions.visible_dependency_ids(current_user)
    if visible is not None:
        query = query.where(Dependency.id.in_(visible))
    return db.session.execute(query).scalars().all()


@core.route("/dependencies", methods=["POST"])
@roles_required(Role.ADMIN)
@core.arguments(DependencySchema)
@core.response(201, DependencySchema)
def create_dependency(data: dict[str, Any]) -> Any:
    """Create a dependency (admin)."""
    dep = services.save_dependency(db.session, actor=current_user, data=services.DependencyData(**data))
    db.session.commit()
    return dep


@core.route("/dependencies/<int:dependency_id>")
@roles_required()
@core.response(200, DependencySchema)
def get_dependency(dependency_id: int) -> Any:
    """One dependency, if the user may see it."""
    dep = db.session.get(Dependency, dependency_id)
    if dep is None:
        abort(404)
    if not permissions.can_view_dependency(current_user, dep):
        abort(403)
    return dep
