"""Model cards: what a model was trained on, what it uses and leaves out, and how well it does."""
from __future__ import annotations

from typing import Any

from pipeline.fraud.features import DESCRIPTIONS, PROTECTED

_EVALUATIONS = {
    "time_split": "Time-ordered hold-out (trained on the earlier period, tested on the later one): the honest figure",
    "cv": "Stratified shuffled 5-fold cross-validation (optimistic: mixes periods)",
    "logistic_time_split": "Logistic baseline, same time-ordered hold-out",
    "logistic_cv": "Logistic baseline, stratified shuffled 5-fold CV",
    "selection": "Model selection check inside the training period only (time-ordered)",
}


def _row(name: str, m: dict[str, Any]) -> str:
    return (f"| {_EVALUATIONS.get(name, name)} | {m['roc_auc']:.3f} | {m['pr_auc']:.3f} | {m['recall_at_10pct']:.3f} "
            f"| {m['precision_at_10pct']:.3f} | {m['calibration_error']:.4f} | {m['claims']} / {m['frauds']} |")


def render_card(meta: dict[str, Any], data_description: str, excluded: dict[str, str], notes: list[str]) -> str:
    features = "\n".join(f"- `{f}`: {DESCRIPTIONS.get(f, f)}" for f in meta["features"])
    left_out = "\n".join(f"- `{k}`: {why}" for k, why in excluded.items())
    protected = ", ".join(f"`{p}`" for p in PROTECTED)
    table = "\n".join(_row(name, m) for name, m in meta["metrics"].items())
    return f"""# Fraud model card: {meta['line']} {meta['version']}

Promoted models are listed in `models/registry.json` with who promoted them, when and why.

## Training data
{data_description}

- rows: {meta['rows']}, frauds: {meta['frauds']} ({meta['frauds'] / max(1, meta['rows']):.1%})
- incident dates: {meta.get('date_from') or '?'} to {meta.get('date_to') or '?'}
- training time (final fit, incl. calibration folds): {meta['training_seconds']} s

## Model
Scikit-learn pipeline: one-hot encoding of categories (values seen fewer than 20 times pooled),
then `{meta['kind']}` with classes weighted to balance, Platt-calibrated on out-of-fold
predictions (`CalibratedClassifierCV(method="sigmoid", ensemble=False)`).
Score 0-100 = share of the training claims with a lower probability (score 90 = riskier than
90% of past claims; referring scores of 90 and above refers about 10%).
Reasons: exact TreeSHAP contributions of each feature to the calibrated log-odds.

## Features used
{features}

## Not used
Protected attributes are never features: {protected}.
{left_out}

## Metrics
| Evaluation | ROC-AUC | PR-AUC | Recall @10% referred | Precision @10% | Calibration error (ECE) | claims / frauds |
|---|---|---|---|---|---|---|
{table}

![Calibration on the time-ordered hold-out](calibration.png)

## Notes
""" + "\n".join(f"- {n}" for n in notes) + "\n"
