"""What verifying a claim against its checklist found: per item, across documents, and overall.

Plain pydantic models so the flow can store them as JSON (``model_dump(mode="json")``)
and the reviewer desk can show the same evidence the decision was made on.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from pipeline.checklist.reasons import Reason

ItemStatus = Literal["satisfied", "missing", "invalid", "needs_person"]
CheckStatus = Literal["passed", "failed", "needs_person", "not_applicable"]
Outcome = Literal["accepted", "pending_documents", "pending_review", "not_accepted"]


class Evidence(BaseModel):
    """Where a decision came from: which document, which field, which page, what it said."""

    document_id: str | None  # None: the first notice of loss or the policy record
    file_name: str
    field: str | None = None
    page_no: int | None = None
    value: str | None = None
    confidence: float | None = None


class ItemResult(BaseModel):
    code: str
    name_en: str
    name_zh: str
    instruction_en: str
    instruction_zh: str
    required: bool
    status: ItemStatus
    reasons: list[Reason]  # why it has this status (empty when satisfied)
    review_notes: list[Reason] = []  # points a person should also look at on an item already invalid
    evidence: list[Evidence]
    document_ids: list[str]

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_zh

    def instruction(self, language: str) -> str:
        return self.instruction_en if language == "en" else self.instruction_zh

    @property
    def is_gap(self) -> bool:
        """Something the customer must send or send again."""
        return self.status == "invalid" or (self.required and self.status == "missing")


class Finding(BaseModel):
    """One cross-document check on one document (or on the claim, when document_ids is empty)."""

    check: Literal["name_agreement", "id_number", "dates", "amount_total", "reuse", "unreadable_file"]
    status: CheckStatus
    document_ids: list[str]  # the documents this result holds against
    reasons: list[Reason]
    evidence: list[Evidence]


class NotApplicable(BaseModel):
    code: str
    condition: str  # the item's condition, in plain words, that did not hold


class Acceptance(BaseModel):
    """accepted; pending_documents (the customer must send something); pending_review (a person
    must decide readings first); not_accepted (the policy does not respond, with every reason)."""

    outcome: Outcome
    reasons: list[Reason]
    waiting_for: list[str] = []  # item codes the customer must send
    awaiting_review: list[str] = []  # item codes a person must decide


class ChecklistResult(BaseModel):
    claim_number: str
    checklist_version: str
    settings_version: str
    line_of_business: str
    incident_type: str
    language: Literal["en", "zh"]
    items: list[ItemResult]
    not_applicable: list[NotApplicable]
    findings: list[Finding]
    acceptance: Acceptance

    def item(self, code: str) -> ItemResult:
        for it in self.items:
            if it.code == code:
                return it
        raise KeyError(f"no item '{code}' in this result (not applicable: {[n.code for n in self.not_applicable]})")

    @property
    def gaps(self) -> list[ItemResult]:
        return [it for it in self.items if it.is_gap]

    @property
    def unreadable_files(self) -> list[Finding]:
        return [f for f in self.findings if f.check == "unreadable_file"]

    def statuses(self) -> dict[str, ItemStatus]:
        return {it.code: it.status for it in self.items}
