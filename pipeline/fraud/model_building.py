"""Train, evaluate, document and register one line's fraud model in one call.

Used by the CLI (``claims fraud train``), the notebook and the retraining flow, so a model
trained anywhere carries the same evaluations and the same kind of model card.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from models.card import render_card
from models.registry import Registry
from pipeline.fraud import training
from pipeline.fraud.features import FEATURES
from pipeline.fraud.history import read_vehicle_table, vehicle_frame
from pipeline.fraud.synthetic_history import synthetic_history

EXCLUDED_AUTO = {
    "PolicyNumber": "a row id; it encodes the table's order (leakage)",
    "Year": "the model must work in years it has not seen",
    "RepNumber": "which representative took the claim: an operational id, not a property of the claim",
    "Month, MonthClaimed": "labels thin out at each year's end (open investigations); month learns that, not fraud",
    "PolicyType": "vehicle category and base policy together, already features",
}
EXCLUDED_SYNTHETIC = {"claimant name, id, contact": "identify a person, not a risk"}

AUTO_DATA = ("Real public vehicle-insurance claims (Oracle/Angoss 'carclaims' table, Kaggle "
             "'Vehicle Insurance Claim Fraud Detection'), from `../shared/data/vehicle_fraud`; label `FraudFound_P`. "
             "Incident dates are approximate (year, month, week of month).")
SYNTHETIC_DATA = ("**SYNTHETIC** claims from `pipeline/fraud/synthetic_history.py`. The fraud patterns are the "
                  "generator's, documented in that module; the metrics describe the generator, not real fraud.")


@dataclass
class TrainingTable:
    frame: pd.DataFrame
    train: pd.DataFrame  # earlier period
    test: pd.DataFrame  # later period
    description: str
    excluded: dict[str, str]
    split_note: str


def training_table(line: str, sample: int | None = None, frame: pd.DataFrame | None = None,
                   holdout_fraction: float = 0.25) -> TrainingTable:
    """The history a line trains on, with its time-ordered split."""
    if frame is None:
        if line == "auto":
            frame = vehicle_frame(read_vehicle_table(sample=sample))
        else:
            frame = synthetic_history(line, n=sample or 6000)
    if line == "auto" and frame is not None and "year" in frame and frame["year"].nunique() > 1:
        last = int(frame["year"].max())
        train, test = training.time_split(frame, cutoff=date(last, 1, 1))
        note = f"trained on incidents before {last}, tested on {last}"
    else:
        train, test = training.time_split(frame, holdout_fraction=holdout_fraction)
        note = f"trained on the earliest {1 - holdout_fraction:.0%} by incident date, tested on the newest {holdout_fraction:.0%}"
    description = AUTO_DATA if line == "auto" and "year" in frame else SYNTHETIC_DATA if line != "auto" else \
        "Claims history from the claims database (labelled outcomes)."
    excluded = EXCLUDED_AUTO if line == "auto" else EXCLUDED_SYNTHETIC
    return TrainingTable(frame, train, test, description, excluded, note)


def train_and_evaluate(line: str, table: TrainingTable, kind: training.Kind = "gbt", with_baseline: bool = True,
                       folds: int = 5) -> training.TrainedModel:
    """Evaluate the recipe (time split, CV, a logistic baseline), then fit it on all the history."""
    time_metrics, time_p = training.time_split_evaluation(table.train, table.test, line, kind)
    cv_metrics, _ = training.cross_validate(table.frame, line, kind, folds=folds)
    evaluations = {"time_split": time_metrics, "cv": cv_metrics}
    if with_baseline and kind != "logistic":
        evaluations["logistic_time_split"] = training.time_split_evaluation(table.train, table.test, line, "logistic")[0]
        evaluations["logistic_cv"] = training.cross_validate(table.frame, line, "logistic", folds=folds)[0]
    trained = training.fit(table.frame, line, kind)
    trained.metrics = evaluations
    trained.calibration = training.calibration_curve_points(table.test["label"].to_numpy(), time_p)
    trained.notes = [
        f"Time split: {table.split_note}.",
        "Model choices (features, depth, learning rate) were made on the training period only; the later period "
        "was not used to tune anything.",
        "The final model is refitted on all the history; its metrics above are those of the same recipe.",
    ]
    if line == "auto":
        trained.notes.append("Auto vehicle prices are the table's bands in the table's currency; a live claim's "
                             "vehicle_price is banded the same way.")
        trained.notes.append("Document red flags are not in the public table: for auto they add their configured "
                             "weights (config/fraud.yaml) to the log-odds instead of learned ones.")
    else:
        trained.notes.append("SYNTHETIC history: retrain on real labelled claims (the retraining flow does) before "
                             "trusting these scores.")
    return trained


def register(trained: training.TrainedModel, table: TrainingTable, registry: Registry,
             promote: bool = False, by: str = "", reason: str = "") -> dict:
    """Write artifact, card and calibration plot; promote when asked."""
    meta_extra = {}
    if trained.kind == "logistic":
        X = table.frame[list(FEATURES[trained.line])]
        meta_extra["background_mean"] = [float(v) for v in np.asarray(
            trained.pipeline.named_steps["columns"].transform(X)).mean(axis=0)]
    with tempfile.TemporaryDirectory() as tmp:
        png = Path(tmp) / "calibration.png"
        training.calibration_plot(trained.calibration, png, f"{trained.line}: calibration on the later period")
        entry = registry.register(trained, meta_extra=meta_extra, calibration_png=png)
        meta = {**registry.entry(trained.line, entry["version"]), **{
            "rows": trained.rows, "frauds": trained.frauds, "date_from": trained.date_from,
            "date_to": trained.date_to, "training_seconds": round(trained.seconds, 2), "metrics": trained.metrics}}
        card = render_card(meta, table.description, table.excluded, trained.notes)
        (registry.root / entry["path"] / "card.md").write_text(card, encoding="utf-8")
    if promote:
        entry = registry.promote(trained.line, entry["version"], by=by or "unknown", reason=reason or "promoted by hand")
    return entry
