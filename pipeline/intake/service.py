"""Creating claims and taking in their files.

A claim is acknowledged the moment it is created. A policy that does not exist or was
not in force on the incident date makes the claim 'not_accepted' with the reason; the
rest of acceptance (covered incident type, reporting deadline) is the checklist's job.
Uploads are content-addressed: the same bytes twice in one claim are one document, and
the same bytes in another claim are recorded as a cross-claim duplicate.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.intake.validation import check_upload
from pipeline.schemas import FirstNotice, PolicyRecord
from pipeline.settings import Settings
from storage import audit
from storage.db import Database
from storage.models import Claim, ClaimNotFound, Document, Policy, claim_by_number
from storage.objects import ObjectStore, put_immutable, quarantine_key, raw_key, sha256_hex

SYSTEM = "system:intake"


class IntakeError(ValueError):
    """A request the intake cannot act on (unknown claim, invalid record)."""


@dataclass
class ClaimReceipt:
    claim_number: str
    acknowledged_at: datetime
    status: str
    reason: str | None
    created: bool  # False when an earlier request with the same external_ref made it


@dataclass
class UploadResult:
    document_id: int
    file_name: str
    sha256: str
    status: str  # stored | quarantined
    reason: str | None = None
    message: str | None = None
    already_in_claim: bool = False
    duplicate_of: list[str] = field(default_factory=list)


def policy_in_force(policy: PolicyRecord | None, incident_at: datetime) -> tuple[bool, str | None]:
    if policy is None:
        return False, "policy_not_found"
    if not policy.start_date <= incident_at.date() <= policy.end_date:
        return False, (f"policy_not_in_force: the incident on {incident_at.date()} is outside the policy period "
                       f"{policy.start_date} to {policy.end_date}")
    return True, None


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


class Intake:
    def __init__(self, db: Database, store: ObjectStore, settings: Settings):
        self.db, self.store, self.settings = db, store, settings

    # ------------------------------------------------------------------ policies
    def register_policy(self, record: PolicyRecord, actor: str = SYSTEM) -> None:
        with self.db.session() as s:
            row = s.scalar(select(Policy).where(Policy.policy_number == record.policy_number))
            data = record.model_dump(mode="json")
            if row is None:
                s.add(Policy(policy_number=record.policy_number, line_of_business=record.line_of_business,
                             holder_name=record.holder_name, start_date=record.start_date,
                             end_date=record.end_date, record=data))
            elif row.record != data:
                before = row.record
                row.record, row.holder_name = data, record.holder_name
                row.start_date, row.end_date = record.start_date, record.end_date
                audit.record(s, None, actor, "policy_updated", before, data)

    # ------------------------------------------------------------------ claims
    def create_claim(self, fnol: FirstNotice, external_ref: str | None = None, actor: str = SYSTEM) -> ClaimReceipt:
        with self.db.session() as s:
            if external_ref:
                existing = s.scalar(select(Claim).where(Claim.external_ref == external_ref))
                if existing is not None:
                    return ClaimReceipt(existing.claim_number, existing.acknowledged_at, existing.status,
                                        existing.status_reason, created=False)
            policy_row = s.scalar(select(Policy).where(Policy.policy_number == fnol.policy_number))
            policy = PolicyRecord.model_validate(policy_row.record) if policy_row else None
            in_force, reason = policy_in_force(policy, fnol.incident_at)
            now = datetime.now(timezone.utc)
            claim = Claim(
                claim_number=f"PENDING-{now.timestamp()}", external_ref=external_ref,
                policy_number=fnol.policy_number, line_of_business=fnol.line_of_business,
                incident_type=fnol.incident_type, incident_at=_aware(fnol.incident_at),
                reported_at=_aware(fnol.reported_at), channel=fnol.channel.value,
                claimant_name=fnol.claimant_name, claimed_amount=fnol.claimed_amount, currency=fnol.currency,
                language=fnol.language, fnol=fnol.model_dump(mode="json"),
                status="pending" if in_force else "not_accepted", status_reason=reason, acknowledged_at=now)
            s.add(claim)
            s.flush()
            claim.claim_number = f"CLM-{now:%Y}-{claim.id:06d}"
            audit.record(s, claim.id, actor, "claim_created", None,
                         {"claim_number": claim.claim_number, "status": claim.status, "reason": reason})
            return ClaimReceipt(claim.claim_number, now, claim.status, reason, created=True)

    def claim(self, session: Session, claim_number: str) -> Claim:
        try:
            return claim_by_number(session, claim_number)
        except ClaimNotFound:
            raise IntakeError(f"no claim {claim_number}") from None

    # ------------------------------------------------------------------ uploads
    def upload(self, claim_number: str, file_name: str, data: bytes, actor: str = SYSTEM) -> UploadResult:
        digest = sha256_hex(data)
        with self.db.session() as s:
            claim = self.claim(s, claim_number)
            same = s.scalar(select(Document).where(Document.claim_id == claim.id, Document.sha256 == digest))
            if same is not None:
                return UploadResult(same.id, same.original_name, digest, same.status, same.quarantine_reason,
                                    same.quarantine_message, already_in_claim=True,
                                    duplicate_of=list(same.duplicate_of or []))
            check = check_upload(data, file_name, self.settings.max_upload_bytes, self.settings.max_pages,
                                 self.settings.max_image_pixels)
            others = s.scalars(select(Claim.claim_number).join(Document).where(
                Document.sha256 == digest, Document.claim_id != claim.id)).all()
            shown_name = file_name if check.reason != "unsafe_file_name" else repr(file_name)[1:-1][:200]
            meta = {"claim": claim_number, "original_name": shown_name, "detected_type": check.media_type or "unknown"}
            if check.ok:
                key = raw_key(digest)
                put_immutable(self.store, key, data, meta, check.media_type or "application/octet-stream")
            else:
                key = quarantine_key(digest)
                put_immutable(self.store, key, data, {**meta, "reason": check.reason or ""})
            doc = Document(claim_id=claim.id, sha256=digest, object_key=key, original_name=shown_name,
                           media_type=check.media_type, size=len(data),
                           status="stored" if check.ok else "quarantined",
                           quarantine_reason=check.reason, quarantine_message=check.message,
                           page_count=check.page_count, duplicate_of=sorted(set(others)) or None)
            s.add(doc)
            s.flush()
            audit.record(s, claim.id, actor, "document_uploaded" if check.ok else "document_quarantined", None,
                         {"document_id": doc.id, "file": shown_name, "sha256": digest, "reason": check.reason,
                          "duplicate_of": doc.duplicate_of})
            if check.ok and claim.stage not in ("received",):
                claim.stage = "received"  # new material: the flow must look at this claim again
            return UploadResult(doc.id, shown_name, digest, doc.status, check.reason, check.message,
                                duplicate_of=sorted(set(others)))

    def quarantine(self, session: Session, doc: Document, reason: str, message: str, actor: str = SYSTEM) -> None:
        """Move a stored document to quarantine when a later stage finds it unreadable."""
        data = self.store.get(doc.object_key)
        key = quarantine_key(doc.sha256)
        put_immutable(self.store, key, data, {"claim": doc.claim.claim_number, "original_name": doc.original_name,
                                              "detected_type": doc.media_type or "unknown", "reason": reason})
        before = {"status": doc.status, "object_key": doc.object_key}
        doc.status, doc.quarantine_reason, doc.quarantine_message, doc.object_key = "quarantined", reason, message, key
        audit.record(session, doc.claim_id, actor, "document_quarantined", before,
                     {"status": doc.status, "reason": reason, "message": message})
