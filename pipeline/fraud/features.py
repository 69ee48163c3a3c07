"""One feature builder for training and scoring, so a model sees the same columns in both.

Auto claims speak the public vehicle-fraud table's language: a live claim is first written
as a row of that table (``vehicle_row_from_claim``: exact values put into the table's bands),
then both go through ``features_from_vehicle_row``. Health and property claims have no public
history; their features come from the first notice, the policy and the red flags.

Deliberately not features:

- protected attributes (sex, age, marital status; in the table also ``AgeOfPolicyHolder``):
  recorded on the claim, never used by a model;
- ``PolicyNumber`` (a row id that leaks the table's order), ``Year`` (a model must work in
  years it has not seen), ``RepNumber`` (which clerk took the claim says nothing a model
  should learn), and the calendar month: fraud labels in the table thin out towards the end
  of each year (investigations still open), so month identifies label maturity, not fraud.
  A time-ordered check within 1994 showed month features overfit (see the model card).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pipeline.fraud.config import FLAG_CODES
from pipeline.schemas import FirstNotice, PolicyRecord

PROTECTED = ("Sex", "MaritalStatus", "Age", "AgeOfPolicyHolder", "claimant_sex", "claimant_age", "claimant_marital_status")
NOT_FEATURES = ("PolicyNumber", "Year", "RepNumber", "Month", "MonthClaimed", "PolicyType", "FraudFound_P")
LABEL = "FraudFound_P"

# --- the public vehicle table's bands, each with the value a model sees ----------------

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

VEHICLE_PRICE = {"less than 20000": 15000, "20000 to 29000": 25000, "30000 to 39000": 35000,
                 "40000 to 59000": 50000, "60000 to 69000": 65000, "more than 69000": 75000}
DAYS_POLICY = {"none": 0, "1 to 7": 4, "8 to 15": 11, "15 to 30": 22, "more than 30": 31}
PAST_CLAIMS = {"none": 0, "1": 1, "2 to 4": 3, "more than 4": 5}
AGE_OF_VEHICLE = {"new": 0, "2 years": 2, "3 years": 3, "4 years": 4, "5 years": 5, "6 years": 6,
                  "7 years": 7, "more than 7": 8}
SUPPLEMENTS = {"none": 0, "1 to 2": 1.5, "3 to 5": 4, "more than 5": 6}
ADDRESS_CHANGE = {"under 6 months": 3, "1 year": 12, "2 to 3 years": 30, "4 to 8 years": 72, "no change": 120}
NUMBER_OF_CARS = {"1 vehicle": 1, "2 vehicles": 2, "3 to 4": 3.5, "5 to 8": 6.5, "more than 8": 9}
YES_NO = {"Yes": 1, "No": 0}

# Live spellings -> the table's (the table spells some makes its own way).
MAKE_SPELLING = {"acura": "Accura", "nissan": "Nisson", "porsche": "Porche", "mercedes": "Mecedes",
                 "mercedes-benz": "Mecedes", "volkswagen": "VW", "vw": "VW", "bmw": "BMW"}

AUTO_NUMERIC = (
    "fault_policy_holder", "vehicle_price", "vehicle_age_years", "deductible", "driver_rating",
    "days_policy_to_incident", "days_policy_to_claim", "report_delay_days", "past_claims",
    "supplements", "months_since_address_change", "number_of_cars", "police_report_filed",
    "witness_present", "agent_internal", "accident_rural", "incident_weekday", "claim_weekday",
)
AUTO_CATEGORICAL = ("base_policy", "vehicle_category", "make")

_COMMON_NUMERIC = (
    "policy_age_days", "days_to_policy_end", "report_delay_days", "prior_claims", "premium",
    "sum_insured", "claimed_amount", "claim_to_sum_insured", "incident_weekday", "claim_weekday",
)
FLAG_FEATURES = tuple(f"rf_{code}" for code in FLAG_CODES)

NUMERIC: dict[str, tuple[str, ...]] = {
    "auto": AUTO_NUMERIC,
    "health": _COMMON_NUMERIC + ("length_of_stay_days",) + FLAG_FEATURES,
    "property": _COMMON_NUMERIC + FLAG_FEATURES,
}
CATEGORICAL: dict[str, tuple[str, ...]] = {
    "auto": AUTO_CATEGORICAL,
    "health": ("incident_type", "channel"),
    "property": ("incident_type", "channel", "property_type"),
}
FEATURES: dict[str, tuple[str, ...]] = {line: CATEGORICAL[line] + NUMERIC[line] for line in NUMERIC}

# Words for each feature, used in reasons a reviewer reads.
DESCRIPTIONS: dict[str, str] = {
    "fault_policy_holder": "policy holder at fault",
    "vehicle_price": "vehicle price",
    "vehicle_age_years": "age of the vehicle (years)",
    "deductible": "deductible",
    "driver_rating": "driver rating",
    "days_policy_to_incident": "days from policy start to incident",
    "days_policy_to_claim": "days from policy start to claim",
    "report_delay_days": "days from incident to report",
    "past_claims": "past claims on the policy",
    "supplements": "supplements to the claim",
    "months_since_address_change": "months since the holder's address changed",
    "number_of_cars": "cars on the policy",
    "police_report_filed": "police report filed",
    "witness_present": "witness present",
    "agent_internal": "claim taken by an internal agent",
    "accident_rural": "accident in a rural area",
    "incident_weekday": "weekday of the incident (0 = Monday)",
    "claim_weekday": "weekday of the report (0 = Monday)",
    "base_policy": "cover",
    "vehicle_category": "vehicle category",
    "make": "vehicle make",
    "policy_age_days": "days from policy start to incident",
    "days_to_policy_end": "days from incident to policy end",
    "prior_claims": "prior claims on the policy",
    "premium": "premium",
    "sum_insured": "sum insured",
    "claimed_amount": "claimed amount",
    "claim_to_sum_insured": "claimed amount as a share of the sum insured",
    "length_of_stay_days": "days in hospital",
    "incident_type": "incident type",
    "channel": "channel the claim came in by",
    "property_type": "property type",
    **{f"rf_{code}": f"red flag: {code.replace('_', ' ')}" for code in FLAG_CODES},
}


class FeatureError(ValueError):
    """A row or claim cannot be turned into features; the message says which field and why."""


def _band(mapping: Mapping[str, float], column: str, value: Any) -> float:
    key = str(value).strip()
    if key not in mapping:
        raise FeatureError(f"{column}: unexpected value {value!r}; expected one of {', '.join(mapping)}")
    return float(mapping[key])


def _index(options: tuple[str, ...], column: str, value: Any) -> int:
    key = str(value).strip()
    if key not in options:
        raise FeatureError(f"{column}: unexpected value {value!r}; expected one of {', '.join(options)}")
    return options.index(key)


def _int(column: str, value: Any) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        raise FeatureError(f"{column}: expected a number, got {value!r}") from None


def table_report_delay(row: Mapping[str, Any]) -> float:
    """Approximate days from incident to claim from the table's month / week / weekday columns."""
    month = _index(MONTHS, "Month", row["Month"])
    month_claimed = _index(MONTHS, "MonthClaimed", row["MonthClaimed"])
    if month_claimed < month:  # claimed in the next calendar year
        month_claimed += 12
    weeks = _int("WeekOfMonthClaimed", row["WeekOfMonthClaimed"]) - _int("WeekOfMonth", row["WeekOfMonth"])
    days = (_index(WEEKDAYS, "DayOfWeekClaimed", row["DayOfWeekClaimed"])
            - _index(WEEKDAYS, "DayOfWeek", row["DayOfWeek"]))
    return float(min(365, max(0, round((month_claimed - month) * 30.44 + weeks * 7 + days))))


def features_from_vehicle_row(row: Mapping[str, Any], report_delay_days: float | None = None) -> dict[str, Any]:
    """Model features of one row in the public vehicle table's column format."""
    try:
        make = str(row["Make"]).strip()
        features = {
            "base_policy": str(row["BasePolicy"]).strip(),
            "vehicle_category": str(row["VehicleCategory"]).strip(),
            "make": make,
            "fault_policy_holder": float(_index(("Third Party", "Policy Holder"), "Fault", row["Fault"])),
            "vehicle_price": _band(VEHICLE_PRICE, "VehiclePrice", row["VehiclePrice"]),
            "vehicle_age_years": _band(AGE_OF_VEHICLE, "AgeOfVehicle", row["AgeOfVehicle"]),
            "deductible": float(_int("Deductible", row["Deductible"])),
            "driver_rating": float(_int("DriverRating", row["DriverRating"])),
            "days_policy_to_incident": _band(DAYS_POLICY, "Days_Policy_Accident", row["Days_Policy_Accident"]),
            "days_policy_to_claim": _band(DAYS_POLICY, "Days_Policy_Claim", row["Days_Policy_Claim"]),
            "report_delay_days": float(report_delay_days) if report_delay_days is not None else table_report_delay(row),
            "past_claims": _band(PAST_CLAIMS, "PastNumberOfClaims", row["PastNumberOfClaims"]),
            "supplements": _band(SUPPLEMENTS, "NumberOfSuppliments", row["NumberOfSuppliments"]),
            "months_since_address_change": _band(ADDRESS_CHANGE, "AddressChange_Claim", row["AddressChange_Claim"]),
            "number_of_cars": _band(NUMBER_OF_CARS, "NumberOfCars", row["NumberOfCars"]),
            "police_report_filed": _band(YES_NO, "PoliceReportFiled", row["PoliceReportFiled"]),
            "witness_present": _band(YES_NO, "WitnessPresent", row["WitnessPresent"]),
            "agent_internal": float(_index(("External", "Internal"), "AgentType", row["AgentType"])),
            "accident_rural": float(_index(("Urban", "Rural"), "AccidentArea", row["AccidentArea"])),
            "incident_weekday": float(_index(WEEKDAYS, "DayOfWeek", row["DayOfWeek"])),
            "claim_weekday": float(_index(WEEKDAYS, "DayOfWeekClaimed", row["DayOfWeekClaimed"])),
        }
    except KeyError as exc:
        raise FeatureError(f"the vehicle row has no column {exc.args[0]!r}") from None
    return features


# --- live claims -> the table's bands -------------------------------------------------

def _price_band(price: float | None) -> str:
    if price is None:
        return "20000 to 29000"  # the table's commonest band
    for limit, band in ((20000, "less than 20000"), (30000, "20000 to 29000"), (40000, "30000 to 39000"),
                        (60000, "40000 to 59000"), (70000, "60000 to 69000")):
        if price < limit:
            return band
    return "more than 69000"


def _days_band(days: int | None) -> str:
    if days is None or days > 30:
        return "more than 30"
    if days <= 0:
        return "none"
    return "1 to 7" if days <= 7 else "8 to 15" if days <= 15 else "15 to 30"


def _vehicle_age_band(years: int | None) -> str:
    if years is None:
        return "7 years"
    if years <= 1:
        return "new"
    return "more than 7" if years > 7 else f"{years} years"


def _count_band(n: int, bands: tuple[tuple[int, str], ...], top: str) -> str:
    for limit, band in bands:
        if n <= limit:
            return band
    return top


def _address_band(months: int | None) -> str:
    if months is None:
        return "no change"
    return _count_band(months, ((5, "under 6 months"), (18, "1 year"), (42, "2 to 3 years"), (102, "4 to 8 years")),
                       "no change")


def _week_of_month(d: date) -> int:
    return (d.day - 1) // 7 + 1


def vehicle_row_from_claim(fnol: FirstNotice, policy: PolicyRecord | None) -> dict[str, Any]:
    """An auto first notice written as a row of the public vehicle table (protected columns left out)."""
    if fnol.auto is None:
        raise FeatureError("an auto claim needs its 'auto' details block")
    a = fnol.auto
    incident, reported = fnol.incident_at.date(), fnol.reported_at.date()
    start = policy.start_date if policy else None
    make = MAKE_SPELLING.get(a.vehicle_make.strip().lower(), a.vehicle_make.strip().title())
    prior = policy.prior_claims if policy else 0
    return {
        "Month": MONTHS[incident.month - 1], "WeekOfMonth": _week_of_month(incident),
        "DayOfWeek": WEEKDAYS[incident.weekday()], "Make": make, "AccidentArea": a.accident_area,
        "DayOfWeekClaimed": WEEKDAYS[reported.weekday()], "MonthClaimed": MONTHS[reported.month - 1],
        "WeekOfMonthClaimed": _week_of_month(reported), "Fault": a.fault,
        "VehicleCategory": a.vehicle_category,
        "VehiclePrice": _price_band(float(a.vehicle_price) if a.vehicle_price is not None else None),
        "RepNumber": a.rep_number,
        "Deductible": int(policy.deductible) if policy else 400,
        "DriverRating": a.driver_rating or 2,
        "Days_Policy_Accident": _days_band((incident - start).days if start else None),
        "Days_Policy_Claim": _days_band((reported - start).days if start else None),
        "PastNumberOfClaims": _count_band(prior, ((0, "none"), (1, "1"), (4, "2 to 4")), "more than 4"),
        "AgeOfVehicle": _vehicle_age_band(a.vehicle_age_years),
        "PoliceReportFiled": "Yes" if a.police_report_filed else "No",
        "WitnessPresent": "Yes" if a.witness_present else "No",
        "AgentType": a.agent_type,
        "NumberOfSuppliments": _count_band(a.number_of_supplements, ((0, "none"), (2, "1 to 2"), (5, "3 to 5")), "more than 5"),
        "AddressChange_Claim": _address_band(a.address_change_months),
        "NumberOfCars": _count_band(a.number_of_cars, ((1, "1 vehicle"), (2, "2 vehicles"), (4, "3 to 4"), (8, "5 to 8")), "more than 8"),
        "Year": incident.year,
        "BasePolicy": (policy.base_policy if policy and policy.base_policy else "Collision"),
        "PolicyNumber": fnol.policy_number,
    }


def _report_delay(fnol: FirstNotice) -> float:
    return float(min(365, max(0, (fnol.reported_at - fnol.incident_at).days)))


def features_from_claim(fnol: FirstNotice, policy: PolicyRecord | None, red_flags: list | tuple = ()) -> dict[str, Any]:
    """Model features of a live claim (auto: the same columns as ``features_from_vehicle_row``)."""
    line = fnol.line_of_business
    if line == "auto":
        return features_from_vehicle_row(vehicle_row_from_claim(fnol, policy), report_delay_days=_report_delay(fnol))
    incident = fnol.incident_at.date()
    claimed = float(fnol.claimed_amount)
    sum_insured = float(policy.sum_insured) if policy else 0.0
    codes = {getattr(f, "code", f) for f in red_flags}
    unknown = codes - set(FLAG_CODES)
    if unknown:
        raise FeatureError(f"unknown red flag codes: {', '.join(sorted(unknown))}")
    features: dict[str, Any] = {
        "incident_type": fnol.incident_type,
        "channel": fnol.channel.value,
        "policy_age_days": float((incident - policy.start_date).days) if policy else 365.0,
        "days_to_policy_end": float((policy.end_date - incident).days) if policy else 180.0,
        "report_delay_days": _report_delay(fnol),
        "prior_claims": float(policy.prior_claims) if policy else 0.0,
        "premium": float(policy.premium) if policy else 0.0,
        "sum_insured": sum_insured,
        "claimed_amount": claimed,
        "claim_to_sum_insured": claimed / sum_insured if sum_insured > 0 else 1.0,
        "incident_weekday": float(fnol.incident_at.weekday()),
        "claim_weekday": float(fnol.reported_at.weekday()),
    }
    if line == "health":
        h = fnol.health
        stay = (h.discharge_date - h.admission_date).days if h and h.admission_date and h.discharge_date else 0
        features["length_of_stay_days"] = float(max(0, stay))
    else:
        features["property_type"] = fnol.property.property_type if fnol.property else "apartment"
    features.update({f"rf_{code}": float(code in codes) for code in FLAG_CODES})
    return {name: features[name] for name in FEATURES[line]}


def occurred_on(row: Mapping[str, Any]) -> date:
    """Approximate incident date of a vehicle-table row (Year, Month, WeekOfMonth), for time ordering."""
    month = _index(MONTHS, "Month", row["Month"]) + 1
    day = min(28, (_int("WeekOfMonth", row["WeekOfMonth"]) - 1) * 7 + 1)
    return date(_int("Year", row["Year"]), month, day)
