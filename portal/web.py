"""What every domain's pages share: the one way a form's service call is run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import flash, redirect
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from portal.errors import DomainError
from portal.extensions import db

T = TypeVar("T")


def save_form(
    form: FlaskForm, action: Callable[[], T], *, success: Callable[[T], str], target: Callable[[T], str]
) -> Response | int:
    """Run the one service call of a valid form: commit, flash ``success(result)`` and redirect to
    ``target(result)``. On a domain error roll back, put its field messages on the form's fields,
    flash its message and return its HTTP status, for the page to render the form again."""
    try:
        result = action()
    except DomainError as exc:
        db.session.rollback()
        fields: dict[str, Any] = exc.fields
        for name, messages in fields.items():
            field = getattr(form, name, None)
            if field is not None:
                field.errors = list(messages)
        flash(exc.message, "danger")
        return exc.status
    db.session.commit()
    flash(success(result), "success")
    return redirect(target(result))
