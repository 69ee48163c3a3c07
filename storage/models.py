"""The relational model of a claim's life: intake, reading, checking, scoring, routing, audit.

Works on SQLite (default) and PostgreSQL (production); the schema is created by the
Alembic migrations in ``storage/migrations``.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import (JSON, select, BigInteger, Date, DateTime, Float, ForeignKey, Integer, Numeric, String, Text,
                        TypeDecorator, UniqueConstraint, event)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from pipeline.reading.types import ExtractedField

Json = JSON().with_variant(JSONB(), "postgresql")
Money = Numeric(14, 2)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on both databases (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            value = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: Json, list[Any]: Json, Decimal: Money, datetime: UTCDateTime()}


class Policy(Base):
    __tablename__ = "policies"
    id: Mapped[int] = mapped_column(primary_key=True)
    policy_number: Mapped[str] = mapped_column(String(40), unique=True, index=True)
    line_of_business: Mapped[str] = mapped_column(String(20))
    holder_name: Mapped[str] = mapped_column(String(120))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    record: Mapped[dict[str, Any]]  # the full PolicyRecord as JSON
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Claim(Base):
    __tablename__ = "claims"
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_number: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    external_ref: Mapped[str | None] = mapped_column(String(80), unique=True)  # caller's idempotency key
    policy_number: Mapped[str] = mapped_column(String(40), index=True)
    line_of_business: Mapped[str] = mapped_column(String(20))
    incident_type: Mapped[str] = mapped_column(String(30))
    incident_at: Mapped[datetime]
    reported_at: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(20))
    claimant_name: Mapped[str] = mapped_column(String(120))
    claimed_amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    language: Mapped[str] = mapped_column(String(5))
    fnol: Mapped[dict[str, Any]]  # the FirstNotice as JSON
    # received -> prepared -> read -> checked -> scored -> routed
    stage: Mapped[str] = mapped_column(String(20), default="received", index=True)
    # acceptance: pending | accepted | pending_documents | not_accepted
    status: Mapped[str] = mapped_column(String(20), default="pending")
    status_reason: Mapped[str | None] = mapped_column(Text)
    checklist_version: Mapped[str | None] = mapped_column(String(80))
    fraud_label: Mapped[int | None] = mapped_column(Integer)  # known outcome, for retraining
    acknowledged_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    notice_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    documents: Mapped[list["Document"]] = relationship(back_populates="claim", order_by="Document.id")


class ClaimNotFound(KeyError):
    pass


def claim_by_number(session: Session, claim_number: str) -> Claim:
    """The claim with this number; ClaimNotFound (a KeyError) names it when there is none."""
    claim = session.scalar(select(Claim).where(Claim.claim_number == claim_number))
    if claim is None:
        raise ClaimNotFound(f"no claim {claim_number}")
    return claim


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("claim_id", "sha256", name="uq_document_claim_sha"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    object_key: Mapped[str] = mapped_column(String(200))
    original_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str | None] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(BigInteger)
    # stored | quarantined
    status: Mapped[str] = mapped_column(String(20), default="stored")
    quarantine_reason: Mapped[str | None] = mapped_column(String(40))
    quarantine_message: Mapped[str | None] = mapped_column(Text)
    page_count: Mapped[int | None] = mapped_column(Integer)
    doc_type: Mapped[str | None] = mapped_column(String(40))
    type_confidence: Mapped[float | None] = mapped_column(Float)
    low_confidence: Mapped[bool | None]
    phash: Mapped[str | None] = mapped_column(String(32), index=True)
    pdf_metadata: Mapped[dict[str, Any] | None]
    duplicate_of: Mapped[list[Any] | None]  # claim numbers holding the same bytes
    read_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    claim: Mapped[Claim] = relationship(back_populates="documents")
    pages: Mapped[list["Page"]] = relationship(back_populates="document", order_by="Page.page_no")
    fields: Mapped[list["ExtractedFieldRow"]] = relationship(back_populates="document")


class Page(Base):
    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("document_id", "page_no", name="uq_page_document_no"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    page_no: Mapped[int]
    source: Mapped[str] = mapped_column(String(20))  # text_layer | image
    image_key: Mapped[str | None] = mapped_column(String(200))  # rendered/normalised page image
    image_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    clean_image_key: Mapped[str | None] = mapped_column(String(200))
    words_key: Mapped[str | None] = mapped_column(String(200))  # PageText JSON in the object store
    width: Mapped[int | None]
    height: Mapped[int | None]
    lang: Mapped[str | None] = mapped_column(String(20))
    rotation: Mapped[int | None]
    mean_confidence: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str | None] = mapped_column(Text)
    timings: Mapped[dict[str, Any] | None]

    document: Mapped[Document] = relationship(back_populates="pages")


class ExtractedFieldRow(Base):
    __tablename__ = "extracted_fields"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float)
    page_no: Mapped[int]
    box: Mapped[list[Any] | None]
    method: Mapped[str] = mapped_column(String(20), default="", server_default="")  # how it was found

    document: Mapped[Document] = relationship(back_populates="fields")

    def as_field(self) -> ExtractedField:
        """The field as the reader gave it, for stages that read it back (the dossier, a late upload's reading)."""
        return ExtractedField(self.name, self.value, self.raw, self.confidence, self.page_no,
                              tuple(self.box) if self.box else None, self.method)


class ChecklistItemRow(Base):
    __tablename__ = "checklist_items"
    __table_args__ = (UniqueConstraint("claim_id", "code", name="uq_checklist_claim_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))  # satisfied | missing | invalid | needs_person
    reasons: Mapped[list[Any]]
    evidence: Mapped[list[Any]]
    checklist_version: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RiskScoreRow(Base):
    __tablename__ = "risk_scores"
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    model_version: Mapped[str] = mapped_column(String(80))
    probability: Mapped[float] = mapped_column(Float)
    score: Mapped[int]
    reasons: Mapped[list[Any]]
    red_flags: Mapped[list[Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class QueueItem(Base):
    __tablename__ = "queue_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    queue: Mapped[str] = mapped_column(String(40), index=True)
    priority: Mapped[int] = mapped_column(default=0)
    deadline_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)  # open | taken | done
    assigned_to: Mapped[str | None] = mapped_column(String(80))
    rule: Mapped[str] = mapped_column(String(80))
    inputs: Mapped[dict[str, Any]]
    escalations: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    taken_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class OutboxMessage(Base):
    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class AuditEvent(Base):
    """Append-only: the application never updates or deletes these rows."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"), index=True)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60))
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditTrailIsAppendOnly(Exception):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_audit_edits(session: Session, flush_context, instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent):
            raise AuditTrailIsAppendOnly("audit events cannot be changed or deleted")
