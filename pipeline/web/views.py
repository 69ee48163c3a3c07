"""What the desk's pages show, gathered from the database with the user's masking applied."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.routing import authority
from pipeline.routing.actions import (INVESTIGATION_OUTCOMES, ApprovalRules, approval_check_for, approval_rules,
                                     payable_for)
from pipeline.routing.config import RoutingConfig
from pipeline.routing.deadlines import as_utc
from pipeline.routing.report import time_left
from pipeline.vocabulary import DOC_TYPES
from storage.models import (AuditEvent, ChecklistItemRow, Claim, Document, ExtractedFieldRow, OutboxMessage, Page,
                            QueueItem, RiskScoreRow, utcnow)
from storage.queues import ACTIVE
from storage.review_models import Decision, DenialLetter, Investigation, User


@dataclass(frozen=True)
class DeskUser:
    username: str
    role: str
    display_name: str

    @classmethod
    def of(cls, user: User) -> "DeskUser":
        return cls(user.username, user.role, user.display_name)


def _shown(config: RoutingConfig, user: DeskUser, name: str, value: Any) -> Any:
    if value is None or authority.may_unmask(config, user.role, name):
        return value
    return authority.mask(str(value))


def urgency(deadline: datetime, now: datetime) -> str:
    left = (as_utc(deadline) - as_utc(now)).total_seconds()
    return "overdue" if left < 0 else "soon" if left < 12 * 3600 else "ok"


def queue_rows(session: Session, config: RoutingConfig, user: DeskUser) -> list[dict[str, Any]]:
    queues = authority.role_rule(config, user.role).queues
    now = utcnow()
    rows = session.execute(select(QueueItem, Claim).join(Claim, Claim.id == QueueItem.claim_id)
                           .where(QueueItem.status.in_(ACTIVE), QueueItem.queue.in_(queues))
                           .order_by(QueueItem.deadline_at, QueueItem.id)).all()
    return [{"item": i, "claim": c, "queue_label": config.rules.queues[i.queue].label,
             "time_left": time_left(i.deadline_at, now), "urgency": urgency(i.deadline_at, now),
             "deadline": as_utc(i.deadline_at), "mine": i.assigned_to == user.username} for i, c in rows]


def may_view(session: Session, config: RoutingConfig, user: DeskUser, claim: Claim) -> bool:
    """Staff see a claim in a queue they work, one they hold, or one no longer queued."""
    item = session.scalars(select(QueueItem).where(QueueItem.claim_id == claim.id, QueueItem.status.in_(ACTIVE))
                           .order_by(QueueItem.id.desc())).first()
    return (item is None or item.assigned_to == user.username
            or item.queue in authority.role_rule(config, user.role).queues)


def _masked_tree(config: RoutingConfig, user: DeskUser, value: Any) -> Any:
    """Audit before/after JSON with sensitive keys masked, however deep (intake logs the notice)."""
    if isinstance(value, dict):
        return {k: (_shown(config, user, k, v) if isinstance(v, (str, int)) and authority.is_sensitive(config, k)
                    else _masked_tree(config, user, v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked_tree(config, user, v) for v in value]
    return value


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1, default=str) if value is not None else ""


def _reason_text(reason: Any) -> str:
    if isinstance(reason, dict):
        text = reason.get("text") or reason.get("message") or reason.get("reason") or reason.get("feature") or ""
        extra = reason.get("contribution", reason.get("weight"))
        return f"{text} ({extra:+.2f})" if isinstance(extra, (int, float)) else str(text or _json(reason))
    return str(reason)


def _flag(flag: Any) -> dict[str, Any]:
    """A stored red flag (``pipeline.fraud.red_flags.RedFlag.to_dict()``) for display."""
    if isinstance(flag, dict):
        evidence = flag.get("evidence")
        if isinstance(evidence, dict):
            evidence = "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in evidence.items())
        return {"code": flag.get("code", "?"), "text": flag.get("title") or flag.get("message") or "",
                "evidence": evidence}
    return {"code": str(flag), "text": "", "evidence": None}


def _checklist_reason(reason: Any) -> str:
    """A stored checklist reason (``pipeline.checklist.reasons.Reason``), in the desk's English."""
    if isinstance(reason, dict):
        return str(reason.get("message_en") or reason.get("message") or reason.get("code") or reason)
    return str(reason)


def dossier(session: Session, config: RoutingConfig, user: DeskUser, claim: Claim,
            rules: ApprovalRules | None = None) -> dict[str, Any]:
    """Everything the dossier page shows; ``rules``: config/approval.yaml (default: the settings')."""
    rules = rules or approval_rules()
    now = utcnow()
    item = session.scalars(select(QueueItem).where(QueueItem.claim_id == claim.id, QueueItem.status.in_(ACTIVE))
                           .order_by(QueueItem.id.desc())).first()
    documents = session.scalars(select(Document).where(Document.claim_id == claim.id).order_by(Document.id)).all()
    pages = {d.id: session.scalars(select(Page).where(Page.document_id == d.id).order_by(Page.page_no)).all()
             for d in documents}
    fields = {d.id: session.scalars(select(ExtractedFieldRow).where(ExtractedFieldRow.document_id == d.id)
                                    .order_by(ExtractedFieldRow.page_no, ExtractedFieldRow.id)).all() for d in documents}
    docs = []
    for d in documents:
        shown_fields = [{"name": f.name, "value": _shown(config, user, f.name, f.value),
                         "masked": not authority.may_unmask(config, user.role, f.name),
                         "confidence": f.confidence, "found_by": f.method.replace("_", " "), "page_no": f.page_no, "box": f.box} for f in fields[d.id]]
        docs.append({
            "doc": d, "fields": shown_fields,
            "pages": [{"page": p, "boxes": [f for f in shown_fields if f["page_no"] == p.page_no and f["box"]],
                       "has_image": bool(p.clean_image_key or p.image_key)} for p in pages[d.id]],
        })
    risk = session.scalars(select(RiskScoreRow).where(RiskScoreRow.claim_id == claim.id)
                           .order_by(RiskScoreRow.id.desc())).first()
    duplicates = [{"document": d.original_name, "claims": d.duplicate_of} for d in documents if d.duplicate_of]
    fnol = {k: _shown(config, user, k, v) for k, v in (claim.fnol or {}).items() if not isinstance(v, dict)}

    actions, payable, payable_error, approval = [], None, None, None
    if item is not None:
        actions = authority.allowed_actions(
            config, user.role, queue=item.queue, line_of_business=claim.line_of_business,
            claimed_amount=claim.claimed_amount, currency=claim.currency, item_status=item.status,
            holder=item.assigned_to, username=user.username)
        if "approve" in actions:
            approval = approval_check_for(session, claim, rules)
        if approval is not None and approval.allowed:
            try:
                payable = payable_for(session, claim)
            except ValueError as exc:
                payable_error = str(exc)
    limit = authority.authority_limit(config, user.role, claim.line_of_business)
    investigation = session.scalars(select(Investigation).where(Investigation.claim_id == claim.id)
                                    .order_by(Investigation.id.desc())).first()
    return {
        "claim": claim, "fnol": fnol, "item": item,
        "rule_why": (item.inputs or {}).get("why") if item else None,
        "rule_facts": (item.inputs or {}).get("facts") if item else None,
        "queue_label": config.rules.queues[item.queue].label if item else None,
        "time_left": time_left(item.deadline_at, now) if item else None,
        "urgency": urgency(item.deadline_at, now) if item else None,
        "deadline": as_utc(item.deadline_at) if item else None,
        "checklist": [{"row": c, "reasons": [_checklist_reason(r) for r in c.reasons or []]}
                      for c in session.scalars(select(ChecklistItemRow).where(ChecklistItemRow.claim_id == claim.id)
                                               .order_by(ChecklistItemRow.id)).all()],
        "risk": risk, "risk_reasons": [_reason_text(r) for r in (risk.reasons if risk else [])],
        "red_flags": [_flag(f) for f in (risk.red_flags if risk else [])], "duplicates": duplicates,
        "documents": docs, "actions": actions, "payable": payable, "payable_error": payable_error,
        "approval": approval,
        "confirmation_note_min_chars": rules.confirmation_note_min_chars,
        "authority_limit": limit, "base_currency": config.rules.base_currency,
        "denial_reasons": config.denial.reasons, "doc_types": [t for t in DOC_TYPES if t != "other"],
        "doc_type_labels": config.milestones["en"].doc_types,
        "investigation": investigation, "investigation_outcomes": INVESTIGATION_OUTCOMES,
        "decisions": session.scalars(select(Decision).where(Decision.claim_id == claim.id).order_by(Decision.id)).all(),
        "letters": session.scalars(select(DenialLetter).where(DenialLetter.claim_id == claim.id)
                                   .order_by(DenialLetter.id)).all(),
        "outbox": session.scalars(select(OutboxMessage).where(OutboxMessage.claim_id == claim.id)
                                  .order_by(OutboxMessage.id)).all(),
        "audit": [{"event": e, "before": _json(_masked_tree(config, user, e.before)),
                   "after": _json(_masked_tree(config, user, e.after))} for e in session.scalars(
            select(AuditEvent).where(AuditEvent.claim_id == claim.id).order_by(AuditEvent.id)).all()],
    }


def page_secrets(session: Session, config: RoutingConfig, user: DeskUser, page: Page) -> tuple[list, list[str]]:
    """Boxes and values on ``page`` this user may not see."""
    rows = session.scalars(select(ExtractedFieldRow).where(ExtractedFieldRow.document_id == page.document_id,
                                                           ExtractedFieldRow.page_no == page.page_no)).all()
    hidden = [f for f in rows if not authority.may_unmask(config, user.role, f.name)]
    claim = session.get(Claim, session.get(Document, page.document_id).claim_id)
    values = [f.value for f in hidden] + [f.raw for f in hidden]
    for key, value in (claim.fnol or {}).items():
        if isinstance(value, str) and not authority.may_unmask(config, user.role, key):
            values.append(value)
    return [tuple(f.box) for f in hidden if f.box], values
