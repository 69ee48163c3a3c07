"""Run flows from a terminal without Prefect's per-task log lines drowning the summary."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Iterator

NOISY = ("prefect", "prefect.flow_runs", "prefect.task_runs", "prefect.server", "uvicorn", "httpx", "alembic")


@contextmanager
def quiet_prefect(level: int = logging.WARNING) -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in NOISY]
    old = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(level)
    try:
        yield
    finally:
        for lg, lvl in zip(loggers, old):
            lg.setLevel(lvl)
