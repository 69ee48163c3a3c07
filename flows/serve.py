"""How operations run the pipeline: ``claims serve`` serves the flows on their schedules.

``prefect.serve`` registers one deployment per flow with the Prefect API and runs
their scheduled runs in this process: ``process_inbox`` every few minutes, deadline
escalation every 15 minutes, fraud-model retraining on the cron in config/fraud.yaml.
Point ``PREFECT_API_URL`` at a Prefect server (``prefect server start``, UI at
http://127.0.0.1:4200) to watch the runs there.
"""
from __future__ import annotations

from datetime import timedelta

from prefect import serve


def deployments(inbox_interval: timedelta) -> list:
    from flows.escalate import escalate_queue_deadlines
    from flows.process_claim import process_inbox
    from flows.retrain_fraud import retrain_fraud
    from pipeline.fraud.config import load_fraud_config

    return [
        process_inbox.to_deployment(name="process-inbox", interval=inbox_interval),
        escalate_queue_deadlines.to_deployment(name="escalate-every-15-min", interval=timedelta(minutes=15)),
        retrain_fraud.to_deployment(name="retrain-fraud", cron=load_fraud_config().retraining.cron),
    ]


def serve_all(inbox_interval_minutes: int = 5) -> None:
    serve(*deployments(timedelta(minutes=inbox_interval_minutes)))
