"""Pages of activities 1–2: the scores and their year-over-year comparison, the import, the gaps and the
analysis sessions."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from gobierno_digital import permissions
from gobierno_digital.blueprint import bp
from gobierno_digital.charts import grouped_bars
from gobierno_digital.common import Component, Instrument
from gobierno_digital.documents import GdDocument
from gobierno_digital.evaluations import services
from gobierno_digital.evaluations.forms import AnalysisSessionForm, ImportForm
from gobierno_digital.evaluations.importer import ImportRejected, parse_scores
from gobierno_digital.evaluations.models import Score, ScoreImport
from gobierno_digital.evaluations.template import template_csv, template_xlsx
from gobierno_digital.settings import get_settings
from gobierno_digital.web import XLSX, checked_file, done, file_response, get_or_404, people_choices, run, run_form
from portal.db import utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.permissions import roles_required
from portal.roles import Role

READERS = tuple(sorted(permissions.GD_READERS))


def _instrument_arg() -> Instrument | None:
    try:
        return Instrument(request.args.get("instrumento", "")) if request.args.get("instrumento") else None
    except ValueError:
        return None


def _overview(form: ImportForm, *, row_errors: ImportRejected | None = None, status: int = 200) -> ResponseReturnValue:
    instrument = _instrument_arg()
    comparison = services.component_comparison(db.session, instrument=instrument)
    chart = grouped_bars(
        _("Logro por componente y vigencia (%)"),
        [(row.component.label, [row.percents.get(y) for y in comparison.vigencias]) for row in comparison.rows],
        [str(y) for y in comparison.vigencias],
    )
    imports = db.session.execute(select(ScoreImport).order_by(ScoreImport.id.desc()).limit(5)).scalars().all()
    return render_template(
        "gobierno_digital/evaluations.html",
        comparison=comparison,
        chart=chart,
        instrument=instrument,
        instruments=services.instruments_of(db.session),
        form=form,
        row_errors=row_errors,
        imports=imports,
        sessions=services.analysis_sessions(db.session),
        can_run=permissions.can_run(current_user),
    ), status


@bp.get("/evaluaciones")
@roles_required(*READERS)
def evaluations() -> ResponseReturnValue:
    return _overview(ImportForm())


@bp.post("/evaluaciones/importar")
@roles_required(Role.PROFESIONAL_GD)
def import_scores() -> ResponseReturnValue:
    form = ImportForm()
    if not form.validate_on_submit():
        return _overview(form, status=422)
    storage = form.file.data
    try:
        parsed = parse_scores(storage.filename or "calificaciones", storage.read())
        result = services.import_scores(db.session, parsed, actor=current_user, now=utcnow())
    except ImportRejected as exc:
        db.session.rollback()
        return _overview(form, row_errors=exc, status=422)
    except DomainError as exc:
        db.session.rollback()
        form.file.errors = [exc.message]
        return _overview(form, status=exc.status)
    db.session.commit()
    first = min(v for v, _i in result.scopes)
    return done(result.summary(), url_for("gd.vigencia", vigencia=first))


@bp.get("/evaluaciones/plantilla.<fmt>")
@roles_required(*READERS)
def template(fmt: str) -> ResponseReturnValue:
    if fmt == "xlsx":
        return file_response(template_xlsx(), XLSX, "plantilla-calificaciones-gobierno-digital.xlsx")
    if fmt == "csv":
        return file_response(template_csv(), "text/csv; charset=utf-8", "plantilla-calificaciones-gobierno-digital.csv")
    abort(404)


@bp.get("/evaluaciones/<int:vigencia>")
@roles_required(*READERS)
def vigencia(vigencia: int) -> ResponseReturnValue:
    scores = (
        db.session.execute(
            select(Score).where(Score.vigencia == vigencia).order_by(Score.component, Score.instrument, Score.code)
        )
        .scalars()
        .all()
    )
    if not scores:
        abort(404)
    threshold = get_settings(db.session).gap_threshold_percent
    by_component = {c: [s for s in scores if s.component is c] for c in Component}
    return render_template(
        "gobierno_digital/vigencia.html",
        vigencia=vigencia,
        by_component={c: rows for c, rows in by_component.items() if rows},
        proposals=services.proposed_gaps(db.session, vigencia, threshold),
        threshold=threshold,
        gaps=services.gaps_of(db.session, vigencia),
        sessions=services.analysis_sessions(db.session, vigencia),
        can_run=permissions.can_run(current_user),
    )


@bp.post("/evaluaciones/<int:vigencia>/brechas")
@roles_required(Role.PROFESIONAL_GD)
def register_gaps(vigencia: int) -> ResponseReturnValue:
    ids = [int(v) for v in request.form.getlist("score_ids") if v.isdigit()]
    threshold = get_settings(db.session).gap_threshold_percent
    created = run(
        lambda: services.register_gaps(
            db.session, vigencia=vigencia, score_ids=ids, threshold_percent=threshold, actor=current_user, now=utcnow()
        )
    )
    return done(
        ngettext("%(num)d brecha registrada.", "%(num)d brechas registradas.", len(created)),
        url_for("gd.vigencia", vigencia=vigencia) + "#brechas",
    )


@bp.route("/evaluaciones/<int:vigencia>/sesion", methods=["GET", "POST"])
@roles_required(Role.PROFESIONAL_GD)
def new_analysis_session(vigencia: int) -> ResponseReturnValue:
    form = AnalysisSessionForm()
    form.attendee_ids.choices = people_choices()
    status = 200
    if form.validate_on_submit():
        acta = checked_file(form.acta.data)
        assert acta is not None
        saved, status = run_form(
            form,
            lambda: services.record_analysis_session(
                db.session,
                vigencia=vigencia,
                held_on=form.held_on.data,
                place=form.place.data or "",
                notes=form.notes.data,
                attendee_ids=list(form.attendee_ids.data or []),
                acta=acta,
                actor=current_user,
                now=utcnow(),
            ),
        )
        if saved is not None:
            return done(_("Sesión de análisis registrada con su acta."), url_for("gd.vigencia", vigencia=vigencia) + "#sesiones")
    elif form.is_submitted():
        status = 422
    return render_template("gobierno_digital/analysis_form.html", form=form, vigencia=vigencia), status


@bp.get("/documentos/<int:document_id>")
@roles_required()
def document(document_id: int) -> ResponseReturnValue:
    """A file of the plan: readers see every one; an enlace, its own dependency's evidence."""
    from gobierno_digital.documents import download
    from gobierno_digital.duties.models import DutyChecklist, DutyItem

    found = get_or_404(GdDocument, document_id)
    if not permissions.can_read(current_user):
        if found.duty_item_id is None:
            abort(403)
        checklist = db.session.execute(
            select(DutyChecklist)
            .join(DutyItem, DutyItem.checklist_id == DutyChecklist.id)
            .where(DutyItem.id == found.duty_item_id)
        ).scalar_one()
        if not permissions.can_answer_duties(current_user, checklist.dependency_id):
            abort(403)
    return download(found)
