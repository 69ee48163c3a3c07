"""Review queues in the database: put a routed claim in, hand out the next item, give it
back, move it, close it with a decision.

Handing out is safe with many reviewers at once: on PostgreSQL the next open item is
picked with ``SELECT ... FOR UPDATE SKIP LOCKED`` (a reviewer skips rows another is
taking, never waits, never gets the same row); SQLite has one writer at a time, so the
pick-and-mark is one ``UPDATE ... RETURNING`` statement that the database serialises.
Every state change is a compare-and-set on (status, holder), so an item that changed
under a reviewer's feet is refused rather than overwritten, and every change appends
to the audit trail in the same transaction.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pipeline.routing.rules import RoutingDecision
from storage import audit
from storage.models import Claim, QueueItem, utcnow
from storage.review_models import Decision

ACTIVE = ("open", "taken")


class QueueConflict(RuntimeError):
    """The item is no longer in the state the caller saw (someone else acted first)."""


def snapshot(item: QueueItem) -> dict[str, Any]:
    return {"queue_item": item.id, "queue": item.queue, "status": item.status, "assigned_to": item.assigned_to,
            "priority": item.priority, "deadline_at": item.deadline_at, "rule": item.rule}


def active_item(session: Session, claim_id: int) -> QueueItem | None:
    return session.scalars(select(QueueItem).where(QueueItem.claim_id == claim_id, QueueItem.status.in_(ACTIVE))
                           .order_by(QueueItem.id.desc())).first()


def put(session: Session, claim: Claim, *, queue: str, rule: str, inputs: dict[str, Any], priority: int,
        deadline_at: datetime, actor: str, action: str = "queue.routed",
        created_at: datetime | None = None) -> QueueItem:
    """A new open item for the claim; any item it still has is closed as superseded.

    ``created_at`` starts the item's deadline window (the routing time).
    """
    previous = active_item(session, claim.id)
    before = None
    if previous is not None:
        before = snapshot(previous)
        _transition(session, previous, expect_status=previous.status, expect_holder=previous.assigned_to,
                    values={"status": "done", "closed_at": utcnow()})
    item = QueueItem(claim_id=claim.id, queue=queue, rule=rule, inputs=inputs, priority=priority,
                     deadline_at=deadline_at, status="open", created_at=created_at or utcnow())
    session.add(item)
    session.flush()
    audit.record(session, claim.id, actor, action, before, {**snapshot(item), "inputs": inputs})
    return item


def enqueue(session: Session, claim: Claim, decision: RoutingDecision, actor: str) -> QueueItem:
    """Put a routed claim in its queue with the rule that fired and the inputs it saw."""
    item = put(session, claim, queue=decision.queue, rule=decision.rule, inputs=decision.record(),
               priority=decision.priority, deadline_at=decision.deadline_at, actor=actor,
               created_at=decision.inputs.routed_at)
    if claim.stage != "routed":
        audit.record(session, claim.id, actor, "claim.stage", {"stage": claim.stage}, {"stage": "routed"})
        claim.stage = "routed"
    return item


def _order():
    return (QueueItem.priority.desc(), QueueItem.deadline_at, QueueItem.id)


def take_next(session: Session, username: str, queues: Sequence[str]) -> QueueItem | None:
    """Give ``username`` the most urgent open item of ``queues`` (priority, then deadline).

    The item is marked taken in the caller's transaction; commit promptly.
    """
    if not queues:
        return None
    now = utcnow()
    if session.get_bind().dialect.name == "postgresql":
        item = session.scalars(select(QueueItem).where(QueueItem.status == "open", QueueItem.queue.in_(queues))
                               .order_by(*_order()).limit(1).with_for_update(skip_locked=True)).first()
        if item is None:
            return None
        item.status, item.assigned_to, item.taken_at = "taken", username, now
        session.flush()
    else:
        pick = (select(QueueItem.id).where(QueueItem.status == "open", QueueItem.queue.in_(queues))
                .order_by(*_order()).limit(1).scalar_subquery())
        taken_id = session.execute(
            update(QueueItem).where(QueueItem.id == pick, QueueItem.status == "open")
            .values(status="taken", assigned_to=username, taken_at=now).returning(QueueItem.id)
            .execution_options(synchronize_session=False)).scalar()
        if taken_id is None:
            return None
        item = session.get(QueueItem, taken_id, populate_existing=True)
    audit.record(session, item.claim_id, username, "queue.taken", {"status": "open"}, snapshot(item))
    return item


def take(session: Session, item_id: int, username: str) -> QueueItem:
    """Take one particular open item (a reviewer picking from the list)."""
    item = _get(session, item_id)
    _transition(session, item, expect_status="open", expect_holder=None,
                values={"status": "taken", "assigned_to": username, "taken_at": utcnow()})
    audit.record(session, item.claim_id, username, "queue.taken", {"status": "open"}, snapshot(item))
    return item


def release(session: Session, item_id: int, actor: str, *, holder: str | None = None) -> QueueItem:
    """Back to the queue for someone else; ``holder``: who must hold it now (None: anyone)."""
    item = _get(session, item_id)
    if item.status != "taken":
        raise QueueConflict(f"queue item {item_id} is {item.status}, not taken")
    before = snapshot(item)
    _transition(session, item, expect_status="taken", expect_holder=holder or item.assigned_to,
                values={"status": "open", "assigned_to": None, "taken_at": None})
    audit.record(session, item.claim_id, actor, "queue.released", before, snapshot(item))
    return item


def close(session: Session, item_id: int, actor: str, action: str, *, holder: str) -> QueueItem:
    item = _get(session, item_id)
    before = snapshot(item)
    _transition(session, item, expect_status="taken", expect_holder=holder,
                values={"status": "done", "closed_at": utcnow()})
    audit.record(session, item.claim_id, actor, action, before, snapshot(item))
    return item


def move(session: Session, item_id: int, actor: str, *, holder: str, queue: str, rule: str,
         inputs: dict[str, Any], priority: int, deadline_at: datetime) -> QueueItem:
    """Close the holder's item and open a new one in ``queue`` (a referral by a person)."""
    item = _get(session, item_id)
    claim = session.get(Claim, item.claim_id)
    close(session, item.id, actor, "queue.closed", holder=holder)
    return put(session, claim, queue=queue, rule=rule, inputs=inputs, priority=priority, deadline_at=deadline_at,
               actor=actor, action="queue.referred")


def decide(session: Session, item_id: int, *, actor: str, role: str, outcome: str, claimed_amount: Decimal,
           currency: str, assessed_amount: Decimal | None = None, payable_amount: Decimal | None = None,
           breakdown: dict[str, Any] | None = None, reason_code: str | None = None, clause: str | None = None,
           note: str | None = None, approval: dict[str, Any] | None = None) -> Decision:
    """Close the item with an approval or denial; the claim's stage becomes ``decided``.

    ``approval``: what the checklist said and what the reviewer confirmed, for the audit trail.
    """
    if outcome not in ("approved", "denied"):
        raise ValueError(f"outcome must be approved or denied, not {outcome!r}")
    item = _get(session, item_id)
    close(session, item_id, actor, "queue.closed", holder=actor)
    decision = Decision(claim_id=item.claim_id, queue_item_id=item.id, outcome=outcome, claimed_amount=claimed_amount,
                        assessed_amount=assessed_amount, payable_amount=payable_amount, currency=currency,
                        breakdown=breakdown, reason_code=reason_code, clause=clause, note=note,
                        decided_by=actor, decided_role=role)
    session.add(decision)
    session.flush()
    claim = session.get(Claim, item.claim_id)
    audit.record(session, claim.id, actor, f"claim.{outcome}", {"stage": claim.stage},
                 {"stage": "decided", "decision": decision.id, "payable_amount": payable_amount,
                  "reason_code": reason_code, "clause": clause, "breakdown": breakdown,
                  **({"approval": approval} if approval is not None else {})})
    claim.stage = "decided"
    return decision


def _get(session: Session, item_id: int) -> QueueItem:
    item = session.get(QueueItem, item_id)
    if item is None:
        raise LookupError(f"no queue item {item_id}")
    return item


def _transition(session: Session, item: QueueItem, *, expect_status: str, expect_holder: str | None,
                values: dict[str, Any]) -> None:
    """Compare-and-set: change the row only if it is still as the caller saw it."""
    holder = QueueItem.assigned_to.is_(None) if expect_holder is None else QueueItem.assigned_to == expect_holder
    result = session.execute(update(QueueItem).where(QueueItem.id == item.id, QueueItem.status == expect_status, holder)
                             .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        session.refresh(item)
        raise QueueConflict(f"queue item {item.id} is now {item.status}"
                            + (f" (held by {item.assigned_to})" if item.assigned_to else ""))
    session.refresh(item)


def queue_contents(session: Session, queues: Sequence[str] | None = None) -> list[tuple[QueueItem, Claim]]:
    """Open and taken items with their claims, soonest deadline first."""
    stmt = (select(QueueItem, Claim).join(Claim, Claim.id == QueueItem.claim_id)
            .where(QueueItem.status.in_(ACTIVE)).order_by(QueueItem.deadline_at, QueueItem.id))
    if queues is not None:
        stmt = stmt.where(QueueItem.queue.in_(queues))
    return [(i, c) for i, c in session.execute(stmt).all()]
