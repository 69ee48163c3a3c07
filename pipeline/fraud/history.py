"""Training tables: features + ``label`` + ``occurred_on``, from wherever a line's history lives.

- auto: the public vehicle-fraud table in ``../shared/data`` (real claims, 1994-1995);
- any line: labelled claims in the claims database (``claims.fraud_label`` not null);
- health and property: the SYNTHETIC generator, until real labelled history exists.
"""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from pipeline.fraud.features import LABEL, features_from_claim, features_from_vehicle_row, occurred_on

VEHICLE_TABLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "vehicle_fraud" / "claims_1994_1995.csv"


def vehicle_table_path() -> Path:
    return Path(os.environ.get("CLAIMS_VEHICLE_TABLE", VEHICLE_TABLE))


def read_vehicle_table(path: Path | str | None = None, sample: int | None = None, seed: int = 0) -> pd.DataFrame:
    """The raw public table (optionally a stratified sample of ``sample`` rows)."""
    path = Path(path) if path else vehicle_table_path()
    if not path.exists():
        raise FileNotFoundError(f"the public vehicle-fraud table is not at {path} (it lives in ../shared/data)")
    table = pd.read_csv(path)
    if sample and sample < len(table):
        if LABEL in table:  # keep the fraud rate: sample each class in proportion
            keep = [group.sample(max(1, round(sample * len(group) / len(table))), random_state=seed).index
                    for _, group in table.groupby(LABEL)]
            table = table.loc[sorted(i for index in keep for i in index)]
        else:
            table = table.sample(sample, random_state=seed).sort_index()
    return table


def vehicle_frame(table: pd.DataFrame) -> pd.DataFrame:
    """Features, label, approximate incident date and year of every row of the vehicle table."""
    records = table.to_dict("records")
    frame = pd.DataFrame([features_from_vehicle_row(r) for r in records], index=table.index)
    if LABEL in table:
        frame["label"] = table[LABEL].astype(int)
    frame["occurred_on"] = [occurred_on(r) for r in records]
    frame["year"] = table["Year"].astype(int)
    return frame


def database_frame(db, line: str) -> pd.DataFrame:
    """Labelled claims of a line from the claims database, with the red flags they were scored with."""
    from sqlalchemy import select

    from pipeline.schemas import FirstNotice, PolicyRecord
    from storage.models import Claim, Policy, RiskScoreRow

    rows = []
    with db.session() as s:
        claims = s.scalars(select(Claim).where(Claim.line_of_business == line, Claim.fraud_label.is_not(None))).all()
        for claim in claims:
            fnol = FirstNotice.model_validate(claim.fnol)
            policy_row = s.scalar(select(Policy).where(Policy.policy_number == claim.policy_number))
            policy = PolicyRecord.model_validate(policy_row.record) if policy_row else None
            latest = s.scalar(select(RiskScoreRow).where(RiskScoreRow.claim_id == claim.id)
                              .order_by(RiskScoreRow.id.desc()).limit(1))
            flags = [f["code"] if isinstance(f, dict) else str(f) for f in (latest.red_flags if latest else [])]
            row = features_from_claim(fnol, policy, flags)
            row["label"] = int(claim.fraud_label)
            row["occurred_on"] = fnol.incident_at.date()
            rows.append(row)
    return pd.DataFrame(rows)
