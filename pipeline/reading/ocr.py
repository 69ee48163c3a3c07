"""Read a clean page image with tesseract: words with boxes, confidences, lines and blocks.

The language is chosen per page without asking: a cheap look at the shapes on the page
(Chinese characters are squares as wide as the line is tall; Latin letters are
narrow, and touching ones run into whole words) picks ``eng`` or ``chi_sim`` before the one OCR pass, and
``chi_sim+eng`` when the look is unsure. Running tesseract's own orientation and script
detection (OSD) on every page would cost nearly as much as the OCR itself, so it runs
only when the first reading comes back weak (upside down, or the wrong script).
"""
from __future__ import annotations

import os
import tempfile
import time
from statistics import median

import cv2
import numpy as np
import pytesseract
from PIL import Image

from pipeline.reading.cleanup import _ink, _small, detect_orientation, rotate, to_grey
from pipeline.reading.types import PageText, Word

LATIN, HAN, BOTH = "eng", "chi_sim", "chi_sim+eng"
TESSERACT_CONFIG = "--psm 3"
# Square-glyph share at or below which a page is Latin, at or above which it is Chinese; set on
# generated claim pages of both languages and on real SROIE receipts and FUNSD forms (English).
SQUARE_LATIN, SQUARE_HAN = 0.20, 0.30
SQUARE_MIN, SQUARE_MAX = 0.8, 1.2  # widths, in line heights, that count as a square glyph
# Mean word confidence under which orientation and script are checked. chi_sim is less sure
# of itself on good pages than eng, so its bar is lower.
SECOND_LOOK_BELOW = {LATIN: 0.60, HAN: 0.45, BOTH: 0.45}
SECOND_LOOK_MARGIN = 1.5  # the second reading must score this many times the first to replace it
SECOND_LOOK_MIN_WORDS = 5  # fewer words: a photo or a blank, nothing to gain from looking again
SCRIPT_LANG = {"Latin": LATIN, "Han": HAN}  # tesseract OSD script -> language pack
MERGE_CJK_GAP = 0.6  # x line height: Chinese characters this close belong to one word
MERGE_MIXED_GAP = 0.12  # x line height: digits touching a Chinese character ("2024年")

_SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


def choose_language(image: Image.Image | np.ndarray) -> str:
    """``eng``, ``chi_sim`` or (unsure) ``chi_sim+eng`` from the widths of the marks in each line."""
    square = square_glyph_share(to_grey(image))
    if square >= SQUARE_HAN:
        return HAN
    if square <= SQUARE_LATIN:
        return LATIN
    return BOTH


def square_glyph_share(grey: np.ndarray) -> float:
    """Share of a page's line ink that comes in pieces about as wide as the line is tall.

    Chinese characters sit side by side, each a square one line high with a gap on
    either side; Latin letters are about half as wide as the line, and touching letters
    run together into whole words. Lines are found as blobs of ink joined along the
    line, so borders, tables and columns do not merge them; specks are dropped first.
    """
    small, _ = _small(grey, 1000)
    mask = _ink(small).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    keep = np.zeros(n, bool)
    keep[1:] = stats[1:, 4] >= 5
    mask = keep[labels].astype(np.uint8)
    lines = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((1, 11), np.uint8))
    _, _, boxes, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    square = total = 0
    for x, y, w, h, _ in boxes[1:]:
        if not (6 <= h <= 65) or w < 2 * h:  # not a line of text at this scale
            continue
        cols = np.r_[0, (mask[y:y + h, x:x + w].sum(axis=0) > 0).astype(np.int8), 0]
        edges = np.diff(cols)
        widths = np.nonzero(edges == -1)[0] - np.nonzero(edges == 1)[0]
        total += int(widths.sum())
        square += int(widths[(widths >= SQUARE_MIN * h) & (widths <= SQUARE_MAX * h)].sum())
    return square / total if total else 0.0


def ocr_page(clean_image: Image.Image | np.ndarray, lang: str | None = None, page_no: int = 1,
             second_look: bool = True) -> PageText:
    """OCR one clean page; ``lang`` None chooses it from the page itself.

    A reading with low confidence gets a second look: tesseract OSD says which way up the
    page is and which script it is in, and when either differs from the first guess the
    page is read once more and the better reading kept. ``PageText.rotation`` then says
    how far the image was turned (clockwise) for that reading.
    """
    grey = to_grey(clean_image)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    chosen = lang or choose_language(grey)
    timings["language"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    page = run_tesseract(grey, chosen, page_no)
    timings["ocr"] = time.perf_counter() - t0
    if (second_look and len(page.words) >= SECOND_LOOK_MIN_WORDS
            and page.mean_confidence < SECOND_LOOK_BELOW.get(chosen, 0.5)):
        page = _second_look(grey, page, fixed_lang=lang is not None, timings=timings)
    page.timings.update(timings)
    return page


def _second_look(grey: np.ndarray, first: PageText, fixed_lang: bool, timings: dict[str, float]) -> PageText:
    t0 = time.perf_counter()
    found = detect_orientation(grey, lang=LATIN if first.lang == LATIN else HAN)
    timings["osd"] = timings.get("osd", 0.0) + time.perf_counter() - t0
    lang = first.lang
    if not fixed_lang and found.script in SCRIPT_LANG:
        lang = SCRIPT_LANG[found.script]
    if found.rotation == 0 and lang == first.lang:
        return first
    t0 = time.perf_counter()
    second = run_tesseract(rotate(grey, found.rotation), lang, first.page_no)
    second.rotation = found.rotation
    timings["ocr_retry"] = time.perf_counter() - t0
    # A sparse page read at the wrong angle can still score a little: turn only on clear evidence.
    sure_words = sum(1 for w in second.words if w.confidence >= 0.5)
    clearly_better = reading_score(second) > SECOND_LOOK_MARGIN * reading_score(first)
    return second if clearly_better and sure_words >= SECOND_LOOK_MIN_WORDS else first


def reading_score(page: PageText) -> float:
    """Characters read with confidence: garbage from a wrong rotation or script scores low."""
    return sum(w.confidence * len(w.text) for w in page.words if w.confidence >= 0.5)


def run_tesseract(grey: np.ndarray, lang: str, page_no: int = 1, config: str = TESSERACT_CONFIG) -> PageText:
    """One tesseract pass through ``image_to_data``; words grouped into page-wide line numbers.

    The image goes to tesseract as an uncompressed file in shared memory: pytesseract's
    own PNG encoding of a 200 DPI page costs ~50 ms, 5% of the OCR itself.
    """
    h, w = grey.shape[:2]
    with tempfile.NamedTemporaryFile(suffix=".bmp", dir=_SCRATCH) as f:
        cv2.imwrite(f.name, grey)
        data = pytesseract.image_to_data(f.name, lang=lang, config=config, output_type=pytesseract.Output.DICT)
    line_ids: dict[tuple[int, int, int], int] = {}
    words: list[Word] = []
    for i, text in enumerate(data["text"]):
        text = str(text).strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        line = line_ids.setdefault(key, len(line_ids))
        x, y, bw, bh = (int(data[k][i]) for k in ("left", "top", "width", "height"))
        box = (x / w, y / h, min(1.0, (x + bw) / w), min(1.0, (y + bh) / h))
        words.append(Word(text, box, conf / 100.0, line, key[0]))
    if lang != LATIN:
        words = merge_cjk_words(words, w, h)
    return PageText(page_no, "ocr", words, w, h, lang=lang)


def is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x3000 <= o <= 0x303F
            or 0xFF00 <= o <= 0xFFEF or 0xF900 <= o <= 0xFAFF)


def merge_cjk_words(words: list[Word], page_width: int, page_height: int) -> list[Word]:
    """Join what tesseract split inside Chinese text: "张 伟" -> "张伟", "2024 年" -> "2024年".

    Tesseract treats each Chinese character as a word. Within a line, neighbouring
    Chinese words closer than ``MERGE_CJK_GAP`` line heights are one word; a Chinese word
    and a Latin/digit one merge only when they touch. The merged box spans the parts;
    its confidence is their mean weighted by length.
    """
    out: list[Word] = []
    by_line: dict[tuple[int, int], list[Word]] = {}
    for wd in words:
        by_line.setdefault((wd.block, wd.line), []).append(wd)
    for _, line_words in sorted(by_line.items(), key=lambda kv: kv[0][1]):
        height = median(wd.box[3] - wd.box[1] for wd in line_words) * page_height  # pixels
        merged: list[Word] = [line_words[0]]
        for wd in line_words[1:]:
            prev = merged[-1]
            gap = (wd.box[0] - prev.box[2]) * page_width
            a, b = is_cjk(prev.text[-1]), is_cjk(wd.text[0])
            limit = MERGE_CJK_GAP if (a and b) else MERGE_MIXED_GAP if (a or b) else -1.0
            if gap <= limit * height:
                n1, n2 = len(prev.text), len(wd.text)
                merged[-1] = Word(
                    prev.text + wd.text,
                    (min(prev.box[0], wd.box[0]), min(prev.box[1], wd.box[1]),
                     max(prev.box[2], wd.box[2]), max(prev.box[3], wd.box[3])),
                    (prev.confidence * n1 + wd.confidence * n2) / (n1 + n2),
                    prev.line, prev.block,
                )
            else:
                merged.append(wd)
        out.extend(merged)
    return out
