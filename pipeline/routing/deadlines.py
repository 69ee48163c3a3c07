"""How long a queue item may wait, and what to do when it runs late. Pure functions
of the item's state, the clock and config/queue_deadlines.yaml.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from pipeline.routing.config import Deadlines


def as_utc(moment: datetime) -> datetime:
    """SQLite hands datetimes back without a zone; we only ever store UTC."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def amount_band(amount: Decimal, deadlines: Deadlines) -> str:
    for band in deadlines.amount_bands:
        if band.up_to is None or Decimal(amount) <= band.up_to:
            return band.name
    raise AssertionError("the last band is open-ended")


def hours_for(queue: str, line_of_business: str, amount: Decimal, deadlines: Deadlines) -> int:
    if queue not in deadlines.hours:
        raise ValueError(f"no deadline configured for queue {queue!r}")
    by_line = deadlines.hours[queue]
    hours = by_line.get(line_of_business, by_line["default"])
    return hours if isinstance(hours, int) else hours[amount_band(amount, deadlines)]


def deadline_for(queue: str, line_of_business: str, amount: Decimal, start: datetime, deadlines: Deadlines) -> datetime:
    """``amount`` is in the base currency."""
    return as_utc(start) + timedelta(hours=hours_for(queue, line_of_business, amount, deadlines))


@dataclass(frozen=True)
class ItemClock:
    """What escalation needs to know about a queue item."""

    queue: str
    status: str  # open | taken
    priority: int
    created_at: datetime  # start of the current deadline window
    deadline_at: datetime
    line_of_business: str
    amount: Decimal  # base currency


@dataclass(frozen=True)
class EscalationStep:
    kind: str  # near | overdue
    to_queue: str
    priority: int
    deadline_at: datetime


def plan_escalation(item: ItemClock, now: datetime, deadlines: Deadlines,
                    already: frozenset[str] = frozenset()) -> EscalationStep | None:
    """The escalation an item is due, or None. ``already``: kinds done for this deadline.

    Past its deadline, an open item moves to the next level with a fresh deadline there
    (or, with no next level, only rises in priority); a taken item stays with its
    reviewer and rises in priority. Near its deadline, an item rises in priority once.
    """
    now, deadline, start = as_utc(now), as_utc(item.deadline_at), as_utc(item.created_at)
    rules = deadlines.escalation
    step = rules.priority_step
    if now >= deadline:
        if "overdue" in already:
            return None
        target = rules.next_level.get(item.queue) if item.status == "open" else None
        if target:
            new_deadline = deadline_for(target, item.line_of_business, item.amount, now, deadlines)
            return EscalationStep("overdue", target, item.priority + step, new_deadline)
        return EscalationStep("overdue", item.queue, item.priority + step, deadline)
    window = (deadline - start).total_seconds()
    if window > 0 and (deadline - now).total_seconds() < rules.near_fraction * window and not already:
        return EscalationStep("near", item.queue, item.priority + step, deadline)
    return None
