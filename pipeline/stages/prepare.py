"""Page preparation: every stored upload becomes pages, each page image stored and recorded.

PDF pages with a text layer keep their words (no OCR later); the others are rendered
for the reading stage. A file that turns out unreadable here is quarantined with the
reason and the rest of the claim goes on.
"""
from __future__ import annotations

import io
import json
import warnings
from dataclasses import dataclass, field

from PIL import Image

from pipeline.reading.engine import image_sha256
from pipeline.reading.pages import PageError, PreparedPage, prepare_pages
from pipeline.stages.context import Context
from storage import audit
from storage.models import Document, Page, claim_by_number
from storage.objects import derived_key

ACTOR = "system:prepare"


@dataclass
class PrepareSummary:
    claim_number: str
    documents: int = 0
    pages: int = 0
    newly_prepared: int = 0
    quarantined: list[tuple[str, str, str]] = field(default_factory=list)  # (file, reason, message)


def image_bytes(image: Image.Image) -> tuple[bytes, str, str]:
    """Encode a page image losslessly for grey scans and compactly for colour photos."""
    buf = io.BytesIO()
    if image.mode == "L":
        image.save(buf, "PNG", optimize=False, compress_level=3)
        return buf.getvalue(), "png", "image/png"
    image.convert("RGB").save(buf, "JPEG", quality=90)
    return buf.getvalue(), "jpg", "image/jpeg"


def pdf_metadata(data: bytes) -> dict[str, str]:
    import pypdf

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            meta = pypdf.PdfReader(io.BytesIO(data), strict=False).metadata or {}
        return {str(k).lstrip("/"): str(v) for k, v in meta.items() if v is not None}
    except Exception:  # metadata is a nice-to-have; a broken dictionary must not stop the claim
        return {}


def store_page(ctx: Context, doc: Document, page: PreparedPage) -> Page:
    meta = {"claim": doc.claim.claim_number, "original_name": doc.original_name, "page": str(page.page_no)}
    row = Page(document_id=doc.id, page_no=page.page_no, width=page.width, height=page.height,
               source="text_layer" if page.text_layer is not None else "image", timings=page.timings)
    if page.image is not None:
        data, ext, content_type = image_bytes(page.image)
        row.image_key = derived_key(doc.sha256, f"page-{page.page_no:03d}.{ext}")
        ctx.store.put(row.image_key, data, meta, content_type)
        row.image_sha256 = image_sha256(page.image)
    if page.text_layer is not None:
        row.words_key = derived_key(doc.sha256, f"page-{page.page_no:03d}.words.json")
        ctx.store.put(row.words_key, json.dumps(page.text_layer.to_dict(), ensure_ascii=False).encode(), meta,
                      "application/json")
        row.text, row.lang, row.mean_confidence = page.text_layer.text, page.text_layer.lang, 1.0
    return row


def pages_of(ctx: Context, data: bytes, media_type: str | None) -> list[PreparedPage]:
    """A stored document's pages, prepared within the deployment's limits (dpi, pages, pixels); PageError
    when they cannot be."""
    return prepare_pages(data, media_type or "", dpi=ctx.settings.render_dpi, max_pages=ctx.settings.max_pages,
                         max_pixels=ctx.settings.max_image_pixels)


def prepare_document(ctx: Context, document_id: int) -> tuple[int, bool]:
    """Prepare one document's pages; returns (page count, whether work was done)."""
    with ctx.db.session() as s:
        doc = s.get(Document, document_id)
        if doc.status != "stored":
            return 0, False
        if doc.pages:
            return len(doc.pages), False
        data = ctx.store.get(doc.object_key)
        try:
            pages = pages_of(ctx, data, doc.media_type)
        except PageError as exc:
            ctx.intake.quarantine(s, doc, exc.reason, exc.message, ACTOR)
            return 0, True
        if doc.media_type == "application/pdf":
            doc.pdf_metadata = pdf_metadata(data)
        for page in pages:
            s.add(store_page(ctx, doc, page))
        doc.page_count = len(pages)
        audit.record(s, doc.claim_id, ACTOR, "pages_prepared", None,
                     {"document_id": doc.id, "pages": len(pages),
                      "text_layer_pages": sum(p.text_layer is not None for p in pages)})
        return len(pages), True


def documents_to_prepare(ctx: Context, claim_number: str) -> list[int]:
    with ctx.db.session() as s:
        claim = claim_by_number(s, claim_number)
        return [d.id for d in claim.documents if d.status == "stored"]


def summarise(ctx: Context, claim_number: str) -> PrepareSummary:
    with ctx.db.session() as s:
        claim = claim_by_number(s, claim_number)
        summary = PrepareSummary(claim_number, documents=len(claim.documents))
        for d in claim.documents:
            summary.pages += len(d.pages)
            if d.status == "quarantined":
                summary.quarantined.append((d.original_name, d.quarantine_reason or "", d.quarantine_message or ""))
        return summary
