"""Checklist stage: verify the claim against its line's checklist, record every item with
its evidence, decide acceptance, and put the one customer notice in the outbox.

Re-running on an unchanged claim changes nothing: items are upserted by code and a
notice identical to the last one of its kind is not sent again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache

from sqlalchemy import select

from pipeline.checklist import (ChecklistResult, ChecklistSet, ChecklistSettings, deadline_report, load_checklists,
                                load_settings, render_notice, verify)
from pipeline.stages.context import Context
from pipeline.stages.dossier import load_dossier
from storage import audit
from storage.models import ChecklistItemRow, Claim, OutboxMessage, claim_by_number

ACTOR = "system:checklist"


@lru_cache(maxsize=1)
def rules() -> tuple[ChecklistSet, ChecklistSettings]:
    """Loaded once; a malformed file stops the flow at start with the file and line."""
    return load_checklists(), load_settings()


@dataclass
class CheckSummary:
    outcome: str
    checklist_version: str
    statuses: dict[str, str] = field(default_factory=dict)
    notice_kind: str | None = None


def _upsert_items(s, claim: Claim, result: ChecklistResult) -> None:
    rows = {r.code: r for r in s.scalars(select(ChecklistItemRow).where(ChecklistItemRow.claim_id == claim.id))}
    lang = result.language
    wanted = {}
    for item in result.items:
        wanted[item.code] = dict(
            name=item.name(lang), status=item.status,
            reasons=[r.model_dump(mode="json") for r in item.reasons + item.review_notes],
            evidence=[e.model_dump(mode="json") for e in item.evidence])
    for f in result.findings:
        code = f"check:{f.check}" + (f":{','.join(f.document_ids)}" if f.document_ids else "")
        wanted[code] = dict(name=f.check.replace("_", " "), status=f.status,
                            reasons=[r.model_dump(mode="json") for r in f.reasons],
                            evidence=[e.model_dump(mode="json") for e in f.evidence])
    for code, values in wanted.items():
        row = rows.pop(code, None) or ChecklistItemRow(claim_id=claim.id, code=code)
        for k, v in values.items():
            setattr(row, k, v)
        row.checklist_version = result.checklist_version
        s.add(row)
    for stale in rows.values():  # an item that no longer applies (the first notice changed)
        s.delete(stale)


def check_claim(ctx: Context, claim_number: str) -> CheckSummary:
    checklists, settings = rules()
    now = datetime.now(timezone.utc)
    with ctx.db.session() as s:
        claim = claim_by_number(s, claim_number)
        dossier = load_dossier(s, claim)
        result = verify(dossier, checklists.for_claim(claim.line_of_business, claim.incident_type), settings)
        before = {"status": claim.status, "reason": claim.status_reason, "checklist_version": claim.checklist_version}
        _upsert_items(s, claim, result)
        outcome = result.acceptance
        claim.status = outcome.outcome
        claim.status_reason = "; ".join(r.message("en") for r in outcome.reasons) or None
        claim.checklist_version = result.checklist_version
        if outcome.outcome in ("accepted", "not_accepted") and claim.accepted_at is None:
            claim.accepted_at = now  # the acceptance decision, either way
        notice = render_notice(result, dossier, issued_at=now)
        if notice is not None:
            last = s.scalars(select(OutboxMessage).where(OutboxMessage.claim_id == claim.id,
                                                         OutboxMessage.kind == notice.kind)
                             .order_by(OutboxMessage.id.desc())).first()
            if last is None or last.body != notice.body:
                s.add(OutboxMessage(claim_id=claim.id, kind=notice.kind, language=notice.language,
                                    subject=notice.subject, body=notice.body))
                claim.notice_at = claim.notice_at or now
        deadlines = deadline_report(claim.line_of_business, claim.created_at, claim.acknowledged_at,
                                    claim.accepted_at, claim.notice_at, now=now)
        after = {"status": claim.status, "reason": claim.status_reason, "checklist_version": claim.checklist_version,
                 "items": result.statuses(), "notice": notice.kind if notice else None,
                 "deadlines": {d.step: {"due_at": d.due_at.isoformat(), "met": d.met} for d in deadlines}}
        if before != {k: after[k] for k in before} or notice is not None:
            audit.record(s, claim.id, ACTOR, "checklist_verified", before, after)
        return CheckSummary(outcome.outcome, result.checklist_version, result.statuses(),
                            notice.kind if notice else None)
