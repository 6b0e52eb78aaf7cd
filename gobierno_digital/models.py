"""Every table of the plan, imported in one place (for ``init_app`` and Alembic's autogenerate)."""

from __future__ import annotations

from gobierno_digital.documents import GdDocument
from gobierno_digital.duties.models import DutyChecklist, DutyItem
from gobierno_digital.evaluations.models import AnalysisAttendee, AnalysisSession, Gap, Score, ScoreImport
from gobierno_digital.indicators.models import Indicator, Measurement
from gobierno_digital.plan.models import BudgetAvailability, PlanActivity, PlanResource, PlanVersion, WorkPlan
from gobierno_digital.projects.models import Contract, ContractReport, Project
from gobierno_digital.risks.models import Risk, RiskAction, RiskControl
from gobierno_digital.settings import GdSettings
from gobierno_digital.supervision.models import Milestone, MilestoneProgress

__all__ = [
    "AnalysisAttendee",
    "AnalysisSession",
    "BudgetAvailability",
    "Contract",
    "ContractReport",
    "DutyChecklist",
    "DutyItem",
    "Gap",
    "GdDocument",
    "GdSettings",
    "Indicator",
    "Measurement",
    "Milestone",
    "MilestoneProgress",
    "PlanActivity",
    "PlanResource",
    "PlanVersion",
    "Project",
    "Risk",
    "RiskAction",
    "RiskControl",
    "Score",
    "ScoreImport",
    "WorkPlan",
]
