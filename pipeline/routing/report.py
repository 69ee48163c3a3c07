"""What ``make demo`` prints at the end: each queue's contents and how to open the desk."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from pipeline.routing.config import QUEUES, RoutingConfig
from pipeline.routing.deadlines import as_utc
from storage.models import utcnow
from storage.queues import queue_contents


def time_left(deadline: datetime, now: datetime) -> str:
    seconds = int((as_utc(deadline) - as_utc(now)).total_seconds())
    sign, seconds = ("overdue " if seconds < 0 else ""), abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    text = f"{days}d {hours}h" if days else f"{hours}h {rest // 60}m"
    return sign + text


def format_queues(session: Session, config: RoutingConfig, now: datetime | None = None) -> str:
    now = now or utcnow()
    by_queue: dict[str, list] = {q: [] for q in QUEUES}
    for item, claim in queue_contents(session):
        by_queue[item.queue].append((item, claim))
    lines = []
    for queue in QUEUES:
        items = by_queue[queue]
        lines.append(f"{config.rules.queues[queue].label} ({queue}): {len(items)}")
        for item, claim in items:
            holder = f"  taken by {item.assigned_to}" if item.assigned_to else ""
            lines.append(f"  {claim.claim_number:<18} {claim.line_of_business:<8} {claim.currency} "
                         f"{claim.claimed_amount:>12,.2f}  rule {item.rule:<32} due in {time_left(item.deadline_at, now)}"
                         f"{holder}")
    return "\n".join(lines)


def desk_instructions(host: str = "127.0.0.1", port: int = 8080) -> str:
    return (f"Reviewer's desk: run `claims web --port {port}` and open http://{host}:{port}/\n"
            "Demo sign-ins (demo only, username = password): reviewer, senior, investigator, ops")
