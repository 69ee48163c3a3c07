"""The fraud model: one scikit-learn pipeline (encoding + calibrated estimator) and its evaluation.

Recipe, the same for every line:

- categorical features one-hot encoded (rare values pooled), numbers passed through
  (standardised for the logistic baseline);
- gradient-boosted trees of depth <= 3 (so each score can be explained exactly, see
  ``explain``) or a logistic regression baseline; classes re-weighted to balance;
- Platt (sigmoid) calibration fitted on out-of-fold predictions, so probabilities mean
  what they say again after the re-weighting.

Evaluation: stratified shuffled 5-fold CV, and a time-ordered split (train on the past,
test on the later period). Only the time split tells how the model will do next year.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.class_weight import compute_sample_weight

from pipeline.fraud.features import CATEGORICAL, FEATURES, NUMERIC

Kind = Literal["gbt", "logistic"]
MAX_TREE_DEPTH = 3  # exact contributions enumerate feature subsets per tree: keep trees shallow
REFERRAL_RATE = 0.10


class BalancedGradientBoosting(GradientBoostingClassifier):
    """Gradient boosting that weights each class equally, as ``class_weight='balanced'`` would."""

    def fit(self, X, y, sample_weight=None, **kwargs):  # noqa: D401 - sklearn signature
        weights = compute_sample_weight("balanced", y)
        if sample_weight is not None:
            weights = weights * np.asarray(sample_weight)
        return super().fit(X, y, sample_weight=weights, **kwargs)


def build_pipeline(line: str, kind: Kind = "gbt", seed: int = 0) -> Pipeline:
    """Untrained pipeline for a line: feature encoding and calibrated estimator together."""
    if line not in FEATURES:
        raise ValueError(f"unknown line of business {line!r}; expected one of {', '.join(FEATURES)}")
    encoders = [(name, OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=20, sparse_output=False),
                 [name]) for name in CATEGORICAL[line]]
    numbers = StandardScaler() if kind == "logistic" else "passthrough"
    columns = ColumnTransformer(encoders + [("numbers", numbers, list(NUMERIC[line]))])
    if kind == "gbt":
        estimator = BalancedGradientBoosting(n_estimators=200, learning_rate=0.05, max_depth=MAX_TREE_DEPTH,
                                             subsample=0.8, min_samples_leaf=20, random_state=seed)
    elif kind == "logistic":
        estimator = LogisticRegression(C=0.3, class_weight="balanced", max_iter=3000)
    else:
        raise ValueError(f"unknown model kind {kind!r}; expected 'gbt' or 'logistic'")
    calibrated = CalibratedClassifierCV(estimator, method="sigmoid", ensemble=False,
                                        cv=StratifiedKFold(5, shuffle=True, random_state=seed))
    return Pipeline([("columns", columns), ("model", calibrated)])


# --- metrics ---------------------------------------------------------------------------

def recall_at_rate(y: np.ndarray, p: np.ndarray, rate: float = REFERRAL_RATE) -> float:
    """Share of all frauds found when the riskiest ``rate`` of claims are referred."""
    y = np.asarray(y)
    n = max(1, int(round(rate * len(p))))
    top = np.argsort(-np.asarray(p), kind="stable")[:n]
    return float(y[top].sum() / max(1, y.sum()))


def calibration_error(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error over equal-count bins (frauds are rare: equal-width bins sit empty)."""
    order = np.argsort(p, kind="stable")
    y, p = np.asarray(y)[order], np.asarray(p)[order]
    total = 0.0
    for chunk in np.array_split(np.arange(len(p)), bins):
        if len(chunk):
            total += len(chunk) * abs(y[chunk].mean() - p[chunk].mean())
    return float(total / len(p))


def calibration_curve_points(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[tuple[float, float]]:
    """(mean predicted, observed rate) per equal-count bin, for the calibration plot."""
    order = np.argsort(p, kind="stable")
    y, p = np.asarray(y)[order], np.asarray(p)[order]
    return [(float(p[c].mean()), float(y[c].mean())) for c in np.array_split(np.arange(len(p)), bins) if len(c)]


def metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    y, p = np.asarray(y), np.asarray(p)
    if len(np.unique(y)) < 2:
        raise ValueError("metrics need both frauds and genuine claims in the evaluation set")
    n_top = max(1, int(round(REFERRAL_RATE * len(p))))
    return {
        "roc_auc": float(roc_auc_score(y, p)),
        "pr_auc": float(average_precision_score(y, p)),
        "recall_at_10pct": recall_at_rate(y, p),
        "precision_at_10pct": float(y[np.argsort(-p, kind="stable")[:n_top]].mean()),
        "calibration_error": calibration_error(y, p),
        "brier": float(brier_score_loss(y, p)),
        "claims": int(len(y)),
        "frauds": int(y.sum()),
    }


# --- training and evaluation -----------------------------------------------------------

@dataclass
class TrainedModel:
    pipeline: Pipeline
    line: str
    kind: str
    features: list[str]
    rows: int
    frauds: int
    date_from: str | None
    date_to: str | None
    seconds: float
    score_quantiles: list[float]  # 0..100th percentile of training probabilities: the 0-100 score scale
    metrics: dict[str, Any] = field(default_factory=dict)  # evaluation name -> metrics
    calibration: list[tuple[float, float]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _xy(frame: pd.DataFrame, line: str) -> tuple[pd.DataFrame, np.ndarray]:
    missing = [c for c in FEATURES[line] if c not in frame.columns]
    if missing:
        raise ValueError(f"training table lacks feature columns: {', '.join(missing)}")
    if "label" not in frame.columns:
        raise ValueError("training table needs a 'label' column (1 = fraud, 0 = genuine)")
    return frame[list(FEATURES[line])], frame["label"].to_numpy().astype(int)


def fit(frame: pd.DataFrame, line: str, kind: Kind = "gbt", seed: int = 0) -> TrainedModel:
    """Train on a table of features + ``label`` (+ optional ``occurred_on`` dates)."""
    X, y = _xy(frame, line)
    if y.sum() < 10 or (len(y) - y.sum()) < 10:
        raise ValueError(f"too few examples of a class to train: {int(y.sum())} frauds in {len(y)} claims")
    started = time.perf_counter()
    pipeline = build_pipeline(line, kind, seed).fit(X, y)
    seconds = time.perf_counter() - started
    p = pipeline.predict_proba(X)[:, 1]
    dates = pd.to_datetime(frame["occurred_on"]) if "occurred_on" in frame else None
    return TrainedModel(
        pipeline=pipeline, line=line, kind=kind, features=list(FEATURES[line]), rows=len(y), frauds=int(y.sum()),
        date_from=dates.min().date().isoformat() if dates is not None else None,
        date_to=dates.max().date().isoformat() if dates is not None else None,
        seconds=seconds, score_quantiles=[float(q) for q in np.quantile(p, np.linspace(0, 1, 101))],
    )


def cross_validate(frame: pd.DataFrame, line: str, kind: Kind = "gbt", folds: int = 5, seed: int = 0
                   ) -> tuple[dict[str, float], np.ndarray]:
    """Stratified shuffled K-fold: out-of-fold probabilities and their metrics (optimistic over time)."""
    X, y = _xy(frame, line)
    oof = np.zeros(len(y))
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, y):
        model = build_pipeline(line, kind, seed).fit(X.iloc[train], y[train])
        oof[test] = model.predict_proba(X.iloc[test])[:, 1]
    return metrics(y, oof), oof


def time_split(frame: pd.DataFrame, holdout_fraction: float | None = None, cutoff: date | str | None = None
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Earlier claims to train, later ones to test: by a cutoff date or the newest fraction."""
    if "occurred_on" not in frame:
        raise ValueError("a time split needs an 'occurred_on' column")
    when = pd.to_datetime(frame["occurred_on"])
    if cutoff is None:
        if not holdout_fraction:
            raise ValueError("give a cutoff date or a hold-out fraction")
        cutoff = when.sort_values().iloc[int(len(when) * (1 - holdout_fraction))]
    later = when >= pd.Timestamp(cutoff)
    if later.all() or not later.any():
        raise ValueError(f"the cutoff {cutoff} leaves one side of the time split empty")
    return frame[~later], frame[later]


def evaluate_on(model: Pipeline, frame: pd.DataFrame, line: str) -> tuple[dict[str, float], np.ndarray]:
    X, y = _xy(frame, line)
    p = model.predict_proba(X)[:, 1]
    return metrics(y, p), p


def time_split_evaluation(train: pd.DataFrame, test: pd.DataFrame, line: str, kind: Kind = "gbt", seed: int = 0
                          ) -> tuple[dict[str, float], np.ndarray]:
    """Fit on the earlier period, measure on the later one."""
    model = build_pipeline(line, kind, seed).fit(*_xy(train, line))
    return evaluate_on(model, test, line)


def calibration_plot(points: list[tuple[float, float]], path, title: str) -> None:
    """Reliability diagram: predicted probability against the observed fraud rate."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.2, 4.2), dpi=90)
    top = max(0.05, max(max(p, o) for p, o in points) * 1.1)
    ax.plot([0, top], [0, top], ls="--", color="grey", lw=1, label="perfect")
    ax.plot([p for p, _ in points], [o for _, o in points], marker="o", lw=1.5, label="model")
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("predicted fraud probability")
    ax.set_ylabel("observed fraud rate")
    ax.set_title(title, fontsize=9)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
