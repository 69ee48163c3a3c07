"""Did we acknowledge, decide and send the notice in time? Limits per line of business, from config.

All limits count hours from the moment the claim was received (``config/deadlines.yaml``).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline.checklist.config import config_dir
from pipeline.checklist.yamlfile import Problem, load_yaml_model
from pipeline.vocabulary import LINES_OF_BUSINESS

Step = Literal["acknowledgement", "acceptance", "notice"]
STEPS: tuple[Step, ...] = ("acknowledgement", "acceptance", "notice")


class Limits(BaseModel):
    model_config = ConfigDict(extra="forbid")
    acknowledgement: int = Field(gt=0, description="hours")
    acceptance: int = Field(gt=0, description="hours")
    notice: int = Field(gt=0, description="hours")


class DeadlineRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: str
    limits: dict[str, Limits]


def _problems(rules: DeadlineRules) -> list[Problem]:
    problems: list[Problem] = [(("limits", line), f"'{line}' is not a line of business") for line in rules.limits if line not in LINES_OF_BUSINESS]
    problems += [(("limits",), f"no limits for {line}") for line in LINES_OF_BUSINESS if line not in rules.limits]
    return problems


def load_deadlines(path: Path | None = None) -> DeadlineRules:
    rules, _ = load_yaml_model(path or config_dir() / "deadlines.yaml", DeadlineRules, _problems)
    return rules


@lru_cache(maxsize=1)
def _default_rules() -> DeadlineRules:
    return load_deadlines()


class DeadlineCheck(BaseModel):
    step: Step
    limit_hours: int
    due_at: datetime
    done_at: datetime | None
    # True: done in time. False: done late, or not done and already overdue at ``now``.
    # None: not done yet and not yet due (or no ``now`` given).
    met: bool | None


def deadline_report(
    line: str,
    received_at: datetime,
    acknowledged_at: datetime | None,
    accepted_at: datetime | None,
    notice_at: datetime | None,
    now: datetime | None = None,
    rules: DeadlineRules | None = None,
) -> list[DeadlineCheck]:
    """Each step's due time and whether it was met; pass ``now`` to see open steps that are overdue."""
    rules = rules or _default_rules()
    if line not in rules.limits:
        raise ValueError(f"no deadlines for line of business '{line}' in {rules.version}")
    limits = rules.limits[line]
    done = {"acknowledgement": acknowledged_at, "acceptance": accepted_at, "notice": notice_at}
    checks = []
    for step in STEPS:
        hours = getattr(limits, step)
        due = received_at + timedelta(hours=hours)
        done_at = done[step]
        if done_at is not None:
            met: bool | None = done_at <= due
        elif now is not None and now > due:
            met = False
        else:
            met = None
        checks.append(DeadlineCheck(step=step, limit_hours=hours, due_at=due, done_at=done_at, met=met))
    return checks
