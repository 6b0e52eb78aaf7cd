"""The plan's dashboard and its settings page."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from gobierno_digital import permissions
from gobierno_digital.blueprint import bp
from gobierno_digital.charts import grouped_bars
from gobierno_digital.common import Periodicity
from gobierno_digital.dashboard import dashboard_data
from gobierno_digital.forms import SettingsForm
from gobierno_digital.risks import dafp
from gobierno_digital.settings import SettingsData, get_settings, save_settings
from gobierno_digital.web import done, run_form
from portal.db import utcnow
from portal.extensions import db
from portal.permissions import roles_required

READERS = tuple(sorted(permissions.GD_READERS))


@bp.get("/")
@roles_required(*READERS)
def dashboard() -> ResponseReturnValue:
    raw = request.args.get("vigencia", "")
    data = dashboard_data(db.session, utcnow(), int(raw) if raw.isdigit() else None)
    years = data.comparison.vigencias
    return render_template(
        "gobierno_digital/dashboard.html",
        data=data,
        dafp=dafp,
        scores_chart=grouped_bars(
            _("Logro por componente y vigencia (%)"),
            [(r.component.label, [r.percents.get(y) for y in years]) for r in data.comparison.rows],
            [str(y) for y in years],
        ),
        progress_chart=grouped_bars(
            _("Actividades terminadas por componente (%)"), [(p.label, [p.percent]) for p in data.by_component], [_("Terminadas")]
        ),
    )


@bp.route("/configuracion", methods=["GET", "POST"])
@roles_required(*READERS)
def settings() -> ResponseReturnValue:
    current = get_settings(db.session)
    form = SettingsForm(obj=current)
    if not form.is_submitted():
        form.duty_periodicity.data = current.duty_periodicity.value
    can_edit = permissions.can_edit_settings(current_user)
    status = 200
    if request.method == "POST":
        if not can_edit:
            abort(403)
        if form.validate_on_submit():
            data = SettingsData(
                gap_threshold_percent=form.gap_threshold_percent.data,
                milestone_late_days=form.milestone_late_days.data,
                measurement_due_days=form.measurement_due_days.data,
                duty_periodicity=Periodicity(form.duty_periodicity.data),
                duty_due_days=form.duty_due_days.data,
            )
            saved, status = run_form(form, lambda: save_settings(db.session, actor=current_user, data=data, now=utcnow()))
            if saved is not None:
                return done(_("Configuración guardada."), url_for("gd.settings"))
        else:
            status = 422
    return render_template("gobierno_digital/settings.html", form=form, can_edit=can_edit), status
