"""Routing stage: the claim goes to the queue its rules pick, with a deadline."""
from __future__ import annotations

from pipeline.routing.config import cached_config
from pipeline.routing.stage import route_and_enqueue
from pipeline.stages.context import Context
from storage.models import claim_by_number

ACTOR = "pipeline"


def route_claim(ctx: Context, claim_number: str) -> dict:
    with ctx.db.session() as s:
        claim = claim_by_number(s, claim_number)
        decision, item = route_and_enqueue(s, claim, cached_config(ctx.settings.config_dir), actor=ACTOR)
        if claim.stage == "scored":  # already waiting in the right queue: nothing was re-queued
            claim.stage = "routed"
        return {"queue": decision.queue, "rule": decision.rule,
                "deadline_at": item.deadline_at.isoformat() if item else None}
