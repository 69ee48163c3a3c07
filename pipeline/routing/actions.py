"""What a reviewer can do with a claim they hold: approve, deny, ask for documents,
refer to investigators or the panel, give it back; and an investigator's closing of a case.

Each action checks the user's role and authority again (the desk hiding a button is
not a control), changes the queue item, writes the customer's messages to the outbox
in the claim's language, and appends to the audit trail, all in the caller's transaction.
Approval also answers to the checklist (config/approval.yaml): a claim the policy does
not cover, one still missing documents, or one with an invalid document or a failed
cross-document check cannot be approved, whoever asks.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Literal, Sequence

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.routing.authority import NotAllowed, check_action
from pipeline.routing.config import CHECKLIST_OUTCOMES, ConfigError, RoutingConfig
from pipeline.routing.deadlines import deadline_for
from pipeline.routing.letters import doc_type_label, render_denial_letter, render_investigation_report
from pipeline.routing.milestones import post_milestone
from pipeline.routing.payable import Payable, payable_amount
from pipeline.routing.rules import authority_limit
from pipeline.schemas import PolicyRecord
from pipeline.vocabulary import DOC_TYPES
from storage import audit, queues
from storage.models import ChecklistItemRow, Claim, Document, Policy, QueueItem, RiskScoreRow, utcnow
from storage.review_models import Decision, DenialLetter, DocumentRequest, Investigation

INVESTIGATION_OUTCOMES = ("no_fraud", "fraud_confirmed", "inconclusive")


@dataclass(frozen=True)
class Actor:
    username: str
    role: str
    display_name: str = ""


def _held(session: Session, config: RoutingConfig, item_id: int, actor: Actor, action: str) -> tuple[QueueItem, Claim]:
    item = session.get(QueueItem, item_id)
    if item is None:
        raise LookupError(f"no queue item {item_id}")
    claim = session.get(Claim, item.claim_id)
    check_action(config, actor.role, action, queue=item.queue, line_of_business=claim.line_of_business,
                 claimed_amount=claim.claimed_amount, currency=claim.currency, item_status=item.status,
                 holder=item.assigned_to, username=actor.username)
    return item, claim


def policy_of(session: Session, claim: Claim) -> PolicyRecord:
    policy = session.scalar(select(Policy).where(Policy.policy_number == claim.policy_number))
    if policy is None:
        raise ValueError(f"policy {claim.policy_number} is not on file; the payable amount cannot be worked out")
    return PolicyRecord.model_validate(policy.record)


def paid_on_policy(session: Session, policy_number: str, except_claim: int) -> Decimal:
    total = session.scalar(select(func.coalesce(func.sum(Decision.payable_amount), 0))
                           .join(Claim, Claim.id == Decision.claim_id)
                           .where(Claim.policy_number == policy_number, Decision.outcome == "approved",
                                  Claim.id != except_claim))
    return Decimal(total or 0)


def payable_for(session: Session, claim: Claim, assessed: Decimal | None = None) -> Payable:
    return payable_amount(claim.claimed_amount, policy_of(session, claim), assessed,
                          paid_on_policy(session, claim.policy_number, claim.id))


def parse_amount(text: str | None) -> Decimal | None:
    if text is None or not str(text).strip():
        return None
    try:
        value = Decimal(str(text).replace(",", "").strip())
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"{text!r} is not an amount")
    return value


# --- the approval guard ---------------------------------------------------------------

class ApprovalRefused(NotAllowed):
    """The checklist does not let this claim be approved; the message says why and what to do."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OutcomeRule(_Strict):
    approve: Literal["allowed", "after_confirmation", "refused"]
    advice: str = ""  # what to do instead, when refused

    @model_validator(mode="after")
    def _advice_when_refused(self) -> "OutcomeRule":
        if self.approve == "refused" and not self.advice.strip():
            raise ValueError("a refused outcome needs advice: what the reviewer should do instead")
        return self


class Blocking(_Strict):
    items: list[Literal["satisfied", "missing", "invalid", "needs_person"]]
    checks: list[Literal["passed", "failed", "needs_person", "not_applicable"]]


class ApprovalRules(_Strict):
    """config/approval.yaml: when the checklist lets a reviewer approve."""

    version: str
    outcomes: dict[str, OutcomeRule]
    blocking: Blocking
    confirm_status: Literal["needs_person"]
    confirmation_note_min_chars: int = Field(ge=1)

    @model_validator(mode="after")
    def _every_outcome(self) -> "ApprovalRules":
        if set(self.outcomes) != set(CHECKLIST_OUTCOMES):
            raise ValueError(f"outcomes must be exactly {', '.join(CHECKLIST_OUTCOMES)}")
        return self


def load_approval_rules(config_dir: Path) -> ApprovalRules:
    path = Path(config_dir) / "approval.yaml"
    if not path.is_file():
        raise ConfigError(f"{path} is missing")
    try:
        return ApprovalRules.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc


@lru_cache(maxsize=4)
def approval_rules(config_dir: Path | None = None) -> ApprovalRules:
    """The rules in ``config_dir`` (default: the settings' config folder), read once."""
    if config_dir is None:
        from pipeline.settings import get_settings

        config_dir = get_settings().config_dir
    return load_approval_rules(config_dir)


@dataclass(frozen=True)
class ChecklistRow:
    """A checklist item, or a cross-document check when ``code`` starts with ``check:``."""

    code: str
    name: str
    status: str
    reasons: tuple[str, ...] = ()

    @property
    def is_check(self) -> bool:
        return self.code.startswith("check:")

    def describe(self) -> str:
        what = f"cross-document check '{self.name}'" if self.is_check else f"checklist item '{self.name}'"
        return what + (f" ({'; '.join(self.reasons)})" if self.reasons else "")


@dataclass(frozen=True)
class ApprovalCheck:
    """What the checklist says about approving: refusals (none: it may be approved) and the
    items and checks a reviewer must confirm they looked at."""

    outcome: str | None
    refusals: tuple[str, ...]
    confirmation_required: bool
    to_confirm: tuple[ChecklistRow, ...]

    @property
    def allowed(self) -> bool:
        return not self.refusals


def approval_check(rules: ApprovalRules, outcome: str | None, outcome_reason: str | None,
                   rows: Sequence[ChecklistRow]) -> ApprovalCheck:
    """Every reason the claim may not be approved (all of them, not the first), and what needs confirming."""
    refusals = []
    rule = rules.outcomes.get(outcome) if outcome else None
    if not outcome:
        refusals.append("the checklist has not been run on this claim yet")
    elif rule is None:
        refusals.append(f"the checklist outcome {outcome!r} is unknown to config/approval.yaml")
    elif rule.approve == "refused":
        why = f" ({outcome_reason})" if outcome_reason else ""
        refusals.append(f"the checklist outcome is {outcome.replace('_', ' ')}{why}: {rule.advice}")
    for row in rows:
        blocking = rules.blocking.checks if row.is_check else rules.blocking.items
        if row.status in blocking:
            refusals.append(f"{row.describe()} is {row.status.replace('_', ' ')}")
    to_confirm = tuple(r for r in rows if r.status == rules.confirm_status)
    required = bool(to_confirm) or (rule is not None and rule.approve == "after_confirmation")
    return ApprovalCheck(outcome, tuple(refusals), required, to_confirm)


def checklist_rows(session: Session, claim_id: int) -> list[ChecklistRow]:
    rows = session.scalars(select(ChecklistItemRow).where(ChecklistItemRow.claim_id == claim_id)
                           .order_by(ChecklistItemRow.id)).all()
    return [ChecklistRow(r.code, r.name, r.status, tuple(_reason_text(x) for x in r.reasons or [])) for r in rows]


def approval_check_for(session: Session, claim: Claim, rules: ApprovalRules | None = None) -> ApprovalCheck:
    return approval_check(rules or approval_rules(), claim.status, claim.status_reason,
                          checklist_rows(session, claim.id))


def _reason_text(reason) -> str:
    """A stored checklist reason (``pipeline.checklist.reasons.Reason``) in English."""
    if isinstance(reason, dict):
        return str(reason.get("message_en") or reason.get("message") or reason.get("code") or reason)
    return str(reason)


def _guard_approval(check: ApprovalCheck, rules: ApprovalRules, claim: Claim, confirmed: bool,
                    note: str) -> dict:
    """Refuse what the checklist does not allow; return what goes on the record."""
    if not check.allowed:
        raise ApprovalRefused(f"{claim.claim_number} cannot be approved: " + "; ".join(check.refusals))
    confirmed_codes = [r.code for r in check.to_confirm]
    if check.confirmation_required:
        items = ", ".join(r.describe() for r in check.to_confirm) or "the readings the checklist left open"
        if not confirmed:
            raise ApprovalRefused(f"confirm that you looked at everything a person must decide before approving: "
                                  f"{items}")
        if len(note) < rules.confirmation_note_min_chars:
            raise ApprovalRefused(f"write a short note (at least {rules.confirmation_note_min_chars} characters) "
                                  f"on what you checked before approving")
    return {"checklist_outcome": check.outcome, "rules_version": rules.version,
            "needs_person_confirmed": check.confirmation_required, "confirmed_items": confirmed_codes,
            "note": note or None}


def approve(session: Session, config: RoutingConfig, item_id: int, actor: Actor, *,
            assessed_amount: Decimal | None = None, note: str = "", confirmed_needs_person: bool = False,
            rules: ApprovalRules | None = None) -> Decision:
    """Approve and work out the payable amount, if the checklist allows it (config/approval.yaml).

    ``confirmed_needs_person``: the reviewer confirms they looked at every item and check
    marked needs_person; required with a note whenever there is one (or the outcome is
    pending_review). The confirmation goes on the decision's note and in the audit trail.
    """
    item, claim = _held(session, config, item_id, actor, "approve")
    rules = rules or approval_rules()
    note = note.strip()
    record = _guard_approval(approval_check_for(session, claim, rules), rules, claim, confirmed_needs_person, note)
    if record["needs_person_confirmed"]:
        looked_at = ", ".join(record["confirmed_items"]) or "the open readings"
        note = f"Confirmed I looked at every item a person must decide ({looked_at}). {note}"
    pay = payable_for(session, claim, assessed_amount)
    decision = queues.decide(session, item.id, actor=actor.username, role=actor.role, outcome="approved",
                             claimed_amount=claim.claimed_amount, currency=claim.currency, assessed_amount=pay.assessed,
                             payable_amount=pay.payable, breakdown=pay.breakdown(), note=note or None,
                             approval=record)
    post_milestone(session, config, claim, "review_completed", actor.username)
    post_milestone(session, config, claim, "payment_approved", actor.username,
                   {"payable_amount": f"{pay.payable:,.2f}"})
    return decision


def deny(session: Session, config: RoutingConfig, item_id: int, actor: Actor, *, reason_code: str,
         clause: str | None = None, note: str = "") -> tuple[Decision, DenialLetter]:
    item, claim = _held(session, config, item_id, actor, "deny")
    letter = render_denial_letter(
        config, claim.language, reason_code, claim_number=claim.claim_number, claimant_name=claim.claimant_name,
        policy_number=claim.policy_number, claimed_amount=f"{claim.claimed_amount:,.2f}", currency=claim.currency,
        reviewer=actor.display_name or actor.username, on=date.today(), clause=clause, note=note)
    decision = queues.decide(session, item.id, actor=actor.username, role=actor.role, outcome="denied",
                             claimed_amount=claim.claimed_amount, currency=claim.currency, payable_amount=Decimal("0"),
                             reason_code=reason_code, clause=letter.clause, note=note.strip() or None)
    row = DenialLetter(claim_id=claim.id, decision_id=decision.id, language=claim.language, reason_code=reason_code,
                       clause=letter.clause, appeal_route=letter.appeal_route, body=letter.body)
    session.add(row)
    session.flush()
    post_milestone(session, config, claim, "review_completed", actor.username)
    post_milestone(session, config, claim, "denied", actor.username, {"letter": letter.body})
    return decision, row


def request_documents(session: Session, config: RoutingConfig, item_id: int, actor: Actor, *,
                      doc_types: list[str], note: str = "") -> QueueItem:
    """Ask the customer for more; the claim waits in ``waiting_for_documents``."""
    if not doc_types:
        raise ValueError("choose at least one document to request")
    unknown = [d for d in doc_types if d not in DOC_TYPES]
    if unknown:
        raise ValueError(f"unknown document types: {', '.join(unknown)}")
    item, claim = _held(session, config, item_id, actor, "request_documents")
    labels = [doc_type_label(config, claim.language, d) for d in doc_types]
    message = post_milestone(session, config, claim, "documents_requested", actor.username,
                             {"documents": labels, "note": note.strip()})
    session.add(DocumentRequest(claim_id=claim.id, doc_types=list(doc_types), note=note.strip() or None,
                                requested_by=actor.username, outbox_id=message.id))
    now = utcnow()
    audit.record(session, claim.id, actor.username, "claim.documents_requested",
                 {"status": claim.status, "notice_at": claim.notice_at},
                 {"status": "pending_documents", "notice_at": now, "doc_types": doc_types})
    claim.status, claim.notice_at = "pending_documents", now
    return _refer(session, config, item, claim, actor, "waiting_for_documents", "request_documents",
                  {"doc_types": doc_types, "note": note.strip()})


def send_to_panel(session: Session, config: RoutingConfig, item_id: int, actor: Actor, *, note: str = "") -> QueueItem:
    item, claim = _held(session, config, item_id, actor, "send_to_panel")
    return _refer(session, config, item, claim, actor, "panel_review", "send_to_panel", {"note": note.strip()})


def refer_investigation(session: Session, config: RoutingConfig, item_id: int, actor: Actor, *,
                        reason: str) -> Investigation:
    if not reason.strip():
        raise ValueError("say why the claim goes to special investigations")
    item, claim = _held(session, config, item_id, actor, "refer_investigation")
    _refer(session, config, item, claim, actor, "special_investigations", "refer_investigation",
           {"reason": reason.strip()})
    return open_investigation(session, config, claim, actor.username, reason=reason.strip())


def open_investigation(session: Session, config: RoutingConfig, claim: Claim, actor: str, *,
                       reason: str) -> Investigation:
    """The case file, its report started from the standard template; one open case per claim."""
    existing = session.scalar(select(Investigation).where(Investigation.claim_id == claim.id,
                                                          Investigation.status == "open"))
    if existing is not None:
        return existing
    risk = session.scalars(select(RiskScoreRow).where(RiskScoreRow.claim_id == claim.id)
                           .order_by(RiskScoreRow.id.desc())).first()
    documents = session.scalars(select(Document).where(Document.claim_id == claim.id).order_by(Document.id)).all()
    now = utcnow()
    report = render_investigation_report(config, {
        "claim_number": claim.claim_number, "opened_at": now.strftime("%Y-%m-%d %H:%M UTC"), "opened_by": actor,
        "line_of_business": claim.line_of_business, "currency": claim.currency,
        "claimed_amount": f"{claim.claimed_amount:,.2f}", "risk_score": risk.score if risk else "not scored",
        "reason": reason, "red_flags": [_flag_text(f) for f in (risk.red_flags if risk else [])],
        "documents": [f"{d.original_name} ({d.doc_type or 'unclassified'})" for d in documents],
    })
    case = Investigation(claim_id=claim.id, status="open", reason=reason, report=report, opened_by=actor, opened_at=now)
    session.add(case)
    session.flush()
    audit.record(session, claim.id, actor, "investigation.opened", None, {"investigation": case.id, "reason": reason})
    post_milestone(session, config, claim, "investigation_started", actor)
    return case


def close_investigation(session: Session, config: RoutingConfig, item_id: int, actor: Actor, *, outcome: str,
                        report: str) -> QueueItem:
    """File the report and send the claim on for a decision (config ``after_investigation``)."""
    if outcome not in INVESTIGATION_OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(INVESTIGATION_OUTCOMES)}")
    if not report.strip():
        raise ValueError("the investigation report is empty")
    item, claim = _held(session, config, item_id, actor, "close_investigation")
    case = session.scalar(select(Investigation).where(Investigation.claim_id == claim.id,
                                                      Investigation.status == "open"))
    if case is None:
        raise ValueError(f"claim {claim.claim_number} has no open investigation")
    before = {"investigation": case.id, "status": case.status}
    case.status, case.outcome, case.report = "closed", outcome, report
    case.closed_by, case.closed_at = actor.username, utcnow()
    audit.record(session, claim.id, actor.username, "investigation.closed", before,
                 {"investigation": case.id, "status": "closed", "outcome": outcome})
    target = config.rules.after_investigation[outcome]
    if target == "review":
        limit = authority_limit(config, "reviewer", claim.line_of_business)
        target = "senior_review" if config.to_base(claim.claimed_amount, claim.currency) > limit else "standard_review"
    return _refer(session, config, item, claim, actor, target, "close_investigation", {"outcome": outcome})


def release(session: Session, config: RoutingConfig, item_id: int, actor: Actor) -> QueueItem:
    item, _ = _held(session, config, item_id, actor, "release")
    return queues.release(session, item.id, actor.username, holder=item.assigned_to)


def _refer(session: Session, config: RoutingConfig, item: QueueItem, claim: Claim, actor: Actor, queue: str,
           action: str, details: dict) -> QueueItem:
    amount = config.to_base(claim.claimed_amount, claim.currency)
    now = utcnow()
    deadline = deadline_for(queue, claim.line_of_business, amount, now, config.deadlines)
    inputs = {"referred_by": actor.username, "role": actor.role, "from_queue": item.queue, "action": action,
              "at": now.isoformat(), **details}
    return queues.move(session, item.id, actor.username, holder=actor.username, queue=queue, rule=f"referral:{action}",
                       inputs=inputs, priority=item.priority, deadline_at=deadline)


def _flag_text(flag) -> str:
    """A stored red flag (``pipeline.fraud.red_flags.RedFlag.to_dict()``) on one line."""
    if isinstance(flag, dict):
        text = " - ".join(str(flag[k]) for k in ("code", "title") if flag.get(k))
        evidence = flag.get("evidence") or {}
        if evidence:
            text += " (" + "; ".join(f"{k}: {v}" for k, v in evidence.items()) + ")"
        return text
    return str(flag)
