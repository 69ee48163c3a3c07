"""Can the claim be accepted? The policy must respond, and the materials must be complete.

Policy gates (all reasons are given, not only the first): the policy exists and is of the
claim's line, it was in force on the incident date, it covers the incident type, and the
claim was reported within the policy's deadline.
"""
from __future__ import annotations

from datetime import timedelta

from pipeline.checklist.config import ChecklistSettings
from pipeline.checklist.reasons import Reason
from pipeline.checklist.result import Acceptance, Finding, ItemResult
from pipeline.dossier import Dossier


def policy_reasons(dossier: Dossier, s: ChecklistSettings) -> list[Reason]:
    """Every reason the policy does not respond to this claim (empty: it does)."""
    fnol, policy, r = dossier.fnol, dossier.policy, s.reasons
    if policy is None:
        return [r.reason("policy_not_found", policy_number=fnol.policy_number)]
    reasons = []
    if policy.line_of_business != fnol.line_of_business:
        reasons.append(r.reason("policy_other_line", policy_number=policy.policy_number, line=policy.line_of_business))
    incident = fnol.incident_at.date()
    if not (policy.start_date <= incident <= policy.end_date):
        reasons.append(
            r.reason("policy_not_in_force", incident_date=incident.isoformat(), start=policy.start_date.isoformat(), end=policy.end_date.isoformat())
        )
    if fnol.incident_type not in policy.covered_incidents:
        reasons.append(r.reason("incident_not_covered", incident_type=fnol.incident_type))
    if fnol.reported_at - fnol.incident_at > timedelta(days=policy.report_deadline_days):
        reasons.append(
            r.reason("reported_late", reported=fnol.reported_at.date().isoformat(), incident_date=incident.isoformat(), days=policy.report_deadline_days)
        )
    return reasons


def judge_acceptance(dossier: Dossier, items: list[ItemResult], findings: list[Finding], s: ChecklistSettings) -> Acceptance:
    refusals = policy_reasons(dossier, s)
    if refusals:
        return Acceptance(outcome="not_accepted", reasons=refusals)
    waiting = [it.code for it in items if it.is_gap]
    review = [it.code for it in items if it.required and it.status == "needs_person"]
    if waiting or any(f.check == "unreadable_file" for f in findings):
        return Acceptance(outcome="pending_documents", reasons=[], waiting_for=waiting, awaiting_review=review)
    if review:
        return Acceptance(outcome="pending_review", reasons=[], awaiting_review=review)
    return Acceptance(outcome="accepted", reasons=[])
