"""Fraud stage: red flags from the documents, then the line's promoted model, stored with
its version so every score can be traced to the model that gave it."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from pipeline.fraud.red_flags import find_red_flags
from pipeline.fraud.scoring import score_claim as score_dossier
from pipeline.stages.context import Context
from pipeline.stages.dossier import load_dossier
from storage import audit
from storage.models import RiskScoreRow, claim_by_number

ACTOR = "system:fraud"


@dataclass
class ScoreSummary:
    score: int
    probability: float
    model_version: str
    reasons: list[str] = field(default_factory=list)
    red_flags: list[str] = field(default_factory=list)


def score_claim(ctx: Context, claim_number: str) -> ScoreSummary:
    with ctx.db.session() as s:
        claim = claim_by_number(s, claim_number)
        dossier = load_dossier(s, claim)
        flags = find_red_flags(dossier)
        risk = score_dossier(dossier, flags)
        last = s.scalars(select(RiskScoreRow).where(RiskScoreRow.claim_id == claim.id)
                         .order_by(RiskScoreRow.id.desc())).first()
        same = last is not None and (last.model_version, last.score, last.reasons, last.red_flags) == (
            risk.model_version, risk.score, risk.reasons, risk.red_flags)
        if not same:  # a re-run on an unchanged claim adds no second row
            s.add(RiskScoreRow(claim_id=claim.id, model_version=risk.model_version, probability=risk.probability,
                               score=risk.score, reasons=risk.reasons, red_flags=risk.red_flags))
            audit.record(s, claim.id, ACTOR, "risk_scored", None if last is None else {"score": last.score},
                         {"score": risk.score, "probability": round(risk.probability, 4),
                          "model_version": risk.model_version, "red_flags": [f.code for f in flags]})
        return ScoreSummary(risk.score, risk.probability, risk.model_version, risk.reasons, [f.code for f in flags])
