"""Milestone messages to the customer, written to the outbox in the claim's language."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.routing.config import RoutingConfig
from pipeline.routing.letters import render_milestone
from storage import audit
from storage.models import Claim, OutboxMessage


def claim_values(claim: Claim) -> dict[str, Any]:
    return {"claim_number": claim.claim_number, "claimant_name": claim.claimant_name, "currency": claim.currency,
            "claimed_amount": f"{claim.claimed_amount:,.2f}", "policy_number": claim.policy_number}


def post_milestone(session: Session, config: RoutingConfig, claim: Claim, kind: str, actor: str,
                   extra: dict[str, Any] | None = None) -> OutboxMessage:
    message = render_milestone(config, claim.language, kind, {**claim_values(claim), **(extra or {})})
    row = OutboxMessage(claim_id=claim.id, kind=kind, language=message.language, subject=message.subject,
                        body=message.body)
    session.add(row)
    session.flush()
    audit.record(session, claim.id, actor, "outbox.queued", None, {"outbox": row.id, "kind": kind,
                                                                   "language": row.language})
    return row


def already_posted(session: Session, claim_id: int, kind: str) -> bool:
    return session.scalar(select(OutboxMessage.id).where(OutboxMessage.claim_id == claim_id,
                                                         OutboxMessage.kind == kind).limit(1)) is not None
