"""Read the pages of a claim: text layers as they are, every other page cleaned and OCR'd.

An OCR'd page goes through ``cleanup.clean_page`` (turn, straighten, flatten, dust out,
contrast, tinted print darkened, table rules out), ``ocr.ocr_page`` (language, tesseract,
a second look at a weak reading) and ``zones.reread_value_zones`` (a closer look where a
date or amount label was read without its value).

Pages are read in parallel, one worker per core. Workers are threads: the time goes to
tesseract (in this process, ``reading.tesseract``: ctypes lets go of the GIL while the
library reads) and to OpenCV, both of which run outside the GIL, so threads keep every
core busy without copying page images into other processes (measured with
``benchmarks/ocr_speed.py``). Each tesseract is held to one OpenMP thread
(``OMP_THREAD_LIMIT=1``): several multi-threaded tesseracts on the same cores fight and
run many times slower; OpenCV is held to one thread for the same reason.

A page whose image (pixels) was read before is looked up in ``cache`` by its SHA-256
and not read again; the caller keeps the cache between claims. A page the reader fails
on comes back empty with its ``error`` (and the failure logged): one page must not stop
the reading of a claim's other documents; the caller quarantines its document.
"""
from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace

import cv2
import numpy as np
from PIL import Image

from pipeline.reading.cleanup import clean_page
from pipeline.reading.ocr import ocr_page
from pipeline.reading.zones import reread_value_zones
from pipeline.reading.pages import PageError, PreparedPage
from pipeline.reading.types import PageText

log = logging.getLogger(__name__)
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
cv2.setNumThreads(1)  # pages are the unit of parallelism; OpenCV's own threads would only contend


@dataclass
class ReadPage:
    """One page as read, with what the lead stores beside it.

    ``text.timings`` holds seconds per stage: ``render``/``decode``/``text_layer`` (from
    preparation), ``hash``, ``cleanup``, ``osd``, ``language``, ``ocr`` (and ``ocr_retry``
    when a weak first reading was read again). ``clean_image`` is the upright image OCR
    read (the rendering for a text-layer page); None when the page came from the cache.
    """

    text: PageText
    clean_image: Image.Image | None
    image_sha256: str
    from_cache: bool = False
    error: str | None = None  # why the page could not be read; its text is then empty


def image_sha256(image: Image.Image) -> str:
    """Hash of the pixels (mode and size included): the same page in another file hashes alike."""
    h = hashlib.sha256(f"{image.mode}:{image.width}x{image.height}:".encode())
    # the pixel array's buffer holds the same bytes as tobytes() for these modes, at half the cost
    h.update(np.ascontiguousarray(np.asarray(image)) if image.mode in ("L", "RGB", "RGBA") else image.tobytes())
    return h.hexdigest()


def read_pages(pages: Iterable[PreparedPage], workers: int | None = None,
               cache: dict[str, PageText] | None = None) -> list[ReadPage]:
    """Read every page, in page order; new OCR results are added to ``cache``.

    ``pages`` may be a generator that prepares documents as it goes: each page is handed
    to a worker as soon as it arrives, so rendering the next document overlaps the OCR
    of the last one instead of leaving a core idle. Pages with the same pixels within
    one call are read once, too; a page whose hash is in ``cache`` when it arrives is
    not read (the caller may add to ``cache`` between pages).
    """
    known = cache if cache is not None else {}
    arrived: list[tuple[PreparedPage, tuple[str, float]]] = []
    fresh: dict[int, Future[ReadPage]] = {}
    with ThreadPoolExecutor(max_workers=max(1, workers or os.cpu_count() or 1), thread_name_prefix="read-page") as pool:
        first_of: dict[str, int] = {}
        for page in pages:
            hashed = _hash(page)
            if page.text_layer is None and hashed[0] not in known and hashed[0] not in first_of:
                first_of[hashed[0]] = len(arrived)
                fresh[len(arrived)] = pool.submit(read_page, page, known)
            arrived.append((page, hashed))
        done = {i: _outcome(f, arrived[i][0]) for i, f in fresh.items()}
    failed = {arrived[i][1][0]: r.error for i, r in done.items() if r.error}
    for r in done.values():
        if r.error is None:
            known[r.image_sha256] = r.text
    out = []
    for i, (page, (digest, _)) in enumerate(arrived):
        if i in done:
            out.append(done[i])
        elif digest in failed:  # the same pixels as a page the reader failed on
            out.append(_unread(page, failed[digest]))
        else:  # a text layer, or pixels read before (earlier claim or earlier in this one)
            out.append(read_page(page, known))
    return out


def failure(reads: list[ReadPage]) -> PageError | None:
    """What to quarantine a document with when the reader failed on one of its pages; None when it did not."""
    bad = next((r for r in reads if r.error), None)
    return None if bad is None else PageError("unreadable_page", f"Page {bad.text.page_no} could not be read ({bad.error}).")


def _outcome(future: Future[ReadPage], page: PreparedPage) -> ReadPage:
    """The page as read, or an empty page saying why reading it failed."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - whatever the clean-up or OCR of one page raised
        log.exception("page %s could not be read", page.page_no)
        return _unread(page, f"{type(exc).__name__}: {exc}")


def _unread(page: PreparedPage, error: str) -> ReadPage:
    return ReadPage(PageText(page.page_no, "none", [], page.width, page.height), None, page.sha256 or "", error=error)


def page_sha256(page: PreparedPage) -> str:
    """The page's pixel hash (``image_sha256``), kept on the page: hashing a page twice costs twice."""
    return _hash(page)[0]


def _hash(page: PreparedPage) -> tuple[str, float]:
    """(pixel hash, seconds it took); worked out once per prepared page."""
    if page.image is None:
        return "", 0.0
    if page.sha256 is None:
        t0 = time.perf_counter()
        page.sha256 = image_sha256(page.image)
        page.timings["hash"] = time.perf_counter() - t0
    return page.sha256, page.timings["hash"]


def read_page(page: PreparedPage, cache: dict[str, PageText] | None = None) -> ReadPage:
    """Read one prepared page (see ``read_pages``)."""
    if page.image is None and page.text_layer is None:
        raise ValueError(f"page {page.page_no} has neither an image nor a text layer")
    digest, hash_s = _hash(page)  # worked out once, when the page arrived

    if page.text_layer is not None:
        text = replace(page.text_layer, timings={**page.text_layer.timings, **page.timings, "hash": hash_s})
        return ReadPage(text, page.image, digest)

    if cache is not None and digest in cache:
        hit = cache[digest]
        text = replace(hit, page_no=page.page_no, timings={**page.timings, "hash": hash_s, "cache": 0.0})
        return ReadPage(text, None, digest, from_cache=True)

    cleaned = clean_page(page.image)
    text = ocr_page(cleaned.grey if cleaned.grey is not None else cleaned.image, page_no=page.page_no, marks=cleaned.marks)
    clean_image, grey = cleaned.image, cleaned.grey
    if text.rotation:  # the OCR's second look turned the page: keep the image upright too
        clean_image = clean_image.rotate(-text.rotation, expand=True)
        grey = None
    rotation = (cleaned.rotation + text.rotation) % 360
    text = reread_value_zones(text, grey if grey is not None else np.asarray(clean_image.convert("L")))

    clean_s = sum(v for k, v in cleaned.timings.items() if k != "osd")
    timings = {**page.timings, "hash": hash_s, "cleanup": clean_s,
               "osd": cleaned.timings.get("osd", 0.0) + text.timings.get("osd", 0.0)}
    timings.update({k: v for k, v in text.timings.items() if k != "osd"})
    text = replace(text, rotation=rotation, skew=cleaned.skew, timings=timings)
    return ReadPage(text, clean_image, digest)
