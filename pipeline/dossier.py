"""A claim as the checking stages see it: first notice, policy, and what each document showed.

The flow builds a ``Dossier`` from the database after reading; the checklist and the
fraud red flags are pure functions of it, so the same case always gets the same answer.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pipeline.reading.types import ExtractedField
from pipeline.schemas import FirstNotice, PolicyRecord


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
