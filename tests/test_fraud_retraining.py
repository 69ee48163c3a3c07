"""The retraining flow promotes a new model only when it beats the current one, and says why."""
from storage.db import Database

from flows.retrain_fraud import retrain_fraud
from models.registry import Registry
from pipeline.fraud.features import FEATURES
from pipeline.fraud.history import database_frame
from pipeline.fraud.synthetic_history import generate_claims


def test_first_run_promotes_and_an_equal_candidate_is_kept(tmp_path):
    root = str(tmp_path / "registry")
    (first,) = retrain_fraud(lines=["health"], use_database=False, sample=2400, registry_root=root)
    assert first["action"] == "promoted" and "no usable current model" in first["reason"]
    (second,) = retrain_fraud(lines=["health"], use_database=False, sample=2400, registry_root=root)
    assert second["action"] == "kept" and "does not beat" in second["reason"]
    registry = Registry(root)
    assert registry.promoted_version("health") == first["version"]
    assert [d["action"] for d in registry.decisions("health")] == ["promoted", "kept"]
    assert registry.entry("health", first["version"])["promoted_by"] == "retrain_fraud flow"


def test_labelled_claims_in_the_database_become_training_rows(sqlite_url):
    from storage.models import Claim, Policy

    db = Database(sqlite_url)
    claims = generate_claims("property", 4, seed=5)
    with db.session() as s:
        for i, (fnol, policy, _, label) in enumerate(claims):
            s.add(Policy(policy_number=policy.policy_number, line_of_business="property",
                         holder_name=policy.holder_name, start_date=policy.start_date, end_date=policy.end_date,
                         record=policy.model_dump(mode="json")))
            s.add(Claim(claim_number=f"CLM-{i}", policy_number=fnol.policy_number, line_of_business="property",
                        incident_type=fnol.incident_type, incident_at=fnol.incident_at, reported_at=fnol.reported_at,
                        channel=fnol.channel.value, claimant_name=fnol.claimant_name, claimed_amount=fnol.claimed_amount,
                        currency=fnol.currency, language=fnol.language, fnol=fnol.model_dump(mode="json"),
                        fraud_label=label if i < 3 else None))  # the last one has no known outcome yet
    frame = database_frame(db, "property")
    db.engine.dispose()
    assert len(frame) == 3
    assert list(frame.columns[:len(FEATURES["property"])]) == list(FEATURES["property"])
    assert list(frame["label"]) == [label for *_, label in claims[:3]]
