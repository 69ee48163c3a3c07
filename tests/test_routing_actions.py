"""A reviewer's actions: authority limits, the payable amount, denial letters in the
claim's language, document requests, referrals, and the audit trail and outbox they leave."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from pipeline.routing import actions
from pipeline.routing.actions import Actor
from pipeline.routing.authority import NotAllowed, allowed_actions, mask, may_unmask
from pipeline.routing.letters import render_denial_letter
from pipeline.routing.payable import payable_amount
from pipeline.routing.stage import route_and_enqueue
from pipeline.schemas import PolicyRecord
from storage import queues
from storage.models import AuditEvent, AuditTrailIsAppendOnly, Claim, OutboxMessage, QueueItem
from storage.review_models import Decision, DenialLetter, DocumentRequest, Investigation
from tests.routing_fixtures import NOW, config, make_claim

CFG = config()
REVIEWER = Actor("riley", "reviewer", "Riley Reviewer")
SENIOR = Actor("sam", "senior_reviewer", "Sam Senior")
INVESTIGATOR = Actor("ivy", "investigator", "Ivy Investigator")
OPS = Actor("omar", "operations", "Omar Operations")


def policy(**change) -> PolicyRecord:
    base = dict(policy_number="P-1", line_of_business="auto", holder_name="ZHANG Wei", start_date=date(2026, 1, 1),
                end_date=date(2026, 12, 31), covered_incidents=["collision"], sum_insured=Decimal("200000"),
                premium=Decimal("3000"), deductible=Decimal("500"), co_payment_pct=Decimal("10"))
    return PolicyRecord(**{**base, **change})


# --- payable amount (pure) ------------------------------------------------------------

def test_payable_takes_deductible_then_co_payment():
    p = payable_amount(Decimal("3200"), policy())
    assert (p.after_deductible, p.co_payment, p.payable, p.capped) == (Decimal("2700.00"), Decimal("270.00"),
                                                                       Decimal("2430.00"), False)


def test_payable_is_capped_at_what_is_left_of_the_sum_insured():
    p = payable_amount(Decimal("100000"), policy(sum_insured=Decimal("80000")), already_paid=Decimal("30000"))
    assert p.limit_left == Decimal("50000.00") and p.capped and p.payable == Decimal("50000.00")


def test_payable_is_never_negative_and_rounds_half_up_at_the_end():
    assert payable_amount(Decimal("400"), policy()).payable == Decimal("0.00")
    p = payable_amount(Decimal("1000.05"), policy(deductible=Decimal("0"), co_payment_pct=Decimal("15")))
    assert p.payable == Decimal("850.04")  # 850.0425 -> 850.04


def test_assessed_loss_below_the_claim_is_used_and_above_it_is_refused():
    assert payable_amount(Decimal("3200"), policy(), assessed=Decimal("2500")).payable == Decimal("1800.00")
    with pytest.raises(ValueError, match="more than the 3200 claimed"):
        payable_amount(Decimal("3200"), policy(), assessed=Decimal("4000"))


# --- authority (pure) -----------------------------------------------------------------

def _allowed(role, amount, queue="standard_review", line="auto", holder=None, username="me", status="taken"):
    return allowed_actions(CFG, role, queue=queue, line_of_business=line, claimed_amount=Decimal(amount),
                           currency="CNY", item_status=status, holder=holder or username, username=username)


def test_reviewer_decides_only_within_authority():
    assert {"approve", "deny"} <= set(_allowed("reviewer", "50000"))
    over = _allowed("reviewer", "50000.01")
    assert "approve" not in over and "deny" not in over and "send_to_panel" in over
    assert "approve" not in _allowed("reviewer", "30000.01", line="health")


def test_senior_reviewer_decides_up_to_the_senior_limit():
    assert "approve" in _allowed("senior_reviewer", "500000", queue="senior_review")
    assert "approve" not in _allowed("senior_reviewer", "500000.01", queue="panel_review")


def test_investigators_and_operations_never_decide():
    assert set(_allowed("investigator", "10", queue="special_investigations")) == {
        "close_investigation", "request_documents", "send_to_panel", "release"}
    assert _allowed("operations", "10") == ["release"]


def test_no_actions_on_an_item_one_does_not_hold_except_operations_release():
    assert _allowed("reviewer", "10", holder="someone-else") == []
    assert _allowed("reviewer", "10", status="open") == []
    assert _allowed("operations", "10", holder="someone-else") == ["release"]
    assert _allowed("reviewer", "10", queue="senior_review") == []


def test_masking_by_role():
    assert mask("110101199003078515") == "••••••••••••••8515"
    assert not may_unmask(CFG, "reviewer", "id_number") and may_unmask(CFG, "investigator", "id_number")
    assert may_unmask(CFG, "operations", "account_number") and not may_unmask(CFG, "senior_reviewer", "account_number")
    assert may_unmask(CFG, "reviewer", "name")


# --- letters (pure) -------------------------------------------------------------------

def test_denial_letter_in_chinese_cites_reason_clause_and_appeal_route():
    text = render_denial_letter(CFG, "zh", "late_notification", claim_number="CLM-9", claimant_name="张伟",
                                policy_number="P-9", claimed_amount="3,200.00", currency="CNY", reviewer="李审核",
                                on=date(2026, 3, 2))
    assert "超过了保单约定的报案期限" in text.body and "Section 5.2 Notice of claim" in text.body
    assert "60日内" in text.body and "CLM-9" in text.appeal_route and "尊敬的张伟" in text.body


def test_unknown_denial_reason_is_refused():
    with pytest.raises(ValueError, match="unknown denial reason 'because'"):
        render_denial_letter(CFG, "en", "because", claim_number="C", claimant_name="A", policy_number="P",
                             claimed_amount="1", currency="CNY", reviewer="R", on=date(2026, 1, 1))


# --- actions on the database ----------------------------------------------------------

def _queued(db, number, actor=REVIEWER, **claim):
    with db.session() as s:
        made = make_claim(s, None, number, **claim)
        _, item = route_and_enqueue(s, s.get(Claim, made.claim_id), CFG, now=NOW)
    with db.session() as s:
        queues.take(s, item.id, actor.username)
    return made.claim_id, item.id


def _kinds(s, claim_id):
    return s.scalars(select(OutboxMessage.kind).where(OutboxMessage.claim_id == claim_id)
                     .order_by(OutboxMessage.id)).all()


def test_approve_records_the_payable_amount_and_tells_the_customer(db):
    claim_id, item_id = _queued(db, "CLM-A1", amount="3200.00")
    with db.session() as s:
        decision = actions.approve(s, CFG, item_id, REVIEWER)
    with db.session() as s:
        d = s.get(Decision, decision.id)
        assert (d.outcome, d.payable_amount, d.decided_by) == ("approved", Decimal("2430.00"), "riley")
        assert d.breakdown["deductible"] == "500" and s.get(QueueItem, item_id).status == "done"
        assert s.get(Claim, claim_id).stage == "decided"
        assert _kinds(s, claim_id) == ["materials_complete", "review_completed", "payment_approved"]
        paid = s.scalar(select(OutboxMessage).where(OutboxMessage.kind == "payment_approved"))
        assert "CNY 2,430.00" in paid.body
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "claim.approved"))
        assert event.actor == "riley" and event.before == {"stage": "routed"} and event.after["payable_amount"] == "2430.00"


def test_earlier_payments_on_the_policy_reduce_the_limit(db):
    _, first = _queued(db, "CLM-A2", amount="3000", sum_insured="4000", deductible="0", co_payment="0")
    with db.session() as s:
        actions.approve(s, CFG, first, REVIEWER)
        # a second claim on the same policy
        made = make_claim(s, None, "CLM-A3", amount="2500", deductible="0", co_payment="0", sum_insured="4000")
        claim = s.get(Claim, made.claim_id)
        claim.policy_number = "P-CLM-A2"
        _, item = route_and_enqueue(s, claim, CFG, now=NOW)
    with db.session() as s:
        queues.take(s, item.id, "riley")
    with db.session() as s:
        assert actions.approve(s, CFG, item.id, REVIEWER).payable_amount == Decimal("1000.00")


def test_reviewer_cannot_approve_above_authority_even_by_calling_the_action(db):
    _, item_id = _queued(db, "CLM-A4", amount="9000")
    with db.session() as s:
        s.get(Claim, s.get(QueueItem, item_id).claim_id).claimed_amount = Decimal("80000")
    with db.session() as s, pytest.raises(NotAllowed, match="above a reviewer's authority"):
        actions.approve(s, CFG, item_id, REVIEWER)
    with db.session() as s:
        assert s.get(QueueItem, item_id).status == "taken" and s.scalar(select(Decision)) is None


def test_an_investigator_may_not_approve(db):
    _, item_id = _queued(db, "CLM-A5", INVESTIGATOR, risk=85)
    with db.session() as s, pytest.raises(NotAllowed, match="investigator may not approve"):
        actions.approve(s, CFG, item_id, INVESTIGATOR)


def test_acting_on_a_claim_someone_else_holds_is_refused(db):
    _, item_id = _queued(db, "CLM-A6")
    with db.session() as s, pytest.raises(NotAllowed, match="take the claim"):
        actions.approve(s, CFG, item_id, Actor("other", "reviewer"))


def test_deny_writes_a_letter_in_the_claims_language_and_sends_it(db):
    claim_id, item_id = _queued(db, "CLM-D1", amount="9000", language="zh", claimant="张伟")
    with db.session() as s:
        decision, letter = actions.deny(s, CFG, item_id, REVIEWER, reason_code="excluded_cause",
                                        clause="Section 3.2 Racing and speed trials")
    with db.session() as s:
        d = s.get(Decision, decision.id)
        assert (d.outcome, d.reason_code, d.clause, d.payable_amount) == (
            "denied", "excluded_cause", "Section 3.2 Racing and speed trials", Decimal("0.00"))
        row = s.get(DenialLetter, letter.id)
        assert row.language == "zh" and "Section 3.2 Racing" in row.body and "申诉" in row.appeal_route
        denied = s.scalar(select(OutboxMessage).where(OutboxMessage.kind == "denied"))
        assert denied.language == "zh" and denied.body.strip() == row.body.strip()
        assert _kinds(s, claim_id)[-2:] == ["review_completed", "denied"]


def test_request_documents_adds_to_the_notice_and_waits(db):
    claim_id, item_id = _queued(db, "CLM-Q1", amount="9000")
    with db.session() as s:
        item = actions.request_documents(s, CFG, item_id, REVIEWER, doc_types=["police_report", "repair_invoice"],
                                         note="The estimate is not enough.")
    with db.session() as s:
        new = s.get(QueueItem, item.id)
        assert (new.queue, new.rule, new.status) == ("waiting_for_documents", "referral:request_documents", "open")
        assert s.get(QueueItem, item_id).status == "done"
        claim = s.get(Claim, claim_id)
        assert claim.status == "pending_documents" and claim.notice_at is not None
        msg = s.scalar(select(OutboxMessage).where(OutboxMessage.kind == "documents_requested"))
        assert "Police report" in msg.body and "Repair invoice" in msg.body and "not enough" in msg.body
        assert s.scalar(select(DocumentRequest)).outbox_id == msg.id
    with db.session() as s, pytest.raises(ValueError, match="unknown document types: selfie"):
        actions.request_documents(s, CFG, item.id, REVIEWER, doc_types=["selfie"])


def test_refer_to_investigators_then_close_the_case_back_to_review(db):
    claim_id, item_id = _queued(db, "CLM-S1", amount="9000")
    with db.session() as s:
        case = actions.refer_investigation(s, CFG, item_id, REVIEWER, reason="Garage address is a car park.")
    with db.session() as s:
        siu = s.scalar(select(QueueItem).where(QueueItem.claim_id == claim_id, QueueItem.status == "open"))
        assert siu.queue == "special_investigations" and siu.rule == "referral:refer_investigation"
        assert "Garage address is a car park." in s.get(Investigation, case.id).report
        queues.take(s, siu.id, "ivy")
    with db.session() as s:
        back = actions.close_investigation(s, CFG, siu.id, INVESTIGATOR, outcome="no_fraud",
                                           report="Garage exists; repairs seen.")
    with db.session() as s:
        assert s.get(QueueItem, back.id).queue == "standard_review"
        case = s.get(Investigation, case.id)
        assert (case.status, case.outcome, case.closed_by) == ("closed", "no_fraud", "ivy")
        assert "investigation_started" in _kinds(s, claim_id)


def test_send_to_panel_and_operations_release_a_stuck_item(db):
    _, item_id = _queued(db, "CLM-P1", amount="9000")
    with db.session() as s:
        panel = actions.send_to_panel(s, CFG, item_id, REVIEWER, note="Conflicting police reports.")
    with db.session() as s:
        queues.take(s, panel.id, "sam")
    with db.session() as s:
        actions.release(s, CFG, panel.id, OPS)
    with db.session() as s:
        item = s.get(QueueItem, panel.id)
        assert (item.queue, item.status, item.assigned_to) == ("panel_review", "open", None)
        released = s.scalars(select(AuditEvent).where(AuditEvent.action == "queue.released")).all()
        assert released[-1].actor == "omar" and released[-1].before["assigned_to"] == "sam"


def test_the_audit_trail_of_a_decision_cannot_be_edited(db):
    _, item_id = _queued(db, "CLM-U1")
    with db.session() as s:
        actions.approve(s, CFG, item_id, REVIEWER)
    with pytest.raises(AuditTrailIsAppendOnly):
        with db.session() as s:
            s.scalar(select(AuditEvent).where(AuditEvent.action == "claim.approved")).actor = "someone else"
