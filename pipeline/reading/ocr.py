"""Read a clean page image with tesseract: words with boxes, confidences, lines and blocks.

The language is chosen per page without asking: a cheap look at the shapes on the page
(Chinese characters are squares as wide as the line is tall; Latin letters are narrow,
and touching ones run into whole words) picks ``eng`` or ``chi_sim`` before the one OCR
pass, and ``chi_sim+eng`` when the look is unsure. Table rules and dust are taken out
before looking: they join Chinese characters into word-wide pieces. A card has too few
lines for the look to be sure, so a card read weakly as English is also read as Chinese.
Running tesseract's own orientation and script detection (OSD) on every page would cost
nearly as much as the OCR itself, so it runs only when the first reading comes back weak
(upside down, or the wrong script). A page whose layout reading found little of its print
(dot-matrix receipts, print beside a stamp) is read again as one block of text, and so is
a Chinese card, whose lines that reading finds where the first found nothing are added.

Small print (receipts; a receipt scanned on an A4 bed) is cut out and enlarged before
tesseract sees it; word boxes are always fractions of the clean page.
"""
from __future__ import annotations

import time
from dataclasses import replace
from statistics import median

import cv2
import numpy as np
from PIL import Image

from pipeline.reading.cleanup import (SMALL_TEXT, SOLID_PRINT, Marks, _ink, _small, mark_stats, detect_orientation, measure_marks, rotate,
                                      to_grey)
from pipeline.reading.tesseract import image_to_data
from pipeline.reading.types import Box, PageText, Word, is_cjk, ocr_lines

LATIN, HAN, BOTH = "eng", "chi_sim", "chi_sim+eng"
PAGE_PSM = 3  # tesseract page segmentation: a page with its layout found
SPARSE_PSM = 11  # as much text as can be found, in no order
# Square-glyph share at or below which a page is Latin, at or above which it is Chinese; set on
# cleaned generated scans of both languages (dev seeds 3 and 7: English 0.07-0.21, Chinese
# 0.30-0.81), real SROIE receipts (English, some with a line of Chinese: 97% at or below 0.27)
# and FUNSD forms (English: 0.24 at most).
SQUARE_LATIN, SQUARE_HAN = 0.27, 0.30
SPARSE_INK = 1600  # line-ink columns (1000 px copy) under which a page is a card, not a page of text
TARGET_TEXT = 24  # pixels: letters shorter than cleanup.SMALL_TEXT are enlarged for tesseract to this height
MAX_ENLARGE = 3.0
# Letters taller than this (an A4 receipt scanned at 600 dpi: 46 to 68 pixels) are shrunk to
# LARGE_TARGET: tesseract reads print of about 20 to 35 pixels best, and a smaller page reads
# faster. SROIE development receipts scanned so (7): word recall 0.83 -> 0.88, one total mended.
# English only: a Chinese ID card's photo shrunk so lost its number (development seed 90210).
LARGE_TEXT = 40
LARGE_TARGET = 32
CROP_MARGIN = 2.0  # text heights of margin kept around the text when the page is cut to it
CROP_WORTH = 0.75  # cut only when the text's box is at most this share of the page
SQUARE_MIN, SQUARE_MAX = 0.8, 1.2  # widths, in line heights, that count as a square glyph
RULE_LENGTH = 41  # pixels (of the 1000 px copy): a straight run of ink this long is a rule, not text
# Mean word confidence under which orientation and script are checked. chi_sim is less sure
# of itself on good pages than eng, so its bar is lower.
SECOND_LOOK_BELOW = {LATIN: 0.60, HAN: 0.45, BOTH: 0.45}
SECOND_LOOK_MARGIN = 1.5  # the second reading must score this many times the first to replace it
SECOND_LOOK_MIN_WORDS = 5  # fewer words: a photo or a blank, nothing to gain from looking again
BLOCK_PSM = 6  # tesseract page segmentation: the page as one block of text
# Sure characters read per letter-like mark under which the page's layout was not found: a
# receipt in dot-matrix print, or beside a stamp and handwriting, read as a few words or none.
# Set between the three failed readings among SROIE development receipts (0.00, 0.06 and 0.29
# per mark) and the weakest good ones (0.37 and up); generated pages read 0.41 and up.
READ_LITTLE = 0.35
READ_LITTLE_MIN_MARKS = 100  # fewer letter-like marks: a photo or a card, little to find anyway
FILL_SURE = 0.5  # a word the block layout adds to a Chinese card must be read at least this surely
# Letter-like marks no word covers, from which a card is read again for lines: a Chinese name
# is two characters at least (the demo's ID card, its name line lost: 4; cards read whole: 0 or 1)
UNREAD_LETTERS = 2
SCRIPT_LANG = {"Latin": LATIN, "Han": HAN}  # tesseract OSD script -> language pack
MERGE_CJK_GAP = 0.6  # x line height: Chinese characters this close belong to one word
MERGE_MIXED_GAP = 0.12  # x line height: digits touching a Chinese character ("2024年")


def choose_language(image: Image.Image | np.ndarray) -> str:
    """``eng``, ``chi_sim`` or (unsure) ``chi_sim+eng`` from the widths of the marks in each line."""
    return language_of(square_glyph_share(to_grey(image)))


def language_of(square_share: float) -> str:
    if square_share >= SQUARE_HAN:
        return HAN
    if square_share <= SQUARE_LATIN:
        return LATIN
    return BOTH


def square_glyph_share(grey: np.ndarray) -> float:
    """Share of a page's line ink that comes in pieces about as wide as the line is tall."""
    return glyph_measure(grey)[0]


def glyph_measure(grey: np.ndarray) -> tuple[float, int]:
    """(square-glyph share, line ink columns measured) of a page.

    Chinese characters sit side by side, each a square one line high with a gap on
    either side; Latin letters are about half as wide as the line, and touching letters
    run together into whole words. Lines are found as blobs of ink joined along the
    line. Table rules and box borders are taken out first (they would join a whole table
    into one blob), and so are specks (dust between two characters would join them
    into a piece as wide as a word).
    """
    small, _ = _small(grey, 1000)
    mask = _ink(small).astype(np.uint8)
    rules = (cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((1, RULE_LENGTH), np.uint8))
             | cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((RULE_LENGTH, 1), np.uint8)))
    mask &= 1 - rules
    n, labels, stats = mark_stats(mask)
    keep = np.zeros(n, bool)
    keep[1:] = (np.maximum(stats[1:, 2], stats[1:, 3]) >= 4) & (stats[1:, 4] >= 6)
    mask = keep[labels].astype(np.uint8)
    lines = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((1, 11), np.uint8))
    _, _, boxes = mark_stats(lines)
    square = total = 0
    for x, y, w, h, _ in boxes[1:]:
        if not (6 <= h <= 65) or w < 2 * h:  # not a line of text at this scale
            continue
        cols = np.r_[0, (mask[y:y + h, x:x + w].sum(axis=0) > 0).astype(np.int8), 0]
        edges = np.diff(cols)
        widths = np.nonzero(edges == -1)[0] - np.nonzero(edges == 1)[0]
        total += int(widths.sum())
        square += int(widths[(widths >= SQUARE_MIN * h) & (widths <= SQUARE_MAX * h)].sum())
    return (square / total if total else 0.0), total


def ocr_page(clean_image: Image.Image | np.ndarray, lang: str | None = None, page_no: int = 1,
             second_look: bool = True, marks: Marks | None = None) -> PageText:
    """OCR one clean page; ``lang`` None chooses it from the page itself.

    ``marks`` (from ``cleanup.clean_page``, measured here when absent) gives the text
    height: small print is enlarged for tesseract (see ``fit_for_tesseract``). Pages with
    little text (cards) are read with tesseract's sparse-text layout.

    A reading with low confidence gets a second look. A card read weakly as English is
    read as Chinese too (a card's few lines of Chinese can fool the shape measure, not
    tesseract's confidence), and the better reading kept; then tesseract OSD says which
    way up the page is and which script it is in, and when either differs from the first
    guess the page is read once more and the better reading kept. ``PageText.rotation`` then says how
    far the image was turned (clockwise) for that reading.
    """
    grey = to_grey(clean_image)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    share, ink = glyph_measure(grey)
    chosen = lang or language_of(share)
    sparse = ink < SPARSE_INK
    if marks is None:
        marks = measure_marks(grey)
    timings["language"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    page = read(grey, chosen, page_no, marks, psm_for(chosen, sparse))
    timings["ocr"] = time.perf_counter() - t0
    unsure = page.mean_confidence < SECOND_LOOK_BELOW.get(chosen, 0.5)
    weak = len(page.words) >= SECOND_LOOK_MIN_WORDS and unsure
    # a card on a patterned table: the pattern passes for lines of ink (and for Latin words), but
    # leaves few letter-like marks
    card = sparse or marks.letters < READ_LITTLE_MIN_MARKS
    if (second_look and card and lang is None and chosen == LATIN
            and (unsure or len(page.words) < SECOND_LOOK_MIN_WORDS)):
        t0 = time.perf_counter()
        chinese = read(grey, HAN, page_no, marks, SPARSE_PSM)  # a card, whatever the table around it
        timings["ocr_retry"] = time.perf_counter() - t0
        better = reading_score(chinese) > SECOND_LOOK_MARGIN * reading_score(page)
        if sure_chars(chinese) >= SECOND_LOOK_MIN_WORDS and better:
            page, weak = chinese, False
    if second_look and marks.letters < READ_LITTLE_MIN_MARKS and page.lang != LATIN:
        page = _fill_gaps(grey, page, marks, timings)  # a card: a page of Chinese print is not read again
    if second_look and weak:
        page = _second_look(grey, page, fixed_lang=lang is not None, timings=timings, marks=marks)
    if second_look and not page.rotation and _read_little(page, marks):
        page = _as_one_block(grey, page, marks, timings)
    page.timings.update(timings)
    return page


def _read_little(page: PageText, marks: Marks) -> bool:
    return marks.letters >= READ_LITTLE_MIN_MARKS and sure_chars(page) < READ_LITTLE * marks.letters


def sure_chars(page: PageText) -> int:
    """Characters of the words tesseract was at least half sure of."""
    return sum(len(w.text) for w in page.sure_words)


def _fill_gaps(grey: np.ndarray, first: PageText, marks: Marks, timings: dict[str, float]) -> PageText:
    """A Chinese card with the lines the one-block layout found where the first layout found nothing.

    Tesseract's layouts can pass over a card's boldest line, its holder's name (姓名 陈涛 on
    a photographed ID card, dropped whole by both the page and the sparse layout); read as
    one block the same card gives it. Only lines clear of every word the first reading has
    and with Chinese in them are added, and only their words read surely: the first
    reading's words stand. A photo of damage read as Chinese (a few marks of no script)
    has no Chinese to add to, and a card whose letter-like marks the first reading's
    words all cover has nothing left to find: neither is read again.
    """
    if sum(_has_chinese(w) for w in first.sure_words) < SECOND_LOOK_MIN_WORDS:
        return first
    if _unread_letters(grey, first, marks) < UNREAD_LETTERS:
        return first
    t0 = time.perf_counter()
    block = read(grey, first.lang, first.page_no, marks, BLOCK_PSM)
    timings["ocr_retry"] = timings.get("ocr_retry", 0.0) + time.perf_counter() - t0
    taken = [w.box for w in first.words]
    missed = [ws for ws in ocr_lines(block.words).values()
              if any(map(_has_chinese, ws)) and not any(_overlap(w.box, b) for w in ws for b in taken)]
    extra = [replace(w, line=-1 - w.line) for ws in missed for w in ws if w.confidence >= FILL_SURE]
    if not extra:
        return first
    # one block, its lines numbered top to bottom: the lines added fall in reading order
    ordered = sorted(ocr_lines(first.words + extra).values(), key=lambda ws: min(w.box[1] for w in ws))
    return replace(first, words=[replace(w, line=n, block=0) for n, ws in enumerate(ordered) for w in ws])


def _unread_letters(grey: np.ndarray, page: PageText, marks: Marks) -> int:
    """Marks shaped and sized like the page's letters that no word of ``page`` covers."""
    height = marks.text_height
    if not height:
        return 0
    _, _, stats = mark_stats(_ink(grey).astype(np.uint8))
    x, y, w, h, area = (stats[1:, i] for i in range(5))
    letters = (h >= 0.5 * height) & (h <= 2.5 * height) & (w <= 3 * h) & (area >= 0.1 * height * height)
    cx, cy = x + w / 2, y + h / 2
    rows, cols = grey.shape[:2]
    pad = height / 2
    covered = np.zeros(letters.shape, bool)
    for word in page.words:
        x0, y0, x1, y1 = word.box
        covered |= ((cx >= x0 * cols - pad) & (cx <= x1 * cols + pad)
                    & (cy >= y0 * rows - pad) & (cy <= y1 * rows + pad))
    return int((letters & ~covered).sum())


def _has_chinese(word: Word) -> bool:
    return any(is_cjk(ch) for ch in word.text)


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _as_one_block(grey: np.ndarray, first: PageText, marks: Marks, timings: dict[str, float]) -> PageText:
    """The page read as one block of text, kept when clearly the better reading.

    Tesseract's page layout can take a whole receipt of dot-matrix print, or one beside a
    stamp and a scrawl, for pictures and read nothing; read as a single block, the same
    page gives its lines (SROIE development receipts: 0 and 8 words as laid out, 86 and
    118 as a block).
    """
    t0 = time.perf_counter()
    block = read(grey, first.lang, first.page_no, marks, BLOCK_PSM)
    timings["ocr_retry"] = timings.get("ocr_retry", 0.0) + time.perf_counter() - t0
    return block if clearly_better(block, first) else first


def psm_for(lang: str, sparse: bool) -> int:
    """Chinese cards read best as sparse text (psm 11); English cards and full pages with page layout."""
    return SPARSE_PSM if sparse and lang == HAN else PAGE_PSM


def read(grey: np.ndarray, lang: str, page_no: int, marks: Marks, psm: int = PAGE_PSM) -> PageText:
    """Tesseract on the text's part of the page at a size it reads well; boxes are fractions of ``grey``."""
    image, (x0, y0, x1, y1) = fit_for_tesseract(grey, marks, lang)
    page = run_tesseract(image, lang, page_no, psm)
    h, w = grey.shape[:2]
    if (x0, y0, x1, y1) != (0, 0, w, h):
        fx, fy = (x1 - x0) / w, (y1 - y0) / h
        page.words = [replace(wd, box=(x0 / w + wd.box[0] * fx, y0 / h + wd.box[1] * fy,
                                       x0 / w + wd.box[2] * fx, y0 / h + wd.box[3] * fy)) for wd in page.words]
    page.width, page.height = w, h
    return page


def fit_for_tesseract(grey: np.ndarray, marks: Marks, lang: str = LATIN) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """(image for tesseract, the x0, y0, x1, y1 of ``grey`` it shows).

    Tesseract misreads print whose letters are under about 20 pixels tall (receipts,
    a small receipt scanned on an A4 bed): such text is enlarged to ``TARGET_TEXT``
    pixels, and English print over ``LARGE_TEXT`` pixels tall (a high-resolution scan)
    is shrunk (a Chinese character's strokes need those pixels). Dot-matrix print (its
    letters are loose dots, so its height is unknown, and enlarged it reads as noise,
    slowly) is left alone. Enlarging costs OCR time in
    proportion to the area, so the page is first cut to its text (with a margin) when
    that drops a good part of it; pages of normal print go to tesseract untouched.
    (Chinese print at claim-scan sizes gained nothing from enlarging on the development
    seeds, so the height rule is the Latin one.)
    """
    h, w = grey.shape[:2]
    full = (0, 0, w, h)
    if lang == LATIN and marks.text_height and marks.text_height > LARGE_TEXT:
        f = LARGE_TARGET / marks.text_height
        return cv2.resize(grey, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA), full
    if not marks.text_height or marks.text_height >= SMALL_TEXT or marks.letter_share < SOLID_PRINT:
        return grey, full
    region = full
    if marks.text_box is not None:
        m = int(CROP_MARGIN * marks.text_height)
        bx0, by0, bx1, by1 = marks.text_box
        box = (max(0, bx0 - m), max(0, by0 - m), min(w, bx1 + m), min(h, by1 + m))
        if (box[2] - box[0]) * (box[3] - box[1]) < CROP_WORTH * w * h:
            region = box
    x0, y0, x1, y1 = region
    part = grey[y0:y1, x0:x1]
    f = min(TARGET_TEXT / marks.text_height, MAX_ENLARGE)
    size = (round(part.shape[1] * f), round(part.shape[0] * f))
    return cv2.resize(part, size, interpolation=cv2.INTER_CUBIC), region


def _second_look(grey: np.ndarray, first: PageText, fixed_lang: bool, timings: dict[str, float],
                 marks: Marks) -> PageText:
    t0 = time.perf_counter()
    found = detect_orientation(grey, lang=LATIN if first.lang == LATIN else HAN)
    timings["osd"] = timings.get("osd", 0.0) + time.perf_counter() - t0
    lang = first.lang
    if not fixed_lang and found.script in SCRIPT_LANG:
        lang = SCRIPT_LANG[found.script]
    if found.rotation == 0 and lang == first.lang:
        return first
    t0 = time.perf_counter()
    # The text box was measured upright; turned, only the enlargement still applies.
    turned, unboxed = rotate(grey, found.rotation), replace(marks, text_box=None)
    second = read(turned, lang, first.page_no, unboxed)
    if found.rotation and lang != first.lang:
        # OSD names the script less reliably than the turn (an upside-down Chinese invoice
        # came back "Latin"); the glyph shapes do not change with the turn: read it both ways.
        other = read(turned, first.lang, first.page_no, unboxed)
        second = max(second, other, key=reading_score)
    second.rotation = found.rotation
    timings["ocr_retry"] = timings.get("ocr_retry", 0.0) + time.perf_counter() - t0
    return second if clearly_better(second, first) else first


def clearly_better(second: PageText, first: PageText) -> bool:
    """Whether a second reading replaces the first: only on clear evidence, since a sparse page
    read at the wrong angle or with the wrong layout can still score a little."""
    return (reading_score(second) > SECOND_LOOK_MARGIN * reading_score(first)
            and len(second.sure_words) >= SECOND_LOOK_MIN_WORDS)


def reading_score(page: PageText) -> float:
    """Characters read with confidence: garbage from a wrong rotation or script scores low."""
    return sum(w.confidence * len(w.text) for w in page.sure_words)


def run_tesseract(grey: np.ndarray, lang: str, page_no: int = 1, psm: int = PAGE_PSM) -> PageText:
    """One tesseract pass (``tesseract.image_to_data``); words grouped into page-wide line numbers."""
    h, w = grey.shape[:2]
    data = image_to_data(grey, lang, psm)
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


def merge_cjk_words(words: list[Word], page_width: int, page_height: int) -> list[Word]:
    """Join what tesseract split inside Chinese text: "张 伟" -> "张伟", "2024 年" -> "2024年".

    Tesseract treats each Chinese character as a word. Within a line, neighbouring
    Chinese words closer than ``MERGE_CJK_GAP`` line heights are one word; a Chinese word
    and a Latin/digit one merge only when they touch. The merged box spans the parts;
    its confidence is their mean weighted by length (what page-level decisions and the
    classifier were built on), and ``weakest`` keeps its least sure part: tesseract is
    often sure of a surname and unsure of the character it misread (朱 0.54, 舌 0.20
    for 朱磊), and a field's confidence must not let the misreading pass as another name.
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
                    prev.line, prev.block, min(prev.surest_reading, wd.surest_reading),
                )
            else:
                merged.append(wd)
        out.extend(merged)
    return out
