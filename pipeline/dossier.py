"""A claim as the checking stages see it: first notice, policy, and what each document showed.

The flow builds a ``Dossier`` from the database after reading; the checklist and the
fraud red flags are pure functions of it, so the same case always gets the same answer.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from pipeline.reading.types import ExtractedField
from pipeline.schemas import FirstNotice, PolicyRecord


# What makes a text document the same document when its bytes differ (re-scanned,
# re-compressed, cropped): its number, or its issuer, date and total together. A whole
# -page perceptual hash cannot tell two invoices printed from one template apart.
IDENTITY_FIELDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "medical_invoice": (("invoice_number",), ("issue_date", "total_amount", "issuer")),
    "repair_invoice": (("invoice_number",), ("issue_date", "total_amount", "issuer")),
    "itemised_bill": (("issue_date", "total_amount", "issuer"),),
    "repair_estimate": (("issue_date", "total_amount", "issuer"),),
    "police_report": (("report_number",),),
    "fire_report": (("report_number",),),
}
MIN_IDENTITY_CONFIDENCE = 0.6


def document_identities(doc_type: str, fields: Mapping[str, tuple[str, float]]) -> set[tuple]:
    """The identities a document carries, from its fields' (value, confidence) readings."""
    values = {name: value.strip().upper() for name, (value, conf) in fields.items()
              if value and conf >= MIN_IDENTITY_CONFIDENCE}
    return {(doc_type, keys, tuple(values[k] for k in keys))
            for keys in IDENTITY_FIELDS.get(doc_type, ()) if all(k in values for k in keys)}


@dataclass
class DossierDocument:
    document_id: str
    file_name: str
    doc_type: str  # pipeline.vocabulary.DOC_TYPES; "other" when unknown
    type_confidence: float
    low_confidence: bool  # the classifier would not commit: a person must look
    fields: dict[str, ExtractedField]  # best reading per field name
    sha256: str
    phash: str | None = None  # perceptual hash of the first page image (hex), if any
    pdf_metadata: dict[str, str] = field(default_factory=dict)  # Producer, Creator, CreationDate, ModDate
    duplicate_of: list[str] = field(default_factory=list)  # other claims holding the same bytes
    near_duplicate_of: list[str] = field(default_factory=list)  # other claims with a near-identical image
    rotation: int = 0  # degrees the first page had to be turned

    def value(self, name: str) -> str | None:
        f = self.fields.get(name)
        return f.value if f else None

    def identities(self) -> set[tuple]:
        return document_identities(self.doc_type, {n: (f.value, f.confidence) for n, f in self.fields.items()})


@dataclass
class QuarantinedFile:
    file_name: str
    reason: str  # machine-readable code, e.g. "encrypted_pdf"
    message: str  # plain words for a person


@dataclass
class Dossier:
    claim_number: str
    fnol: FirstNotice
    policy: PolicyRecord | None  # None when the policy number is unknown
    documents: list[DossierDocument]
    received_at: datetime
    quarantined: list[QuarantinedFile] = field(default_factory=list)

    def of_type(self, *doc_types: str) -> list[DossierDocument]:
        return [d for d in self.documents if d.doc_type in doc_types]
