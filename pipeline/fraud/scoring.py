"""A claim's fraud risk: probability, a 0-100 score and the top reasons, in words.

The promoted model of the claim's line gives the probability and, from its own exact
per-feature contributions, which features pushed it up. Red flags the model learned from
history are among its features; the others (for auto: every document flag, since the
public table has no documents) add their configured weight to the log-odds. Every
result names the model version it came from.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from models.registry import LoadedModel, Registry
from pipeline.dossier import Dossier
from pipeline.fraud.config import FraudConfig, load_fraud_config
from pipeline.fraud.explain import explain
from pipeline.fraud.features import DESCRIPTIONS, LABEL, features_from_claim, features_from_vehicle_row
from pipeline.fraud.red_flags import RedFlag

_BINARY = {"fault_policy_holder", "police_report_filed", "witness_present", "agent_internal", "accident_rural"}


@dataclass
class RiskResult:
    probability: float
    score: int  # 0-100: share of past claims with a lower probability
    reasons: list[str]  # top reasons in words, strongest first
    model_version: str
    line: str
    red_flags: list[dict[str, Any]] = field(default_factory=list)
    contributions: dict[str, float] = field(default_factory=dict)  # log-odds each reason added
    rules_version: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_LOADED: dict[tuple[str, str, str], LoadedModel] = {}


def promoted_model(line: str, registry: Registry | None = None) -> LoadedModel:
    """The promoted model of a line, verified and loaded once per version."""
    registry = registry or Registry()
    version = registry.promoted_version(line)
    key = (str(registry.root), line, version or "")
    if key not in _LOADED:
        _LOADED[key] = registry.load(line, version)
    return _LOADED[key]


def _format_value(name: str, value: Any) -> str:
    if name in _BINARY:
        return "yes" if float(value) else "no"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 10 or value == int(value) else f"{value:.2f}"
    return str(value)


def _flag_words(flag: RedFlag) -> str:
    shown = []
    for key, value in flag.evidence.items():
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(v.get("name", v)) if isinstance(v, dict) else str(v) for v in value[:3])
        shown.append(f"{key.replace('_', ' ')} {value}")
    return f"{flag.title} ({'; '.join(shown[:3])})" if shown else flag.title


def score_features(model: LoadedModel, features: dict[str, Any], red_flags: list[RedFlag] = (),
                   config: FraudConfig | None = None) -> RiskResult:
    """Score one claim's features with a loaded model, merging red flags into score and reasons."""
    cfg = config or load_fraud_config()
    explanation = explain(model.pipeline, features, model.background_mean)
    learned = {f[3:] for f in model.features if f.startswith("rf_")}
    candidates: list[tuple[float, str, str]] = []
    for name, value in explanation.contributions.items():
        if value >= cfg.scoring.min_contribution:
            if name.startswith("rf_"):
                flag = next((f for f in red_flags if f.code == name[3:]), None)
                words = _flag_words(flag) if flag else DESCRIPTIONS.get(name, name)
            else:
                words = f"{DESCRIPTIONS.get(name, name).capitalize()}: {_format_value(name, features[name])}"
            candidates.append((value, name, words))
    added = 0.0
    seen: set[str] = set()
    for flag in red_flags:
        if flag.code in learned or flag.code in seen:
            continue
        seen.add(flag.code)
        added += flag.weight
        candidates.append((flag.weight, f"flag:{flag.code}", _flag_words(flag)))
    probability = 1 / (1 + math.exp(-(explanation.log_odds + added)))
    candidates.sort(key=lambda c: -c[0])
    top = candidates[: cfg.scoring.max_reasons]
    return RiskResult(
        probability=probability,
        score=model.score(probability),
        reasons=[words for _, _, words in top],
        model_version=model.version,
        line=model.line,
        red_flags=[f.to_dict() for f in red_flags],
        contributions={name: round(value, 4) for value, name, _ in top},
        rules_version=cfg.version,
    )


def score_claim(dossier: Dossier, red_flags: list[RedFlag], registry: Registry | None = None,
                config: FraudConfig | None = None) -> RiskResult:
    """Risk of one claim with its line's promoted model."""
    line = dossier.fnol.line_of_business
    model = promoted_model(line, registry)
    features = features_from_claim(dossier.fnol, dossier.policy, red_flags)
    return score_features(model, features, red_flags, config)


def score_vehicle_table(table: pd.DataFrame, model: LoadedModel) -> pd.DataFrame:
    """Probability and 0-100 score for every row of a table in the public vehicle format, in row order."""
    if "PolicyNumber" not in table.columns:
        raise ValueError("the table needs a PolicyNumber column to tie scores back to rows")
    rows = []
    for i, record in enumerate(table.to_dict("records")):
        try:
            rows.append(features_from_vehicle_row(record))
        except ValueError as exc:
            raise ValueError(f"row {i + 1} (PolicyNumber {record.get('PolicyNumber')}): {exc}") from None
    X = pd.DataFrame(rows, columns=model.features)
    p = model.pipeline.predict_proba(X)[:, 1]
    quantiles = np.asarray(model.meta["score_quantiles"])
    scores = np.clip(np.searchsorted(quantiles, p, side="right") - 1, 0, 100)
    out = pd.DataFrame({"PolicyNumber": table["PolicyNumber"].to_numpy(), "fraud_probability": np.round(p, 6),
                        "fraud_score": scores.astype(int)})
    if LABEL in table.columns:
        out[LABEL] = table[LABEL].to_numpy()
    out["model_version"] = model.version
    return out
