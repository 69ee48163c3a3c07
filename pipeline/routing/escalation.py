"""Find queue items near or past their deadline and escalate them, once per deadline.

Run on a schedule by ``flows/escalate.py``; safe to run as often as you like: an item
is escalated at most once per deadline and kind (near, overdue), and each escalation
is stored in ``queue_escalations`` and the audit trail.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.routing.config import RoutingConfig
from pipeline.routing.deadlines import ItemClock, as_utc, plan_escalation
from storage import audit
from storage.models import Claim, QueueItem, utcnow
from storage.queues import ACTIVE, snapshot
from storage.review_models import QueueEscalation


@dataclass(frozen=True)
class Escalated:
    claim_number: str
    queue_item_id: int
    kind: str
    from_queue: str
    to_queue: str
    priority: int
    deadline_at: datetime


def _window_start(session: Session, item: QueueItem) -> datetime:
    """When the current deadline started: the last move to another queue, else creation."""
    moved = session.scalar(select(QueueEscalation.at).where(
        QueueEscalation.queue_item_id == item.id, QueueEscalation.from_queue != QueueEscalation.to_queue)
        .order_by(QueueEscalation.id.desc()).limit(1))
    return as_utc(moved or item.created_at)


def _done_for_deadline(session: Session, item: QueueItem) -> frozenset[str]:
    kinds = session.scalars(select(QueueEscalation.kind).where(
        QueueEscalation.queue_item_id == item.id, QueueEscalation.deadline_before == as_utc(item.deadline_at))).all()
    return frozenset(kinds)


def escalate_due(session: Session, config: RoutingConfig, now: datetime | None = None,
                 actor: str = "escalation") -> list[Escalated]:
    now = as_utc(now or utcnow())
    done: list[Escalated] = []
    # rows a reviewer is changing right now are skipped (PostgreSQL) and caught next run
    rows = session.execute(select(QueueItem, Claim).join(Claim, Claim.id == QueueItem.claim_id)
                           .where(QueueItem.status.in_(ACTIVE)).order_by(QueueItem.deadline_at, QueueItem.id)
                           .with_for_update(skip_locked=True, of=QueueItem)).all()
    for item, claim in rows:
        clock = ItemClock(queue=item.queue, status=item.status, priority=item.priority,
                          created_at=_window_start(session, item), deadline_at=item.deadline_at,
                          line_of_business=claim.line_of_business,
                          amount=config.to_base(claim.claimed_amount, claim.currency))
        step = plan_escalation(clock, now, config.deadlines, _done_for_deadline(session, item))
        if step is None:
            continue
        before = snapshot(item)
        session.add(QueueEscalation(queue_item_id=item.id, kind=step.kind, from_queue=item.queue, to_queue=step.to_queue,
                                    priority_before=item.priority, priority_after=step.priority,
                                    deadline_before=as_utc(item.deadline_at), deadline_after=step.deadline_at, at=now))
        item.queue, item.priority, item.deadline_at = step.to_queue, step.priority, step.deadline_at
        item.escalations += 1
        session.flush()
        audit.record(session, claim.id, actor, f"queue.escalated.{step.kind}", before, snapshot(item))
        done.append(Escalated(claim.claim_number, item.id, step.kind, before["queue"], step.to_queue, step.priority,
                              step.deadline_at))
    return done
