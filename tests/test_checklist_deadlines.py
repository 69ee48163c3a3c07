"""Specification: acknowledgement, acceptance and notice are timed against per-line limits from config."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from pipeline.checklist import deadline_report, load_deadlines

RULES = load_deadlines()
RECEIVED = datetime(2026, 3, 16, 10, 0)


def by_step(checks):
    return {c.step: c for c in checks}


def test_due_times_come_from_the_line_of_business_limits():
    checks = by_step(deadline_report("auto", RECEIVED, None, None, None))
    limits = RULES.limits["auto"]
    assert checks["acknowledgement"].due_at == RECEIVED + timedelta(hours=limits.acknowledgement)
    assert checks["acceptance"].due_at == RECEIVED + timedelta(hours=limits.acceptance)
    assert checks["notice"].due_at == RECEIVED + timedelta(hours=limits.notice)
    assert RULES.limits["health"].acceptance != limits.acceptance  # the lines really differ


def test_steps_done_in_time_are_met_and_late_ones_are_not():
    limits = RULES.limits["health"]
    checks = by_step(deadline_report(
        "health", RECEIVED,
        acknowledged_at=RECEIVED + timedelta(hours=limits.acknowledgement),  # exactly on time
        accepted_at=RECEIVED + timedelta(hours=limits.acceptance, minutes=1),  # a minute late
        notice_at=RECEIVED + timedelta(hours=1),
    ))
    assert checks["acknowledgement"].met is True
    assert checks["acceptance"].met is False
    assert checks["notice"].met is True
    assert checks["notice"].done_at == RECEIVED + timedelta(hours=1)


def test_an_open_step_is_undecided_until_it_is_overdue():
    limits = RULES.limits["property"]
    soon = RECEIVED + timedelta(hours=1)
    later = RECEIVED + timedelta(hours=limits.notice + 1)
    assert all(c.met is None for c in deadline_report("property", RECEIVED, None, None, None, now=soon))
    overdue = by_step(deadline_report("property", RECEIVED, soon, None, None, now=later))
    assert overdue["acknowledgement"].met is True
    assert overdue["notice"].met is False
    assert overdue["acceptance"].met is (False if limits.acceptance < limits.notice + 1 else None)


def test_an_unknown_line_is_a_clear_error():
    with pytest.raises(ValueError, match="no deadlines for line of business 'marine'"):
        deadline_report("marine", RECEIVED, None, None, None)
