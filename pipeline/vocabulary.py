"""The shared words of the pipeline: document types and the key fields each carries.

Every stage (sample generator, reader, checklist, fraud features, reviewer desk)
speaks this vocabulary, so a field called ``total_amount`` means the same thing
everywhere. Normalised value formats:

- dates: ISO ``YYYY-MM-DD``
- amounts: decimal string with two places, ``"1234.50"``; ``currency`` an ISO code (``CNY``, ``USD``)
- identifiers (ID, policy, invoice, report, licence, plate, VIN, account): upper case, no spaces
- ``name``: the claimant-side person on that document (claimant, patient, account holder,
  customer, ID holder), as printed; compared tolerantly by the checklist.
"""
from __future__ import annotations

DOC_TYPES: tuple[str, ...] = (
    "claim_form",
    "id_card",
    "driving_licence",
    "vehicle_registration",
    "police_report",
    "fire_report",
    "medical_invoice",
    "itemised_bill",
    "discharge_summary",
    "diagnosis_certificate",
    "repair_estimate",
    "repair_invoice",
    "bank_details",
    "damage_photo",
    "other",
)

# The fields a reviewer needs, per document type.
FIELDS: dict[str, tuple[str, ...]] = {
    "claim_form": ("name", "policy_number", "id_number", "incident_date", "claimed_amount", "currency"),
    "id_card": ("name", "id_number", "date_of_birth"),
    "driving_licence": ("name", "licence_number", "date_of_birth"),
    "vehicle_registration": ("name", "vehicle_plate", "vin"),
    "police_report": ("report_number", "name", "incident_date", "issue_date", "issuer", "vehicle_plate"),
    "fire_report": ("report_number", "name", "incident_date", "issue_date", "issuer"),
    "medical_invoice": ("invoice_number", "name", "issuer", "issue_date", "total_amount", "currency"),
    "itemised_bill": ("name", "issuer", "issue_date", "total_amount", "currency"),
    "discharge_summary": ("name", "issuer", "admission_date", "discharge_date", "diagnosis"),
    "diagnosis_certificate": ("name", "issuer", "issue_date", "diagnosis"),
    "repair_estimate": ("name", "issuer", "vehicle_plate", "issue_date", "total_amount", "currency"),
    "repair_invoice": ("invoice_number", "name", "issuer", "vehicle_plate", "issue_date", "total_amount", "currency"),
    "bank_details": ("name", "account_number", "bank_name"),
    "damage_photo": (),
    "other": (),
}

LINES_OF_BUSINESS: dict[str, tuple[str, ...]] = {
    "auto": ("collision", "theft"),
    "health": ("outpatient", "inpatient"),
    "property": ("fire", "water_damage"),
}

LANGUAGES: tuple[str, ...] = ("en", "zh")

# Defects the sample generator plants and the checklist / fraud stages must find.
DEFECT_KINDS: tuple[str, ...] = (
    "missing_document",
    "name_mismatch",
    "amount_mismatch",
    "reused_invoice",
    "invoice_before_incident",
    "rotated_document",
)
