"""A reviewer's actions: authority limits, the payable amount, what the checklist lets a
reviewer approve, denial letters in the claim's language, document requests, referrals,
and the audit trail and outbox they leave."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from pipeline.routing import actions
from pipeline.routing.actions import (Actor, ApprovalRefused, ChecklistRow, approval_check, approval_rules,
                                     load_approval_rules)
from pipeline.routing.authority import NotAllowed, allowed_actions, mask, may_unmask
from pipeline.routing.config import ConfigError
from pipeline.routing.letters import render_denial_letter
from pipeline.routing.payable import payable_amount
from pipeline.routing.stage import route_and_enqueue
from pipeline.schemas import PolicyRecord
from storage import queues
from storage.models import AuditEvent, AuditTrailIsAppendOnly, Claim, OutboxMessage, QueueItem
from storage.review_models import Decision, DenialLetter, DocumentRequest, Investigation
from tests.routing_fixtures import NOW, ROOT, config, make_claim

CFG = config()
RULES = approval_rules(ROOT / "config")
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


# --- what the checklist lets a reviewer approve (pure) --------------------------------

OUTSIDE_PERIOD = "The incident on 2024-02-23 falls outside the policy period 2023-01-09 to 2024-01-08"
SATISFIED = [ChecklistRow("claim_form", "Claim form", "satisfied"), ChecklistRow("id_card", "ID card", "satisfied")]
HOLDER_IS_SOMEONE_ELSE = ChecklistRow("check:name_agreement:7", "name agreement", "failed",
                                      ("the bank account holder LI Na is not the claimant ZHANG Wei",))


def test_an_accepted_claim_with_every_item_satisfied_may_be_approved_without_more():
    check = approval_check(RULES, "accepted", None, SATISFIED)
    assert check.allowed and not check.confirmation_required and check.to_confirm == ()


def test_a_claim_the_policy_does_not_cover_is_refused_with_the_reason_and_what_to_do_instead():
    rows = [ChecklistRow("police_report", "Police report", "missing"), HOLDER_IS_SOMEONE_ELSE]
    check = approval_check(RULES, "not_accepted", OUTSIDE_PERIOD, rows)
    assert not check.allowed
    outcome, holder = check.refusals  # every reason, not only the first
    assert OUTSIDE_PERIOD in outcome and "deny it with the reason or send it to the panel" in outcome
    assert "cross-document check 'name agreement'" in holder and "LI Na is not the claimant" in holder
    assert holder.endswith("is failed")


def test_a_claim_waiting_for_documents_is_refused_until_they_come():
    check = approval_check(RULES, "pending_documents", None, [ChecklistRow("police_report", "Police report", "missing")])
    assert check.refusals == ("the checklist outcome is pending documents: documents are still missing or "
                              "unreadable; request them or wait for the customer to send them",)


def test_an_invalid_document_or_a_failed_check_blocks_even_an_accepted_claim():
    rows = SATISFIED + [ChecklistRow("bank_card", "Bank card", "invalid", ("the card has expired",)),
                        HOLDER_IS_SOMEONE_ELSE, ChecklistRow("check:dates:7", "dates", "passed")]
    check = approval_check(RULES, "accepted", None, rows)
    assert check.refusals == ("checklist item 'Bank card' (the card has expired) is invalid",
                              "cross-document check 'name agreement' (the bank account holder LI Na is not the "
                              "claimant ZHANG Wei) is failed")


def test_a_claim_with_readings_for_a_person_needs_the_reviewers_confirmation():
    unclear = ChecklistRow("check:amount_total:7", "amount total", "needs_person", ("the invoice total is smudged",))
    review = approval_check(RULES, "pending_review", None, SATISFIED + [unclear])
    assert review.allowed and review.confirmation_required and review.to_confirm == (unclear,)
    optional = ChecklistRow("photos", "Photos", "needs_person")  # an optional item on an accepted claim
    accepted = approval_check(RULES, "accepted", None, SATISFIED + [optional])
    assert accepted.confirmation_required and accepted.to_confirm == (optional,)


def test_a_claim_the_checklist_has_not_seen_is_refused():
    assert approval_check(RULES, None, None, []).refusals == ("the checklist has not been run on this claim yet",)


def test_the_approval_rules_must_name_every_outcome_and_say_what_to_do_when_refusing(tmp_path):
    text = (ROOT / "config" / "approval.yaml").read_text(encoding="utf-8")
    (tmp_path / "approval.yaml").write_text(text.replace("  pending_review:\n    approve: after_confirmation\n", ""))
    with pytest.raises(ConfigError, match="outcomes must be exactly"):
        load_approval_rules(tmp_path)
    (tmp_path / "approval.yaml").write_text("\n".join(
        line for line in text.splitlines() if not line.startswith("    advice: the policy does not respond")))
    with pytest.raises(ConfigError, match="advice"):
        load_approval_rules(tmp_path)
    with pytest.raises(ConfigError, match="is missing"):
        load_approval_rules(tmp_path / "nowhere")


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


# --- the approval guard on the database ----------------------------------------------

def _nothing_decided(s, claim_id, item_id):
    assert s.get(QueueItem, item_id).status == "taken" and s.scalar(select(Decision)) is None
    assert "payment_approved" not in _kinds(s, claim_id)
    assert s.scalar(select(AuditEvent).where(AuditEvent.action == "claim.approved")) is None


def test_a_senior_cannot_approve_a_claim_outside_the_policy_period_even_by_calling_the_action(db):
    # the demo's CLM-2026-000006: not accepted, a required item missing, the account holder someone else
    claim_id, item_id = _queued(db, "CLM-G1", SENIOR, amount="80000", status="not_accepted",
                                status_reason=OUTSIDE_PERIOD,
                                checklist=[("claim_form", "satisfied", []), ("police_report", "missing", ["not sent"]),
                                           ("check:name_agreement:7", "failed",
                                            ["the bank account holder LI Na is not the claimant ZHANG Wei"])])
    with db.session() as s:
        assert s.get(QueueItem, item_id).queue == "senior_review"
        with pytest.raises(ApprovalRefused, match="CLM-G1 cannot be approved") as refused:
            actions.approve(s, CFG, item_id, SENIOR, note="looks fine to me", confirmed_needs_person=True)
    assert OUTSIDE_PERIOD in str(refused.value) and "LI Na is not the claimant" in str(refused.value)
    assert isinstance(refused.value, NotAllowed)  # the desk shows it as "Not allowed: ..."
    with db.session() as s:
        _nothing_decided(s, claim_id, item_id)
    with db.session() as s:  # what the refusal points to still works: deny with the reason
        decision, _ = actions.deny(s, CFG, item_id, SENIOR, reason_code="not_covered")
    with db.session() as s:
        assert s.get(Decision, decision.id).outcome == "denied"


def test_a_claim_waiting_for_documents_cannot_be_approved(db):
    claim_id, item_id = _queued(db, "CLM-G2", amount="3200", status="pending_documents",
                                checklist=[("claim_form", "satisfied", []), ("police_report", "missing", ["not sent"])])
    with db.session() as s, pytest.raises(ApprovalRefused, match="request them or wait"):
        actions.approve(s, CFG, item_id, REVIEWER)
    with db.session() as s:
        _nothing_decided(s, claim_id, item_id)


def test_an_invalid_item_or_failed_check_blocks_approval_of_an_accepted_claim(db):
    claim_id, item_id = _queued(db, "CLM-G3", amount="9000", status="accepted",
                                checklist=[("claim_form", "satisfied", []),
                                           ("bank_card", "invalid", ["the card belongs to LI Na"]),
                                           ("check:id_number:7", "failed", ["the ID number differs from the notice"])])
    with db.session() as s, pytest.raises(ApprovalRefused) as refused:
        actions.approve(s, CFG, item_id, REVIEWER)
    assert "checklist item 'Bank Card' (the card belongs to LI Na) is invalid" in str(refused.value)
    assert "cross-document check 'id number' (the ID number differs from the notice) is failed" in str(refused.value)
    with db.session() as s:
        _nothing_decided(s, claim_id, item_id)


PENDING_REVIEW = dict(amount="3200", status="pending_review",
                      checklist=[("claim_form", "satisfied", []),
                                 ("medical_invoice", "needs_person", ["the total is read at 61% confidence"]),
                                 ("check:amount_total:7", "needs_person", ["the invoices add up to 3,150.00"])])


def test_pending_review_needs_the_confirmation_and_a_note_before_approval(db):
    claim_id, item_id = _queued(db, "CLM-G4", **PENDING_REVIEW)
    with db.session() as s, pytest.raises(ApprovalRefused, match="confirm that you looked at everything") as refused:
        actions.approve(s, CFG, item_id, REVIEWER, note="Checked the invoice by hand.")
    assert "checklist item 'Medical Invoice'" in str(refused.value) and "'amount total'" in str(refused.value)
    with db.session() as s, pytest.raises(ApprovalRefused, match="at least 15 characters"):
        actions.approve(s, CFG, item_id, REVIEWER, note="  ok  ", confirmed_needs_person=True)
    with db.session() as s:
        _nothing_decided(s, claim_id, item_id)


def test_pending_review_approved_with_confirmation_records_it_on_the_decision_and_in_the_audit_trail(db):
    claim_id, item_id = _queued(db, "CLM-G5", **PENDING_REVIEW)
    with db.session() as s:
        decision = actions.approve(s, CFG, item_id, REVIEWER, confirmed_needs_person=True,
                                   note="Invoice total 3,200.00 checked on page 2.")
    with db.session() as s:
        d = s.get(Decision, decision.id)
        assert d.outcome == "approved" and d.payable_amount == Decimal("2430.00")
        assert d.note == ("Confirmed I looked at every item a person must decide (medical_invoice, "
                          "check:amount_total:7). Invoice total 3,200.00 checked on page 2.")
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "claim.approved"))
        assert event.after["approval"] == {
            "checklist_outcome": "pending_review", "rules_version": RULES.version, "needs_person_confirmed": True,
            "confirmed_items": ["medical_invoice", "check:amount_total:7"],
            "note": "Invoice total 3,200.00 checked on page 2."}
        assert _kinds(s, claim_id)[-1] == "payment_approved"


def test_an_accepted_claim_is_approved_with_the_outcome_on_record_and_no_confirmation_asked(db):
    _, item_id = _queued(db, "CLM-G6")
    with db.session() as s:
        actions.approve(s, CFG, item_id, REVIEWER)
    with db.session() as s:
        assert s.scalar(select(Decision)).note is None
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "claim.approved"))
        assert event.after["approval"]["checklist_outcome"] == "accepted"
        assert event.after["approval"]["needs_person_confirmed"] is False
