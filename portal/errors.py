"""Domain errors and the one place that turns errors into responses.

Services raise ``NotAllowed`` (403), ``WrongState`` (409) or ``ValidationFailed`` (422). The API
(paths under ``/api/``) answers every error as ``application/problem+json`` (RFC 9457); the web UI
shows a Spanish page, or for a refused form action a flash message and a redirect back. A unique
constraint that a concurrent request won (``IntegrityError``) is a 409 like any stale action; the
session is rolled back first, so nothing after the error (the response hooks) meets a failed
transaction.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
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


class ValidationFailed(DomainError):
    status = 422
    title = "Datos no válidos"


class NotFoundError(DomainError):
    status = 404
    title = "No encontrado"


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
    ref = request.referrer
    if ref:
        parts = urlsplit(ref)
        if parts.netloc == request.host:
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return url_for("portal.dashboard")


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
                return problem(400, "Hay campos con errores.", errors=fields)
            return problem(status, exc.description if status in (409,) else None)
        if status == 400 and "CSRF" in (exc.description or ""):
            return error_page(400, _("El formulario expiró. Vuelva a cargar la página e inténtelo de nuevo."))
        return error_page(status)

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception) -> Any:
        app.logger.exception("unhandled error")
        if is_api_request():
            return problem(500)
        return error_page(500)
