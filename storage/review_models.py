"""Tables of the review stage: desk users, decisions, denial letters, investigations,
document requests and deadline escalations.

Kept apart from ``storage.models`` (the pipeline's own tables) but on the same
``Base``; created by migration 0002.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True, index=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(30))  # a role in config/authority.yaml
    password_hash: Mapped[str] = mapped_column(String(100))  # bcrypt
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Decision(Base):
    """A reviewer's approval or denial, with the payable amount worked out from the policy."""

    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    queue_item_id: Mapped[int | None] = mapped_column(ForeignKey("queue_items.id"))
    outcome: Mapped[str] = mapped_column(String(20))  # approved | denied
    claimed_amount: Mapped[Decimal]
    assessed_amount: Mapped[Decimal | None]
    payable_amount: Mapped[Decimal | None]
    currency: Mapped[str] = mapped_column(String(3))
    breakdown: Mapped[dict[str, Any] | None]  # how the payable amount was reached
    reason_code: Mapped[str | None] = mapped_column(String(40))
    clause: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(80))
    decided_role: Mapped[str] = mapped_column(String(30))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)


class DenialLetter(Base):
    __tablename__ = "denial_letters"
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"))
    language: Mapped[str] = mapped_column(String(5))
    reason_code: Mapped[str] = mapped_column(String(40))
    clause: Mapped[str] = mapped_column(String(200))
    appeal_route: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Investigation(Base):
    """A special-investigations case file; ``report`` starts from the standard template."""

    __tablename__ = "investigations"
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | closed
    reason: Mapped[str] = mapped_column(Text)
    report: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(30))  # no_fraud | fraud_confirmed | inconclusive
    opened_by: Mapped[str] = mapped_column(String(80))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_by: Mapped[str | None] = mapped_column(String(80))
    closed_at: Mapped[datetime | None]


class DocumentRequest(Base):
    __tablename__ = "document_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    doc_types: Mapped[list[Any]]
    note: Mapped[str | None] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(80))
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)


class QueueEscalation(Base):
    """One escalation of a queue item; at most one per item, deadline and kind."""

    __tablename__ = "queue_escalations"
    id: Mapped[int] = mapped_column(primary_key=True)
    queue_item_id: Mapped[int] = mapped_column(ForeignKey("queue_items.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # near | overdue
    from_queue: Mapped[str] = mapped_column(String(40))
    to_queue: Mapped[str] = mapped_column(String(40))
    priority_before: Mapped[int]
    priority_after: Mapped[int]
    deadline_before: Mapped[datetime]
    deadline_after: Mapped[datetime]
    at: Mapped[datetime] = mapped_column(default=utcnow)
