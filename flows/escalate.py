"""Scheduled: escalate queue items near or past their deadline (config/queue_deadlines.yaml).

Run once:      python -m flows.escalate
Serve on a schedule (every 15 minutes):  python -m flows.escalate --serve
"""
from __future__ import annotations

import sys
from datetime import datetime, timedelta

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from pipeline.routing.config import load_config
from pipeline.routing.escalation import Escalated, escalate_due
from pipeline.settings import Settings, get_settings
from storage.db import open_database


@task(name="escalate-due-items", cache_policy=NO_CACHE)  # the clock moves: never reuse a result
def escalate_task(settings: Settings, now: datetime | None = None) -> list[Escalated]:
    config = load_config(settings.config_dir)
    with open_database(settings).session() as session:
        return escalate_due(session, config, now)


@flow(name="escalate-queue-deadlines")
def escalate_queue_deadlines(now: datetime | None = None) -> list[Escalated]:
    done = escalate_task(get_settings(), now)
    logger = get_run_logger()
    for e in done:
        logger.info("%s %s: %s -> %s, priority %d, due %s", e.kind, e.claim_number, e.from_queue, e.to_queue,
                    e.priority, e.deadline_at.isoformat())
    logger.info("%d queue item(s) escalated", len(done))
    return done


if __name__ == "__main__":
    if "--serve" in sys.argv:
        escalate_queue_deadlines.serve(name="escalate-every-15-min", interval=timedelta(minutes=15))
    else:
        escalate_queue_deadlines()
