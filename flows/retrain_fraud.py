"""Retrain the fraud models on a schedule; promote a new one only when it beats the current one.

For each line: gather the labelled history (claims database, plus the public vehicle table
for auto, plus the SYNTHETIC history for health/property while real labels are few), hold
out the newest claims, train a candidate on the rest, and score both the candidate and the
promoted model on the same hold-out. The candidate (refitted on all history) is promoted
only when its ROC-AUC is higher by the configured margin; either way the registry keeps
the decision and its reason. The promoted model may have seen part of the hold-out when
it was trained, which favours keeping it: the comparison is conservative.
"""
from __future__ import annotations

import pandas as pd
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from models.registry import Registry, RegistryError
from pipeline.fraud import training
from pipeline.fraud.config import load_fraud_config
from pipeline.fraud.history import database_frame, read_vehicle_table, vehicle_frame, vehicle_table_path
from pipeline.fraud.model_building import AUTO_DATA, EXCLUDED_AUTO, EXCLUDED_SYNTHETIC, SYNTHETIC_DATA, TrainingTable, register
from pipeline.fraud.synthetic_history import synthetic_history

LINES = ("auto", "health", "property")
DECIDED_BY = "retrain_fraud flow"


@task(cache_policy=NO_CACHE)
def gather_history(line: str, use_database: bool = True, include_public: bool = True,
                   include_synthetic: bool = True, sample: int | None = None) -> tuple[pd.DataFrame, list[str]]:
    """The labelled history of a line and where it came from."""
    parts, sources = [], []
    if use_database:
        from pipeline.settings import get_settings
        from storage.db import open_database

        db_rows = database_frame(open_database(get_settings()), line)
        if len(db_rows):
            parts.append(db_rows)
            sources.append(f"claims database ({len(db_rows)} labelled claims)")
    if line == "auto" and include_public and vehicle_table_path().exists():
        parts.append(vehicle_frame(read_vehicle_table(sample=sample)).drop(columns=["year"]))
        sources.append("public vehicle table (1994-1995)")
    if line != "auto" and include_synthetic:
        parts.append(synthetic_history(line, n=sample or 6000))
        sources.append("SYNTHETIC generated history")
    if not parts:
        raise ValueError(f"no labelled {line} history found")
    return pd.concat(parts, ignore_index=True), sources


@task(cache_policy=NO_CACHE)
def challenge(line: str, history: pd.DataFrame, sources: list[str], registry_root: str | None = None) -> dict:
    """Candidate vs promoted model on the newest claims; promote only a clear winner."""
    log = get_run_logger()
    cfg = load_fraud_config().retraining
    registry = Registry(registry_root) if registry_root else Registry()
    train, holdout = training.time_split(history, holdout_fraction=cfg.holdout_fraction)
    result = {"line": line, "sources": sources, "rows": len(history), "holdout_rows": len(holdout),
              "holdout_frauds": int(holdout["label"].sum())}
    if result["holdout_frauds"] < cfg.min_holdout_frauds or train["label"].sum() < cfg.min_holdout_frauds:
        reason = (f"not enough labelled frauds to compare fairly ({result['holdout_frauds']} in the hold-out, "
                  f"need {cfg.min_holdout_frauds}): kept the current model")
        registry.record_decision(line, "kept", DECIDED_BY, reason, **{k: v for k, v in result.items() if k != "line"})
        return {**result, "action": "kept", "reason": reason}

    candidate = training.fit(train, line)
    candidate_metrics, candidate_p = training.evaluate_on(candidate.pipeline, holdout, line)
    current_version, current_metrics = registry.promoted_version(line), None
    try:
        current = registry.load(line) if current_version else None
        if current is not None:
            current_metrics, _ = training.evaluate_on(current.pipeline, holdout, line)
    except RegistryError as exc:  # a stale or tampered model cannot defend its place
        log.warning("current %s model unusable: %s", line, exc)
    gain = candidate_metrics["roc_auc"] - (current_metrics["roc_auc"] if current_metrics else 0.0)
    result.update(candidate_auc=round(candidate_metrics["roc_auc"], 4), current_version=current_version,
                  current_auc=round(current_metrics["roc_auc"], 4) if current_metrics else None)
    if current_metrics is not None and gain < cfg.min_auc_gain:
        reason = (f"candidate hold-out ROC-AUC {candidate_metrics['roc_auc']:.3f} does not beat {current_version} "
                  f"({current_metrics['roc_auc']:.3f}) by {cfg.min_auc_gain}: kept the current model")
        registry.record_decision(line, "kept", DECIDED_BY, reason, **{k: v for k, v in result.items() if k != "line"})
        return {**result, "action": "kept", "reason": reason}

    final = training.fit(history, line)
    final.metrics = {"time_split": candidate_metrics}
    if current_metrics:
        final.metrics["current_model_on_holdout"] = current_metrics
    final.calibration = training.calibration_curve_points(holdout["label"].to_numpy(), candidate_p)
    final.notes = [f"Retrained by the {DECIDED_BY} from: {'; '.join(sources)}.",
                   f"Hold-out: the newest {cfg.holdout_fraction:.0%} of claims by incident date."]
    reason = (f"hold-out ROC-AUC {candidate_metrics['roc_auc']:.3f} vs "
              + (f"{current_version} {current_metrics['roc_auc']:.3f}" if current_metrics else "no usable current model"))
    table = TrainingTable(history, train, holdout, AUTO_DATA if line == "auto" else SYNTHETIC_DATA,
                          EXCLUDED_AUTO if line == "auto" else EXCLUDED_SYNTHETIC, "newest claims held out")
    entry = register(final, table, registry, promote=True, by=DECIDED_BY, reason=reason)
    log.info("promoted %s %s: %s", line, entry["version"], reason)
    return {**result, "action": "promoted", "version": entry["version"], "reason": reason}


@flow(name="retrain_fraud")
def retrain_fraud(lines: list[str] = list(LINES), use_database: bool = True, include_public: bool = True,
                  include_synthetic: bool = True, sample: int | None = None, registry_root: str | None = None
                  ) -> list[dict]:
    """Retrain each line and keep each promotion decision with its reason."""
    unknown = [line for line in lines if line not in LINES]
    if unknown:
        raise ValueError(f"unknown lines: {', '.join(unknown)}")
    results = []
    for line in lines:
        history, sources = gather_history(line, use_database, include_public, include_synthetic, sample)
        results.append(challenge(line, history, sources, registry_root))
    return results


def serve() -> None:
    """Run the retraining flow on the schedule in config/fraud.yaml (blocks; used by ``claims serve``)."""
    retrain_fraud.serve(name="retrain-fraud", cron=load_fraud_config().retraining.cron)


if __name__ == "__main__":
    print(retrain_fraud())
