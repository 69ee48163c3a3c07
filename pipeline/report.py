"""A claim as a plain dict: what the CLI, the API and the demo show about it."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from pipeline.reading.types import shown_confidence
from pipeline.stages.context import Context
from storage.models import ChecklistItemRow, QueueItem, RiskScoreRow, claim_by_number


def claim_status(ctx: Context, claim_number: str) -> dict[str, Any]:
    with ctx.db.session() as s:
        claim = claim_by_number(s, claim_number)
        risk = s.scalars(select(RiskScoreRow).where(RiskScoreRow.claim_id == claim.id)
                         .order_by(RiskScoreRow.id.desc())).first()
        queue = s.scalars(select(QueueItem).where(QueueItem.claim_id == claim.id)
                          .order_by(QueueItem.id.desc())).first()
        checklist = s.scalars(select(ChecklistItemRow).where(ChecklistItemRow.claim_id == claim.id)
                              .order_by(ChecklistItemRow.id)).all()
        return {
            "claim_number": claim.claim_number,
            "policy_number": claim.policy_number,
            "line_of_business": claim.line_of_business,
            "incident_type": claim.incident_type,
            "language": claim.language,
            "claimed_amount": f"{claim.claimed_amount} {claim.currency}",
            "stage": claim.stage,
            "status": claim.status,
            "status_reason": claim.status_reason,
            "acknowledged_at": claim.acknowledged_at,
            "checklist_version": claim.checklist_version,
            "documents": [
                {
                    "id": d.id,
                    "file": d.original_name,
                    "status": d.status,
                    "media_type": d.media_type,
                    "quarantine_reason": d.quarantine_reason,
                    "quarantine_message": d.quarantine_message,
                    "pages": len(d.pages),
                    "doc_type": d.doc_type,
                    "type_confidence": d.type_confidence,
                    "low_confidence": d.low_confidence,
                    "duplicate_of": d.duplicate_of or [],
                    "fields": [{"name": f.name, "value": f.value, "confidence": float(shown_confidence(f.confidence)),
                                "page": f.page_no} for f in d.fields],
                }
                for d in claim.documents
            ],
            "checklist": [{"code": c.code, "name": c.name, "status": c.status, "reasons": c.reasons}
                          for c in checklist],
            "risk": None if risk is None else {"score": risk.score, "probability": round(risk.probability, 4),
                                               "model_version": risk.model_version, "reasons": risk.reasons},
            "queue": None if queue is None else {"queue": queue.queue, "rule": queue.rule,
                                                 "deadline_at": queue.deadline_at, "status": queue.status},
        }
