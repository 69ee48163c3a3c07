"""Fraud thresholds and weights live in ``config/fraud.yaml`` so a rule change is a reviewed diff."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from pipeline.checklist.yamlfile import load_yaml_model

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "config" / "fraud.yaml"

FLAG_CODES: tuple[str, ...] = (
    "duplicate_image",
    "near_duplicate_image",
    "pdf_edited",
    "pdf_modified_after_issue",
    "invoice_amount_mismatch",
    "invoice_before_incident",
    "invoice_outside_policy",
    "name_mismatch",
    "late_report",
    "new_policy",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RedFlagRules(_Strict):
    late_report_days: int = Field(ge=1)
    new_policy_days: int = Field(ge=0)
    amount_tolerance_fraction: float = Field(ge=0, le=1)
    amount_tolerance_absolute: float = Field(ge=0)
    phash_max_hamming: int = Field(ge=0, le=64)
    pdf_modified_after_hours: float = Field(ge=0)
    pdf_editors: list[str] = Field(min_length=1)
    weights: dict[str, float]


class ScoringRules(_Strict):
    max_reasons: int = Field(ge=1, le=10)
    min_contribution: float = Field(ge=0)


class RetrainingRules(_Strict):
    holdout_fraction: float = Field(gt=0, lt=1)
    min_auc_gain: float = Field(ge=0)
    min_holdout_frauds: int = Field(ge=1)
    cron: str


class FraudConfig(_Strict):
    version: str
    red_flags: RedFlagRules
    scoring: ScoringRules
    retraining: RetrainingRules


def _problems(cfg: FraudConfig) -> list[tuple[tuple, str]]:
    found = []
    for code in cfg.red_flags.weights:
        if code not in FLAG_CODES:
            found.append((("red_flags", "weights", code), f"unknown red flag; known: {', '.join(FLAG_CODES)}"))
    for code in FLAG_CODES:
        if code not in cfg.red_flags.weights:
            found.append((("red_flags", "weights"), f"no weight for red flag '{code}'"))
    return found


def load_fraud_config(path: Path | str | None = None) -> FraudConfig:
    """Read and check the fraud rules; a bad file fails with file, line and problem."""
    return _load(Path(path) if path else DEFAULT_PATH)


@lru_cache(maxsize=4)
def _load(path: Path) -> FraudConfig:
    cfg, _ = load_yaml_model(path, FraudConfig, _problems)
    return cfg
