"""Domain errors and the one place that turns errors into responses.

Services raise ``NotAllowed`` (403), ``WrongState`` (409) or ``ValidationFailed`` (422). The API
(paths under ``/api/``) answers every error as ``application/problem+json`` (RFC 9457); the web UI
shows a Spanish page, or for a refused form action a flash message and a redirect back. A unique
constraint that a concurrent request won (``IntegrityError``) is a 409 like any stale action; the
session is rolled back first, so nothing after the error (the response hooks) meets a failed
transaction.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Response, flash, g, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    status = 400
    title = "Solicitud no válida"

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotAllowed(DomainError):
    status = 403
    title = "Acción no permitida"


class WrongState(DomainError):
    status = 409
    title = "Estado no válido para esta acción"


class AlreadyExists(WrongState):
    """What is being created exists already (a code taken): 409, with the field named."""

    title = "Ya existe"


class ValidationFailed(DomainError):
    status = 422
    title = "Datos no válidos"


class NotFoundError(DomainError):
    status = 404
    title = "No encontrado"


#: what a client is told to wait when the database does not answer
DATABASE_RETRY_AFTER_SECONDS = 30

SPANISH_TITLES = {
    400: "Solicitud incorrecta",
    401: "Autenticación requerida",
    403: "Acceso denegado",
    404: "Página no encontrada",
    405: "Método no permitido",
    409: "Conflicto de estado",
    413: "Archivo demasiado grande",
    422: "Datos no válidos",
    429: "Demasiados intentos",
    500: "Error interno",
    503: "Servicio no disponible",
}

SPANISH_DETAILS = {
    400: "La solicitud no se pudo procesar. Revise los datos enviados.",
    401: "Debe autenticarse para usar este recurso.",
    403: "No tiene permiso para ver esta página o realizar esta acción.",
    404: "El recurso que busca no existe o fue movido.",
    405: "Este método no está permitido para este recurso.",
    409: "La acción no es válida en el estado actual.",
    413: "El archivo supera el tamaño máximo permitido (10 MB).",
    422: "Los datos enviados no son válidos.",
    429: "Demasiados intentos. Espere unos minutos antes de volver a intentarlo.",
    500: "Ocurrió un error inesperado. El equipo de soporte fue informado.",
    503: "El servicio no está disponible en este momento.",
}


#: marshmallow's field and validator messages (English) as the API says them: (pattern, Spanish)
FIELD_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), spanish)
    for pattern, spanish in (
        (r"^Missing data for required field\.$", "Este dato es obligatorio."),
        (r"^Field may not be null\.$", "Este dato no puede ser nulo."),
        (r"^Unknown field\.$", "Campo desconocido."),
        (r"^Invalid input type\.$", "Tipo de dato no válido: se espera un objeto JSON."),
        (r"^Invalid type\.$", "Tipo de dato no válido."),
        (r"^Invalid value\.$", "Valor no válido."),
        (r"^Invalid input\.$", "Valor no válido."),
        (r"^Longer than maximum length (\d+)\.$", r"Admite hasta \1 caracteres."),
        (r"^Shorter than minimum length (\d+)\.$", r"Debe tener al menos \1 caracteres."),
        (r"^Length must be between (\d+) and (\d+)\.$", r"Debe tener entre \1 y \2 caracteres."),
        (r"^Length must be (\d+)\.$", r"Debe tener \1 caracteres."),
        (r"^Must be one of: (.*)\.$", r"Debe ser uno de estos valores: \1."),
        (r"^One or more of the choices you made was not in: (.*)\.$", r"Alguno de los valores no está entre: \1."),
        (r"^Must be equal to (.*)\.$", r"Debe ser igual a \1."),
        (r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$", r"Debe estar entre \1 y \2."),
        (r"^Must be greater than or equal to (\S+)\.$", r"Debe ser mayor o igual que \1."),
        (r"^Must be less than or equal to (\S+)\.$", r"Debe ser menor o igual que \1."),
        (r"^Must be greater than (\S+)\.$", r"Debe ser mayor que \1."),
        (r"^Must be less than (\S+)\.$", r"Debe ser menor que \1."),
        (r"^String does not match expected pattern\.$", "El formato no es válido."),
        (r"^Not a valid string\.$", "Debe ser un texto."),
        (r"^Not a valid utf-8 string\.$", "El texto no está en UTF-8."),
        (r"^Not a valid integer\.$", "Debe ser un número entero."),
        (r"^Not a valid number\.$", "Debe ser un número."),
        (r"^Number too large\.$", "El número es demasiado grande."),
        (r"^Special numeric values \(nan or infinity\) are not permitted\.$", "No se admiten NaN ni infinito."),
        (r"^Not a valid boolean\.$", "Debe ser verdadero o falso."),
        (r"^Not a valid aware datetime\.$", "Debe ser una fecha y hora ISO 8601 con zona horaria."),
        (r"^Not a valid (?:naive )?datetime\.$", "Debe ser una fecha y hora ISO 8601."),
        (r"^Not a valid date\.$", "Debe ser una fecha AAAA-MM-DD."),
        (r"^Not a valid (?:aware |naive )?time\.$", "Debe ser una hora HH:MM."),
        (r"^Not a valid period of time\.$", "Debe ser una duración."),
        (r"^Not a valid list\.$", "Debe ser una lista."),
        (r"^Not a valid tuple\.$", "Debe ser una lista."),
        (r"^Not a valid mapping type\.$", "Debe ser un objeto JSON."),
        (r"^Not a valid email address\.$", "El correo no es válido."),
        (r"^Not a valid URL\.$", "La dirección web no es válida."),
        (r"^Not a valid UUID\.$", "El identificador no es válido."),
        (r"^Not a valid IP address\.$", "La dirección IP no es válida."),
        (r"^Invalid JSON body\.$", "El cuerpo de la solicitud no es JSON válido."),
    )
)


def spanish_field_errors(errors: Any) -> Any:
    """The field errors of a request, each marshmallow/webargs message in Spanish (others unchanged)."""
    if isinstance(errors, dict):
        return {key: spanish_field_errors(value) for key, value in errors.items()}
    if isinstance(errors, list):
        return [spanish_field_errors(value) for value in errors]
    if isinstance(errors, str):
        for pattern, spanish in FIELD_MESSAGES:
            if pattern.match(errors):
                return pattern.sub(spanish, errors)
    return errors


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def problem(status: int, detail: str | None = None, *, title: str | None = None, **extra: Any) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or SPANISH_TITLES.get(status, "Error"),
        "status": status,
        "detail": detail or SPANISH_DETAILS.get(status, ""),
    }
    body.update({k: v for k, v in extra.items() if v})
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def _safe_referrer() -> str:
    from portal.redirects import safe_referrer

    return safe_referrer(url_for("portal.dashboard"))


def error_page(status: int, detail: str | None = None) -> tuple[str, int]:
    return (
        render_template(
            "portal/error.html",
            status=status,
            title=_(SPANISH_TITLES.get(status, "Error")),
            detail=detail or _(SPANISH_DETAILS.get(status, "")),
        ),
        status,
    )


#: the 409 of a unique constraint a concurrent request won
CONCURRENT_CHANGE = "Otra persona registró lo mismo al mismo tiempo; recargue la página y revise antes de intentarlo de nuevo."


def _rollback() -> None:
    from portal.extensions import db

    db.session.rollback()


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(IntegrityError)
    def handle_integrity_error(exc: IntegrityError) -> Any:
        _rollback()
        app.logger.info("unique constraint lost to a concurrent request: %s", exc.orig)
        return handle_domain_error(WrongState(CONCURRENT_CHANGE))

    @app.errorhandler(DomainError)
    def handle_domain_error(exc: DomainError) -> Any:
        _rollback()
        if is_api_request():
            fields = exc.fields or None
            return problem(exc.status, exc.message, title=exc.title, errors=fields)
        if request.method == "POST" and exc.status in (409, 422):
            details = [str(m) for messages in (exc.fields or {}).values() for m in messages]
            flash(" ".join([exc.message, *details]), "danger")
            return redirect(_safe_referrer(), code=303)
        return error_page(exc.status, exc.message)

    @app.errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        if is_api_request():
            data = getattr(exc, "data", None) or {}
            messages = data.get("messages") if isinstance(data, dict) else None
            if messages:
                # webargs validation errors: 400 with the field errors (SPEC §8)
                fields: dict[str, Any] = {}
                for location, errors in messages.items():
                    if isinstance(errors, dict):
                        fields.update(errors)
                    else:  # the body itself is wrong (e.g. not JSON)
                        fields[location] = errors
                return problem(400, "Hay campos con errores.", errors=spanish_field_errors(fields))
            return problem(status, exc.description if status in (409,) else None)
        if status == 400 and "CSRF" in (exc.description or ""):
            return error_page(400, _("El formulario expiró. Vuelva a cargar la página e inténtelo de nuevo."))
        return error_page(status)

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def handle_database_unavailable(exc: DBAPIError) -> Any:
        """The database is down or dropped the connection: 503 with a retry hint, not a 500. The
        pool (``pool_pre_ping``) reconnects by itself when it is back."""
        if not isinstance(exc, OperationalError) and not exc.connection_invalidated:
            return handle_unexpected(exc)
        app.logger.warning("database unavailable: %s", exc.orig)
        g._login_user = app.login_manager.anonymous_user()  # type: ignore[attr-defined]  # no second query
        try:
            from portal.extensions import db

            db.session.rollback()
        except DBAPIError:
            pass
        response: Any
        if is_api_request():
            response = problem(503, "La base de datos no responde. Intente de nuevo en unos segundos.")
        else:
            # rendered without context processors: they would load the user from the database
            page = app.jinja_env.get_template("portal/unavailable.html").render()
            response = make_response(page, 503)
        response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception) -> Any:
        app.logger.exception("unhandled error")
        if is_api_request():
            return problem(500)
        return error_page(500)
