"""The desk's versioned rules, read from ``config/``: routing, deadlines, authority,
denial reasons, customer messages and the investigation report template.

Everything is validated on load, so a typo in a YAML file is an error at start-up
naming the file and the place, never a claim routed by accident.
"""
from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from pipeline.vocabulary import DOC_TYPES, LANGUAGES, LINES_OF_BUSINESS

QUEUES = ("fast_track", "standard_review", "waiting_for_documents", "senior_review",
          "special_investigations", "panel_review")
# pipeline.checklist.result.Outcome
CHECKLIST_OUTCOMES = ("accepted", "pending_documents", "pending_review", "not_accepted")
ROLES = ("reviewer", "senior_reviewer", "investigator", "operations")
ACTIONS = ("approve", "deny", "request_documents", "refer_investigation", "send_to_panel", "release",
           "close_investigation")
MILESTONES = ("materials_complete", "documents_requested", "investigation_started", "review_completed",
              "payment_approved", "denied")
INPUT_FIELDS = ("checklist_outcome", "risk_score", "red_flags", "amount", "line_of_business", "incident_type",
                "notice_sent", "disputed")


class ConfigError(ValueError):
    """A config file is missing or does not say what the desk needs."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


# --- routing.yaml ---------------------------------------------------------------------

class AuthorityRef(_Strict):
    authority: Literal["reviewer", "senior_reviewer"]


class Test(_Strict):
    """One test of one routing input; exactly one comparison per test."""

    field: str
    equals: Any = None
    in_: list[Any] | None = Field(None, alias="in")
    at_least: Decimal | AuthorityRef | None = None
    above: Decimal | AuthorityRef | None = None
    below: Decimal | AuthorityRef | None = None
    at_most: Decimal | AuthorityRef | None = None
    intersects: list[str] | None = None
    is_empty: bool | None = None

    @model_validator(mode="after")
    def _one_comparison(self) -> "Test":
        if self.field not in INPUT_FIELDS:
            raise ValueError(f"unknown routing input {self.field!r}; known: {', '.join(INPUT_FIELDS)}")
        ops = [n for n in self.model_fields_set if n != "field"]
        if len(ops) != 1:
            raise ValueError(f"test on {self.field!r} needs exactly one comparison, found {sorted(ops) or 'none'}")
        return self

    @property
    def op(self) -> str:
        return next(n for n in self.model_fields_set if n != "field").rstrip("_")

    @property
    def operand(self) -> Any:
        name = next(n for n in self.model_fields_set if n != "field")
        return getattr(self, name)


class Rule(_Strict):
    name: str
    queue: str
    priority: int = 0
    why: str
    straight_through: bool = False
    when: list[Test]


class QueueInfo(_Strict):
    label: str
    level: int


class RoutingRules(_Strict):
    version: str
    base_currency: str
    rates_to_base: dict[str, Decimal]
    queues: dict[str, QueueInfo]
    siu_red_flags: list[str]
    after_investigation: dict[Literal["no_fraud", "fraud_confirmed", "inconclusive"], str]
    rules: list[Rule] = Field(min_length=1)

    @model_validator(mode="after")
    def _sound(self) -> "RoutingRules":
        if set(self.queues) != set(QUEUES):
            raise ValueError(f"queues must be exactly {', '.join(QUEUES)}")
        names = [r.name for r in self.rules]
        if len(set(names)) != len(names):
            raise ValueError("rule names must be unique")
        for r in self.rules:
            if r.queue not in self.queues:
                raise ValueError(f"rule {r.name!r} sends to unknown queue {r.queue!r}")
        if self.rules[-1].when:
            raise ValueError(f"the last rule ({self.rules[-1].name!r}) must have no tests, so every claim lands somewhere")
        from pipeline.fraud.config import FLAG_CODES

        unknown = set(self.siu_red_flags) - set(FLAG_CODES)
        if unknown:
            raise ValueError(f"siu_red_flags names red flags the fraud stage never raises: {sorted(unknown)}; "
                             f"known: {', '.join(FLAG_CODES)}")
        for outcome, queue in self.after_investigation.items():
            if queue != "review" and queue not in self.queues:
                raise ValueError(f"after_investigation.{outcome} names unknown queue {queue!r}")
        if set(self.after_investigation) != {"no_fraud", "fraud_confirmed", "inconclusive"}:
            raise ValueError("after_investigation needs no_fraud, fraud_confirmed and inconclusive")
        if self.base_currency not in self.rates_to_base:
            raise ValueError("rates_to_base must include the base currency")
        return self


# --- queue_deadlines.yaml -------------------------------------------------------------

class AmountBand(_Strict):
    name: str
    up_to: Decimal | None = None


class Escalation(_Strict):
    near_fraction: float = Field(gt=0, lt=1)
    priority_step: int = Field(gt=0)
    next_level: dict[str, str]


class Deadlines(_Strict):
    version: str
    amount_bands: list[AmountBand] = Field(min_length=1)
    hours: dict[str, dict[str, int | dict[str, int]]]
    escalation: Escalation

    @model_validator(mode="after")
    def _complete(self) -> "Deadlines":
        bands = [b.name for b in self.amount_bands]
        if self.amount_bands[-1].up_to is not None or any(b.up_to is None for b in self.amount_bands[:-1]):
            raise ValueError("every amount band but the last needs up_to; the last has none")
        bounds = [b.up_to for b in self.amount_bands[:-1]]
        if bounds != sorted(bounds):
            raise ValueError("amount bands must be in increasing order")
        for queue in QUEUES:
            if queue not in self.hours or "default" not in self.hours[queue]:
                raise ValueError(f"hours.{queue}.default is missing")
        for queue, by_line in self.hours.items():
            if queue not in QUEUES:
                raise ValueError(f"hours names unknown queue {queue!r}")
            for line, value in by_line.items():
                if line != "default" and line not in LINES_OF_BUSINESS:
                    raise ValueError(f"hours.{queue} names unknown line of business {line!r}")
                if isinstance(value, dict) and set(value) != set(bands):
                    raise ValueError(f"hours.{queue}.{line} must give every band: {', '.join(bands)}")
        for src, dst in self.escalation.next_level.items():
            if src not in QUEUES or dst not in QUEUES:
                raise ValueError(f"escalation.next_level {src} -> {dst} names an unknown queue")
        return self


# --- authority.yaml -------------------------------------------------------------------

class RoleRule(_Strict):
    label: str
    decide_up_to: dict[str, Decimal] | None
    queues: list[str]
    actions: list[str]
    unmask: list[str]
    release_others: bool = False  # may give back an item someone else holds

    @field_validator("queues", "actions")
    @classmethod
    def _known(cls, v: list[str], info: ValidationInfo) -> list[str]:
        unknown = set(v) - set(QUEUES if info.field_name == "queues" else ACTIONS)
        if unknown:
            raise ValueError(f"unknown {info.field_name} {sorted(unknown)}")
        return v


class Authority(_Strict):
    version: str
    roles: dict[str, RoleRule]
    sensitive_fields: dict[str, list[str]]

    @model_validator(mode="after")
    def _all_roles(self) -> "Authority":
        if set(self.roles) != set(ROLES):
            raise ValueError(f"roles must be exactly {', '.join(ROLES)}")
        for name, role in self.roles.items():
            if role.decide_up_to is not None and "default" not in role.decide_up_to:
                raise ValueError(f"roles.{name}.decide_up_to needs a default")
            unknown = set(role.unmask) - set(self.sensitive_fields)
            if unknown:
                raise ValueError(f"roles.{name}.unmask names unknown sensitive fields {sorted(unknown)}")
        return self


# --- denial_reasons.yaml --------------------------------------------------------------

class DenialReason(_Strict):
    clause: str
    en: str
    zh: str


class Appeal(_Strict):
    days: int
    en: str
    zh: str


class DenialReasons(_Strict):
    version: str
    appeal: Appeal
    reasons: dict[str, DenialReason] = Field(min_length=1)


# --- milestones/<lang>.yaml -----------------------------------------------------------

class MessageTemplate(_Strict):
    subject: str
    body: str


class Milestones(_Strict):
    language: str
    messages: dict[str, MessageTemplate]
    denial_letter: str
    doc_types: dict[str, str]

    @model_validator(mode="after")
    def _complete(self) -> "Milestones":
        missing = set(MILESTONES) - set(self.messages)
        if missing:
            raise ValueError(f"messages missing: {sorted(missing)}")
        missing = set(DOC_TYPES) - set(self.doc_types)
        if missing:
            raise ValueError(f"doc_types missing: {sorted(missing)}")
        return self


class RoutingConfig(_Strict):
    """Everything the routing stage and the reviewer's desk decide by."""

    rules: RoutingRules
    deadlines: Deadlines
    authority: Authority
    denial: DenialReasons
    milestones: dict[str, Milestones]
    investigation_template: str

    @property
    def version(self) -> str:
        return "+".join((self.rules.version, self.deadlines.version, self.authority.version, self.denial.version))

    def to_base(self, amount: Decimal, currency: str) -> Decimal:
        """An amount in the base currency (limits and bands are written in it)."""
        try:
            rate = self.rules.rates_to_base[currency.upper()]
        except KeyError:
            raise ConfigError(f"no exchange rate for {currency!r} in config/routing.yaml rates_to_base") from None
        return Decimal(amount) * rate


def _read_yaml(path: Path) -> Any:
    if not path.is_file():
        raise ConfigError(f"{path} is missing")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from exc


def _parse(model: type[BaseModel], path: Path) -> Any:
    try:
        return model.model_validate(_read_yaml(path))
    except ValidationError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def load_config(config_dir: Path) -> RoutingConfig:
    config_dir = Path(config_dir)
    template = config_dir / "investigation_report.md"
    if not template.is_file():
        raise ConfigError(f"{template} is missing")
    milestones = {lang: _parse(Milestones, config_dir / "milestones" / f"{lang}.yaml") for lang in LANGUAGES}
    for lang, m in milestones.items():
        if m.language != lang:
            raise ConfigError(f"config/milestones/{lang}.yaml says language {m.language!r}")
    cfg = RoutingConfig(
        rules=_parse(RoutingRules, config_dir / "routing.yaml"),
        deadlines=_parse(Deadlines, config_dir / "queue_deadlines.yaml"),
        authority=_parse(Authority, config_dir / "authority.yaml"),
        denial=_parse(DenialReasons, config_dir / "denial_reasons.yaml"),
        milestones=milestones,
        investigation_template=template.read_text(encoding="utf-8"),
    )
    for role, rule in cfg.authority.roles.items():
        if rule.decide_up_to is not None:
            for line in rule.decide_up_to:
                if line != "default" and line not in LINES_OF_BUSINESS:
                    raise ConfigError(f"authority.yaml roles.{role}.decide_up_to names unknown line {line!r}")
    return cfg


@lru_cache(maxsize=4)
def cached_config(config_dir: Path) -> RoutingConfig:
    return load_config(config_dir)
