"""Which queue a claim goes to: the first rule in config/routing.yaml whose tests all hold.

Pure: the same inputs and config always give the same decision, and the decision
carries the rule's name and the inputs it saw, so anyone can see why.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from pipeline.routing.config import CHECKLIST_OUTCOMES, AuthorityRef, RoutingConfig, Rule, Test
from pipeline.routing.deadlines import deadline_for
from pipeline.vocabulary import LINES_OF_BUSINESS


@dataclass(frozen=True)
class RoutingInputs:
    claim_number: str
    line_of_business: str
    incident_type: str
    claimed_amount: Decimal
    currency: str
    checklist_outcome: str  # accepted | pending_documents | pending_review | not_accepted
    risk_score: int  # 0..100
    red_flags: tuple[str, ...]  # red-flag codes from the fraud stage
    routed_at: datetime  # the clock for the deadline; passed in so routing stays pure
    notice_sent: bool = False  # the missing-documents notice went to the customer
    disputed: bool = False  # the customer disputes an earlier decision

    def __post_init__(self) -> None:
        if self.line_of_business not in LINES_OF_BUSINESS:
            raise ValueError(f"unknown line of business {self.line_of_business!r}")
        if self.checklist_outcome not in CHECKLIST_OUTCOMES:
            raise ValueError(f"unknown checklist outcome {self.checklist_outcome!r}; "
                             f"expected one of {', '.join(CHECKLIST_OUTCOMES)}")
        if not 0 <= int(self.risk_score) <= 100:
            raise ValueError(f"risk score must be 0..100, got {self.risk_score}")
        if Decimal(self.claimed_amount) < 0:
            raise ValueError("claimed amount is negative")
        if self.routed_at.tzinfo is None:
            raise ValueError("routed_at must be timezone-aware")
        object.__setattr__(self, "red_flags", tuple(sorted(set(self.red_flags))))
        object.__setattr__(self, "claimed_amount", Decimal(self.claimed_amount))

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["claimed_amount"] = str(self.claimed_amount)
        d["red_flags"] = list(self.red_flags)
        d["routed_at"] = self.routed_at.astimezone(timezone.utc).isoformat()
        return d


@dataclass(frozen=True)
class RoutingDecision:
    queue: str
    rule: str
    inputs: RoutingInputs
    priority: int
    deadline_at: datetime
    why: str = ""
    straight_through: bool = False
    config_version: str = ""
    facts: dict[str, Any] = field(default_factory=dict)  # the values the tests compared

    def record(self) -> dict[str, Any]:
        """What goes on the queue item's ``inputs`` column."""
        return {**self.inputs.to_json(), "facts": self.facts, "why": self.why,
                "straight_through": self.straight_through, "config_version": self.config_version}


def authority_limit(config: RoutingConfig, role: str, line_of_business: str) -> Decimal | None:
    """The most (base currency) a role may decide alone on this line; None: no authority."""
    limits = config.authority.roles[role].decide_up_to
    if limits is None:
        return None
    return limits.get(line_of_business, limits["default"])


def routing_facts(inputs: RoutingInputs, config: RoutingConfig) -> dict[str, Any]:
    return {
        "checklist_outcome": inputs.checklist_outcome,
        "risk_score": int(inputs.risk_score),
        "red_flags": list(inputs.red_flags),
        "amount": config.to_base(inputs.claimed_amount, inputs.currency).quantize(Decimal("0.01")),
        "line_of_business": inputs.line_of_business,
        "incident_type": inputs.incident_type,
        "notice_sent": inputs.notice_sent,
        "disputed": inputs.disputed,
    }


def _operand(value: Any, inputs: RoutingInputs, config: RoutingConfig) -> Any:
    if isinstance(value, AuthorityRef):
        limit = authority_limit(config, value.authority, inputs.line_of_business)
        if limit is None:
            raise ValueError(f"role {value.authority!r} has no decision authority to compare with")
        return limit
    return value


def condition_holds(test: Test, facts: dict[str, Any], inputs: RoutingInputs, config: RoutingConfig) -> bool:
    actual = facts[test.field]
    expected = _operand(test.operand, inputs, config)
    match test.op:
        case "equals":
            return actual == expected
        case "in":
            return actual in expected
        case "at_least":
            return Decimal(actual) >= Decimal(expected)
        case "above":
            return Decimal(actual) > Decimal(expected)
        case "below":
            return Decimal(actual) < Decimal(expected)
        case "at_most":
            return Decimal(actual) <= Decimal(expected)
        case "intersects":
            return bool(set(actual) & set(expected))
        case "is_empty":
            return (len(actual) == 0) == expected
    raise ValueError(f"unknown comparison {test.op!r}")


def first_matching_rule(facts: dict[str, Any], inputs: RoutingInputs, config: RoutingConfig) -> Rule:
    for rule in config.rules.rules:
        if all(condition_holds(t, facts, inputs, config) for t in rule.when):
            return rule
    raise AssertionError("config guarantees a catch-all last rule")


def route_claim(inputs: RoutingInputs, config: RoutingConfig) -> RoutingDecision:
    facts = routing_facts(inputs, config)
    rule = first_matching_rule(facts, inputs, config)
    deadline = deadline_for(rule.queue, inputs.line_of_business, facts["amount"], inputs.routed_at, config.deadlines)
    return RoutingDecision(
        queue=rule.queue, rule=rule.name, inputs=inputs, priority=rule.priority, deadline_at=deadline,
        why=rule.why, straight_through=rule.straight_through, config_version=config.rules.version,
        facts={k: (str(v) if isinstance(v, Decimal) else v) for k, v in facts.items()},
    )
