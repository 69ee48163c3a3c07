"""Reading one uploaded file from bytes to a ReadDocument: pages, words, type, key fields.

The claim flow and ``claims read`` both call ``read_document``; neither needs to know
which stage does what. The classifier is loaded once per process (the newest version
shipped under models/doc_classifier unless ``CLAIMS_DOC_CLASSIFIER_VERSION`` names one).
"""
from __future__ import annotations

import mimetypes
import os
import time
from functools import lru_cache
from pathlib import Path

from pipeline.reading.classify import DocumentClassifier
from pipeline.reading.engine import failure, read_pages
from pipeline.reading.extract import extract_fields
from pipeline.reading.normalize import ClaimHints
from pipeline.reading.pages import prepare_pages
from pipeline.reading.types import PageText, ReadDocument

MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
}


def media_type_of(file_name: str) -> str:
    """The media type a file's name announces; ValueError for anything we cannot read."""
    suffix = Path(file_name).suffix.lower()
    if suffix in MEDIA_TYPES:
        return MEDIA_TYPES[suffix]
    guessed = mimetypes.guess_type(file_name)[0]
    raise ValueError(
        f"{file_name}: cannot read {guessed or suffix or 'a file without extension'}; "
        f"expected one of {', '.join(sorted(MEDIA_TYPES))}"
    )


@lru_cache(maxsize=2)
def classifier(version: str | None = None) -> DocumentClassifier:
    return DocumentClassifier.load(version or os.environ.get("CLAIMS_DOC_CLASSIFIER_VERSION") or None)


def lang_hint(pages: list[PageText]) -> str:
    """'zh' when Chinese characters outnumber Latin letters, else 'en'."""
    text = "".join(p.text for p in pages)
    cjk = sum(1 for c in text if "\u3400" <= c <= "\u9fff")
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    return "zh" if cjk > latin / 3 else "en"


def read_document(data: bytes, media_type: str, file_name: str, *, classifier_version: str | None = None) -> ReadDocument:
    """Prepare pages, read them (text layer or OCR), classify, and extract the key fields.

    A document the classifier will not commit to is filed as ``other`` with
    ``low_confidence`` set and no fields: guessing fields for a guessed type would put
    wrong values in front of a reviewer with a confident face.
    """
    t0 = time.perf_counter()
    prepared = prepare_pages(data, media_type)
    reads = read_pages(prepared)
    if (error := failure(reads)) is not None:
        raise error
    pages = [r.text for r in reads]
    t_read = time.perf_counter()
    doc = interpret_pages(pages, prepared[0].image if prepared else None, classifier_version=classifier_version)
    t_end = time.perf_counter()
    if pages:
        pages[0].timings.setdefault("classify_extract", t_end - t_read)
        pages[0].timings.setdefault("document_total", t_end - t0)
    return doc


def interpret_pages(pages: list[PageText], first_image=None, *, classifier_version: str | None = None,
                    claim: ClaimHints | None = None) -> ReadDocument:
    """Type and key fields of a document whose pages are already read (the claim flow reads
    all of a claim's pages in one parallel batch, then interprets each document, with what
    the claim's documents settle together as ``claim``: ``normalize.claim_hints``)."""
    prediction = classifier(classifier_version).classify(pages, first_image)
    if prediction.low_confidence:
        doc_type, fields = "other", []
    else:
        doc_type = prediction.doc_type
        fields = extract_fields(doc_type, pages, lang_hint(pages), claim)
    return ReadDocument(doc_type, prediction.confidence, prediction.low_confidence, pages, fields)


def read_path(path: Path | str, *, classifier_version: str | None = None) -> ReadDocument:
    """``read_document`` for a file on disk, its media type taken from its name."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    return read_document(path.read_bytes(), media_type_of(path.name), path.name, classifier_version=classifier_version)
