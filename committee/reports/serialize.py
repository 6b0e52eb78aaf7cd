"""The report for the JSON API."""

from __future__ import annotations

from typing import Any

from committee.reports.data import MayorReport
from sla.reports.queries import Stats


def _stats_dict(stats: Stats) -> dict[str, Any]:
    return {"measured": stats.total, "within_target": stats.met, "compliance_percent": stats.percent, "breaches": stats.breached}


def mayor_report_dict(report: MayorReport) -> dict[str, Any]:
    """The report for the JSON API: ISO dates and instants, enum values with their labels."""
    counts = report.commitment_counts
    return {
        "period": {
            "key": report.period.key,
            "year": report.period.year,
            "number": report.period.number,
            "label": report.period.label,
            "from": report.period.start.isoformat(),
            "to": report.period.end.isoformat(),
        },
        "generated_at": report.generated_at.isoformat(),
        "cutoff_at": report.cutoff_at.isoformat(),
        "sessions": [
            {
                "id": s.session_id,
                "label": s.label,
                "kind": s.kind.value,
                "date": s.day.isoformat(),
                "opened_at": s.opened_at.isoformat() if s.opened_at else None,
                "closed_at": s.closed_at.isoformat(),
                "place": s.place,
                "members_present": s.members_present,
                "voting_present": s.voting_present,
                "voting_members": s.voting_members,
                "guests": s.guests,
                "has_quorum": s.has_quorum,
            }
            for s in report.sessions
        ],
        "decisions": [
            {
                "session": d.session_label,
                "date": d.day.isoformat(),
                "position": d.position,
                "title": d.title,
                "initiative_code": d.initiative_code,
                "initiative_title": d.initiative_title,
                "voting_members": d.voting_members,
                "present_voting": d.present_voting,
                "votes": {
                    "a_favor": d.votes_for,
                    "en_contra": d.votes_against,
                    "abstencion": d.abstentions,
                    "sin_voto": d.not_voted,
                },
                "outcome": d.outcome.value,
                "final_outcome": d.final_outcome.value,
                "casting": d.casting_text,
            }
            for d in report.decisions
        ],
        "initiatives": {
            "total": report.initiatives_total,
            "by_state": [{"state": s.value, "label": s.label, "count": n} for s, n in report.initiatives_by_state],
            "by_enabler": [{"enabler": e.value, "label": e.label, "count": n} for e, n in report.initiatives_by_enabler],
            "decided": [
                {
                    "code": d.code,
                    "title": d.title,
                    "dependency": d.dependency,
                    "decision": d.decision.value,
                    "decided_at": d.decided_at.isoformat(),
                }
                for d in report.decided
            ],
        },
        "commitments": {
            "total": counts.total,
            "met": counts.met,
            "pending": counts.pending,
            "overdue": counts.overdue,
            "cancelled": counts.cancelled,
            "items": [
                {
                    "session": c.session_label,
                    "description": c.description,
                    "responsible": c.responsible,
                    "due_date": c.due_date.isoformat(),
                    "state": c.state.value,
                    "is_overdue": c.is_overdue,
                }
                for c in report.commitments
            ],
        },
        "ans": {
            "compliance_percent": report.ans.compliance_percent,
            "measured": report.ans.measured,
            "within_target": report.ans.within_target,
            "breaches": report.ans.breaches,
            "exceptions": report.ans.exceptions,
            "uses_placeholder_targets": report.ans.uses_placeholders,
            "by_metric": {m.value: _stats_dict(s) for m, s in report.ans.summary.items()},
            "by_form": [
                {"form": label, "metrics": {m.value: _stats_dict(s) for m, s in stats.items()}}
                for label, stats in report.ans.by_form
            ],
        },
    }
