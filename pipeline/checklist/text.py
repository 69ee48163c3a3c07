"""A checklist result as plain text, for the demo, the CLI and logs."""
from __future__ import annotations

from pipeline.checklist.reasons import Language
from pipeline.checklist.result import ChecklistResult

_MARK = {"satisfied": "[x]", "missing": "[ ]", "invalid": "[!]", "needs_person": "[?]"}


def describe_result(result: ChecklistResult, language: Language = "en") -> str:
    """One line per item (status, name, reasons), then cross-document failures and the outcome."""
    lines = [f"{result.claim_number}  {result.line_of_business}/{result.incident_type}  checklist {result.checklist_version}"]
    for item in result.items:
        optional = "" if item.required else (" (optional)" if language == "en" else "（可选）")
        lines.append(f"  {_MARK[item.status]} {item.status:<12} {item.name(language)}{optional}")
        for reason in item.reasons + item.review_notes:
            lines.append(f"        - {reason.message(language)}")
    for skipped in result.not_applicable:
        lines.append(f"  [-] {'n/a':<12} {skipped.code} (only when {skipped.condition})")
    for finding in result.findings:
        if finding.status == "failed" and not finding.document_ids:
            for reason in finding.reasons:
                lines.append(f"  claim: {reason.message(language)}")
    acceptance = result.acceptance
    lines.append(f"  outcome: {acceptance.outcome}")
    for reason in acceptance.reasons:
        lines.append(f"        - {reason.message(language)}")
    return "\n".join(lines)
