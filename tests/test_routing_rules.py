"""Routing: every rule in config/routing.yaml, its boundaries, and the record it leaves."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
import shutil

import pytest
import yaml

from pipeline.routing.config import ConfigError, load_config
from pipeline.routing.deadlines import amount_band, deadline_for, hours_for
from pipeline.routing.rules import RoutingInputs, route_claim
from tests.routing_fixtures import NOW, ROOT, config

CFG = config()


def inputs(**change) -> RoutingInputs:
    base = dict(claim_number="CLM-1", line_of_business="auto", incident_type="collision",
                claimed_amount=Decimal("3200.00"), currency="CNY", checklist_outcome="accepted", risk_score=12,
                red_flags=(), routed_at=NOW, notice_sent=False, disputed=False)
    return RoutingInputs(**{**base, **change})


def queue_and_rule(**change) -> tuple[str, str]:
    d = route_claim(inputs(**change), CFG)
    return d.queue, d.rule


def test_complete_low_risk_small_claim_is_fast_tracked_for_straight_through_approval():
    d = route_claim(inputs(), CFG)
    assert (d.queue, d.rule, d.straight_through) == ("fast_track", "fast_track", True)


@pytest.mark.parametrize("change", [
    {"claimed_amount": Decimal("5000.01")},           # not small
    {"risk_score": 30},                                # not low risk
    {"red_flags": ("name_mismatch",)},                 # any red flag
    {"checklist_outcome": "pending_review"},           # a person must decide readings first
    {"checklist_outcome": "not_accepted"},
    {"checklist_outcome": "pending_documents"},        # missing, but no notice sent yet
])
def test_anything_short_of_fast_track_goes_to_standard_review(change):
    assert queue_and_rule(**change) == ("standard_review", "standard_review")


def test_fast_track_boundary_is_inclusive_and_in_base_currency():
    assert queue_and_rule(claimed_amount=Decimal("5000.00"))[0] == "fast_track"
    assert queue_and_rule(risk_score=29)[0] == "fast_track"
    # 700 USD is 4,970 CNY at the configured rate; 710 USD is 5,041 CNY
    assert queue_and_rule(claimed_amount=Decimal("700"), currency="USD")[0] == "fast_track"
    assert queue_and_rule(claimed_amount=Decimal("710"), currency="USD")[0] == "standard_review"


def test_amount_above_reviewer_authority_goes_to_senior_review_per_line():
    assert queue_and_rule(claimed_amount=Decimal("50000.00")) == ("standard_review", "standard_review")
    assert queue_and_rule(claimed_amount=Decimal("50000.01")) == ("senior_review", "senior_above_reviewer_authority")
    # health reviewers' authority is lower (30,000)
    assert queue_and_rule(line_of_business="health", incident_type="inpatient",
                          claimed_amount=Decimal("30000.01")) == ("senior_review", "senior_above_reviewer_authority")


def test_amount_above_senior_authority_goes_to_the_panel():
    assert queue_and_rule(claimed_amount=Decimal("500000.00"))[0] == "senior_review"
    assert queue_and_rule(claimed_amount=Decimal("500000.01")) == ("panel_review", "panel_above_senior_authority")


def test_risk_at_or_above_threshold_goes_to_special_investigations():
    assert queue_and_rule(risk_score=89, claimed_amount=Decimal("9000"))[0] == "standard_review"
    assert queue_and_rule(risk_score=90) == ("special_investigations", "siu_high_risk")


@pytest.mark.parametrize("flag", ["duplicate_image", "near_duplicate_image", "pdf_modified_after_issue",
                                  "invoice_before_incident"])
def test_named_red_flags_go_to_special_investigations_whatever_the_score(flag):
    assert queue_and_rule(risk_score=5, red_flags=("late_report", flag)) == ("special_investigations",
                                                                              "siu_named_red_flag")


def test_missing_documents_with_the_notice_sent_wait_for_documents():
    assert queue_and_rule(checklist_outcome="pending_documents", notice_sent=True) == (
        "waiting_for_documents", "waiting_for_documents")


def test_disputed_case_goes_to_the_panel_before_anything_else():
    assert queue_and_rule(disputed=True, risk_score=95, red_flags=("duplicate_image",)) == (
        "panel_review", "panel_disputed")


def test_investigation_beats_waiting_for_documents_and_authority():
    assert queue_and_rule(checklist_outcome="pending_documents", notice_sent=True, risk_score=95,
                          claimed_amount=Decimal("900000")) == ("special_investigations", "siu_high_risk")


def test_every_rule_in_the_config_is_reachable_by_these_tests():
    seen = {route_claim(inputs(**c), CFG).rule for c in [
        {}, {"claimed_amount": Decimal("9000")}, {"claimed_amount": Decimal("60000")},
        {"claimed_amount": Decimal("600000")}, {"risk_score": 95}, {"red_flags": ("duplicate_image",)},
        {"checklist_outcome": "pending_documents", "notice_sent": True}, {"disputed": True}]}
    assert seen == {r.name for r in CFG.rules.rules}


def test_decision_records_rule_inputs_and_the_compared_facts_and_is_deterministic():
    one = route_claim(inputs(claimed_amount=Decimal("700"), currency="USD"), CFG)
    two = route_claim(inputs(claimed_amount=Decimal("700"), currency="USD"), CFG)
    assert one == two
    record = one.record()
    assert record["claim_number"] == "CLM-1" and record["claimed_amount"] == "700"
    assert record["facts"]["amount"] == "4970.00" and record["why"]
    assert record["config_version"] == "routing-2026.2"


def test_red_flags_are_order_free():
    a = route_claim(inputs(red_flags=("new_policy", "late_report")), CFG)
    b = route_claim(inputs(red_flags=("late_report", "new_policy", "late_report")), CFG)
    assert a.inputs.red_flags == b.inputs.red_flags == ("late_report", "new_policy")


@pytest.mark.parametrize("change, message", [
    ({"checklist_outcome": "done"}, "unknown checklist outcome"),
    ({"line_of_business": "marine"}, "unknown line of business"),
    ({"risk_score": 101}, "risk score"),
    ({"claimed_amount": Decimal("-1")}, "negative"),
    ({"routed_at": NOW.replace(tzinfo=None)}, "timezone"),
])
def test_bad_inputs_are_refused_with_a_clear_error(change, message):
    with pytest.raises(ValueError, match=message):
        inputs(**change)


def test_unknown_currency_is_a_clear_error():
    with pytest.raises(ValueError, match="no exchange rate for 'JPY'"):
        route_claim(inputs(currency="JPY"), CFG)


# --- deadlines ------------------------------------------------------------------------

def test_deadline_comes_from_queue_line_and_amount_band():
    d = CFG.deadlines
    assert [amount_band(Decimal(a), d) for a in ("5000", "5000.01", "50000", "50001")] == [
        "small", "medium", "medium", "large"]
    assert hours_for("standard_review", "auto", Decimal("3000"), d) == 48
    assert hours_for("standard_review", "auto", Decimal("80000"), d) == 96
    assert hours_for("standard_review", "health", Decimal("3000"), d) == 24
    assert hours_for("special_investigations", "property", Decimal("1"), d) == 336
    assert deadline_for("fast_track", "auto", Decimal("10"), NOW, d) == NOW + timedelta(hours=24)


def test_routing_decision_carries_the_deadline():
    d = route_claim(inputs(claimed_amount=Decimal("20000")), CFG)
    assert d.deadline_at == NOW + timedelta(hours=72)
    assert route_claim(inputs(), CFG).deadline_at == NOW + timedelta(hours=24)


# --- config validation ----------------------------------------------------------------

@pytest.fixture
def config_copy(tmp_path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(ROOT / "config", target)
    return target


def _edit(path: Path, fn) -> None:
    data = yaml.safe_load(path.read_text())
    fn(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True))


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["rules"].pop(), "must have no tests"),
    (lambda d: d["rules"][0]["when"].append({"field": "colour", "equals": "red"}), "unknown routing input"),
    (lambda d: d["rules"][0].update(queue="limbo"), "unknown queue"),
    (lambda d: d["rules"][0]["when"][0].update({"above": 3}), "exactly one comparison"),
    (lambda d: d["rules"][1].update(name=d["rules"][0]["name"]), "unique"),
    (lambda d: d["siu_red_flags"].append("reused_invoice"), "never raises: \\['reused_invoice'\\]"),
])
def test_a_broken_routing_file_fails_on_load_naming_the_file(config_copy, edit, message):
    _edit(config_copy / "routing.yaml", edit)
    with pytest.raises(ConfigError, match=message) as err:
        load_config(config_copy)
    assert "routing.yaml" in str(err.value)


def test_deadlines_must_cover_every_queue_and_band(config_copy):
    _edit(config_copy / "queue_deadlines.yaml", lambda d: d["hours"]["senior_review"]["default"].pop("large"))
    with pytest.raises(ConfigError, match="every band"):
        load_config(config_copy)


def test_messages_must_exist_in_every_language(config_copy):
    _edit(config_copy / "milestones" / "zh.yaml", lambda d: d["messages"].pop("denied"))
    with pytest.raises(ConfigError, match="denied"):
        load_config(config_copy)
