"""Queues in the database: routing puts claims in, reviewers take the most urgent one,
nobody ever gets a claim someone else holds, and every change is audited."""
from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from pipeline.routing.stage import route_and_enqueue
from storage import queues
from storage.db import Database
from storage.models import AuditEvent, Claim, OutboxMessage, QueueItem
from storage.review_models import Investigation
from tests.routing_fixtures import NOW, config, make_claim

CFG = config()


def _item(session, claim_id: int, queue: str = "standard_review", priority: int = 0, hours: float = 48) -> QueueItem:
    claim = session.get(Claim, claim_id)
    return queues.put(session, claim, queue=queue, rule="test", inputs={}, priority=priority,
                      deadline_at=NOW + timedelta(hours=hours), actor="test")


def test_routing_stage_queues_the_claim_with_rule_inputs_deadline_and_audit(db):
    with db.session() as s:
        made = make_claim(s, None, "CLM-R1", amount="3200.00")
    with db.session() as s:
        decision, item = route_and_enqueue(s, s.get(Claim, made.claim_id), CFG, now=NOW)
    with db.session() as s:
        item = s.get(QueueItem, item.id)
        assert (item.queue, item.rule, item.status) == ("fast_track", "fast_track", "open")
        assert item.inputs["risk_score"] == 12 and item.inputs["facts"]["amount"] == "3200.00"
        assert item.deadline_at.replace(tzinfo=None) == (NOW + timedelta(hours=24)).replace(tzinfo=None)
        assert s.get(Claim, made.claim_id).stage == "routed"
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.claim_id == made.claim_id)).all()
        assert "queue.routed" in actions and "claim.stage" in actions
        kinds = s.scalars(select(OutboxMessage.kind).where(OutboxMessage.claim_id == made.claim_id)).all()
        assert kinds == ["materials_complete"]


def test_routing_again_is_harmless(db):
    with db.session() as s:
        made = make_claim(s, None, "CLM-R2", amount="9000")
    for _ in range(2):
        with db.session() as s:
            route_and_enqueue(s, s.get(Claim, made.claim_id), CFG, now=NOW)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(QueueItem).where(QueueItem.claim_id == made.claim_id)) == 1
        assert s.scalar(select(func.count()).select_from(OutboxMessage)
                        .where(OutboxMessage.claim_id == made.claim_id)) == 1


def test_a_decided_claim_is_not_queued_again_unless_disputed(db):
    from pipeline.routing import actions

    with db.session() as s:
        made = make_claim(s, None, "CLM-R5")
        _, item = route_and_enqueue(s, s.get(Claim, made.claim_id), CFG, now=NOW)
        queues.take(s, item.id, "riley")
    with db.session() as s:
        actions.deny(s, CFG, item.id, actions.Actor("riley", "reviewer"), reason_code="not_covered")
    with db.session() as s:
        assert route_and_enqueue(s, s.get(Claim, made.claim_id), CFG, now=NOW)[1] is None
        decision, reopened = route_and_enqueue(s, s.get(Claim, made.claim_id), CFG, now=NOW, disputed=True)
        assert (decision.rule, reopened.queue) == ("panel_disputed", "panel_review")


def test_new_documents_move_a_waiting_claim_on(db):
    with db.session() as s:
        made = make_claim(s, None, "CLM-R6", status="pending_documents", notice_sent=True, amount="9000")
        _, waiting = route_and_enqueue(s, s.get(Claim, made.claim_id), CFG, now=NOW)
        assert waiting.queue == "waiting_for_documents"
        s.get(Claim, made.claim_id).status = "accepted"  # the checklist ran again on the new upload
    with db.session() as s:
        _, item = route_and_enqueue(s, s.get(Claim, made.claim_id), CFG, now=NOW + timedelta(days=2))
        assert item.queue == "standard_review" and s.get(QueueItem, waiting.id).status == "done"
        superseded = s.scalars(select(AuditEvent).where(AuditEvent.action == "queue.routed")
                               .order_by(AuditEvent.id)).all()[-1]
        assert superseded.before["queue"] == "waiting_for_documents"


def test_re_routing_does_not_overrule_a_reviewers_referral(db):
    from pipeline.routing import actions

    with db.session() as s:
        made = make_claim(s, None, "CLM-R7", amount="9000")
        _, item = route_and_enqueue(s, s.get(Claim, made.claim_id), CFG, now=NOW)
        queues.take(s, item.id, "riley")
    with db.session() as s:
        panel = actions.send_to_panel(s, CFG, item.id, actions.Actor("riley", "reviewer"), note="Two accounts differ.")
    with db.session() as s:
        _, kept = route_and_enqueue(s, s.get(Claim, made.claim_id), CFG, now=NOW + timedelta(hours=1))
        assert kept.id == panel.id and kept.queue == "panel_review"


def test_routing_to_investigators_opens_a_case_file_and_tells_the_customer(db):
    with db.session() as s:
        made = make_claim(s, None, "CLM-R3", language="zh", risk=35,
                          red_flags=[{"code": "duplicate_image", "title": "The same file was sent with another claim",
                                      "evidence": {"claims": ["CLM-0009"]}, "weight": 2.0}])
        decision, item = route_and_enqueue(s, s.get(Claim, made.claim_id), CFG, now=NOW)
    assert decision.rule == "siu_named_red_flag"
    with db.session() as s:
        case = s.scalar(select(Investigation).where(Investigation.claim_id == made.claim_id))
        assert case.status == "open" and "duplicate_image - The same file was sent with another claim" in case.report
        assert "## 5. Findings" in case.report
        msg = s.scalar(select(OutboxMessage).where(OutboxMessage.kind == "investigation_started"))
        assert msg.language == "zh" and "进一步核查" in msg.subject


def test_a_claim_without_a_risk_score_is_not_routed(db):
    from storage.models import RiskScoreRow
    with db.session() as s:
        made = make_claim(s, None, "CLM-R4")
        s.delete(s.scalar(select(RiskScoreRow).where(RiskScoreRow.claim_id == made.claim_id)))
    with db.session() as s, pytest.raises(ValueError, match="no risk score"):
        route_and_enqueue(s, s.get(Claim, made.claim_id), CFG, now=NOW)


def test_take_next_gives_highest_priority_then_earliest_deadline(db):
    with db.session() as s:
        ids = [make_claim(s, None, f"CLM-T{i}").claim_id for i in range(4)]
        late = _item(s, ids[0], hours=10).id
        early = _item(s, ids[1], hours=2).id
        urgent = _item(s, ids[2], priority=10, hours=40).id
        _item(s, ids[3], queue="senior_review", priority=99, hours=1)  # not a queue this reviewer works
    order = []
    for _ in range(4):
        with db.session() as s:
            item = queues.take_next(s, "riley", ["standard_review", "fast_track"])
            order.append(item.id if item else None)
    assert order == [urgent, early, late, None]
    with db.session() as s:
        taken = s.scalars(select(QueueItem).where(QueueItem.assigned_to == "riley")).all()
        assert {i.status for i in taken} == {"taken"} and all(i.taken_at for i in taken)
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "queue.taken")) == 3


def test_release_puts_the_item_back_for_the_next_reviewer(db):
    with db.session() as s:
        item_id = _item(s, make_claim(s, None, "CLM-L1").claim_id).id
    with db.session() as s:
        queues.take_next(s, "riley", ["standard_review"])
    with db.session() as s:
        queues.release(s, item_id, "riley", holder="riley")
    with db.session() as s:
        assert queues.take_next(s, "sam", ["standard_review"]).id == item_id


def test_an_item_changed_under_a_reviewers_feet_is_refused_not_overwritten(db):
    with db.session() as s:
        item_id = _item(s, make_claim(s, None, "CLM-L2").claim_id).id
    with db.session() as s:
        queues.take(s, item_id, "riley")
    with db.session() as s, pytest.raises(queues.QueueConflict, match="held by riley"):
        queues.take(s, item_id, "sam")
    with db.session() as s, pytest.raises(queues.QueueConflict):
        queues.close(s, item_id, "sam", "queue.closed", holder="sam")
    with db.session() as s:
        assert s.get(QueueItem, item_id).assigned_to == "riley"


def _drain(url: str, reviewers: int, queue: str) -> list[int]:
    """Reviewers in threads, each with its own session, take and close until the queue is empty."""
    database = Database(url)
    got: list[int] = []
    lock, start = threading.Lock(), threading.Barrier(reviewers)
    errors: list[BaseException] = []

    def reviewer(n: int) -> None:
        try:
            start.wait()
            while True:
                with database.session() as s:
                    item = queues.take_next(s, f"reviewer-{n}", [queue])
                    if item is None:
                        return
                    with lock:
                        got.append(item.id)
                with database.session() as s:
                    queues.close(s, item.id, f"reviewer-{n}", "queue.closed", holder=f"reviewer-{n}")
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=reviewer, args=(n,)) for n in range(reviewers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    database.engine.dispose()
    assert not errors, errors
    return got


def _fill(database: Database, n: int, queue: str) -> set[int]:
    with database.session() as s:
        claim_id = make_claim(s, None, f"CLM-{queue}").claim_id
        items = [QueueItem(claim_id=claim_id, queue=queue, priority=i % 3, rule="test", inputs={},
                           deadline_at=NOW + timedelta(minutes=i), status="open") for i in range(n)]
        s.add_all(items)
        s.flush()
        return {i.id for i in items}


def test_many_reviewers_on_postgresql_never_get_the_same_claim_and_none_is_lost(postgres_url):
    from tests.conftest import _truncate_all
    _truncate_all(postgres_url)
    database = Database(postgres_url)
    expected = _fill(database, 400, "standard_review")
    got = _drain(postgres_url, reviewers=8, queue="standard_review")
    duplicates = [i for i, c in Counter(got).items() if c > 1]
    assert duplicates == [] and set(got) == expected and len(got) == 400
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(QueueItem).where(QueueItem.status != "done")) == 0
    database.engine.dispose()


def test_sqlite_serialises_concurrent_reviewers(sqlite_url):
    database = Database(sqlite_url)
    expected = _fill(database, 60, "fast_track")
    got = _drain(sqlite_url, reviewers=4, queue="fast_track")
    assert sorted(got) == sorted(expected)
    database.engine.dispose()


def test_migration_0002_creates_exactly_the_review_tables_of_the_models(db):
    from alembic.migration import MigrationContext
    from alembic.autogenerate import compare_metadata

    import storage.review_models  # noqa: F401
    from storage.models import Base

    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_the_demo_listing_shows_every_queue_with_its_claims_and_time_left(db):
    from pipeline.routing.report import desk_instructions, format_queues

    with db.session() as s:
        for number, kw in [("CLM-F1", {"amount": "3200"}), ("CLM-F2", {"amount": "60000"}), ("CLM-F3", {"risk": 90})]:
            route_and_enqueue(s, s.get(Claim, make_claim(s, None, number, **kw).claim_id), CFG, now=NOW)
    with db.session() as s:
        text = format_queues(s, CFG, now=NOW + timedelta(hours=1))
    lines = text.splitlines()
    assert lines[0] == "Fast track (fast_track): 1" and "CLM-F1" in lines[1] and "due in 23h 0m" in lines[1]
    assert "Senior review (senior_review): 1" in text and "Special investigations (special_investigations): 1" in text
    assert "Panel review (panel_review): 0" in text
    assert "http://127.0.0.1:8080/" in desk_instructions() and "reviewer" in desk_instructions()
