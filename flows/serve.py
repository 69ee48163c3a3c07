"""How operations run the pipeline: ``claims serve`` serves the flows on their schedules.

``prefect.serve`` registers one deployment per flow with the Prefect API and runs
their scheduled runs in this process. Point ``PREFECT_API_URL`` at a Prefect server
(``prefect server start``, UI at http://127.0.0.1:4200) to watch the runs there.
"""
from __future__ import annotations

from datetime import timedelta
from importlib import import_module

from prefect import serve

# (module, flow attribute, deployment name, interval) - maintenance flows join as they exist
SCHEDULE: list[tuple[str, str, str, timedelta]] = [
    ("flows.process_claim", "process_inbox", "process-inbox", timedelta(minutes=5)),
]


def deployments(inbox_interval: timedelta):
    for module, attr, name, interval in SCHEDULE:
        flow = getattr(import_module(module), attr)
        yield flow.to_deployment(name=name, interval=inbox_interval if attr == "process_inbox" else interval)


def serve_all(inbox_interval_minutes: int = 5) -> None:
    serve(*deployments(timedelta(minutes=inbox_interval_minutes)))
