"""Training and scoring build a claim's features with the same code and the same columns."""
from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import pytest

from pipeline.fraud.features import (FEATURES, PROTECTED, FeatureError, features_from_claim, features_from_vehicle_row,
                                     table_report_delay, vehicle_row_from_claim)
from pipeline.fraud.red_flags import RedFlag
from pipeline.schemas import FirstNotice, PolicyRecord

TABLE_ROW = {
    "Month": "Dec", "WeekOfMonth": 5, "DayOfWeek": "Wednesday", "Make": "Honda", "AccidentArea": "Urban",
    "DayOfWeekClaimed": "Tuesday", "MonthClaimed": "Jan", "WeekOfMonthClaimed": 1, "Sex": "Female",
    "MaritalStatus": "Single", "Age": 21, "Fault": "Policy Holder", "PolicyType": "Sport - Liability",
    "VehicleCategory": "Sport", "VehiclePrice": "more than 69000", "FraudFound_P": 0, "PolicyNumber": 1,
    "RepNumber": 12, "Deductible": 300, "DriverRating": 1, "Days_Policy_Accident": "more than 30",
    "Days_Policy_Claim": "more than 30", "PastNumberOfClaims": "none", "AgeOfVehicle": "3 years",
    "AgeOfPolicyHolder": "26 to 30", "PoliceReportFiled": "No", "WitnessPresent": "No", "AgentType": "External",
    "NumberOfSuppliments": "none", "AddressChange_Claim": "1 year", "NumberOfCars": "3 to 4", "Year": 1994,
    "BasePolicy": "Liability",
}


def auto_claim(**auto) -> tuple[FirstNotice, PolicyRecord]:
    details = dict(vehicle_make="Nissan", vehicle_category="Utility", vehicle_price=Decimal("45000"),
                   vehicle_age_years=4, fault="Third Party", police_report_filed=True, number_of_supplements=3,
                   address_change_months=30, number_of_cars=2, driver_rating=3)
    fnol = FirstNotice(policy_number="AU-1", line_of_business="auto", incident_type="collision",
                       incident_at=datetime(2024, 3, 6, 8), reported_at=datetime(2024, 3, 18, 8),
                       claimant_name="Li Wei", claimant_sex="Male", claimant_age=33, claimant_marital_status="Married",
                       claimed_amount=Decimal("8000"), auto={**details, **auto})
    policy = PolicyRecord(policy_number="AU-1", line_of_business="auto", holder_name="Li Wei",
                          start_date=date(2024, 2, 26), end_date=date(2025, 2, 25), covered_incidents=["collision"],
                          sum_insured=Decimal("45000"), premium=Decimal("700"), deductible=Decimal("500"),
                          prior_claims=3, base_policy="All Perils")
    return fnol, policy


def test_a_table_row_and_a_live_claim_give_the_same_columns():
    from_table = features_from_vehicle_row(TABLE_ROW)
    from_claim = features_from_claim(*auto_claim())
    assert list(from_table) == list(from_claim) == list(FEATURES["auto"])


def test_a_live_claim_is_put_into_the_tables_bands():
    fnol, policy = auto_claim()
    row = vehicle_row_from_claim(fnol, policy)
    assert row["Make"] == "Nisson"  # the table's spelling
    assert row["VehiclePrice"] == "40000 to 59000"
    assert row["Days_Policy_Accident"] == "8 to 15" and row["Days_Policy_Claim"] == "15 to 30"
    assert row["PastNumberOfClaims"] == "2 to 4" and row["NumberOfSuppliments"] == "3 to 5"
    assert row["AddressChange_Claim"] == "2 to 3 years" and row["NumberOfCars"] == "2 vehicles"
    features = features_from_claim(fnol, policy)
    assert features["report_delay_days"] == 12  # exact for live claims
    assert features["fault_policy_holder"] == 0 and features["police_report_filed"] == 1
    assert features["base_policy"] == "All Perils" and features["deductible"] == 500


def test_protected_attributes_and_identifiers_are_never_features():
    assert not set(PROTECTED) & {c for cols in FEATURES.values() for c in cols}
    changed = dict(TABLE_ROW, Sex="Male", Age=70, MaritalStatus="Widow", AgeOfPolicyHolder="over 65",
                   PolicyNumber=999, Year=1995, RepNumber=3)
    assert features_from_vehicle_row(changed) == features_from_vehicle_row(TABLE_ROW)
    fnol, policy = auto_claim()
    other = fnol.model_copy(update={"claimant_sex": "Female", "claimant_age": 70, "claimant_marital_status": "Single"})
    assert features_from_claim(other, policy) == features_from_claim(fnol, policy)


def test_report_delay_is_read_from_the_tables_calendar_columns():
    # Wednesday of week 5 in December, claimed Tuesday of week 1 in January: about a week
    assert 0 <= table_report_delay(TABLE_ROW) <= 14
    late = dict(TABLE_ROW, Month="Mar", MonthClaimed="Jun", WeekOfMonth=1, WeekOfMonthClaimed=1,
                DayOfWeekClaimed="Wednesday")
    assert table_report_delay(late) == pytest.approx(91, abs=1)


def test_every_row_of_a_table_format_converts(tmp_path):
    table = pd.DataFrame([TABLE_ROW, dict(TABLE_ROW, Fault="Third Party", BasePolicy="Collision")])
    frame = pd.DataFrame([features_from_vehicle_row(r) for r in table.to_dict("records")])
    assert list(frame["fault_policy_holder"]) == [1.0, 0.0]


def test_an_unexpected_band_is_a_clear_error():
    with pytest.raises(FeatureError, match="VehiclePrice: unexpected value 'cheap'"):
        features_from_vehicle_row(dict(TABLE_ROW, VehiclePrice="cheap"))
    missing = {k: v for k, v in TABLE_ROW.items() if k != "Fault"}
    with pytest.raises(FeatureError, match="no column 'Fault'"):
        features_from_vehicle_row(missing)


def test_health_features_carry_policy_timing_and_red_flags():
    fnol = FirstNotice(policy_number="H-1", line_of_business="health", incident_type="inpatient",
                       incident_at=datetime(2024, 5, 10), reported_at=datetime(2024, 5, 20), claimant_name="Li Wei",
                       claimed_amount=Decimal("20000"),
                       health={"hospital": "X", "admission_date": date(2024, 5, 10), "discharge_date": date(2024, 5, 13)})
    policy = PolicyRecord(policy_number="H-1", line_of_business="health", holder_name="Li Wei",
                          start_date=date(2024, 5, 1), end_date=date(2025, 4, 30), covered_incidents=["inpatient"],
                          sum_insured=Decimal("100000"), premium=Decimal("1000"), prior_claims=2)
    flags = [RedFlag("pdf_edited", "edited", {}, 0.8)]
    features = features_from_claim(fnol, policy, flags)
    assert list(features) == list(FEATURES["health"])
    assert features["policy_age_days"] == 9 and features["report_delay_days"] == 10
    assert features["claim_to_sum_insured"] == pytest.approx(0.2) and features["length_of_stay_days"] == 3
    assert features["rf_pdf_edited"] == 1.0 and features["rf_duplicate_image"] == 0.0
    with pytest.raises(FeatureError, match="unknown red flag"):
        features_from_claim(fnol, policy, ["not_a_flag"])
