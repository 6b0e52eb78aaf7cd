"""API of activities 1–2 (``/api/v1/gd/evaluations``): the import (same checks as the page), the
scores, the year-over-year comparison and the gaps."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from gobierno_digital import permissions
from gobierno_digital.common import Instrument
from gobierno_digital.evaluations import services
from gobierno_digital.evaluations.importer import parse_scores
from gobierno_digital.evaluations.models import Score
from gobierno_digital.settings import get_settings
from portal.api import api_blueprint
from portal.db import utcnow
from portal.extensions import db
from portal.permissions import roles_required
from portal.roles import Role

blp = api_blueprint("gd_evaluations", __name__, "/gd/evaluations", "Gobierno Digital: calificaciones, comparación y brechas")
READERS = tuple(sorted(permissions.GD_READERS))


class ScoreSchema(Schema):
    id = fields.Integer()
    vigencia = fields.Integer()
    instrument = fields.Function(lambda s: s.instrument.value)
    component = fields.Function(lambda s: s.component.value)
    code = fields.String()
    question = fields.String()
    score = fields.Float()
    maximum = fields.Float()
    percent = fields.Float()


class GapSchema(Schema):
    id = fields.Integer()
    vigencia = fields.Integer()
    instrument = fields.Function(lambda g: g.instrument.value)
    component = fields.Function(lambda g: g.component.value)
    code = fields.String()
    question = fields.String()
    percent = fields.Float()
    threshold_percent = fields.Integer()


class ImportFileSchema(Schema):
    file = Upload(required=True, metadata={"description": "XLSX o CSV con las columnas de la plantilla; máximo 10 MB"})


class ComparisonArgsSchema(Schema):
    instrument = fields.Enum(Instrument, by_value=True, load_default=None)


class GapSelectionSchema(Schema):
    score_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1))


@blp.route("", methods=["GET"])
@roles_required(*READERS)
@blp.arguments(ComparisonArgsSchema, location="query")
@blp.response(200)
def comparison(args: dict[str, Any]) -> Any:
    """Achievement per component and vigencia (Σ score / Σ maximum, in percent)."""
    result = services.component_comparison(db.session, instrument=args["instrument"])
    return {
        "vigencias": result.vigencias,
        "instrument": result.instrument.value if result.instrument else None,
        "components": [
            {"component": r.component.value, "label": r.component.label, "percents": {str(y): p for y, p in r.percents.items()}}
            for r in result.rows
        ],
    }


@blp.route("/import", methods=["POST"])
@roles_required(Role.PROFESIONAL_GD)
@blp.arguments(ImportFileSchema, location="files")
@blp.response(201)
def import_scores(files: dict[str, Any]) -> Any:
    """Import a scores file: every row checked; with any bad row nothing is imported and the 422
    problem names each row (``errors``: ``{"fila 7": [...]}``). Re-importing a vigencia replaces it."""
    upload = files["file"]
    parsed = parse_scores(upload.filename or "calificaciones", upload.read())
    result = services.import_scores(db.session, parsed, actor=current_user, now=utcnow())
    db.session.commit()
    return {
        "import_id": result.score_import.id,
        "rows": result.score_import.row_count,
        "scopes": [
            {"vigencia": v, "instrument": i.value, "rows": new, "replaced": old}
            for (v, i), (new, old) in sorted(result.scopes.items())
        ],
    }


@blp.route("/<int:vigencia>/scores", methods=["GET"])
@roles_required(*READERS)
@blp.response(200, ScoreSchema(many=True))
def scores(vigencia: int) -> Any:
    """The scores of a vigencia."""
    return (
        db.session.execute(select(Score).where(Score.vigencia == vigencia).order_by(Score.component, Score.code)).scalars().all()
    )


@blp.route("/<int:vigencia>/gaps", methods=["GET"])
@roles_required(*READERS)
@blp.response(200)
def gaps(vigencia: int) -> Any:
    """The proposed gaps (under the configured threshold) and the registered ones."""
    threshold = get_settings(db.session).gap_threshold_percent
    proposals = services.proposed_gaps(db.session, vigencia, threshold)
    return {
        "threshold_percent": threshold,
        "proposed": [{**ScoreSchema().dump(p.score), "is_registered": p.is_registered} for p in proposals],
        "registered": GapSchema(many=True).dump(services.gaps_of(db.session, vigencia)),
    }


@blp.route("/<int:vigencia>/gaps", methods=["POST"])
@roles_required(Role.PROFESIONAL_GD)
@blp.arguments(GapSelectionSchema)
@blp.response(201, GapSchema(many=True))
def register_gaps(data: dict[str, Any], vigencia: int) -> Any:
    """Register proposed questions of the vigencia as gaps (activity 2)."""
    threshold = get_settings(db.session).gap_threshold_percent
    created = services.register_gaps(
        db.session, vigencia=vigencia, score_ids=data["score_ids"], threshold_percent=threshold, actor=current_user, now=utcnow()
    )
    db.session.commit()
    return created
