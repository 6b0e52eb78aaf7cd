"""What the plan's views share: running one service inside the request's transaction, putting a
service's field errors on a form, the choices of people and dependencies, file downloads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, abort, flash, redirect
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from wtforms.fields.choices import SelectChoice

from portal.errors import DomainError
from portal.extensions import db
from portal.models import Dependency, User
from portal.uploads import CheckedFile, check_upload

T = TypeVar("T")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def run(action: Callable[[], T]) -> T:
    """Call one service and commit; roll back on any error (a ``DomainError`` reaches the app's
    handler: a flash message and a redirect back for a refused POST)."""
    try:
        result = action()
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return result


def run_form(form: FlaskForm, action: Callable[[], T]) -> tuple[T | None, int]:
    """Like ``run`` for a form page: a service's ``DomainError`` is shown on the form (flash and field
    errors) with its status, so the user keeps what they typed."""
    try:
        result = action()
    except DomainError as exc:
        db.session.rollback()
        for name, messages in exc.fields.items():
            field = getattr(form, name, None)
            if field is not None:
                field.errors = list(messages)
        flash(exc.message, "danger")
        return None, exc.status
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return result, 200


def done(message: str, url: str) -> ResponseReturnValue:
    flash(message, "success")
    return redirect(url, code=303)


def form_errors(form: FlaskForm) -> str:
    return "; ".join(
        str(m) for messages in form.errors.values() for m in (messages if isinstance(messages, list) else [messages])
    )


def people_choices(empty: str | None = None) -> list[SelectChoice]:
    users = db.session.execute(select(User).where(User.is_active_account.is_(True)).order_by(User.full_name)).scalars()
    return with_empty(empty, [SelectChoice(u.id, f"{u.full_name} ({u.username})") for u in users])


def dependency_choices(empty: str | None = None) -> list[SelectChoice]:
    deps = db.session.execute(select(Dependency).where(Dependency.is_active.is_(True)).order_by(Dependency.name)).scalars()
    return with_empty(empty, [SelectChoice(d.id, d.name) for d in deps])


def with_empty(empty: str | None, choices: list[SelectChoice]) -> list[SelectChoice]:
    """``choices`` after a first «none» option (value 0) when ``empty`` names it."""
    return ([SelectChoice(0, empty)] if empty else []) + choices


def checked_file(storage: FileStorage | None, *, allowed: frozenset[str] | None = None) -> CheckedFile | None:
    """The uploaded file checked by content and size (``portal.uploads``); None when nothing was sent."""
    if storage is None or not storage.filename:
        return None
    kwargs: dict[str, Any] = {"allowed": allowed} if allowed else {}
    return check_upload(storage.filename, storage.read(), **kwargs)


def file_response(content: bytes | str, mimetype: str, filename: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def get_or_404(model: type[T], row_id: int) -> T:
    row = db.session.get(model, row_id)
    if row is None:
        abort(404)
    return row
