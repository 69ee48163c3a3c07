"""What a claim looks like when it arrives: the first notice of loss and the policy it names.

These pydantic models are the contract for the CLI, the HTTP API and the sample
generator. The auto block covers every column of the public vehicle-fraud table
(see ``pipeline/fraud``), so real history and new claims share one shape.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipeline.vocabulary import LINES_OF_BUSINESS


class Channel(str, Enum):
    app = "app"
    web = "web"
    hotline = "hotline"
    branch = "branch"
    partner = "partner"


class Contact(BaseModel):
    phone: str | None = None
    email: str | None = None
    address: str | None = None


class AutoDetails(BaseModel):
    """Auto first-notice fields; names follow the vehicle-fraud table's columns."""

    vehicle_make: str
    vehicle_plate: str | None = None
    vehicle_category: Literal["Sedan", "Sport", "Utility"] = "Sedan"
    vehicle_price: Decimal | None = Field(None, ge=0, description="Market value of the vehicle")
    vehicle_age_years: int | None = Field(None, ge=0, le=60)
    accident_area: Literal["Urban", "Rural"] = "Urban"
    fault: Literal["Policy Holder", "Third Party"] = "Policy Holder"
    police_report_filed: bool = False
    witness_present: bool = False
    third_party_involved: bool = False
    third_party_injured: bool = False
    driver_rating: int | None = Field(None, ge=1, le=4)
    number_of_supplements: int = Field(0, ge=0)
    address_change_months: int | None = Field(None, ge=0, description="Months since the last address change")
    number_of_cars: int = Field(1, ge=1)
    agent_type: Literal["External", "Internal"] = "External"
    rep_number: int | None = None


class HealthDetails(BaseModel):
    hospital: str
    diagnosis: str | None = None
    admission_date: date | None = None
    discharge_date: date | None = None


class PropertyDetails(BaseModel):
    property_address: str
    property_type: Literal["apartment", "house", "shop", "warehouse"] = "apartment"
    cause: str | None = None


class FirstNotice(BaseModel):
    """First notice of loss, as filed by a customer or agent."""

    model_config = ConfigDict(extra="forbid")

    policy_number: str = Field(min_length=3, max_length=40)
    line_of_business: Literal["auto", "health", "property"]
    incident_type: str
    incident_at: datetime
    reported_at: datetime
    channel: Channel = Channel.app
    claimant_name: str = Field(min_length=1, max_length=120)
    claimant_id_number: str | None = None
    claimant_sex: Literal["Male", "Female"] | None = Field(None, description="Recorded, never a model feature")
    claimant_age: int | None = Field(None, ge=0, le=120, description="Recorded, never a model feature")
    claimant_marital_status: str | None = Field(None, description="Recorded, never a model feature")
    contact: Contact = Contact()
    claimed_amount: Decimal = Field(ge=0)
    currency: str = Field("CNY", min_length=3, max_length=3)
    description: str = ""
    language: Literal["en", "zh"] = "en"
    auto: AutoDetails | None = None
    health: HealthDetails | None = None
    property: PropertyDetails | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "FirstNotice":
        allowed = LINES_OF_BUSINESS[self.line_of_business]
        if self.incident_type not in allowed:
            raise ValueError(
                f"incident_type {self.incident_type!r} is not one of {', '.join(allowed)} for {self.line_of_business}"
            )
        if getattr(self, self.line_of_business) is None:
            raise ValueError(f"a {self.line_of_business} claim needs its '{self.line_of_business}' details block")
        if self.reported_at < self.incident_at:
            raise ValueError("reported_at is before incident_at")
        return self


class PolicyRecord(BaseModel):
    """A policy as the policy-administration system knows it."""

    model_config = ConfigDict(extra="forbid")

    policy_number: str
    line_of_business: Literal["auto", "health", "property"]
    holder_name: str
    holder_id_number: str | None = None
    start_date: date
    end_date: date
    covered_incidents: list[str]
    sum_insured: Decimal = Field(ge=0)
    premium: Decimal = Field(ge=0)
    deductible: Decimal = Field(Decimal("0"), ge=0)
    co_payment_pct: Decimal = Field(Decimal("0"), ge=0, le=100)
    report_deadline_days: int = Field(30, ge=1)
    prior_claims: int = Field(0, ge=0)
    base_policy: Literal["Liability", "Collision", "All Perils"] | None = None

    @model_validator(mode="after")
    def _period(self) -> "PolicyRecord":
        if self.end_date < self.start_date:
            raise ValueError("policy end_date is before start_date")
        return self
