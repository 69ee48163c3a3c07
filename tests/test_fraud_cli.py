"""``claims fraud score`` scores a vehicle-format table row by row with the promoted auto model."""
from datetime import date, datetime, timedelta
from decimal import Decimal

import pandas as pd
from typer.testing import CliRunner

from pipeline.fraud.cli import app
from pipeline.fraud.features import vehicle_row_from_claim
from pipeline.schemas import FirstNotice, PolicyRecord

runner = CliRunner()


def vehicle_table(n: int) -> pd.DataFrame:
    rows = []
    for i in range(n):
        fnol = FirstNotice(policy_number=f"AU-{i}", line_of_business="auto", incident_type="collision",
                           incident_at=datetime(2024, 1, 1) + timedelta(days=7 * i),
                           reported_at=datetime(2024, 1, 3) + timedelta(days=9 * i), claimant_name="Li Wei",
                           claimed_amount=Decimal("5000"),
                           auto={"vehicle_make": ["Honda", "Toyota", "BYD"][i % 3],
                                 "fault": ["Policy Holder", "Third Party"][i % 2]})
        policy = PolicyRecord(policy_number=f"AU-{i}", line_of_business="auto", holder_name="Li Wei",
                              start_date=date(2023, 12, 1), end_date=date(2024, 11, 30), covered_incidents=["collision"],
                              sum_insured=Decimal("20000"), premium=Decimal("600"),
                              base_policy=["Liability", "Collision", "All Perils"][i % 3])
        rows.append(vehicle_row_from_claim(fnol, policy))
    table = pd.DataFrame(rows)
    table["PolicyNumber"] = [9000 + i for i in range(n)][::-1]  # not sorted: order must be kept
    return table


def test_score_keeps_row_order_and_policy_numbers(tmp_path):
    table = vehicle_table(12)
    source, out = tmp_path / "claims.csv", tmp_path / "scores.csv"
    table.to_csv(source, index=False)
    result = runner.invoke(app, ["score", "--line", "auto", "--csv", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    scores = pd.read_csv(out)
    assert list(scores["PolicyNumber"]) == list(table["PolicyNumber"])
    assert scores["fraud_probability"].between(0, 1).all() and scores["fraud_score"].between(0, 100).all()
    assert scores["model_version"].str.startswith("auto-").all()
    assert "FraudFound_P" not in scores  # the label column is optional and was absent


def test_a_bad_table_fails_with_the_row_and_column(tmp_path):
    table = vehicle_table(3)
    table.loc[1, "VehiclePrice"] = "priceless"
    source = tmp_path / "bad.csv"
    table.to_csv(source, index=False)
    result = runner.invoke(app, ["score", "--csv", str(source), "--out", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert "row 2" in result.output and "VehiclePrice" in result.output


def test_only_auto_has_a_table_format(tmp_path):
    source = tmp_path / "x.csv"
    vehicle_table(2).to_csv(source, index=False)
    result = runner.invoke(app, ["score", "--line", "health", "--csv", str(source), "--out", str(tmp_path / "o.csv")])
    assert result.exit_code != 0


def test_models_lists_the_promoted_model_per_line():
    result = runner.invoke(app, ["models"])
    assert result.exit_code == 0
    promoted = [line for line in result.output.splitlines() if line.startswith("*")]
    assert {line.split()[1] for line in promoted} == {"auto", "health", "property"}
