"""A second, closer look at the place a date or an amount should be.

Tesseract reads a page at one scale and one angle. A curled receipt tilts its right-hand
column, and the date beside "Date:" comes out as "Sate"; a faint total comes out as
marks. When the page has a date or amount label with nothing readable beside it, the
strip to the label's right is cut out, straightened on its own, enlarged and read as a
block of text (tesseract ``--psm 6``); the strip is taller than the line, to catch a
tilted value, so of the lines read the one nearest the label's that parses as the
label's kind of value is taken. Its words replace what the first reading had there,
with their own confidences.
A name one of whose words OCR could hardly make out ("Hannah alee": specks beside the
surname threw tesseract's line finder) is read again the same way, and kept only when
the new reading is surer of every word.
Words that were read, but read wrong, are looked at again on their own: a value OCR
made letters of and was unsure of ("TOTAL isS.vU0" for 15.00), a date whose year no
paper carries ("13 Mar 2098", not beside an expiry label), one shaped like a date that
reads as none ("OS~05-17" for 05-05-17) or one OCR was unsure of ("16/03/2018" for 15/03:
half the readings must agree to change it), a Chinese name OCR was unsure of and that is
no usual name (户名葵家乐 for 蔡家乐: one stroke of dust and a character becomes its
look-alike), a plate whose province became another character (哪A67J85),
and on a card a number whose first letter became a digit (076534165 for D76534165).
Their box is read at several sizes, stacked in one tesseract call, and a value replaces
the first reading only when most of those readings agree on it (a name: on a name that
starts with a surname; a plate: on a province before the same plate).
Only fields no label on the page gave a value for are looked at again, two strips at most
per page and one name, plate and card number: the second look costs tesseract time, and
the reading must keep pace with bare tesseract (``benchmarks/ocr_speed.py``).
"""
from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from itertools import product

import cv2
import numpy as np

from pipeline.reading.cleanup import deskew, estimate_skew, percentile
from pipeline.reading.labels import (CN_NAME_RE, CN_RUN_RE, LabelHit, cn_surname_starts, field_specs, find_labels,
                                     has_word, load_label_config)
from pipeline.reading.layout import Row, page_rows
from pipeline.reading.values import CN_PROVINCES, PARSERS, Candidate, Context, candidates_from_label
from pipeline.reading.normalize import broken_dates, find_dates, infer_date_order, misread_year_dates
from pipeline.reading.ocr import BLOCK_PSM, run_tesseract
from pipeline.reading.person_names import usual_cn_name
from pipeline.reading.types import PageText, Word, ocr_lines

ZONE_KINDS = frozenset({"date", "amount"})
ZONE_HEIGHT = 1.2  # label heights above and below the label's line: room for a tilted value
ZONE_TEXT_HEIGHT = 32  # pixels: the strip is enlarged until its letters are about this tall
MAX_ZONE_SKEW = 8.0
PAD = 10  # pixels of paper around the strip: tesseract misses print that touches the edge
MAX_OFF_MIDDLE = 0.2  # of the strip's height (about 0.7 label heights): farther is the next line
DATE_SURE = 0.85  # a date OCR was less sure of than this is read again (SROIE development: most misread dates were)
CN_DATE_SURE = 0.75  # the same for a Chinese date (chi_sim is less sure of itself on good print than eng)
MAX_ZONES = 2  # per page: a page of unreadable labels is not worth a dozen more passes
WEAK_NAME_FIELDS = frozenset({"name"})
WEAK_VALUE_WORD = 0.2  # OCR confidence under which a word of a name was not made out at all
SURE_WORD = 0.8
# Words read again on their own: with this much paper around them (word heights), at
# these word heights (pixels), each way; MIN_AGREEING readings must agree
WORD_PADS = (0.4, 0.8)
WORD_TEXT_HEIGHTS = (20, 28, 36, 48)
MIN_AGREEING = 2
UNSURE_DATE_AGREEING = 4  # of the eight readings, to replace a date that can be but OCR was unsure of
STACK_GAP = 40  # pixels of paper between the stacked copies
# an amount read again counts only as a whole figure with cents: "iS.v0" parses, as 0.00
_WHOLE_FIGURE_RE = re.compile(r"^[^\w]*\d[\d,]*[.,]\d\d[^\w]*$")
DOUBTFUL = 0.3  # OCR confidence under which a value with letters in it was guessed, not read
# A Chinese name OCR was less sure of than this is read again when it is no usual name
# (person_names.usual_cn_name); dev seeds: almost every misread name was under it
CN_NAME_SURE = 0.7
# A page of this many words or fewer is a card: a number on it of eight to ten digits that OCR was unsure
# of may be a card number whose letter was read as a digit (labels.yaml, id_number's card_pattern)
CARD_MAX_WORDS = 60
CARD_NUMBER_SURE = 0.7  # ...and unsure means less sure than this
_DIGITS_ONLY_RE = re.compile(r"\d{8,10}")


def reread_value_zones(page: PageText, clean: np.ndarray) -> PageText:
    """``page`` with the values of date and amount labels read again where the first reading had none (or garbled),
    and the names, plates, card numbers and dates it misread mended where a closer look agrees."""
    if page.source != "ocr" or not page.words:
        return page
    t0 = time.perf_counter()
    rows = page_rows(page)
    labels = find_labels(rows, ZONE_KINDS)  # other fields' labels only as read: matching misreads is slow
    specs = field_specs()
    ctx = Context(date_order=infer_date_order(page.text))
    words = list(page.words)
    wanting = [h for h in labels if specs[h.field].kind in ZONE_KINDS]
    # each label's values as read first, with the words of each that OCR only guessed at
    read_first = {id(h): [(c, _guessed_words(c)) for c in candidates_from_label(h, specs[h.field].kind, rows, labels, ctx)]
                  for h in wanting}
    lost = [h for h in wanting if all(ws for _, ws in read_first[id(h)])]
    # a value OCR read as letters it was unsure of ("TOTAL isS.vU0") is read again word by word
    guessed = {id(h): (c, ws) for h in lost for c, ws in read_first[id(h)] if ws}
    # a field some other label of it already gives ("Total" read, "Total (RM)" not) needs no second look
    done: set[str] = {h.field for h in wanting} - {h.field for h in lost}
    # a name with a word OCR could not make out ("Hannah alee" for Hannah Carter: specks beside
    # the surname threw the page's line finder) is read again on its own strip
    weak: dict[int, float] = {}  # id of such a name's label -> its least sure word, what a second reading must beat
    for h in labels:
        value = _value_words(h, rows, labels, ctx) if h.field in WEAK_NAME_FIELDS else []
        if _weakly_read(value):
            weak[id(h)] = min(w.confidence for w in value)
    tried = 0
    for hit in lost + [h for h in labels if id(h) in weak]:
        kind = specs[hit.field].kind
        if tried >= MAX_ZONES or (hit.field in done and id(hit) not in weak):
            continue
        # the label's script is the value's: "Date:" is followed by 22/12/2017, 开票日期 by 2024年8月15日
        # (and English loads in a fraction of the time Chinese takes)
        lang = "chi_sim" if re.search(r"[\u3400-\u9fff]", hit.phrase) else "eng"
        if id(hit) in guessed:
            tried += 1
            cand, first = guessed[id(hit)]
            again = _read_words_again(clean, first, lang, _value_of(kind, ctx))
            if again:
                done.add(hit.field)
                if again[0] != cand.value:  # the same value stands as first read, at its own confidence
                    words = _splice(words, cand.row, *again[1:])  # the value's row: below the label, perhaps
            continue
        on_row = [h for h in labels if h.row is hit.row and h is not hit]
        zone = _zone(hit, on_row, page)
        if zone is None:
            continue
        tried += 1
        middle = ((hit.row.top + hit.row.bottom) / 2 - zone[1]) / (zone[3] - zone[1])  # the label's line, in the strip
        found = _value_line(_read_zone(clean, zone, lang), middle, lambda text: PARSERS[kind](text, 0, ctx) is not None)
        if not found or (id(hit) in weak and min(w.confidence for w in found) <= weak[id(hit)]):
            continue  # nothing read, or (a weak name) no surer reading of the whole value: keep the first
        done.add(hit.field)
        words = _splice(words, hit.row, zone, found)
    words = _mend_cn_name(words, clean, rows, labels, ctx)
    words = _mend_plate_province(words, clean, rows, labels, ctx)
    words = _mend_card_number(words, clean)
    words = _mend_dates(words, clean, rows, ctx, MAX_ZONES - tried)
    timings = {**page.timings, "zones": page.timings.get("zones", 0.0) + time.perf_counter() - t0}
    return replace(page, words=words, timings=timings)


def _mend_cn_name(words: list[Word], clean: np.ndarray, rows: list[Row], labels: list[LabelHit],
                  ctx: Context) -> list[Word]:
    """A Chinese name OCR was unsure of and that is no usual name, read again (one per page:
    a page names its person once or twice)."""
    for hit in labels:
        unsure = _unsure_cn_name(hit, rows, labels, ctx) if hit.field in WEAK_NAME_FIELDS else None
        if unsure is None or unsure[0] not in words:
            continue
        word, at, name = unsure
        again = _read_words_again(clean, [_part_of(word, at, len(name))], "chi_sim", _cn_name_of(len(name)))
        return _put_in(words, word, at, len(name), again) if again and again[0] != name else words
    return words


def _mend_plate_province(words: list[Word], clean: np.ndarray, rows: list[Row], labels: list[LabelHit],
                         ctx: Context) -> list[Word]:
    """A Chinese plate whose province OCR read as another character (哪A67J85 for 鄂A67J85), read again."""
    for hit in labels:
        found = _plate_without_province(hit, rows, labels, ctx) if hit.field == "vehicle_plate" else None
        if found is None or found[0] not in words:
            continue
        word, at, plate = found
        again = _read_words_again(clean, [_part_of(word, at, len(plate) + 1)], "chi_sim", _province_of(plate, ctx))
        return _put_in(words, word, at, 1, again) if again else words
    return words


def _mend_card_number(words: list[Word], clean: np.ndarray) -> list[Word]:
    """On a card, a number whose first letter OCR read as a digit (076534165 for D76534165), labelled or not."""
    if len(words) > CARD_MAX_WORDS:
        return words
    shape = re.compile(load_label_config()["fields"]["id_number"]["card_pattern"])
    for word in words:
        if _DIGITS_ONLY_RE.fullmatch(word.text) and word.confidence < CARD_NUMBER_SURE:
            again = _read_words_again(clean, [word], "eng", _card_number_of(word.text, shape))
            return _put_in(words, word, 0, len(word.text), again) if again else words
    return words


def _mend_dates(words: list[Word], clean: np.ndarray, rows: list[Row], ctx: Context, looks: int) -> list[Word]:
    """Dates whose year cannot be ("13 Mar 2098": 2018 misread) or that read as no date ("OS~05-17"),
    labelled or not, then dates OCR was unsure of (under ``DATE_SURE``: "16/03/2018" for 15/03),
    each read again on its own (``looks`` at most); an expiry's year may lie decades ahead. A date
    that can be needs more readings to agree on another (``UNSURE_DATE_AGREEING``) than one that
    cannot. A Chinese date is read again in Chinese under a lower bar (``CN_DATE_SURE``: tesseract
    is less sure of Chinese characters as a rule): the thin 1 of 11月 or 12月 is the digit it loses
    ("2024年1月19日", 0.70)."""
    expiry = load_label_config().get("expiry_labels", [])
    spans: list[tuple[Row, int, int, str | None]] = []  # row, start, end, the date as read when it can be
    for above, row in zip([None, *rows], rows):
        if has_word(row.text.lower(), expiry) or (above is not None and has_word(above.text.lower(), expiry)):
            continue  # "Expires 01/2045"
        spans += [(row, s, e, None) for s, e in misread_year_dates(row.text) + broken_dates(row.text)]
    spans += [(row, s, e, iso) for row in rows for s, e, iso in find_dates(row.text, ctx.date_order)
              if row.confidence_of(s, e) < (CN_DATE_SURE if CN_RUN_RE.search(row.text[s:e]) else DATE_SURE)
              and not any(r is row and s < e2 and s2 < e for r, s2, e2, _ in spans)]
    for row, start, end, read in spans:
        first = [row.words[i] for i in row.words_in(start, end)]
        if looks <= 0 or not all(w in words for w in first):
            continue  # out of second looks, or already read again as a label's value
        looks -= 1
        lang = "chi_sim" if CN_RUN_RE.search(row.text[start:end]) else "eng"
        again = _read_words_again(clean, first, lang, _value_of("date", ctx),
                                  MIN_AGREEING if read is None else UNSURE_DATE_AGREEING, by_word=True)
        if again and again[0] != read:
            words = _splice(words, row, *again[1:])
    return words


def _put_in(words: list[Word], word: Word, at: int, length: int,
            again: tuple[str, tuple[float, float, float, float], list[Word]]) -> list[Word]:
    """``words`` with characters ``at``..``at + length`` of ``word`` replaced by the value read again; the
    word is no surer than the readings that agreed on it."""
    value, _, found = again
    sure = sum(w.confidence for w in found) / len(found)
    mended = replace(word, text=word.text[:at] + value + word.text[at + length:],
                     confidence=min(word.confidence, sure), weakest=None)
    return [mended if w is word else w for w in words]


def _guessed_words(cand: Candidate) -> list[Word]:
    """The words of ``cand`` with letters OCR hardly saw, none if it was read: a total read "isS.vU0"
    (which parses as 0.00), or one whose "¥1" became a mark OCR hardly saw before the rest ("双 3761.93")."""
    at = cand.row.words_in(cand.start, cand.end)
    words = [cand.row.words[i] for i in at]
    if at and at[0] > 0:
        mark = cand.row.words[at[0] - 1]
        if mark.confidence < DOUBTFUL and len(mark.text) == 1 and not mark.text.isdigit():
            return [mark, *words]
    return words if any(any(ch.isalpha() for ch in w.text) and w.confidence < DOUBTFUL for w in words) else []


def _value_of(kind: str, ctx: Context) -> Callable[[str], str | None]:
    """The value a reading gives as a ``kind`` field; an amount only as a whole figure with cents."""
    def value(text: str) -> str | None:
        got = PARSERS[kind](text, 0, ctx)
        if got and (kind != "amount" or _WHOLE_FIGURE_RE.search(text[got[1]: got[2]])):
            return got[0]
        return None
    return value


def _cn_name_of(length: int) -> Callable[[str], str | None]:
    """The name of ``length`` characters a reading gives: the last such run that starts with a surname
    (what is left of a glued label, "称沈宇轩", comes before it)."""
    def name(text: str) -> str | None:
        for run in reversed(CN_RUN_RE.findall(text)):
            for i in range(len(run) - length, -1, -1):
                if run[i] in cn_surname_starts():
                    return run[i: i + length]
        return None
    return name


def _unsure_cn_name(hit: LabelHit, rows: list[Row], labels: list[LabelHit], ctx: Context) -> tuple[Word, int, str] | None:
    """(word, where in it, name) of a Chinese name beside ``hit`` with a character OCR was unsure of;
    only a name inside one word (OCR joins a name's characters, often to its label: 户名葵家乐)."""
    cands = candidates_from_label(hit, "text", rows, labels, ctx)
    if cands:
        row, start, end = cands[0].row, cands[0].start, cands[0].end
    elif hit.glued:  # the rest of the label's word, refused as a name because its first character is no surname
        row, start, end = hit.row, hit.end, hit.word_end
    else:
        return None
    at = row.words_in(start, end)
    name = row.text[start:end].strip(_NAME_EDGES)
    if len(at) != 1 or not CN_NAME_RE.fullmatch(name):
        return None
    word = row.words[at[0]]
    if word.surest_reading >= CN_NAME_SURE or name not in word.text or usual_cn_name(name, cn_surname_starts()):
        return None
    return word, word.text.index(name), name


_NAME_EDGES = " ,，.。、:：;；\"'“”‘’`"


def _plate_without_province(hit: LabelHit, rows: list[Row], labels: list[LabelHit],
                            ctx: Context) -> tuple[Word, int, str] | None:
    """(word, where in it, plate) of a plate beside a Chinese label read without its province
    because OCR made the province another character glued to the rest ("号牌号码: 吕A7D581")."""
    if not re.search(r"[\u3400-\u9fff]", hit.phrase):
        return None
    cands = candidates_from_label(hit, "plate", rows, labels, ctx)
    if not cands or not cands[0].value[0].isascii() or cands[0].start == 0:
        return None
    row, start = cands[0].row, cands[0].start
    at = row.words_in(start - 1, start + 1)
    if len(at) != 1 or not re.match(r"[\u3400-\u9fff]", row.text[start - 1]):
        return None
    word = row.words[at[0]]
    offset = start - 1 - row.spans[at[0]][0]
    return word, offset, cands[0].value


def _card_number_of(digits: str, shape: re.Pattern[str]) -> Callable[[str], str | None]:
    """A card number of ``shape`` a reading gives in place of ``digits``: the same last eight."""
    def number(text: str) -> str | None:
        text = text.strip(_NAME_EDGES)
        return text if shape.fullmatch(text) and text[-8:] == digits[-8:] else None
    return number


def _province_of(plate: str, ctx: Context) -> Callable[[str], str | None]:
    """The province a reading puts before ``plate`` (the rest as first read)."""
    def province(text: str) -> str | None:
        got = PARSERS["plate"](text, 0, ctx)
        return got[0][0] if got and got[0][0] in CN_PROVINCES and got[0][1:] == plate else None
    return province


def _part_of(word: Word, at: int, length: int) -> Word:
    """The characters ``at``..``at + length`` of a word; a Chinese character (or full-width mark: ”，) is
    taken as twice as wide as a Latin letter or digit."""
    x0, y0, x1, y1 = word.box
    widths = [1 if ch.isascii() else 2 for ch in word.text]
    step = (x1 - x0) / sum(widths)
    left, right = sum(widths[:at]), sum(widths[:at + length])
    return replace(word, text=word.text[at: at + length], box=(x0 + left * step, y0, x0 + right * step, y1))


def _read_words_again(clean: np.ndarray, first: list[Word], lang: str, value_of: Callable[[str], str | None],
                      agreeing: int = MIN_AGREEING, by_word: bool = False,
                      ) -> tuple[str, tuple[float, float, float, float], list[Word]] | None:
    """(value, zone, words) of the value most readings of ``first``'s box at other sizes agree on; None if they do not.

    A single second reading of a few words is as likely to slip as the first one was
    (2018 read as 2015 at one size, as 2018 at three): the box is cut out with a little
    and with more paper around it, at each of ``WORD_TEXT_HEIGHTS``, and only a value
    that at least ``agreeing`` of these readings give, and more of them than any
    other value, replaces the first reading. The copies are stacked on one image and
    read in one tesseract call (where tesseract runs as a program, starting it costs more than
    reading a few words).
    """
    h, w = clean.shape[:2]
    x0, y0 = min(wd.box[0] for wd in first) * w, min(wd.box[1] for wd in first) * h
    x1, y1 = max(wd.box[2] for wd in first) * w, max(wd.box[3] for wd in first) * h
    word_h = max(1.0, y1 - y0)
    paper = int(percentile(clean, 90))
    copies = []  # (zone in page fractions, scale, copy)
    for pad in WORD_PADS:
        zx0, zy0 = int(max(0, x0 - pad * word_h)), int(max(0, y0 - pad * word_h))
        zx1, zy1 = int(min(w, x1 + pad * word_h)), int(min(h, y1 + pad * word_h))
        for height in WORD_TEXT_HEIGHTS:
            f = height / word_h
            copy = cv2.resize(clean[zy0:zy1, zx0:zx1], None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC)
            copies.append(((zx0 / w, zy0 / h, zx1 / w, zy1 / h), f, copy))
    width = max(c.shape[1] for _, _, c in copies) + 2 * STACK_GAP
    sheet = [np.full((STACK_GAP, width), paper, np.uint8)]
    tops = []
    for _, _, copy in copies:
        band = np.full((copy.shape[0] + STACK_GAP, width), paper, np.uint8)
        band[: copy.shape[0], STACK_GAP: STACK_GAP + copy.shape[1]] = copy
        tops.append(sum(part.shape[0] for part in sheet))
        sheet.append(band)
    stacked = np.vstack(sheet)
    read = sorted(run_tesseract(stacked, lang, psm=BLOCK_PSM).words, key=lambda wd: wd.box[0])
    votes: dict[str, list[tuple[tuple[float, float, float, float], list[Word]]]] = {}
    readings: list[tuple[tuple[float, float, float, float], list[Word]]] = []  # every copy's words
    for (zone, f, copy), top in zip(copies, tops):
        # the words of this copy's middle: the first words' band, not a neighbouring line's edge
        lo, hi = top + (y0 - zone[1] * h) * f, top + (y1 - zone[1] * h) * f
        zw = copy.shape[1]
        found = [Word(wd.text, ((wd.box[0] * width - STACK_GAP) / zw, 0.0, (wd.box[2] * width - STACK_GAP) / zw, 1.0),
                      wd.confidence, 0, 0, wd.weakest)
                 for wd in read if lo <= (wd.box[1] + wd.box[3]) / 2 * stacked.shape[0] <= hi]
        readings.append((zone, found))
        got = value_of(" ".join(wd.text for wd in found)) if found else None
        if got:
            votes.setdefault(got, []).append((zone, found))
    ranked = sorted(votes.items(), key=lambda kv: len(kv[1]), reverse=True)
    if not ranked or len(ranked[0][1]) < agreeing or (len(ranked) > 1 and len(ranked[1][1]) == len(ranked[0][1])):
        return _word_by_word(readings, first, value_of, agreeing) if by_word and readings else None
    value, ((zone, found), *_) = ranked[0]
    return value, zone, found


def _word_by_word(readings: list[tuple[tuple[float, float, float, float], list[Word]]], first: list[Word],
                  value_of: Callable[[str], str | None], agreeing: int,
                  ) -> tuple[str, tuple[float, float, float, float], list[Word]] | None:
    """The value the readings agree on word by word, where no two agree on all of it.

    "29 Mar 2044" read again came out "29 Mar 2915" three times, "29 Mar 2018 1" twice and
    "29 Mar 20145" once: no whole value twice, but 29 and Mar at every size and 2018 twice.
    Each copy's word under each first word (most overlap across) is one vote for that word;
    each word is one of the two readings with the most votes, given by at least
    ``agreeing`` copies, and of the combinations that make a value the best backed one wins.
    """
    def across(w: Word, zone: tuple[float, float, float, float]) -> tuple[float, float]:  # in fractions of the zone
        return (w.box[0] - zone[0]) / (zone[2] - zone[0]), (w.box[2] - zone[0]) / (zone[2] - zone[0])

    tallies: list[Counter[str]] = [Counter() for _ in first]
    for zone, found in readings:
        for i, w in enumerate(first):
            x0, x1 = across(w, zone)
            under = max(found, key=lambda f: min(x1, f.box[2]) - max(x0, f.box[0]), default=None)
            if under is not None and min(x1, under.box[2]) > max(x0, under.box[0]):
                tallies[i][under.text] += 1
    options = [[text for text, count in tally.most_common(2) if count >= agreeing] for tally in tallies]
    for combo in sorted(product(*options), key=lambda c: -sum(t[w] for t, w in zip(tallies, c))):
        value = value_of(" ".join(combo))
        if value:
            zone = readings[0][0]
            spans = [across(w, zone) for w in first]
            return value, zone, [replace(w, text=c, box=(x0, 0.0, x1, 1.0)) for w, c, (x0, x1) in zip(first, combo, spans)]
    return None


def _value_words(hit: LabelHit, rows: list[Row], labels: list[LabelHit], ctx: Context) -> list[Word]:
    """The words of the text value right of ``hit`` (none when it has none there)."""
    cands = [c for c in candidates_from_label(hit, "text", rows, labels, ctx) if c.method == "label_right"]
    return [cands[0].row.words[i] for i in cands[0].row.words_in(cands[0].start, cands[0].end)] if cands else []


def _weakly_read(words: list[Word]) -> bool:
    """A value whose first word was read surely and a later one hardly at all."""
    return (len(words) >= 2 and words[0].confidence >= SURE_WORD
            and any(w.confidence < WEAK_VALUE_WORD and any(ch.isalpha() for ch in w.text) for w in words[1:]))


def _zone(hit: LabelHit, on_row: list[LabelHit], page: PageText) -> tuple[float, float, float, float] | None:
    """The strip right of the label up to the next label on its line (fractions of the page)."""
    box = hit.row.box_of(hit.start, hit.end)
    if box is None:
        return None
    height = box[3] - box[1]
    right = min((hit.row.box_of(h.start, h.end)[0] for h in on_row if h.start >= hit.end), default=1.0)
    x0, x1 = box[2], min(1.0, right)
    if x1 - x0 < 2 * height * page.height / max(1, page.width):
        return None  # no room for a value
    return (x0, max(0.0, box[1] - ZONE_HEIGHT * height), x1, min(1.0, box[3] + ZONE_HEIGHT * height))


def _read_zone(clean: np.ndarray, zone: tuple[float, float, float, float], lang: str) -> list[Word]:
    """OCR of one strip, straightened and enlarged; word boxes as fractions of the strip."""
    h, w = clean.shape[:2]
    x0, y0, x1, y1 = int(zone[0] * w), int(zone[1] * h), int(zone[2] * w), int(zone[3] * h)
    strip = clean[y0:y1, x0:x1]
    if strip.size == 0:
        return []
    strip = deskew(strip, estimate_skew(strip, MAX_ZONE_SKEW))
    line_height = (y1 - y0) / (1 + 2 * ZONE_HEIGHT)
    f = min(3.0, max(1.0, ZONE_TEXT_HEIGHT / max(1.0, line_height)))
    if f > 1.0:
        strip = cv2.resize(strip, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC)
    paper = int(percentile(strip, 90))
    strip = cv2.copyMakeBorder(strip, PAD, PAD, PAD, PAD, cv2.BORDER_CONSTANT, value=paper)
    h2, w2 = strip.shape[:2]
    inner_w, inner_h = w2 - 2 * PAD, h2 - 2 * PAD

    def unpad(w: Word) -> Word:  # boxes as fractions of the strip without its padding
        x0, y0, x1, y1 = w.box
        fx = lambda v: min(1.0, max(0.0, (v * w2 - PAD) / inner_w))  # noqa: E731
        fy = lambda v: min(1.0, max(0.0, (v * h2 - PAD) / inner_h))  # noqa: E731
        return Word(w.text, (fx(x0), fy(y0), fx(x1), fy(y1)), w.confidence, w.line, w.block, w.weakest)

    return [unpad(w) for w in run_tesseract(strip, lang, psm=BLOCK_PSM).words]


def _value_line(words: list[Word], middle: float, parses) -> list[Word]:
    """The words of the line nearest the label's line (``middle``, a fraction of the strip) that parses."""
    lines = ocr_lines(words)

    def off_middle(ws: list[Word]) -> float:
        return abs(sum(w.box[1] + w.box[3] for w in ws) / (2 * len(ws)) - middle)

    for ws in sorted(lines.values(), key=off_middle):
        if off_middle(ws) > MAX_OFF_MIDDLE:
            break  # a neighbouring line's value ("Cash 50.00" under an unreadable total) is not this one
        if parses(" ".join(w.text for w in ws)):
            return ws
    return []


def _splice(words: list[Word], row: Row, zone: tuple[float, float, float, float], found: list[Word]) -> list[Word]:
    """Replace the first reading's words inside the zone (on the label's line) by the second reading's."""
    x0, _, x1, _ = zone
    top, bottom = row.top, row.bottom
    replaced = [w for w in row.words if x0 <= (w.box[0] + w.box[2]) / 2 <= x1]
    kept = [w for w in words if w not in replaced]
    label_words = [w for w in row.words if w not in replaced]
    anchor = (label_words or replaced)[-1]  # the label's line; a date alone on its line is its own
    line, block = anchor.line, anchor.block
    span = x1 - x0
    added = [Word(w.text, (x0 + w.box[0] * span, top, x0 + w.box[2] * span, bottom), w.confidence, line, block, w.weakest)
             for w in sorted(found, key=lambda w: w.box[0])]
    # right after the label's line's last word left of the zone, so the page's text reads in order
    left = [w for w in label_words if (w.box[0] + w.box[2]) / 2 < x0]
    if left:
        at = max(i for i, w in enumerate(kept) if w in left) + 1
    else:  # the whole line was read again: where its first reading stood
        at = len([w for w in words[: min((words.index(w) for w in replaced), default=len(words))] if w not in replaced])
    return kept[:at] + added + kept[at:]
