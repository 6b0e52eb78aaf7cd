"""The committee's report to the head of the entity every four months (SPEC §6: January–April,
May–August, September–December): sessions held, decisions, initiatives by state and by
habilitador, commitments and the ANS figures of the period; as PDF, XLSX and JSON.

Everything is counted by the database (GROUP BY) or read as plain columns, in a fixed number of
queries whatever the size of the period. Periods are local (Bogotá) dates; a session belongs to
the period in which it was closed.
"""

from __future__ import annotations

from committee.reports.data import (
    PLACEHOLDER_WARNING,
    REPORT_TITLE,
    AnsFigures,
    CommitmentCounts,
    CommitmentRow,
    DecidedInitiative,
    DecisionRow,
    MayorReport,
    SessionRow,
    build_mayor_report,
)
from committee.reports.pdf import ADDRESSEES, DEFAULT_ADDRESSEE, REPORT_VERSION, render_mayor_report_pdf
from committee.reports.period import MAX_YEAR, MIN_YEAR, MONTHS_PER_PERIOD, PERIODS_PER_YEAR, Period, period_of
from committee.reports.serialize import mayor_report_dict
from committee.reports.xlsx import HEADER_ROW, render_mayor_report_xlsx

__all__ = [
    "ADDRESSEES",
    "DEFAULT_ADDRESSEE",
    "HEADER_ROW",
    "MAX_YEAR",
    "MIN_YEAR",
    "MONTHS_PER_PERIOD",
    "PERIODS_PER_YEAR",
    "PLACEHOLDER_WARNING",
    "REPORT_TITLE",
    "REPORT_VERSION",
    "AnsFigures",
    "CommitmentCounts",
    "CommitmentRow",
    "DecidedInitiative",
    "DecisionRow",
    "MayorReport",
    "Period",
    "SessionRow",
    "build_mayor_report",
    "mayor_report_dict",
    "period_of",
    "render_mayor_report_pdf",
    "render_mayor_report_xlsx",
]
