"""Reading stage: every page of a claim read in one parallel batch, then each document
classified and its key fields extracted (what a document leaves open, a date like 01/04/2024
or the currency of unmarked amounts, as the claim's documents settle it together). A name,
ID number, policy, plate or VIN OCR was unsure of on one document and one slip from the
value another document of the claim gives surely takes that value, and a document whose name
label was smudged away takes the claim's name printed on it, and a total read unsurely but
exactly as the amount the claim was filed for is taken as read (``claim_values``).

Only documents not read before are read (a late upload re-reads just itself), and a
page whose pixels were OCR'd in any earlier claim is taken from there. Everything a
reviewer or a benchmark needs is kept: the clean page image and the words (object
store), per-page language, rotation, confidence and timings, the document type with
its confidence, and every field with value, raw text, confidence, page and box.
"""
from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal

from PIL import Image
from sqlalchemy import select

from pipeline.fraud.image_hash import perceptual_hash
from pipeline.reading.engine import ReadPage, failure, page_sha256, read_pages
from pipeline.reading.claim_values import settle
from pipeline.reading.normalize import claim_hints
from pipeline.reading.pages import PageError, PreparedPage
from pipeline.reading.read_file import interpret_pages
from pipeline.reading.types import ExtractedField, PageText, ReadDocument
from pipeline.stages.context import Context
from pipeline.stages.prepare import pages_of
from storage import audit
from storage.models import Document, ExtractedFieldRow, Page, claim_by_number
from storage.objects import derived_key

ACTOR = "system:read"


@dataclass
class ReadSummary:
    documents_read: int = 0
    pages_read: int = 0
    pages_from_cache: int = 0


def unread_documents(ctx: Context, claim_number: str) -> list[int]:
    with ctx.db.session() as s:
        claim = claim_by_number(s, claim_number)
        return [d.id for d in claim.documents if d.status == "stored" and d.read_at is None]


def _ocr_cache(ctx: Context, hashes: set[str]) -> dict[str, PageText]:
    """Pages already OCR'd anywhere, by pixel hash."""
    if not hashes:
        return {}
    with ctx.db.session() as s:
        rows = s.execute(select(Page.image_sha256, Page.words_key).where(
            Page.image_sha256.in_(hashes), Page.source == "image", Page.words_key.is_not(None))).all()
    cache = {}
    for digest, key in rows:
        if digest not in cache and ctx.store.exists(key):
            cache[digest] = PageText.from_dict(json.loads(ctx.store.get(key)))
    return cache


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG", compress_level=3)
    return buf.getvalue()


def read_claim(ctx: Context, claim_number: str) -> ReadSummary:
    summary = ReadSummary()
    prepared: list[tuple[int, list[PreparedPage]]] = []
    cache: dict[str, PageText] = {}

    def pages_as_prepared() -> Iterator[PreparedPage]:
        """Each document's pages as soon as they are rendered: the OCR of one overlaps the next's rendering."""
        for doc_id in unread_documents(ctx, claim_number):
            with ctx.db.session() as s:
                doc = s.get(Document, doc_id)
                try:
                    pages = pages_of(ctx, ctx.store.get(doc.object_key), doc.media_type)
                except PageError as exc:
                    ctx.intake.quarantine(s, doc, exc.reason, exc.message, ACTOR)
                    continue
            prepared.append((doc_id, pages))
            cache.update(_ocr_cache(ctx, {page_sha256(p) for p in pages if p.text_layer is None and p.image is not None}))
            yield from pages

    results = read_pages(pages_as_prepared(), cache=cache)
    texts_before, fields_before, filed_amount = _claim_so_far(ctx, claim_number)
    claim = claim_hints([r.text.text for r in results] + texts_before)
    read: list[tuple[int, list[PreparedPage], list[ReadPage], ReadDocument]] = []
    at = 0
    for doc_id, pages in prepared:
        reads = results[at:at + len(pages)]
        at += len(pages)
        if (error := failure(reads)) is not None:
            with ctx.db.session() as s:
                ctx.intake.quarantine(s, s.get(Document, doc_id), error.reason, error.message, ACTOR)
            continue
        read.append((doc_id, pages, reads, interpret_pages([r.text for r in reads], pages[0].image if pages else None,
                                                           claim=claim)))
    settled_docs = settle([doc for *_, doc in read], fields_before, filed_amount)
    for (doc_id, pages, reads, _), settled in zip(read, settled_docs):
        _record_document(ctx, doc_id, pages, reads, settled)
        summary.documents_read += 1
        summary.pages_read += len(reads)
        summary.pages_from_cache += sum(r.from_cache for r in reads)
    return summary


def _claim_so_far(ctx: Context, claim_number: str) -> tuple[list[str], list[list[ExtractedField]], Decimal]:
    """The text of the claim's pages read in earlier runs, their documents' fields per document (a
    late upload is read alone, and settled with what was read before it), and the amount the claim
    was filed for (an unsure total read exactly as it is taken as read)."""
    with ctx.db.session() as s:
        claim = claim_by_number(s, claim_number)
        earlier = [d for d in claim.documents if d.read_at is not None]
        return ([p.text for d in earlier for p in d.pages if p.text],
                [[f.as_field() for f in d.fields] for d in earlier], claim.claimed_amount)


def _record_document(ctx: Context, doc_id: int, pages: list[PreparedPage], reads: list[ReadPage],
                     result: ReadDocument) -> None:
    first_image = pages[0].image if pages else None
    with ctx.db.session() as s:
        doc = s.get(Document, doc_id)
        meta = {"claim": doc.claim.claim_number, "original_name": doc.original_name}
        rows = {p.page_no: p for p in doc.pages}
        for read in reads:
            row = rows.get(read.text.page_no) or Page(document_id=doc.id, page_no=read.text.page_no,
                                                     source="text_layer" if read.text.source == "text_layer"
                                                     else "image")
            name = f"page-{read.text.page_no:03d}"
            if row.source == "image":
                row.words_key = derived_key(doc.sha256, f"{name}.words.json")
                ctx.store.put(row.words_key, json.dumps(read.text.to_dict(), ensure_ascii=False).encode(),
                              meta, "application/json")
                if read.clean_image is not None:
                    row.clean_image_key = derived_key(doc.sha256, f"{name}.clean.png")
                    ctx.store.put(row.clean_image_key, _png(read.clean_image), meta, "image/png")
            row.image_sha256 = read.image_sha256 or row.image_sha256
            row.text, row.lang, row.rotation = read.text.text, read.text.lang, read.text.rotation
            row.mean_confidence = read.text.mean_confidence
            row.timings = {k: round(v, 4) for k, v in read.text.timings.items()}
            s.add(row)
        s.query(ExtractedFieldRow).filter(ExtractedFieldRow.document_id == doc.id).delete()
        for f in result.fields:
            s.add(ExtractedFieldRow(document_id=doc.id, name=f.name, value=f.value, raw=f.raw,
                                    confidence=f.confidence, page_no=f.page_no,
                                    box=list(f.box) if f.box else None, method=f.method))
        doc.doc_type, doc.type_confidence, doc.low_confidence = result.doc_type, result.type_confidence, \
            result.low_confidence
        if first_image is not None:
            doc.phash = perceptual_hash(first_image)
        doc.read_at = datetime.now(timezone.utc)
        audit.record(s, doc.claim_id, ACTOR, "document_read", None,
                     {"document_id": doc.id, "doc_type": doc.doc_type,
                      "type_confidence": round(doc.type_confidence, 3), "low_confidence": doc.low_confidence,
                      "fields": {f.name: f.value for f in result.fields}})
