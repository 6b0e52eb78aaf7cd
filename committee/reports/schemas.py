"""API schema of the report to the mayor's arguments."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class MayorReportArgsSchema(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    period = fields.Integer(required=True, validate=validate.Range(min=1, max=3))
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "pdf", "xlsx"]))
