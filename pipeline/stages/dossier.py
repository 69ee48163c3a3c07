"""Building the ``Dossier`` (what the checklist and fraud stages judge) from the database."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.dossier import (MIN_IDENTITY_CONFIDENCE, Dossier, DossierDocument, QuarantinedFile,
                              document_identities)
from pipeline.fraud.config import load_fraud_config
from pipeline.fraud.image_hash import hamming
from pipeline.reading.types import ExtractedField
from pipeline.schemas import FirstNotice, PolicyRecord
from storage.models import Claim, Document, ExtractedFieldRow, Policy

PHOTO_TYPES = ("damage_photo",)  # a perceptual hash judges photos; text documents go by identity


def _best_fields(doc: Document) -> dict[str, ExtractedField]:
    best: dict[str, ExtractedField] = {}
    for f in doc.fields:
        if f.name not in best or f.confidence > best[f.name].confidence:
            best[f.name] = f.as_field()
    return best


def _identities(doc: Document) -> set[tuple]:
    return document_identities(doc.doc_type or "", {n: (f.value, f.confidence) for n, f in _best_fields(doc).items()})


def _claims_sharing(session: Session, doc: Document, identity: tuple) -> set[str]:
    """Other claims with a document of the same type whose fields carry this identity."""
    doc_type, keys, values = identity
    matching: set[int] | None = None
    for key, value in zip(keys, values):
        ids = set(session.scalars(select(ExtractedFieldRow.document_id).join(Document).where(
            Document.doc_type == doc_type, Document.claim_id != doc.claim_id, ExtractedFieldRow.name == key,
            func.upper(func.trim(ExtractedFieldRow.value)) == value,
            ExtractedFieldRow.confidence >= MIN_IDENTITY_CONFIDENCE)))
        matching = ids if matching is None else matching & ids
        if not matching:
            return set()
    return set(session.scalars(select(Claim.claim_number).join(Document).where(Document.id.in_(matching))))


def near_duplicates(session: Session, doc: Document, max_bits: int) -> list[str]:
    """Other claims holding what looks like this same document, though not the same bytes."""
    found: set[str] = set()
    if doc.doc_type in PHOTO_TYPES and doc.phash:
        rows = session.execute(select(Document.phash, Claim.claim_number).join(Claim).where(
            Document.claim_id != doc.claim_id, Document.doc_type.in_(PHOTO_TYPES), Document.phash.is_not(None))).all()
        found |= {number for phash, number in rows if hamming(phash, doc.phash) <= max_bits}
    for identity in _identities(doc):
        found |= _claims_sharing(session, doc, identity)
    return sorted(found)


def exact_duplicates(session: Session, doc: Document) -> list[str]:
    """Other claims holding the very same bytes, whichever was uploaded first."""
    return sorted(set(session.scalars(select(Claim.claim_number).join(Document).where(
        Document.sha256 == doc.sha256, Document.claim_id != doc.claim_id))))


def load_dossier(session: Session, claim: Claim) -> Dossier:
    max_bits = load_fraud_config().red_flags.phash_max_hamming
    policy_row = session.scalar(select(Policy).where(Policy.policy_number == claim.policy_number))
    documents, quarantined = [], []
    for d in claim.documents:
        if d.status == "quarantined":
            quarantined.append(QuarantinedFile(d.original_name, d.quarantine_reason or "", d.quarantine_message or ""))
            continue
        if d.read_at is None:
            continue
        documents.append(DossierDocument(
            document_id=str(d.id), file_name=d.original_name, doc_type=d.doc_type or "other",
            type_confidence=d.type_confidence or 0.0, low_confidence=bool(d.low_confidence),
            fields=_best_fields(d), sha256=d.sha256, phash=d.phash,
            pdf_metadata={k: str(v) for k, v in (d.pdf_metadata or {}).items()},
            duplicate_of=(same := exact_duplicates(session, d)),
            near_duplicate_of=[n for n in near_duplicates(session, d, max_bits) if n not in same],
            rotation=d.pages[0].rotation or 0 if d.pages else 0))
    return Dossier(claim_number=claim.claim_number, fnol=FirstNotice.model_validate(claim.fnol),
                   policy=PolicyRecord.model_validate(policy_row.record) if policy_row else None,
                   documents=documents, received_at=claim.acknowledged_at or claim.created_at,
                   quarantined=quarantined)
