"""Routing as the last stage of ``process_claim``: read what the earlier stages stored,
decide the queue, put the claim in it, and tell the customer when materials are complete.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.routing.actions import open_investigation
from pipeline.routing.config import CHECKLIST_OUTCOMES, RoutingConfig
from pipeline.routing.milestones import already_posted, post_milestone
from pipeline.routing.rules import RoutingDecision, RoutingInputs, route_claim
from storage.models import Claim, QueueItem, RiskScoreRow, utcnow
from storage.queues import active_item, enqueue


# Referrals the pipeline may move on from: the documents asked for have arrived.
REROUTABLE_REFERRALS = ("referral:request_documents",)


def red_flag_codes(red_flags: list) -> tuple[str, ...]:
    """Red flags as stored by the fraud stage: codes, or objects with a ``code``."""
    codes = []
    for flag in red_flags or []:
        if isinstance(flag, str):
            codes.append(flag)
        elif isinstance(flag, dict) and isinstance(flag.get("code"), str):
            codes.append(flag["code"])
        else:
            raise ValueError(f"red flag {flag!r} has no code")
    return tuple(codes)


def checklist_outcome(claim: Claim) -> str:
    """The checklist's acceptance outcome as stored on the claim; anything else needs a person."""
    return claim.status if claim.status in CHECKLIST_OUTCOMES else "pending_review"


def routing_inputs_for(session: Session, claim: Claim, now: datetime, *, disputed: bool = False) -> RoutingInputs:
    risk = session.scalars(select(RiskScoreRow).where(RiskScoreRow.claim_id == claim.id)
                           .order_by(RiskScoreRow.id.desc())).first()
    if risk is None:
        raise ValueError(f"claim {claim.claim_number} has no risk score yet; score it before routing")
    return RoutingInputs(
        claim_number=claim.claim_number, line_of_business=claim.line_of_business, incident_type=claim.incident_type,
        claimed_amount=claim.claimed_amount, currency=claim.currency,
        checklist_outcome=checklist_outcome(claim), risk_score=risk.score,
        red_flags=red_flag_codes(risk.red_flags), routed_at=now, notice_sent=claim.notice_at is not None,
        disputed=disputed,
    )


def route_and_enqueue(session: Session, claim: Claim, config: RoutingConfig, *, actor: str = "pipeline",
                      now: datetime | None = None,
                      disputed: bool = False) -> tuple[RoutingDecision, QueueItem | None]:
    """Route a scored claim and queue it.

    Idempotent: when the claim already waits in the queue the same rule picks, that item
    is returned untouched (a retried flow run does not reset its deadline). A claim that
    has been decided is not queued again (the item is None); a dispute reopens it
    (``disputed=True``). A claim a person referred (to investigators, to the panel) stays
    where they sent it. Otherwise a claim in another queue moves, its old item closed as
    superseded (new documents arrived while it was waiting for them, say).
    """
    decision = route_claim(routing_inputs_for(session, claim, now or utcnow(), disputed=disputed), config)
    if claim.stage == "decided" and not disputed:
        return decision, None
    current = active_item(session, claim.id)
    if current is not None and (current.queue, current.rule) == (decision.queue, decision.rule):
        return decision, current
    if current is not None and current.rule.startswith("referral:") and current.rule not in REROUTABLE_REFERRALS:
        return decision, current  # a person sent it there; the pipeline does not overrule them
    item = enqueue(session, claim, decision, actor)
    if decision.inputs.checklist_outcome == "accepted" and not already_posted(session, claim.id, "materials_complete"):
        post_milestone(session, config, claim, "materials_complete", actor)
    if decision.queue == "special_investigations":
        open_investigation(session, config, claim, actor, reason=f"Routed by rule {decision.rule}: {decision.why}")
    return decision, item
