"""Appending to the audit trail: who did what to a claim, when, and what changed."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from storage.models import AuditEvent


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str)) if value is not None else None


def record(session: Session, claim_id: int | None, actor: str, action: str,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> AuditEvent:
    event = AuditEvent(claim_id=claim_id, actor=actor, action=action,
                       before=_jsonable(before), after=_jsonable(after))
    session.add(event)
    return event
