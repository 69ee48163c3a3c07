"""The fraud model: calibrated, explained exactly, registered with checksums, and scoring claims fast."""
import math
import shutil
import time
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from models.registry import FeatureMismatchError, IntegrityError, Registry, RegistryError
from pipeline.dossier import Dossier, DossierDocument
from pipeline.fraud import training
from pipeline.fraud.explain import RowEncoder, explain
from pipeline.fraud.features import FEATURES
from pipeline.fraud.model_building import register, training_table
from pipeline.fraud.red_flags import find_red_flags
from pipeline.fraud.scoring import promoted_model, score_claim
from pipeline.fraud.synthetic_history import generate_claims, synthetic_history
from pipeline.reading.types import ExtractedField
from pipeline.schemas import FirstNotice, PolicyRecord


@pytest.fixture(scope="module")
def history():
    return synthetic_history("health", n=1500, seed=3)


@pytest.fixture(scope="module")
def trained(history):
    return training.fit(history, "health")


@pytest.fixture(scope="module")
def registry(tmp_path_factory, history, trained):
    reg = Registry(tmp_path_factory.mktemp("registry"))
    table = training_table("health", frame=history)
    trained.metrics["time_split"], p = training.time_split_evaluation(table.train, table.test, "health")
    trained.calibration = training.calibration_curve_points(table.test["label"].to_numpy(), p)
    register(trained, table, reg, promote=True, by="test suite", reason="first model")
    return reg


def test_metrics_mean_what_they_say():
    y = np.array([1, 0, 0, 0, 0, 0, 0, 0, 0, 1] * 10)
    perfect = y.astype(float)
    assert training.metrics(y, perfect)["roc_auc"] == 1.0
    assert training.recall_at_rate(y, perfect, 0.2) == 1.0
    assert training.recall_at_rate(y, 1 - perfect, 0.1) == 0.0
    assert training.calibration_error(y, np.full(len(y), y.mean())) == pytest.approx(0.0, abs=0.2)
    with pytest.raises(ValueError, match="both frauds and genuine"):
        training.metrics(np.zeros(5), np.zeros(5))


def test_synthetic_history_has_the_documented_fraud_patterns(history):
    fraud, genuine = history[history.label == 1], history[history.label == 0]
    assert 0.03 < history.label.mean() < 0.09
    assert fraud.rf_duplicate_image.mean() > 5 * genuine.rf_duplicate_image.mean()
    assert fraud.claim_to_sum_insured.mean() > 2 * genuine.claim_to_sum_insured.mean()


def test_probabilities_are_calibrated_after_class_weighting(history, trained):
    p = trained.pipeline.predict_proba(history[list(FEATURES["health"])])[:, 1]
    assert abs(p.mean() - history.label.mean()) < 0.02  # balanced weights would put this near 0.5


def test_row_encoder_matches_the_pipelines_own_encoding(history, trained):
    columns = trained.pipeline.named_steps["columns"]
    rows = history[list(FEATURES["health"])].head(50)
    fast = np.array([RowEncoder(columns)(r) for r in rows.to_dict("records")])
    assert np.allclose(fast, columns.transform(rows))
    unseen = dict(rows.iloc[0], channel="carrier pigeon")
    assert RowEncoder(columns)(unseen).shape == fast[0].shape


def test_contributions_add_up_to_the_models_probability(history, trained):
    rows = history[list(FEATURES["health"])].head(30)
    expected = trained.pipeline.predict_proba(rows)[:, 1]
    for row, p in zip(rows.to_dict("records"), expected):
        e = explain(trained.pipeline, row)
        assert 1 / (1 + math.exp(-e.log_odds)) == pytest.approx(p, rel=1e-6, abs=1e-9)
        assert set(e.contributions) == set(FEATURES["health"])


def test_logistic_terms_explain_the_baseline(history):
    model = training.fit(history, "health", "logistic")
    columns = model.pipeline.named_steps["columns"]
    mean = np.asarray(columns.transform(history[list(FEATURES["health"])])).mean(axis=0)
    row = history[list(FEATURES["health"])].iloc[0].to_dict()
    e = explain(model.pipeline, row, mean)
    assert 1 / (1 + math.exp(-e.log_odds)) == pytest.approx(model.pipeline.predict_proba(pd.DataFrame([row]))[0, 1])


def test_registry_records_card_checksums_and_who_promoted(registry):
    (entry,) = registry.entries("health")
    folder = registry.root / entry["path"]
    assert {p.name for p in folder.iterdir()} == {"model.skops", "meta.json", "card.md", "calibration.png"}
    card = (folder / "card.md").read_text()
    assert "SYNTHETIC" in card and "claimant_sex" in card and "ROC-AUC" in card
    assert entry["promoted_by"] == "test suite" and len(entry["model_sha256"]) == 64
    assert registry.promoted_version("health") == entry["version"]
    assert registry.decisions("health")[-1]["reason"] == "first model"


def test_loading_refuses_a_tampered_artifact(registry, tmp_path):
    copy = Registry(tmp_path / "reg")
    shutil.copytree(registry.root, copy.root)
    (entry,) = copy.entries("health")
    with open(copy.root / entry["path"] / "model.skops", "ab") as fh:
        fh.write(b"\0")
    with pytest.raises(IntegrityError, match="SHA-256"):
        copy.load("health")


def test_loading_refuses_a_model_trained_on_other_features(registry):
    with pytest.raises(FeatureMismatchError, match="other features"):
        registry.load("health", expected_features=list(FEATURES["health"])[:-1])


def test_promotion_needs_a_known_version_and_a_reason(registry):
    with pytest.raises(RegistryError, match="no health model version"):
        registry.promote("health", "health-nope", by="x", reason="y")
    with pytest.raises(RegistryError, match="who promoted it and why"):
        registry.promote("health", registry.promoted_version("health"), by="", reason="")
    with pytest.raises(RegistryError, match="no property model is promoted"):
        registry.load("property")


def _dossier(fnol: FirstNotice, policy: PolicyRecord, documents=()) -> Dossier:
    return Dossier("CLM-T", fnol, policy, list(documents), datetime(2024, 6, 1))


def test_scores_rise_with_red_flags_and_reasons_say_why(registry):
    fnol, policy, _, _ = generate_claims("health", 1, seed=42)[0]
    clean = score_claim(_dossier(fnol, policy), [], registry=registry)
    invoice = DossierDocument("d1", "invoice.pdf", "medical_invoice", 0.9, False,
                              {"total_amount": ExtractedField("total_amount", "1.00", "1.00", 0.9, 1),
                               "issue_date": ExtractedField("issue_date", "2000-01-01", "2000-01-01", 0.9, 1)},
                              "ab" * 32, duplicate_of=["CLM-OLD"])
    risky_dossier = _dossier(fnol, policy, [invoice])
    flags = find_red_flags(risky_dossier)
    risky = score_claim(risky_dossier, flags, registry=registry)
    assert risky.probability > clean.probability and risky.score >= clean.score
    assert 0 <= clean.score <= 100 and 0 <= risky.score <= 100
    assert risky.model_version == registry.promoted_version("health") and risky.line == "health"
    assert 1 <= len(risky.reasons) <= 4
    assert any("another claim" in r or "before the incident" in r for r in risky.reasons)


SHIPPED = Registry()


@pytest.mark.parametrize("line", ["auto", "health", "property"])
def test_the_repository_ships_a_promoted_model_per_line(line):
    model = promoted_model(line, SHIPPED)
    entry = SHIPPED.entry(line, model.version)
    assert entry["promoted_by"] and entry["promotion_reason"]
    assert (SHIPPED.root / entry["path"] / "card.md").exists()
    assert (SHIPPED.root / entry["path"] / "calibration.png").exists()


def test_shipped_auto_model_scores_a_live_claim_fast_with_reasons():
    fnol = FirstNotice(policy_number="AU-9", line_of_business="auto", incident_type="collision",
                       incident_at=datetime(2024, 3, 1, 9), reported_at=datetime(2024, 3, 2, 9), claimant_name="Li Wei",
                       claimed_amount=Decimal("9000"), auto={"vehicle_make": "Honda", "fault": "Policy Holder"})
    policy = PolicyRecord(policy_number="AU-9", line_of_business="auto", holder_name="Li Wei",
                          start_date=date(2022, 1, 1), end_date=date(2024, 12, 31), covered_incidents=["collision"],
                          sum_insured=Decimal("30000"), premium=Decimal("800"), deductible=Decimal("400"),
                          base_policy="All Perils")
    liability = policy.model_copy(update={"base_policy": "Liability"})
    dossier = _dossier(fnol, policy)
    result = score_claim(dossier, [], registry=SHIPPED)
    safer = score_claim(_dossier(fnol, liability), [], registry=SHIPPED)
    assert result.probability > safer.probability  # all-perils cover at fault: the table's riskiest group
    assert result.reasons and "Policy holder at fault: yes" in result.reasons
    timings = []
    for _ in range(50):
        started = time.perf_counter()
        score_claim(dossier, [], registry=SHIPPED)
        timings.append(time.perf_counter() - started)
    assert np.median(timings) < 0.010
