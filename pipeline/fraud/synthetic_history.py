"""SYNTHETIC claims histories for the health and property lines, which have no public data.

Everything here is made up. Each generated claim is a real ``FirstNotice`` and
``PolicyRecord`` plus the red-flag codes its documents would raise, so the features come
from the same ``features_from_claim`` that scores live claims. The label is drawn first
(about 6% fraud), then the claim is drawn from label-dependent distributions. These are
the generator's fraud patterns, and the only things a model trained here can learn:

- fraud: policy often days old at the incident (30% within 30 days, genuine 3%);
- fraud: reported late more often (30% after 30+ days, genuine 3%);
- fraud: asks for a larger share of the sum insured (mean ~35%, genuine ~10%);
- fraud: more prior claims (Poisson mean 1.2 vs 0.3);
- fraud: more often through a partner or the hotline;
- fraud: document red flags far more often (e.g. a reused photo 12% vs 0.3%, an edited
  PDF 15% vs 2%, invoice total not the claimed amount 25% vs 5%);
- health: fraudulent inpatient stays are either one day at a high price or very long;
- property: fraudulent claims are more often fires in shops and warehouses.

A model card for these lines says so: its metrics describe the generator, not the world.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd

from pipeline.fraud.config import FLAG_CODES, FraudConfig, load_fraud_config
from pipeline.fraud.features import features_from_claim
from pipeline.fraud.red_flags import timing_flags
from pipeline.schemas import FirstNotice, PolicyRecord

FRAUD_RATE = 0.06
# Chance each document red flag shows: (genuine, fraud). Timing flags follow from the dates.
DOCUMENT_FLAG_RATES = {
    "duplicate_image": (0.003, 0.12),
    "near_duplicate_image": (0.005, 0.10),
    "pdf_edited": (0.02, 0.15),
    "pdf_modified_after_issue": (0.02, 0.12),
    "invoice_amount_mismatch": (0.05, 0.25),
    "invoice_before_incident": (0.01, 0.12),
    "invoice_outside_policy": (0.01, 0.08),
    "name_mismatch": (0.02, 0.10),
}
_START = date(2023, 1, 1)
_DAYS = 730  # two years of incidents
_NAMES = ("Li Wei", "Wang Fang", "Zhang Min", "Liu Yang", "Chen Jing", "Anna Schmidt", "John Carter", "Maria Rossi")


def _claim(line: str, fraud: bool, i: int, rng: np.random.Generator, cfg: FraudConfig
           ) -> tuple[FirstNotice, PolicyRecord, list[str]]:
    incident_day = _START + timedelta(days=int(rng.integers(0, _DAYS)))
    new_policy = rng.random() < (0.30 if fraud else 0.03)
    policy_age = int(rng.integers(0, 31)) if new_policy else int(rng.integers(31, 3 * 365))
    start = incident_day - timedelta(days=policy_age)
    end = start + timedelta(days=365 * int(1 + policy_age // 365))
    late = rng.random() < (0.30 if fraud else 0.03)
    delay = int(rng.integers(31, 120)) if late else int(min(30, rng.exponential(3)))
    incident_at = datetime.combine(incident_day, datetime.min.time()) + timedelta(hours=int(rng.integers(6, 22)))
    reported_at = incident_at + timedelta(days=delay, hours=int(rng.integers(0, 3)))
    if line == "health":
        sum_insured = float(rng.choice([50_000, 100_000, 200_000, 500_000]))
        incident_type = "inpatient" if rng.random() < (0.55 if fraud else 0.35) else "outpatient"
    else:
        sum_insured = float(rng.choice([300_000, 800_000, 1_500_000, 3_000_000]))
        incident_type = "fire" if rng.random() < (0.6 if fraud else 0.35) else "water_damage"
    share = rng.beta(2, 4) if fraud else rng.beta(1, 9)
    claimed = round(max(100.0, share * sum_insured), 2)
    channels = ["app", "web", "hotline", "branch", "partner"]
    channel = rng.choice(channels, p=[0.25, 0.15, 0.25, 0.1, 0.25] if fraud else [0.45, 0.25, 0.1, 0.15, 0.05])
    policy_number = f"SYN-{line[:1].upper()}{i:06d}"
    name = str(rng.choice(_NAMES))
    details: dict = {}
    if line == "health":
        admission = incident_day
        if incident_type == "inpatient":
            stay = int(rng.choice([1, int(rng.integers(15, 40))])) if fraud else int(rng.integers(1, 10))
        else:
            stay = 0
        details["health"] = {"hospital": "Synthetic General Hospital", "admission_date": admission,
                             "discharge_date": admission + timedelta(days=stay)}
        if fraud and stay == 1:
            claimed = round(claimed * 1.5, 2)
    else:
        kinds = ["apartment", "house", "shop", "warehouse"]
        details["property"] = {"property_address": f"{i} Synthetic Road",
                               "property_type": str(rng.choice(kinds, p=[0.2, 0.2, 0.3, 0.3] if fraud else [0.5, 0.3, 0.12, 0.08]))}
    fnol = FirstNotice(policy_number=policy_number, line_of_business=line, incident_type=incident_type,
                       incident_at=incident_at, reported_at=reported_at, channel=str(channel), claimant_name=name,
                       claimed_amount=Decimal(str(claimed)), **details)
    policy = PolicyRecord(policy_number=policy_number, line_of_business=line, holder_name=name, start_date=start,
                          end_date=end, covered_incidents=[incident_type], sum_insured=Decimal(str(sum_insured)),
                          premium=Decimal(str(round(sum_insured * float(rng.uniform(0.004, 0.02)), 2))),
                          prior_claims=int(rng.poisson(1.2 if fraud else 0.3)))
    flags = [code for code, (genuine, fraudulent) in DOCUMENT_FLAG_RATES.items()
             if rng.random() < (fraudulent if fraud else genuine)]
    flags += [f.code for f in timing_flags(fnol, policy, cfg)]
    return fnol, policy, flags


def generate_claims(line: str, n: int, seed: int = 0) -> list[tuple[FirstNotice, PolicyRecord, list[str], int]]:
    """``n`` synthetic claims of a line as (first notice, policy, red-flag codes, label)."""
    if line not in ("health", "property"):
        raise ValueError(f"synthetic histories exist for health and property, not {line!r}")
    if n < 1:
        raise ValueError("n must be at least 1")
    rng = np.random.default_rng(seed)
    cfg = load_fraud_config()
    out = []
    for i in range(n):
        fraud = bool(rng.random() < FRAUD_RATE)
        fnol, policy, flags = _claim(line, fraud, i, rng, cfg)
        out.append((fnol, policy, flags, int(fraud)))
    return out


def synthetic_history(line: str, n: int = 6000, seed: int = 0) -> pd.DataFrame:
    """A training table (features, ``label``, ``occurred_on``) of SYNTHETIC claims."""
    rows = []
    for fnol, policy, flags, label in generate_claims(line, n, seed):
        row = features_from_claim(fnol, policy, flags)
        row["label"] = label
        row["occurred_on"] = fnol.incident_at.date()
        rows.append(row)
    return pd.DataFrame(rows)


assert set(DOCUMENT_FLAG_RATES) <= set(FLAG_CODES)
