"""``process_claim`` and ``process_inbox``: one Prefect task per stage, nothing more.

The work lives in ``pipeline.stages``; these tasks add retries for transient storage
and database errors and give operations one run per claim to watch in the Prefect UI.
Running a flow twice on the same claim is harmless: every stage is idempotent.
"""
from __future__ import annotations

from functools import lru_cache

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from pipeline.settings import get_settings
from pipeline.stages import check, prepare, read, route, score
from pipeline.stages.context import Context
from storage import audit
from storage.models import Claim, claim_by_number
from storage.objects import ObjectStoreError

TRANSIENT = (ObjectStoreError, OperationalError, ConnectionError, TimeoutError)


def is_transient(task, task_run, state) -> bool:
    """Retry storage hiccups; a bug or a bad file fails at once."""
    try:
        state.result()
    except TRANSIENT:
        return True
    except Exception:
        return False
    return False


@lru_cache(maxsize=1)
def _context(settings_key: str) -> Context:
    return Context.open(get_settings())


def context() -> Context:
    s = get_settings()
    return _context(f"{s.db_url}|{s.store}|{s.data_dir}")


stage_task = task(retries=3, retry_delay_seconds=exponential_backoff(backoff_factor=2),
                  retry_condition_fn=is_transient, cache_policy=NO_CACHE)


@stage_task
def prepare_document(document_id: int) -> int:
    pages, _ = prepare.prepare_document(context(), document_id)
    return pages


@stage_task
def read_claim(claim_number: str) -> dict:
    r = read.read_claim(context(), claim_number)
    return r.__dict__


@stage_task
def check_claim(claim_number: str) -> dict:
    return check.check_claim(context(), claim_number).__dict__


@stage_task
def score_claim(claim_number: str) -> dict:
    return score.score_claim(context(), claim_number).__dict__


@stage_task
def route_claim(claim_number: str) -> dict:
    return route.route_claim(context(), claim_number)


@stage_task
def mark_stage(claim_number: str, stage: str) -> None:
    with context().db.session() as s:
        claim_by_number(s, claim_number).stage = stage


@flow(name="process_claim", log_prints=False)
def process_claim(claim_number: str) -> dict:
    """Take one claim from stored uploads to a routed, pre-checked dossier."""
    ctx = context()
    futures = [prepare_document.submit(doc_id) for doc_id in prepare.documents_to_prepare(ctx, claim_number)]
    for f in futures:
        f.result()
    mark_stage(claim_number, "prepared")
    reading = read_claim(claim_number)
    mark_stage(claim_number, "read")
    checklist = check_claim(claim_number)
    mark_stage(claim_number, "checked")
    risk = score_claim(claim_number)
    mark_stage(claim_number, "scored")
    routing = route_claim(claim_number)  # sets the stage to "routed"
    summary = prepare.summarise(ctx, claim_number)
    get_run_logger().info("%s: %d documents, %d pages, %d quarantined", claim_number, summary.documents,
                          summary.pages, len(summary.quarantined))
    return {"claim_number": claim_number, "documents": summary.documents, "pages": summary.pages,
            "quarantined": summary.quarantined, "reading": reading, "checklist": checklist, "risk": risk, "routing": routing}


# A claim whose run stopped part-way stays at the stage it reached; stages are
# idempotent, so the next inbox run simply takes it from the start again.
UNFINISHED = ("received", "prepared", "read", "checked", "scored")


def claims_waiting(ctx: Context) -> list[str]:
    with ctx.db.session() as s:
        return list(s.scalars(select(Claim.claim_number).where(Claim.stage.in_(UNFINISHED)).order_by(Claim.id)))


@flow(name="process_inbox")
def process_inbox() -> list[dict]:
    """Process every claim that has new material waiting; one failing claim stops no other."""
    results = []
    for number in claims_waiting(context()):
        state = process_claim(number, return_state=True)
        if state.is_completed():
            results.append(state.result())
        else:
            get_run_logger().error("%s failed (%s); it stays in the inbox for the next run", number, state.message)
            with context().db.session() as s:
                claim = claim_by_number(s, number)
                audit.record(s, claim.id, "system:flow", "processing_failed", None, {"message": state.message})
            results.append({"claim_number": number, "failed": state.message})
    return results
