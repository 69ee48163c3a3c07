"""Deadline escalation: near the deadline an item rises in priority, past it an open
item moves up a level with a fresh deadline; each happens once and is recorded."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from pipeline.routing.deadlines import ItemClock, plan_escalation
from pipeline.routing.escalation import escalate_due
from pipeline.routing.stage import route_and_enqueue
from storage import queues
from storage.models import AuditEvent, Claim, QueueItem
from storage.review_models import QueueEscalation
from tests.routing_fixtures import NOW, config, make_claim

CFG = config()
D = CFG.deadlines


def clock(queue="standard_review", status="open", hours=48) -> ItemClock:
    return ItemClock(queue=queue, status=status, priority=0, created_at=NOW, deadline_at=NOW + timedelta(hours=hours),
                     line_of_business="auto", amount=Decimal("3000"))


def test_nothing_happens_while_there_is_time():
    assert plan_escalation(clock(), NOW + timedelta(hours=35), D) is None  # 13h of 48 left (> 25%)


def test_near_the_deadline_priority_rises_once():
    step = plan_escalation(clock(), NOW + timedelta(hours=37), D)  # 11h left (< 25% of 48h)
    assert (step.kind, step.to_queue, step.priority) == ("near", "standard_review", 10)
    assert plan_escalation(clock(), NOW + timedelta(hours=37), D, frozenset({"near"})) is None


def test_past_the_deadline_an_open_item_moves_up_with_a_fresh_deadline():
    now = NOW + timedelta(hours=49)
    step = plan_escalation(clock(), now, D, frozenset({"near"}))
    assert (step.kind, step.to_queue, step.priority) == ("overdue", "senior_review", 10)
    assert step.deadline_at == now + timedelta(hours=72)  # senior review, small band
    assert plan_escalation(clock(), now, D, frozenset({"near", "overdue"})) is None


def test_a_taken_item_stays_with_its_reviewer_and_only_rises():
    step = plan_escalation(clock(status="taken"), NOW + timedelta(hours=49), D)
    assert (step.to_queue, step.priority, step.deadline_at) == ("standard_review", 10, NOW + timedelta(hours=48))


def test_the_top_level_has_nowhere_to_go_and_only_rises():
    step = plan_escalation(clock(queue="panel_review", hours=168), NOW + timedelta(hours=170), D)
    assert (step.to_queue, step.kind) == ("panel_review", "overdue")


def test_escalation_run_on_the_database_moves_records_and_audits_once(db):
    with db.session() as s:
        fast = make_claim(s, None, "CLM-E1", amount="3200")        # fast track, 24h
        standard = make_claim(s, None, "CLM-E2", amount="20000")   # standard, 72h
        route_and_enqueue(s, s.get(Claim, fast.claim_id), CFG, now=NOW)
        route_and_enqueue(s, s.get(Claim, standard.claim_id), CFG, now=NOW)

    later = NOW + timedelta(hours=25)  # fast track overdue; standard not yet near (47h of 72h left)
    with db.session() as s:
        done = escalate_due(s, CFG, later)
    assert [(e.claim_number, e.kind, e.from_queue, e.to_queue) for e in done] == [
        ("CLM-E1", "overdue", "fast_track", "standard_review")]
    with db.session() as s:
        assert escalate_due(s, CFG, later) == []  # running again changes nothing
        item = s.scalar(select(QueueItem).where(QueueItem.claim_id == fast.claim_id))
        assert (item.queue, item.priority, item.escalations) == ("standard_review", 10, 1)
        assert item.deadline_at.replace(tzinfo=None) == (later + timedelta(hours=48)).replace(tzinfo=None)
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "queue.escalated.overdue"))
        assert event.before["queue"] == "fast_track" and event.after["queue"] == "standard_review"
        assert s.scalar(select(QueueEscalation)).from_queue == "fast_track"

    # CLM-E2 gets near at 17h of 72h left; the moved CLM-E1's window starts at the move
    # (48h from NOW+25h), so at NOW+55h it still has 18h of 48h and only at NOW+62h gets near
    with db.session() as s:
        near = escalate_due(s, CFG, NOW + timedelta(hours=55))
        assert [(e.claim_number, e.kind) for e in near] == [("CLM-E2", "near")]
    with db.session() as s:
        near = escalate_due(s, CFG, NOW + timedelta(hours=62))
        assert [(e.claim_number, e.kind) for e in near] == [("CLM-E1", "near")]


def test_an_escalated_item_is_handed_out_before_later_arrivals_with_earlier_deadlines(db):
    with db.session() as s:
        b = make_claim(s, None, "CLM-E4", amount="9000")
        route_and_enqueue(s, s.get(Claim, b.claim_id), CFG, now=NOW - timedelta(hours=60))  # 72h window, 12h left
    with db.session() as s:
        assert [e.claim_number for e in escalate_due(s, CFG, NOW)] == ["CLM-E4"]
    with db.session() as s:
        a = make_claim(s, None, "CLM-E3", amount="9000")
        queues.put(s, s.get(Claim, a.claim_id), queue="standard_review", rule="test", inputs={}, priority=0,
                   deadline_at=NOW + timedelta(hours=1), actor="test", created_at=NOW)
    with db.session() as s:
        assert queues.take_next(s, "riley", ["standard_review"]).claim_id == b.claim_id


def test_the_scheduled_flow_task_runs_the_same_escalation(tmp_path, sqlite_url):
    from flows.escalate import escalate_task
    from pipeline.settings import Settings
    from storage.db import Database

    database = Database(sqlite_url)
    with database.session() as s:
        made = make_claim(s, None, "CLM-E5", amount="3200")
        route_and_enqueue(s, s.get(Claim, made.claim_id), CFG, now=NOW)
    settings = Settings(data_dir=tmp_path, database_url=sqlite_url)
    done = escalate_task.fn(settings, NOW + timedelta(days=2))
    assert [(e.claim_number, e.to_queue) for e in done] == [("CLM-E5", "standard_review")]
