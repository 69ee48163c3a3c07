"""Finding a document's key fields on its pages: labels first, patterns second, position last.

A claims document prints most values next to a label ("Policy No: P-123", "合计 ¥1,200").
So the reader works in three passes, from the most to the least trustworthy:

1. **Label**: find the printed labels of config/fields/labels.yaml with a spaCy Matcher
   (case-insensitive; longer English words tolerate one OCR slip), and read the value to
   the label's right on the same line, else on the line below.
2. **Pattern**: values that identify themselves (a resident ID with a valid check
   character, a VIN, a Chinese plate, a Luhn-valid card number, a date) found anywhere.
3. **Position**: the issuer is the letterhead at the top of the first page; a receipt's
   total is the largest amount in its lower part.

Each field's confidence is the pass's trust times the OCR confidence of the value's words,
so a value read off a clean text layer by its label scores near 1, and a guess scores
low. The box is the union of the value's words on the page.
"""
from __future__ import annotations

import re
import statistics
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import spacy
import yaml
from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.util import filter_spans

from pipeline.edits import edit_distance, one_edit_apart
from pipeline.reading.diagnoses import known_diagnosis
from pipeline.reading.person_names import known_name, listed_given_name
from pipeline.reading.normalize import (
    IBAN_SHAPE,
    account_check,
    chinese_capital_amount,
    currency_from_place,
    detect_currency,
    find_amounts,
    iban_valid,
    mend_from_capitals,
    ClaimHints,
    Prefer,
    find_dates,
    format_amount,
    infer_date_order,
    normalize_identifier,
    normalize_name,
    valid_cn_id,
)
from pipeline.reading.types import Box, ExtractedField, PageText, Word
from pipeline.vocabulary import DOC_TYPES, FIELDS

LABELS_PATH = Path(__file__).resolve().parents[2] / "config" / "fields" / "labels.yaml"

# How much each way of finding a value is trusted (before OCR confidence).
TRUST = {
    "label_right": 0.95,
    "label_below": 0.85,
    "pattern": 0.75,
    "position": 0.55,
}
NAME_GAP = 2.5  # line heights: a gap this wide inside a "name" ends it (the rest is the next column, or specks)
COLON_APART = 0.6  # line heights between a word and a colon read on its own beyond which the colon is no label's
SPECK_WORD = 0.3  # OCR confidence under which a short lower-case "word" in a gap is specks
PLAIN_WORD_SURE = 0.8  # OCR confidence from which a word of letters under a label is print, not a speck
SURE_NAME_WORD = 0.93  # OCR confidence from which a word of a name is taken as read, listed or not
WEAK_WORD = 0.6  # OCR confidence under which a little word beside a label or a name may be specks read as letters
UNREAD_WORD = 0.05  # OCR confidence under which a word was not read at all, only guessed
ACCOUNT_DIGITS_SURE = 0.9  # an IBAN's digits read less surely than this may be tried as their look-alikes
AVOID = "_avoid"  # pseudo-field of phrases that must not count as labels ("SUB TOTAL")


# ----------------------------------------------------------------------------- layout


@dataclass
class Row:
    """A visual line of a page: words sharing a baseline band, left to right.

    ``text`` joins the words (no space between two CJK characters) and ``spans`` gives
    each word's (start, end) in ``text``, so a character span maps back to words and boxes.
    """

    page_no: int
    index: int
    words: list[Word]
    text: str
    spans: list[tuple[int, int]]

    @property
    def top(self) -> float:
        return min(w.box[1] for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.box[3] for w in self.words)

    @property
    def height(self) -> float:
        return statistics.median(w.box[3] - w.box[1] for w in self.words)

    def words_in(self, start: int, end: int) -> list[int]:
        return [i for i, (s, e) in enumerate(self.spans) if s < end and start < e]

    def box_of(self, start: int, end: int) -> Box | None:
        idx = self.words_in(start, end)
        return union_box([self.words[i].box for i in idx]) if idx else None

    def confidence_of(self, start: int, end: int) -> float:
        idx = self.words_in(start, end)
        return min((self.words[i].surest_reading for i in idx), default=0.0)


def union_box(boxes: list[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF


def page_rows(page: PageText) -> list[Row]:
    """Group a page's words into visual lines by vertical overlap.

    OCR and text layers number lines differently (and a two-column form splits one visual
    line into two blocks); grouping by position makes "to the right of the label" mean
    the same for both.
    """
    words = [w for w in page.words if w.text.strip()]
    words.sort(key=lambda w: ((w.box[1] + w.box[3]) / 2, w.box[0]))
    bands: list[list[Word]] = []
    for w in words:
        cy, h = (w.box[1] + w.box[3]) / 2, w.box[3] - w.box[1]
        placed = False
        for band in reversed(bands[-3:]):
            top = statistics.median(b.box[1] for b in band)
            bottom = statistics.median(b.box[3] for b in band)
            bh = bottom - top
            if top <= cy <= bottom and abs(h - bh) < 1.5 * max(h, bh):
                band.append(w)
                placed = True
                break
        if not placed:
            bands.append([w])
    rows = []
    for band in bands:
        band.sort(key=lambda w: w.box[0])
        text, spans = "", []
        for w in band:
            t = w.text.strip()
            if text and not (_is_cjk(text[-1]) and _is_cjk(t[0])):
                text += " "
            spans.append((len(text), len(text) + len(t)))
            text += t
        rows.append(Row(page.page_no, len(rows), band, text, spans))
    return rows


# ----------------------------------------------------------------------------- labels

_TOKEN_RE = re.compile(r"[\u3400-\u9fff]|[A-Za-z]+|\d+|[^\sA-Za-z\d\u3400-\u9fff]")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str
    priority: dict[str, int]


@dataclass
class LabelHit:
    field: str
    phrase: str
    row: Row
    start: int  # character span of the label in row.text
    end: int
    priority: int
    fuzzy: bool = False  # matched with one Chinese character misread or dropped
    glued: bool = False  # OCR joined the label and its value into one word ("户名杜秀英")

    @property
    def word_end(self) -> int:
        """Where the word the label ends in ends in ``row.text``: a glued value's end."""
        return self.row.spans[self.row.words_in(self.end - 1, self.end)[-1]][1]


@lru_cache(maxsize=4)
def load_label_config(path: str = str(LABELS_PATH)) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        config = yaml.safe_load(fh)
    if not isinstance(config, dict) or "fields" not in config:
        raise ValueError(f"{path}: expected a mapping with 'fields'")
    return config


def field_specs(path: str = str(LABELS_PATH)) -> dict[str, FieldSpec]:
    config = load_label_config(path)
    return {
        name: FieldSpec(name, spec["kind"], {k.lower(): int(v) for k, v in (spec.get("priority") or {}).items()})
        for name, spec in config["fields"].items()
    }


def _label_pattern(phrase: str, fuzzy: bool = True) -> list[dict[str, Any]]:
    pattern = []
    for tok in _TOKEN_RE.findall(phrase.lower()):
        if fuzzy and tok.isalpha() and tok.isascii() and len(tok) >= 5:
            pattern.append({"LOWER": {"FUZZY1": tok}})
        else:
            pattern.append({"LOWER": tok})
    return pattern


_ONE_CJK = {"TEXT": {"REGEX": "^[\u3400-\u9fff]$"}}


def _fuzzy_cjk_patterns(phrase: str) -> list[list[dict[str, Any]]]:
    """OCR slips in a Chinese label of three or more characters: one character misread
    (发票号吗, 收喜单位) or, from four characters on, one inner character dropped (票 号码).

    Each character is its own token, so spaces OCR puts between characters do not matter.
    """
    chars = _TOKEN_RE.findall(phrase)
    if len(chars) < 3 or not all(len(c) == 1 and "\u3400" <= c <= "\u9fff" for c in chars):
        return []
    out = []
    for i in range(len(chars)):
        out.append([_ONE_CJK if j == i else {"LOWER": c} for j, c in enumerate(chars)])
    if len(chars) >= 4:
        for i in range(1, len(chars) - 1):
            out.append([{"LOWER": c} for j, c in enumerate(chars) if j != i])
    return out


def _lookalike_patterns(phrase: str, lookalikes: dict[str, str]) -> list[list[dict[str, Any]]]:
    """A short Chinese label with one character read as its look-alike (姓各 for 姓名); see labels.yaml."""
    chars = _TOKEN_RE.findall(phrase)
    if len(chars) >= 3:
        return []  # longer labels already tolerate any one character misread
    return [[{"LOWER": alt} if j == i else {"LOWER": c} for j, c in enumerate(chars)]
            for i, c in enumerate(chars) for alt in lookalikes.get(c, "")]


@lru_cache(maxsize=8)
def _label_matcher(path: str = str(LABELS_PATH), fuzzy_kinds: frozenset[str] | None = None,
                   ) -> tuple[Matcher, dict[int, tuple[str, str, bool]]]:
    """One spaCy Matcher for every label phrase of every field; match id -> (field, phrase, fuzzy).

    ``fuzzy_kinds`` limits the patterns for misread labels to fields of those kinds (all
    when None): they cost most of the matching time, and a caller after dates and
    amounts needs the other fields' labels only where they are read exactly.
    """
    nlp = spacy.blank("en")
    matcher = Matcher(nlp.vocab)
    keys: dict[int, tuple[str, str, bool]] = {}
    config = load_label_config(path)
    lookalikes = config.get("cn_label_lookalikes") or {}
    for name, spec in config["fields"].items():
        tolerant = fuzzy_kinds is None or spec["kind"] in fuzzy_kinds
        for group, owner in (("labels", name), ("avoid", f"{AVOID}:{name}")):
            for lang_phrases in (spec.get(group) or {}).values():
                for phrase in lang_phrases:
                    key = f"{owner}|{phrase.lower()}"
                    # a listed look-alike reading counts as the label read (it may be glued to its value)
                    matcher.add(key, [_label_pattern(phrase, tolerant), *_lookalike_patterns(phrase, lookalikes)])
                    keys[nlp.vocab.strings[key]] = (owner, phrase.lower(), False)
                    fuzzy = _fuzzy_cjk_patterns(phrase) if tolerant else []
                    if fuzzy:
                        matcher.add(key + "|~", fuzzy)
                        keys[nlp.vocab.strings[key + "|~"]] = (owner, phrase.lower(), True)
    return matcher, keys


_VOCAB = spacy.blank("en").vocab


_STRAY_QUOTES = set("\"'“”‘’`")
_SPECK_DOT_RE = re.compile(r"[a-z]{2}\.[a-z]")


def _row_doc(rows: list[Row]) -> tuple[Doc, list[tuple[int, int, int]]]:
    """A spaCy Doc of the page's rows; token i -> (position in ``rows``, char start, char end)."""
    words, where = [], []
    for i, r in enumerate(rows):
        text = r.text if r.text.isascii() else "".join(map(_unaccented, r.text))  # as long as r.text
        text = _LABEL_ONE_RE.sub("I", _LABEL_ZERO_RE.sub("O", text))  # "1D No.", "Policy N0."
        for m in _TOKEN_RE.finditer(text):
            if m.group(0) in _STRAY_QUOTES or (m.group(0) in ":;" and 0 < m.start() and text[m.start() - 1].isalpha()
                                               and _INNER_COLON_RE.match(text, m.end())):
                continue  # a speck read as a quote inside a label: 'Date of" birth' is "date of birth" (so is
                # "Account:holder", and "Invoice: No.:" where the label's own colon follows)
            if m.group(0) == "." and _SPECK_DOT_RE.match(text, max(0, m.start() - 2)):
                continue  # ...or as a full stop between two words: "Account.number" (not "U.S.", "No.1")
            words.append(m.group(0))
            where.append((i, m.start(), m.end()))
        words.append("\n")  # a label never runs across lines
        where.append((i, len(r.text), len(r.text)))
    return Doc(_VOCAB, words=words), where


# what follows a speck read as a colon inside a label: the label's next letter, or its next word and its own colon
_INNER_COLON_RE = re.compile(r"[A-Za-z]| [A-Za-z]+\.?[:：]")
# a digit or stroke OCR read for a letter of a short label word: "1D No.", "\D No." (ID), "Report N0." (No.)
_LABEL_ONE_RE = re.compile(r"(?<![A-Za-z0-9])[1l|\\](?=[A-Z](?![A-Za-z0-9]))")
_LABEL_ZERO_RE = re.compile(r"(?<=\b[A-Z])0(?=[.:\s]|$)")


@lru_cache(maxsize=512)
def _unaccented(ch: str) -> str:
    """A Latin letter without the accent English OCR puts on it ("Incidént date"); others as they are."""
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    return base if len(base) == 1 and base.isascii() else ch


# OCR reads specks and shadows as stray marks before a label: "‘Account holder", "”发票号码", ".| 账号"
_CELL_WALLS = {"|", "||", "¦"}
_LABEL_JUNK = "*#•·\"'“”‘’`~_|…-—.,，。、;:：()（）[]【】<>〈〉《》「」 "


def _stands_as_label(row: Row, start: int, end: int) -> bool:
    """A label begins its line or a column (a gap before it), or ends with a colon.

    "Patient: Mary Jones" is a label; "...examined the above patient, who..." and
    "Confirmation of Bank Details" are running text that happens to contain one. A
    Chinese label glued to what follows it counts when it begins its word: OCR joins
    close characters, so "户名杜秀英" is label and value; titles such as 诊断证明书 are
    kept out by the field's ``avoid`` phrases, and glued values are checked harder
    (``_glued_value_ok``).
    """
    first = row.words_in(start, end)
    if first:
        word_start = row.spans[first[0]][0]
        if row.text[word_start:start].strip(_LABEL_JUNK):
            return False  # "一、被保险人信息": the label is the tail of another word
    before_label = row.text[:start].strip(_LABEL_JUNK)
    if row.text[end:].lstrip(" ").startswith((":", "：")) or not before_label:
        return True
    before = [i for i, (s, e) in enumerate(row.spans) if e <= start]
    if len(before) == 1 and len(before_label) == 1 and row.words[before[0]].confidence < WEAK_WORD:
        return True  # "4 ‘Patient": a speck read, unsure, as one mark before the label ("1." numbers a section)
    while before:
        w = row.words[before[-1]]
        if w.text in _CELL_WALLS:
            return True  # "Robert Edwards | Vehicle reg.": a table's wall read as a bar begins the next cell
        if w.text.strip(_LABEL_JUNK) and not _gap_speck(w):
            break
        before.pop()  # specks read as "es" or "_" in the gap before a column's label are not the column's text
    if not before or not first:
        return True
    gap = row.words[first[0]].box[0] - row.words[before[-1]].box[2]
    return gap > 1.5 * row.height


def _gap_speck(w: Word) -> bool:
    """A mark of two or three lower-case letters read with hardly any confidence ("es" 0.18)."""
    text = w.text.strip(".,'‘’`")
    return w.confidence < SPECK_WORD and 0 < len(text) <= 3 and text.isalpha() and text.islower()


def _glued(row: Row, end: int) -> bool:
    """The label's last character runs straight on into Chinese text in the same word."""
    inside = row.words_in(end - 1, end)
    if _STAMP_RE.match(row.text, end):
        return False  # "收款单位章):" is the label and where its stamp goes, not a longer word
    return bool(inside) and end < row.spans[inside[-1]][1] and "\u3400" <= row.text[end] <= "\u9fff"


CN_NAME_RE = re.compile(r"[\u3400-\u9fff]{2,4}")
CN_RUN_RE = re.compile(r"[\u3400-\u9fff]+")  # a run of Chinese characters


def cn_surname_starts() -> str:
    return load_label_config()["fields"]["name"].get("cn_surname_starts", "")


def _glued_value_ok(field: str, kind: str, value: str) -> bool:
    """A value read straight on from a glued label must look like one: a Chinese name is
    two to four characters and starts with a surname ("患者因外伤入院" is a sentence, not
    患者 + a name), a bank or an issuer names itself as one; other free text is too easily
    the rest of a sentence."""
    if field == "name":
        return bool(CN_NAME_RE.fullmatch(value)) and value[0] in cn_surname_starts()
    if field == "bank_name":
        return "银行" in value
    if field == "issuer":  # "销售方名称上海市永信汽车服务有限公司": the name ends in an organisation word
        return any(suffix in value for suffix in load_label_config().get("cn_org_suffixes", []))
    return kind != "text" or field == "diagnosis"


def find_labels(rows: list[Row], fuzzy_kinds: frozenset[str] | None = None) -> list[LabelHit]:
    """Every field label on the page; where labels overlap the longest wins.

    A phrase inside running text (not at a line or column start, no colon) is no label.
    ``fuzzy_kinds``: only labels of fields of these kinds are also found misread.
    """
    if not rows:
        return []
    matcher, keys = _label_matcher(str(LABELS_PATH), fuzzy_kinds)
    specs = field_specs()
    doc, where = _row_doc(rows)
    matches = matcher(doc)
    def stands(s: int, e: int) -> bool:
        return where[s][0] == where[e - 1][0] and _stands_as_label(rows[where[s][0]], where[s][1], where[e - 1][2])

    def glued(s: int, e: int) -> bool:
        return _glued(rows[where[e - 1][0]], where[e - 1][2])

    # a label glued to the next word overrides nothing: in "发票号玛" the misread 发票号码 is the label
    exact_spans = [(s, e) for m, s, e in matches if not keys[m][2] and stands(s, e) and not glued(s, e)]
    # a guess at a misread label never overrides a label read exactly: in "车牌号 京A12345"
    # 车牌号 is the label, not 车牌号码 with its last character misread; but in "发票号吗"
    # 发票号 is the head of a longer word, and 发票号码 misread is the better guess
    matches = [(m, s, e) for m, s, e in matches
               if not keys[m][2] or not any(s < e2 and s2 < e for s2, e2 in exact_spans)]
    spans = filter_spans([doc[s:e] for _, s, e in matches])
    by_span: dict[tuple[int, int], list[int]] = {}
    for match_id, s, e in matches:
        by_span.setdefault((s, e), []).append(match_id)
    hits = []
    for span in spans:
        row_i, c0, _ = where[span.start]
        _, _, c1 = where[span.end - 1]
        found = [keys[m] for m in by_span[(span.start, span.end)]]
        exact = [k for k in found if not k[2]]
        found = exact or found  # a label read exactly outranks a guess at a misread one
        # a field's own avoid phrase at the same place vetoes it: 票据代码 is not 票据号码,
        # however the OCR slipped; "Bank Name" is no name but still the bank's label
        vetoed = {owner.split(":", 1)[1] for owner, _, _ in found if owner.startswith(AVOID)}
        if not _stands_as_label(rows[row_i], c0, c1):
            continue
        stuck = _glued(rows[row_i], c1)
        for owner, phrase, fuzzy in found:
            if owner.startswith(AVOID) or owner in vetoed or (fuzzy and stuck):
                continue  # a misread label glued to more text is too loose a guess ("账户状态正常")
            prio = specs[owner].priority.get(phrase, 1)
            hits.append(LabelHit(owner, phrase, rows[row_i], c0, c1, prio, fuzzy, stuck))
    return hits


# ----------------------------------------------------------------------------- values


@dataclass
class Candidate:
    field: str
    value: str
    raw: str
    row: Row
    start: int
    end: int
    method: str
    priority: int = 1
    bonus: float = 1.0  # checksum passed (>1) or failed (<1)

    @property
    def confidence(self) -> float:
        ocr = self.row.confidence_of(self.start, self.end)
        return round(min(1.0, TRUST[self.method] * self.bonus) * (0.5 + 0.5 * ocr), 3)

    def to_field(self) -> ExtractedField:
        return ExtractedField(
            self.field, self.value, self.raw, self.confidence, self.row.page_no, self.row.box_of(self.start, self.end)
        )

    def keep_first(self, chars: int) -> None:
        """Shorten a free-text value to the first ``chars`` characters of what was read."""
        self.raw = self.raw[:chars].rstrip()
        self.value, self.end = normalize_name(self.raw), self.start + len(self.raw)


@dataclass(frozen=True)
class Context:
    """What a parser knows about the whole document."""

    date_order: Prefer = "DMY"


# A parser reads a value from text starting at ``offset``: -> (value, start, end) or None.
Parser = Callable[[str, int, Context], "tuple[str, int, int] | None"]

_SKIP_RE = re.compile(r"[\s:：;.\-#=|/“”‘’\"'`~_…,，、。»«›‹•·]*")
CN_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# the dot after the city letter, or a speck there, is read as any stop or quote ("陕 A。14H61", 'A" 14H61')
_CN_PLATE_RE = re.compile(rf"[{CN_PROVINCES}]\s?[A-Z]\s*[·•.\-。\"'“”‘’°]?\s*[A-Z0-9]{{5,6}}")
# the gap between a plate's halves is read as a space, a dash or a speck ("KM70°XFC")
_PLATE_RE = re.compile(r"(?<![A-Z0-9])(?=[A-Z0-9 \-°·•]*\d)(?=[A-Z0-9 \-°·•]*[A-Z])[A-Z0-9]{1,4}[ \-°·•]?[A-Z0-9]{2,5}(?![A-Z0-9])")
_VIN_RE = re.compile(r"(?<![A-Z0-9])[A-HJ-NPR-Z0-9]{17}(?![A-Z0-9])")
_CN_ID_RE = re.compile(r"(?<!\d)\d{6}\s?\d{8}\s?\d{3}[\dXx](?![\dA-Za-z])")
# anywhere on the page, where the check digit vouches for it: OCR may split the number at any
# digit ("420106195 702042534"), up to twice, and read a one as a bracket or a letter ("]1010...", "J1010...")
_ID_DIGIT_SLIPS = str.maketrans("][|lIJOo", "11111100")
_CN_ID_ANY_SPLIT_RE = re.compile(r"(?<![\dA-Za-z\]\[|])[\d\]\[|lIJOo](?:\s?[\d\]\[|lIOo]){16}\s?[\dXx](?![\dA-Za-z])")
_IDENT_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-/_.]*[A-Za-z0-9]|[A-Za-z0-9]")
# a speck in a gap: 6070°2100; a gap read as a dash (GB47-HBUK 4072...) only where the check digits agree
_IBAN_RE = re.compile(r"[A-Z]{2}\d{2}(?:[ °·\-:]?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Z0-9])")
# a number printed in groups; OCR reads a gap as a dot now and then (6225.8886 5516 3941 581)
_DIGIT_GROUPS_RE = re.compile(r"(?:[A-Z]{2}\d{2}[ ]?)?\d{2,8}(?:(?:[ \-]|\.(?=\d{3}))\d{2,16}){1,6}(?![\d.,]\d)(?!\d)")


def _compact_iban(printed: str) -> str:
    """An IBAN (or part of one) as _IBAN_RE found it, without its groups' gaps and the specks
    between them (6070°2100, 4001:3710, GB47-HBUK)."""
    return normalize_identifier(re.sub("[°·:-]", "", printed))


def _parse_date(text: str, offset: int, ctx: Context) -> tuple[str, int, int] | None:
    dates = find_dates(text[offset:], ctx.date_order)
    if not dates or dates[0][0] > 40:
        return None
    s, e, iso = dates[0]
    return iso, offset + s, offset + e


_WRITTEN_AS_RE = re.compile(r"[(（〈<]\s*[^\s()（）]{0,2}\s*写\s*[)）〉>]?")


def _parse_amount(text: str, offset: int, ctx: Context) -> tuple[str, int, int] | None:
    """The amount a label announces: the last money-looking number in the value text.

    Receipts print "TOTAL  RM  9.00" or "TOTAL 2 items 18.00": numbers with cents are
    preferred, and a trailing one over a leading one; a label followed by a long run of
    numbers (more than three: a table row) gives its first.
    """
    # "(大写)" and "(小写)" say how the amount is written; OCR makes "(4写)" of them
    rest = _WRITTEN_AS_RE.sub(lambda m: " " * len(m.group(0)), text[offset:])
    # the capitals may stand before the label: "(大写) 壹仟零肆拾伍元... (小写) ¥1,045.28"
    mended = mend_from_capitals(text, offset)
    if mended:  # the figure beside the capitals had lost its first digit to the "¥"
        value, s, e = mended
        return format_amount(value), s, e
    amounts = [
        (s, e, v)
        for s, e, v in find_amounts(rest)
        if not re.match(r"\s*%", rest[e:]) and v >= 0 and not _inside_date(rest, s, e)
    ]
    if not amounts:  # 壹仟贰佰元整: an amount only in capital numerals
        m = re.search(r"[零壹贰叁肆伍陆柒捌玖拾佰仟万亿元圆角分整]{2,}", rest)
        # only a run that begins the value and names its unit: in "制佰类拾就元陆角陆分" OCR
        # spoilt the head, and 陆角陆分 alone would be a confident 0.66
        if m and not re.sub(r"[\s:：;()（）〈〉<>|.,，、。“”\"'¥￥Y]", "", rest[: m.start()]) and re.search("[元圆整]", m.group(0)):
            cap = chinese_capital_amount(m.group(0))
            if cap is not None:
                return format_amount(cap), offset + m.start(), offset + m.end()
        return None
    with_cents = [a for a in amounts if re.search(r"[.,]\d{2}$", rest[a[0] : a[1]])]
    s, e, v = (with_cents or amounts)[-1] if len(amounts) <= 3 else (with_cents or amounts)[0]
    return format_amount(v), offset + s, offset + e


def _has_cents(figure: str) -> bool:
    """A figure printed with cents ("9.00", OCR's "64. 15"): what tills and totals print."""
    return bool(re.search(r"[.,]\s?\d{2}$", figure))


def _inside_date(text: str, s: int, e: int) -> bool:
    return any(ds <= s and e <= de for ds, de, _ in find_dates(text))


# a Chinese official document number: 深消火认字〔2024〕第4437号 (OCR bends the brackets)
_CN_DOC_NO_RE = re.compile(r"([\u3400-\u9fff]{1,8})\s*[〔\[(（【]\s*((?:19|20)\d{2})\s*[〕\])）】]\s*第?\s*(\d{1,8})\s*号")


# a reference in parts (FIR-2023-106445); a gap may follow a separator only before digits
_SPLIT_IDENT_RE = re.compile(r"[A-Za-z0-9]+(?:[-./] ?(?=\d)[A-Za-z0-9]+)+")


def _parse_identifier(text: str, offset: int, ctx: Context) -> tuple[str, int, int] | None:
    rest = text[offset:]
    m = _SKIP_RE.match(rest)
    pos = m.end() if m else 0
    doc_no = _CN_DOC_NO_RE.match(rest, pos)
    if doc_no:
        return f"{doc_no[1]}〔{doc_no[2]}〕第{doc_no[3]}号", offset + doc_no.start(), offset + doc_no.end()
    iban = _IBAN_RE.match(rest.upper(), pos)  # GB82 WEST 1234 5698 7654 32
    if iban:
        compact = _compact_iban(iban.group(0))
        if "-" not in iban.group(0) or iban_valid(compact):  # a dashed reference is an IBAN only if it checks
            return compact, offset + iban.start(), offset + iban.end()
    groups = _DIGIT_GROUPS_RE.match(rest, pos)  # 6222 0212 3456 7890: one number in groups
    if groups:
        return normalize_identifier(groups.group(0)).replace(".", ""), offset + groups.start(), offset + groups.end()
    split = _SPLIT_IDENT_RE.match(rest, pos)
    if split and " " in split.group(0):  # "FIR- 2023. 106445": OCR put a gap after a dash and read one as a dot
        value = split.group(0).replace(" ", "")
        value = value.replace(".", "-") if "-" in value else value
        return normalize_identifier(value), offset + split.start(), offset + split.end()
    if rest[pos : pos + 1] == "$" and rest[pos + 1 : pos + 2].isalnum():  # $26215654: an S read as a dollar sign
        rest = rest[:pos] + "S" + rest[pos + 1 :]
    m = _IDENT_RE.match(rest, pos)
    if not m or not any(c.isdigit() for c in m.group(0)) or len(m.group(0)) < 3:
        return None
    return normalize_identifier(m.group(0)), offset + m.start(), offset + m.end()


def _parse_cn_id(text: str, offset: int, ctx: Context) -> tuple[str, int, int] | None:
    m = _CN_ID_RE.search(text, offset)
    if m and m.start() - offset <= 8:
        return normalize_identifier(m.group(0)), m.start(), m.end()
    return _parse_identifier(text, offset, ctx)


def _parse_plate(text: str, offset: int, ctx: Context) -> tuple[str, int, int] | None:
    rest = text[offset:].upper()
    m = _CN_PLATE_RE.search(rest) or _PLATE_RE.search(rest)
    if not m or m.start() > 8 or _inside_date(text[offset:], m.start(), m.end()):
        return None  # "11-Nov-2024" beside a misread label ("pate" for Date) is no plate
    return _plate_value(m.group(0)), offset + m.start(), offset + m.end()


def _plate_value(printed: str) -> str:
    """A plate without its separators; on a Chinese plate O and I are 0 and 1 (GA 36 leaves the
    letters out of serials so they cannot be confused: 鄂AOFB07 is 鄂A0FB07)."""
    plate = re.sub(r"[\s·•.\-°。\"'“”‘’]", "", printed)
    return plate[:2] + plate[2:].translate(_CN_SERIAL_SLIPS) if plate[:1] in CN_PROVINCES else plate


_CN_SERIAL_SLIPS = str.maketrans("OI", "01")


def _parse_vin(text: str, offset: int, ctx: Context) -> tuple[str, int, int] | None:
    rest = text[offset:].upper()
    m = _VIN_RE.search(rest.replace("O", "0").replace("Q", "0").replace("I", "1"))
    if not m or m.start() > 8:
        return None
    return m.group(0), offset + m.start(), offset + m.end()


def _parse_currency(text: str, offset: int, ctx: Context) -> tuple[str, int, int] | None:
    rest = text[offset:]
    code = detect_currency(rest)
    if not code:
        return None
    return code, offset, len(text)


_STAMP_RE = re.compile(r"[(（〈<]?\s*[章盖]\s*[.。]?\s*[)）〉>]\s*[:：]?")  # 收款单位(章): where the stamp goes


def _parse_text(text: str, offset: int, ctx: Context) -> tuple[str, int, int] | None:
    m = _SKIP_RE.match(text, offset)
    start = m.end() if m else offset
    stamp = _STAMP_RE.match(text, start)
    if stamp:
        m = _SKIP_RE.match(text, stamp.end())
        start = m.end() if m else stamp.end()
    value = normalize_name(text[start:])
    if len(value) < 2 or not any(c.isalpha() for c in value):
        return None
    return value, start, start + len(text[start:].rstrip(" .,:;|"))


PARSERS: dict[str, Parser] = {
    "date": _parse_date,
    "amount": _parse_amount,
    "identifier": _parse_identifier,
    "plate": _parse_plate,
    "vin": _parse_vin,
    "currency": _parse_currency,
    "text": _parse_text,
}


def _parser_for(field: str, kind: str) -> Parser:
    return _parse_cn_id if field == "id_number" else PARSERS[kind]


def _value_end(row: Row, start: int, labels_on_row: list[LabelHit], kind: str) -> int:
    """Where a value that begins at ``start`` ends: at the next label, or for free text at a wide gap.

    Amounts and dates find their own extent; "TOTAL INCL. GST@6%      RM 42.90" must
    not be cut at the gap after "@6%".
    """
    end = len(row.text)
    for h in labels_on_row:
        if h.start >= start:
            end = min(end, h.start)
    if kind in ("amount", "date", "currency"):
        return end
    idx = [i for i, (s, e) in enumerate(row.spans) if e > start and s < end]
    gap_limit = max(0.08, 4 * row.height)
    for a, b in zip(idx, idx[1:]):
        # the label's colon may sit far from the value; only cut once a value word is seen
        if row.spans[a][1] > start + 1 and row.words[b].box[0] - row.words[a].box[2] > gap_limit:
            if row.text[start : row.spans[a][1]].strip(" :：;#.-"):
                end = min(end, row.spans[a][1])
                break
    return end


def candidates_from_label(
    hit: LabelHit, kind: str, rows: list[Row], labels: list[LabelHit], ctx: Context
) -> list[Candidate]:
    parse = _parser_for(hit.field, kind)
    out = []
    row = hit.row
    on_row = [h for h in labels if h.row is row and h is not hit]
    # the next column starts at the next label on the label's line: a field's, or a heading
    # that is no field of ours but is none of this value either (性别 beside 姓名)
    heads = _column_heads(hit.field)
    head_words = [(s, w) for i, ((s, _), w) in enumerate(zip(row.spans, row.words))
                  if s >= hit.end and w.text.strip(_LABEL_JUNK).lower() in heads and _stands_apart(row, i)]
    end = min([_value_end(row, hit.end, on_row, kind), *(s for s, _ in head_words)])
    got = parse(row.text[:end], hit.end, ctx)
    if hit.glued and got and hit.field == "name":
        # "姓名张三 性别 男": the name is the rest of the word OCR glued to the label
        word_end = hit.word_end
        got = (normalize_name(row.text[got[1]:word_end]), got[1], word_end) if word_end > got[1] else None
    if got and kind == "text" and not hit.glued and all(_gap_speck(row.words[i]) for i in row.words_in(got[1], got[2])):
        got = None  # specks read as letters beside the label ("姓名 ... et ee"): the value may be below
    if hit.glued and not (got and _glued_value_ok(hit.field, kind, got[0])):
        return out  # what follows a glued label is its value or nothing: never look below
    if got and kind == "identifier":
        got = _rejoin_split_digits(row, got, end)
    if got:
        value, s, e = got
        sure = 0.9 if hit.fuzzy or hit.glued else 1.0
        out.append(Candidate(hit.field, value, row.text[s:e], row, s, e, "label_right", hit.priority, sure))
        return out
    # the line below: the words under the label, left of the next label on the label's line
    label_box = row.box_of(hit.start, hit.end)
    right_limit = min([*(row.box_of(h.start, h.end)[0] for h in on_row if h.start >= hit.end),
                       *(w.box[0] for _, w in head_words)], default=1.01)
    # the next two lines with print on them: specks read as ";" or "ak" are not the line below
    below = [r for r in rows if r.index > row.index and r.page_no == row.page_no and not _speck_line(r)
             and r.top - row.bottom < 3 * row.height][:2]
    for r in below:
        xs = [
            i for i, w in enumerate(r.words)
            if w.box[2] > label_box[0] - 0.02 and w.box[0] < min(label_box[2] + 0.25, right_limit)
        ]
        if not xs:
            continue
        start = r.spans[xs[0]][0]
        on_r = [h for h in labels if h.row is r]
        if any(h.start <= start < h.end for h in on_r):
            break  # the line below starts with a label of its own: a new field
        end = _value_end(r, start, on_r, kind)
        beyond = [s for (s, _), w in zip(r.spans, r.words) if s > start and w.box[0] >= right_limit]
        end = min([end, *beyond, *_column_cuts(r, start, right_limit)])  # Chinese words touch: no space to drop
        got = parse(r.text[:end], start, ctx)
        if got and kind == "identifier":
            got = _rejoin_split_digits(r, got, end)
        if got:
            value, s, e = got
            out.append(Candidate(hit.field, value, r.text[s:e], r, s, e, "label_below", hit.priority, 0.9 if hit.fuzzy else 1.0))
            break
        if kind == "amount" and any(_plain_word(r.words[i]) for i in xs):
            break  # a line of its own under the label ("CASH"): the figure further down is another's
    return out


SPLIT_NUMBER_GAP = 0.6  # of the line's usual gap between words: a narrower one split a number OCR read in two


def _rejoin_split_digits(row: Row, got: tuple[str, int, int], end: int) -> tuple[str, int, int]:
    """Read "INV1 76368" as INV176368: OCR split the number where the gap is narrower than between words."""
    value, s, e = got
    inside = row.words_in(s, e)
    if not inside or row.spans[inside[-1]][1] != e or len(row.words) < 4:
        return got  # the value ends inside a word, or the line is too short to know its gaps
    last, nxt = inside[-1], inside[-1] + 1
    if nxt >= len(row.words) or row.spans[nxt][0] >= end or not re.fullmatch(r"\d+[.,;:]?", row.words[nxt].text):
        return got
    gaps = [b.box[0] - a.box[2] for a, b in zip(row.words, row.words[1:])]
    if row.words[nxt].box[0] - row.words[last].box[2] >= SPLIT_NUMBER_GAP * statistics.median(gaps):
        return got
    digits = re.sub(r"\D", "", row.words[nxt].text)
    return normalize_identifier(value + digits), s, row.spans[nxt][0] + len(digits)


def _plain_word(w: Word) -> bool:
    """A word read surely, of letters only: print that says something, not a speck read as "ak"."""
    text = w.text.strip(_LABEL_JUNK)
    return w.confidence >= PLAIN_WORD_SURE and len(text) >= 3 and text.isalpha()


def _stands_apart(row: Row, i: int) -> bool:
    """Word ``i`` is a heading of its own: Chinese, or English set apart by column gaps or
    ending in a colon ("Patient    Department"), not inside a value ("James Ward",
    "Name: WARD, JAMES")."""
    w = row.words[i]
    if _is_cjk(w.text.strip(_LABEL_JUNK)[:1]):
        return True
    gap = 1.5 * row.height
    before = i == 0 or w.box[0] - row.words[i - 1].box[2] > gap
    after = i == len(row.words) - 1 or row.words[i + 1].box[0] - w.box[2] > gap or w.text.endswith((":", "："))
    return before and after


@lru_cache(maxsize=64)
def _column_heads(field: str) -> frozenset[str]:
    """Labels of other fields, printed as headings of their own (``not_values`` of two or more characters)."""
    spec = load_label_config()["fields"][field]
    return frozenset(w for ws in (spec.get("not_values") or {}).values() for w in ws if len(w) >= 2)


def _speck_line(row: Row) -> bool:
    """A line of nothing but specks: marks, or unsure little lower-case words ("ak", ";").

    A faint value (a date or number read at 0.5) is no speck: it has digits or is longer.
    """
    if not row.text.strip(_LABEL_JUNK):
        return True
    return all(_dust_word(w) and len(w.text) <= 3 and not re.search(r"[\d\u3400-\u9fff]", w.text)
               for w in row.words)


COLUMN_TAIL = 2  # characters: the most of the next column's value a glued word is cut off


def _column_cuts(row: Row, start: int, right: float) -> list[int]:
    """Where a Chinese word OCR glued across a column line is cut ("朱磊男" under 姓名 | 性别).

    Chinese characters are as wide as each other, so the word's box is shared out among
    them and the word is cut at the character nearest the next column's left edge, when
    what lies past it is short (男, 汉族): a long value that overhangs its column (a
    diagnosis, an issuer) is one value, not two.
    """
    cuts = []
    for (s, e), w in zip(row.spans, row.words):
        if s >= start and w.box[0] < right < w.box[2] and _is_cjk(row.text[s]):
            k = round((right - w.box[0]) / (w.box[2] - w.box[0]) * (e - s))
            if 0 < k < e - s and e - s - k <= COLUMN_TAIL:
                cuts.append(s + k)
    return cuts


# ----------------------------------------------------------------------------- fallbacks


_DIGIT_LOOKALIKES = str.maketrans({"i": "1", "I": "1", "l": "1", "|": "1", "!": "1", "o": "0", "O": "0"})


def _mend_account_number(c: Candidate) -> bool:
    """Read a card number on through digits OCR took for letters ("6222 0239 0752 i968324").

    A 1 read as i or l, a 0 as O, cuts the number short. In the words after the label that
    are mostly digits such letters are read as the digits they resemble, and the longer
    number is kept only when it passes its check digit (Luhn), which a misreading passes
    one time in ten; the caller lowers its confidence so a person still sees it was mended.
    """
    if account_check(c.value):
        return False  # read whole already
    # up to the next column gap: a number printed beside it is another field's
    idx = c.row.words_in(c.start, c.end)
    last = idx[-1] if idx else len(c.row.words) - 1
    while last + 1 < len(c.row.words) and \
            c.row.words[last + 1].box[0] - c.row.words[last].box[2] <= 1.5 * c.row.height:
        last += 1
    rest = c.row.text[c.start: c.row.spans[last][1]] if idx else c.row.text[c.start:]
    mended = re.sub(r"\S+", lambda m: m.group(0).translate(_DIGIT_LOOKALIKES)
                    if 2 * sum(ch.isdigit() for ch in m.group(0)) >= len(m.group(0)) else m.group(0), rest)
    m = _DIGIT_GROUPS_RE.match(mended)
    if not m:
        return False
    value = normalize_identifier(m.group(0)).replace(".", "").replace("-", "")
    if len(value) <= len(c.value) or not account_check(value) or mended[: m.end()] == rest[: m.end()]:
        return False  # not longer, not valid, or nothing was mended
    c.value, c.raw, c.end = value, rest[: m.end()], c.start + m.end()
    return True


def _mend_iban(c: Candidate, slips: dict[str, str]) -> bool:
    """An IBAN one digit of which OCR misread (GB90 HBUK 4063 … for 4003), mended where its check says so.

    Only the digits of a group OCR was unsure of are tried, each as the digits it is often
    misread for (``digit_slips``, labels.yaml): across a whole IBAN one misreading in a
    hundred passes the check by chance, and a payment must not go to such a number. The
    mend stands only when exactly one tried IBAN checks; the caller lowers its confidence.
    """
    if not IBAN_SHAPE.fullmatch(c.value) or account_check(c.value) is not False:
        return False
    unsure: list[int] = []  # where the unsure groups' characters sit in the compact IBAN
    at = 0
    for i in c.row.words_in(c.start, c.end):
        s, e = c.row.spans[i]
        part = _compact_iban(c.row.text[max(s, c.start): min(e, c.end)])
        if c.row.words[i].confidence < ACCOUNT_DIGITS_SURE:
            unsure += [at + k for k, ch in enumerate(part) if ch.isdigit() and at + k >= 4]
        at += len(part)
    checked = {c.value[:i] + d + c.value[i + 1:] for i in unsure if i < len(c.value)
               for d in slips.get(c.value[i], "")}
    passing = [v for v in checked if account_check(v)]
    if len(passing) != 1:
        return False
    c.value = passing[0]
    return True


def _pattern_candidates(field: str, rows: list[Row]) -> list[Candidate]:
    out: list[Candidate] = []
    for r in rows:
        text = r.text
        if field in ("id_number", "licence_number"):  # a Chinese licence number is the holder's ID number
            for m in _CN_ID_ANY_SPLIT_RE.finditer(text):
                v = normalize_identifier(m.group(0).translate(_ID_DIGIT_SLIPS))
                slips = sum(not c.isdigit() for c in m.group(0)[:-1] if not c.isspace())
                if valid_cn_id(v) and len(m.group(0)) - len(v) <= 2 and slips <= 2:
                    out.append(Candidate(field, v, m.group(0), r, m.start(), m.end(), "pattern", bonus=1.3))
        elif field == "vin":
            up = text.upper()
            for m in _VIN_RE.finditer(up):
                if any(c.isalpha() for c in m.group(0)) and any(c.isdigit() for c in m.group(0)):
                    out.append(Candidate(field, m.group(0), m.group(0), r, m.start(), m.end(), "pattern"))
        elif field == "vehicle_plate":
            for m in _CN_PLATE_RE.finditer(text.upper()):
                out.append(Candidate(field, _plate_value(m.group(0)), m.group(0), r, m.start(), m.end(), "pattern"))
        elif field == "account_number":
            for m in _DIGIT_GROUPS_RE.finditer(text):
                v = normalize_identifier(m.group(0)).replace("-", "").replace(".", "")
                if account_check(v):
                    out.append(Candidate(field, v, m.group(0), r, m.start(), m.end(), "pattern"))
        elif field == "currency":
            code = detect_currency(text)
            if code:
                out.append(Candidate(field, code, text, r, 0, len(text), "pattern", bonus=0.9))
    return out


def known_bank(text: str, banks: list[str]) -> str | None:
    """The known bank ``text`` begins with (branch names follow), allowing one OCR slip in a
    long English name or where a Chinese name's 银行 came out broken (中国工商儿行); the
    closest, then the longest, bank wins."""
    low = _bank_key(text)
    best: tuple[int, int, str] | None = None
    for bank in banks:
        head = low[: len(bank)]
        if _is_cjk(bank[0]):
            # a name printed whole ("中原银行") is that bank, listed or not; only a broken 银行 is a slip
            allowed = 0 if head.endswith("银行") else max(1, len(bank) // 4)
        else:
            allowed = 1 if len(bank) >= 12 else 0  # "Trust Bank" is not "Truist Bank"
        d = edit_distance(head, _bank_key(bank))
        if d <= allowed and len(bank) <= len(low) + allowed and (best is None or (d, -len(bank)) < best[:2]):
            best = (d, -len(bank), bank)
    return best[2] if best else None


def _bank_key(name: str) -> str:
    """A bank's name for comparing: one case, single spaces, a hyphen between words a space
    ("Barclays-Bank UK": a speck read as a hyphen)."""
    return re.sub(r"(?<=[^\W\d_])-(?=[^\W\d_])", " ", re.sub(r"\s+", " ", name).strip().casefold())


def _next_field_at(word: str, c: Candidate) -> int | None:
    """Where in ``c.raw`` another field's label (``word``, a not-value) begins, if it does.

    A Chinese label of two or more characters counts anywhere after the name's first
    character (OCR joins "朱磊性别男"); 男/女 only as a word of their own (张胜男 is a
    name). A Latin one only after a column gap or before a colon: "James Ward" is a name,
    "Michael Carter      Department: Orthopaedics" is not all one.
    """
    if _is_cjk(word[0]):
        if len(word) >= 2:
            i = c.raw.find(word, 1)
            return i if i > 0 else None
        return next((s - c.start for s, e in c.row.spans if c.start < s < c.end and c.row.text[s:e] == word), None)
    for m in re.finditer(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", c.raw, re.IGNORECASE):
        if m.start() == 0:
            continue
        if c.raw[m.end():].lstrip().startswith((":", "：")):
            return m.start()
        at = c.start + m.start()
        idx = [i for i, (s, e) in enumerate(c.row.spans) if s == at]
        if idx and idx[0] > 0:
            gap = c.row.words[idx[0]].box[0] - c.row.words[idx[0] - 1].box[2]
            if gap > 1.5 * c.row.height:
                return m.start()
    return None


def _before_next_label(c: Candidate) -> int | None:
    """Where, in ``c.raw``, the word that a colon ends (another field's label) begins."""
    colon = re.search(r"[:：]", c.raw)
    if not colon:
        return None
    if listed_given_name(c.raw[:colon.start()].strip()) and re.match(r"[:：] ?[A-Z][a-z]", c.raw[colon.start():]):
        return None  # "Henry: Johnson": a speck read as a colon after a first name, no label
    at = c.start + colon.start()
    words = c.row.words_in(at, at + 1)
    if not words:
        return colon.start()
    i = words[0]
    if not c.row.words[i].text.strip(":： ") and i > 0:
        gap = c.row.words[i].box[0] - c.row.words[i - 1].box[2]
        if gap > COLON_APART * c.row.height:
            return max(0, c.row.spans[i][0] - c.start)  # "Griffiths   :": a speck apart from the word ends the value
        i -= 1  # the colon read as a word of its own: the label is the word before it
    return max(0, c.row.spans[i][0] - c.start)


def _dust_word(w: Word) -> bool:
    """Unsure and not shaped like part of a name: lower case or not all letters ("jp", "oa.");
    a capitalised or Chinese word ("Lee", "三", "Wood’" with a speck after it) is kept however unsure."""
    text = w.text.strip(".,:;'\"‘’“”`")
    return w.confidence < WEAK_WORD and (text.islower() or not text.isalpha())


def _drop_weak_tail(c: Candidate) -> None:
    """'William Mitchell jp oa. naa': dust beside a name reads as unsure little words; they go.
    So do a word or two of Latin letters after a Chinese name ("何鹏 Rs"): a stamp's edge."""
    idx = c.row.words_in(c.start, c.end)
    keep = len(idx)
    chinese = bool(idx) and _is_cjk(c.row.words[idx[0]].text[:1] or " ")

    def stray(w: Word) -> bool:
        return (not w.text.strip(_LABEL_JUNK) or _dust_word(w)
                or (chinese and len(w.text.strip(".,")) <= 2 and w.text.strip(".,").isascii())
                # OCR joins the characters of a name into one word: a lone one apart from it that
                # OCR could not read at all is a speck ("杜秀英 和", 和 at confidence 0.00)
                or (chinese and len(w.text) == 1 and w.confidence < UNREAD_WORD))

    for k in range(1, len(idx)):  # a gap a name never has: what lies beyond is the next column, or specks
        if c.row.words[idx[k]].box[0] - c.row.words[idx[k - 1]].box[2] > NAME_GAP * c.row.height:
            keep = k
            break
    while keep > 1 and stray(c.row.words[idx[keep - 1]]):
        keep -= 1
    if keep < len(idx):
        c.keep_first(c.row.spans[idx[keep - 1]][1] - c.start)


def _tidy_names(cands: list[Candidate], not_names: list[str]) -> list[Candidate]:
    """Names as read, cut where something else begins; the unlikely ones kept for a person."""
    cands = [c for c in cands if not any(c.value.lower().startswith(w) for w in not_names)]
    for c in cands:
        # "Michael Carter   Department Orthopaedics": the next field's label ends the name
        cut = min((i for w in not_names if (i := _next_field_at(w, c)) is not None), default=None)
        if cut and len(normalize_name(c.raw[:cut])) >= 2:
            c.keep_first(cut)
        cut = _before_next_label(c)  # "医疗机构类型: 综合医院": another field's label and value
        if cut is not None:
            c.keep_first(cut)
        _drop_weak_tail(c)
    cands = [c for c in cands if len(c.value) >= 2 and not _misread_label(c.value, not_names)]
    for c in cands:
        c.value = _JOINED_NAME_RE.sub(r"\1 \2", c.value)  # "NatalieRoberts": OCR lost the space
        c.value = _SPECK_COLON_RE.sub(" ", c.value)  # "Henry: Johnson" (kept by _before_next_label)
        if not _looks_like_a_name(c.value):
            c.bonus = min(c.bonus, 0.5)  # kept for the reviewer, but a person must confirm it
    return cands


def _misread_label(value: str, not_names: list[str]) -> bool:
    """A Chinese "name" that is a word never a name with one character misread: 住址 read 位址 (位 is a surname)."""
    return bool(CN_NAME_RE.fullmatch(value)) and any(
        len(w) == len(value) >= 2 and CN_NAME_RE.fullmatch(w) and one_edit_apart(value, w) for w in not_names)


# two capitalised words run together; names built on a prefix (McDonald, MacArthur, DeShawn) are not two
_JOINED_NAME_RE = re.compile(r"\b(?!Mac|Fitz|Van|Von|De|Di|Da|Du|La|Le)([A-Z][a-z]{2,})([A-Z][a-z]{2,})\b")
_SPECK_COLON_RE = re.compile(r"(?<=[a-z])[:：] ?(?=[A-Z][a-z])")


def _looks_like_a_name(value: str) -> bool:
    """What a name read by OCR must look like to be trusted: no digits, one script; a Chinese
    name two to four characters from a surname ("自助机" is a machine); a Latin name more
    than one short word ("LEA" is a piece of ELEANOR)."""
    cjk = re.search(r"[\u3400-\u9fff]", value)
    if re.search(r"\d", value) or (cjk and re.search(r"[A-Za-z]", value)):
        return False  # "BY 二2Z 主央"
    if cjk:
        chars = re.sub(r"[\s·•.]", "", value)
        return bool(CN_NAME_RE.fullmatch(chars)) and chars[0] in cn_surname_starts()
    parts = value.split()
    return len(parts) >= 2 or len(value) >= 4


NAME_BY_SHAPE = ("id_card", "driving_licence")  # cards whose faint labels OCR often loses
CARD_HOLDER_MIN_AGE = 14  # years between a card holder's birth and the card's latest date (issue or expiry)


def _name_by_shape(rows: list[Row]) -> list[Candidate]:
    """On a card whose name label was lost: the first line high on the card that is a
    Chinese name and nothing else, or 姓名 misread and glued to one ("锥名朱磊"), or a short
    word of its own before one (the label read as "兰匀", then "宋春梅") (found by position: a person confirms it)."""
    heads = [h for h in _column_heads("name") if _is_cjk(h[0])]
    for r in rows:
        if r.top > 0.5:
            break
        text = r.text.strip(_LABEL_JUNK)
        if text.startswith(tuple(heads)):
            continue  # "国籍 中国": another field's line, whatever follows its label
        misread_label = re.match(r"[\u3400-\u9fff]名\s*", text)
        # the name is the Chinese that follows the label, not specks after it ("由名 陈涛 LE |")
        after_label = CN_RUN_RE.match(text, misread_label.end()) if misread_label else None
        if after_label and _looks_like_a_name(after_label.group(0)):
            text = after_label.group(0)
        elif len(r.words) >= 2 and re.fullmatch(r"[\u3400-\u9fff]{1,3}", r.words[0].text):
            rest = r.text[r.spans[1][0]:].strip(_LABEL_JUNK)  # the label read as another word
            text = rest if _looks_like_a_name(rest) else text
        if re.search(r"[\u3400-\u9fff]", text) and _looks_like_a_name(text):
            start = r.text.index(text)
            return [Candidate("name", text, text, r, start, start + len(text), "position")]
    return []


def _latin_name_by_shape(rows: list[Row], title_words: list[str]) -> list[Candidate]:
    """On a card whose "Name" label was lost: the first line high on the card made of two to
    four capitalised words that are not its title ("RACHEL ROBINSON" under "NATIONAL IDENTITY
    CARD"); specks read as a short lower-case word before it go (found by position)."""
    titles = {w.lower() for w in title_words}
    for r in rows:
        if r.top > 0.5:
            break
        words = r.text.strip(_LABEL_JUNK).split()
        while words and len(words[0]) <= 2 and words[0].islower():
            words.pop(0)  # "aa RACHEL ROBINSON"
        if not 2 <= len(words) <= 4 or any(w.lower().strip(".,") in titles for w in words):
            continue
        if all(re.fullmatch(r"[A-Z][A-Za-z'\-]+", w) for w in words) and _looks_like_a_name(" ".join(words)):
            text = " ".join(words)
            start = r.text.find(words[0])
            return [Candidate("name", text, r.text[start:start + len(text)], r, start, start + len(text), "position")]
    return []


def _card_number_by_shape(field: str, rows: list[Row], pattern: str) -> list[Candidate]:
    """A card's number where its label was lost: the first word of the card's number shape."""
    for r in rows:
        for m in re.finditer(rf"(?<![A-Z0-9]){pattern}(?![A-Z0-9])", r.text):
            return [Candidate(field, m.group(0), m.group(0), r, m.start(), m.end(), "pattern", 0, bonus=0.9)]
    return []


def _birth_date_on_a_card(rows: list[Row], ctx: Context) -> list[Candidate]:
    """A card's earliest date, where its label was lost: issue and expiry dates come later,
    and a holder is at least ``CARD_HOLDER_MIN_AGE`` years older than the latest date."""
    found = [(iso, r, s, e) for r in rows for s, e, iso in find_dates(r.text, ctx.date_order)]
    if len(found) < 2:
        return []
    iso, r, s, e = min(found, key=lambda f: f[0])
    if int(max(f[0] for f in found)[:4]) - int(iso[:4]) < CARD_HOLDER_MIN_AGE:
        return []
    return [Candidate("date_of_birth", iso, r.text[s:e], r, s, e, "position", 0)]


def _bank_by_card_number(rows: list[Row], bins: dict[str, str]) -> list[Candidate]:
    """The bank whose card numbers begin as a valid card number on the page does (``card_bins``)."""
    for c in _pattern_candidates("account_number", rows):
        bank = bins.get(c.value[:6])
        if bank:
            return [Candidate("bank_name", bank, c.raw, c.row, c.start, c.end, "pattern", 0, bonus=0.8)]
    return []


def _letterhead_bank(rows: list[Row], banks: list[str]) -> list[Candidate]:
    """A bank letter without a bank label: the known bank its first lines name."""
    for r in rows[:4]:
        text = r.text.strip(_LABEL_JUNK)
        bank = known_bank(text, banks)
        if bank:
            return [Candidate("bank_name", bank, r.text, r, 0, len(r.text), "position")]
    return []


_REG_NO_RE = re.compile(
    r"\s*[\(\[]?\s*(?:co\.?\s*(?:no|reg)\.?\s*:?\s*|company\s+no\.?\s*:?\s*)?[a-z]{0,3}\d{4,}[\w\-]*\s*[\)\]]?\s*$", re.I
)
_LEADING_JUNK_RE = re.compile(r"^[#*]\w*\s+(?=[A-Za-z\u3400-\u9fff])")  # '#000002 BAIFU (M) SDN BHD'


_ADDRESS_RE = re.compile(
    r"\b(?:road|rd|street|avenue|ave|lane|drive|way|place|tel|fax|phone|e-?mail|www|jalan|jln)\b\.?|"
    r"\bst\b\.?(?=\s*(?:,|$|\d))|"  # "High St, York" is a street; "St Mary's Hospital" a saint
    r"地址|电话|传真|\d+号"
)


def _clean_org_name(text: str) -> str:
    """'99 SPEED MART S/B (519537-X)' -> '99 SPEED MART S/B': registration numbers are not the name.

    A logo's initials read with the name go too: 'NR Norwich Royal Infirmary'.
    """
    text = re.sub(r"\s+", " ", text).strip(" :;|,")
    text = _REG_NO_RE.sub("", text)
    text = _LEADING_JUNK_RE.sub("", text).strip(" :;|,")
    first, _, rest = text.partition(" ")
    initials = "".join(w[0] for w in rest.replace("&", " ").split()[:3] if w[0].isalpha()).upper()
    if rest and first.isalpha() and first.isupper() and len(first) <= 3 and initials.startswith(first):
        text = rest
    return text


_EDGE_JUNK = "-_‘’“”\"'`|.,;:~ ，。、；：…*#•·「」"
# a full stop after a lower-case word (not an abbreviation: those are short or listed) and before a capital
_SPECK_STOP_RE = re.compile(r"(?<=[a-z]{3})(?<!\bDept)(?<!\bCorp)\.\s*(?=[A-Z][a-z])")
_ABBREVIATIONS = ("co.", "inc.", "ltd.", "bhd.", "corp.", "dept.", "st.")


def clean_issuer(text: str, cfg: dict[str, Any]) -> str:
    """An organisation's name without the specks, stamps and neighbours OCR read with it.

    Chinese: the name runs from its place (南京市...) to its last organisation word
    (...医院), so "国南京市第三人民医院收款人李娟" -> "南京市第三人民医院". English:
    stray marks at either end go, and a semicolon inside is an OCR'd comma.
    """
    cjk = sum(1 for c in text if "\u3400" <= c <= "\u9fff")
    if cjk >= 4 and cjk >= sum(c.isascii() and c.isalpha() for c in text):
        t = re.sub(r"[\s]+", "", text)
        t = re.sub(r"^[(（]?章\.?[)）]", "", t.strip(_EDGE_JUNK)).strip(_EDGE_JUNK)
        ends = [m.end() for suffix in cfg.get("cn_org_suffixes", []) for m in re.finditer(re.escape(suffix), t)]
        if ends:
            t = t[: max(ends)]
        starts = [i for place in cfg.get("cn_places", []) if 0 <= (i := t.find(place)) <= 6]
        if starts:
            t = t[min(starts):]
        return re.sub(r"^[^\u3400-\u9fffA-Za-z0-9]+", "", t)
    t = re.sub(r"\s+", " ", text).strip(_EDGE_JUNK.replace(".", "")).replace(";", ",")
    t = t.strip(_EDGE_JUNK.replace(".", "")).lstrip(_EDGE_JUNK)  # no name begins with a dot: ".Madison General"
    t = _SPECK_STOP_RE.sub(" ", t)  # "York. Police": a speck read as a full stop inside the name
    t = _SPECK_COLON_RE.sub(" ", t)  # "Medical:Centre": no name has a colon inside
    t = _speck_hyphens(t, cfg.get("organisation_words", []))
    t = re.sub(r"^[a-z0-9$§]t (?=[A-Z][a-z]+['’]s? )", "St ", t)  # "ot Mary's Hospital": the S of St misread
    # "eel York General Hospital": specks read as a little word (a name's particle stays: "de Montfort")
    t = re.sub(r"^(?!(?:de|du|da|di|la|le|van|von|al|el) )[a-z]{1,3}(?: [^\w\s]+)? (?=[A-Z])", "", t)  # "os - Columbus"
    while t.endswith(".") and not t.lower().endswith(_ABBREVIATIONS):
        t = t[:-1].rstrip(_EDGE_JUNK.replace(".", ""))
    return _mend_org_words(t, cfg.get("organisation_words", []))


def _speck_hyphens(name: str, org_words: list[str]) -> str:
    """A hyphen OCR made of a speck between the words of an organisation ("Medical-Center"): a
    hyphen before an organisation word, or inside one of its phrases, is a space ("Wilkes-Barre" stays)."""
    words = {w.lower() for w in org_words}

    def space(m: re.Match[str]) -> str:
        before, after = m.group(1), m.group(2)
        return f"{before} {after}" if after.lower() in words or f"{before} {after}".lower() in words else m.group(0)

    return _SPECK_HYPHEN_RE.sub(space, name)


_SPECK_HYPHEN_RE = re.compile(r"\b([A-Za-z]{3,})-([A-Z][a-z]{2,})\b")


def _mend_org_words(name: str, org_words: list[str]) -> str:
    """An organisation word OCR slipped on ("Portland Police Departinent") is spelt right.

    Only long words (7+ letters: one slip allowed, 10+: two), only toward a single listed
    word, and never a word that is the listed one grown ("Stations" stays).
    """
    long_words = {w.lower() for w in org_words if w.isalpha() and w.isascii() and len(w) >= 7}

    def mend(m: re.Match[str]) -> str:
        word = m.group(0)
        low = word.lower()
        if low in long_words or any(low.startswith(w) for w in long_words):
            return word
        allowed = 2 if len(low) >= 10 else 1
        near = [w for w in long_words if abs(len(w) - len(low)) <= allowed and edit_distance(low, w) <= allowed]
        if len(near) != 1:
            return word
        fixed = near[0]
        if sum(c.isupper() for c in word) > len(word) / 2:
            return fixed.upper()
        return fixed.capitalize() if word[0].isupper() else fixed

    return re.sub(r"\b[A-Za-z]{7,}\b", mend, name)


def _merge_rows(a: Row, b: Row) -> Row:
    words = a.words + b.words
    text = a.text + " " + b.text
    spans = a.spans + [(s + len(a.text) + 1, e + len(a.text) + 1) for s, e in b.spans]
    return Row(a.page_no, a.index, words, text, spans)


def has_word(low: str, words: list[str]) -> bool:
    """One of ``words`` in lower-case ``low`` as a word of its own (Chinese: anywhere)."""
    return any(re.search(r"(?<![a-z])" + re.escape(w) + r"(?![a-z])", low) for w in words)


def _issuer_candidates(rows: list[Row], cfg: dict[str, Any], labels: list[LabelHit]) -> list[Candidate]:
    """The letterhead: the first lines of page 1 that look like an organisation's name.

    A line with an organisation word (SDN BHD, Hospital, 医院) near the top wins over the
    very first line (often the owner's name or a logo's text). A name broken over two
    lines ("POPULAR BOOK" / "CO. (M) SDN BHD", "HOME MASTER HARDWARE &" / "ELECTRICAL")
    is joined.
    """
    titles = [t.lower() for t in cfg.get("titles", [])]
    org_words = [s.lower() for s in cfg.get("organisation_words", [])]
    first_page = min(x.page_no for x in rows)
    page_rows_ = [r for r in rows if r.page_no == first_page]
    median_h = statistics.median(r.height for r in page_rows_)
    labelled = {id(h.row) for h in labels}
    top_rows = [r for r in page_rows_ if r.top < 0.5 and id(r) not in labelled][:8]
    scored = []
    for rank, r in enumerate(top_rows):
        text = _clean_org_name(_before_address(r.text))
        low = text.lower()
        letters = sum(c.isalpha() for c in text)
        digits = sum(c.isdigit() for c in text)
        if letters < 3 or digits > letters or low.strip(" -") in titles:
            continue
        score = 1.0 - 0.08 * rank
        if has_word(low, org_words):
            score += 0.6
        if any(low.startswith(t) or low.endswith(t) for t in titles):
            score -= 0.6
        if ":" in text or "：" in text or "@" in text:
            score -= 0.5
        if _ADDRESS_RE.search(low):
            score -= 0.6
        if r.height >= 1.2 * median_h:  # letterheads print the name large
            score += 0.3
        scored.append((score, rank, r))
    if not scored:
        return []
    score, rank, row = max(scored, key=lambda t: (t[0], -t[1]))
    text = _clean_org_name(row.text)
    words_before_org = re.split(r"(?i)\b(?:co\.|sdn|bhd|s/b|\(m\))", text)[0].split()
    if rank > 0 and len(words_before_org) == 0:  # "CO. (M) SDN BHD": the name began a line above
        row = _merge_rows(top_rows[rank - 1], row)
    elif text.endswith("&") and rank + 1 < len(top_rows):  # "HOME MASTER HARDWARE &"
        row = _merge_rows(row, top_rows[rank + 1])
    start = _after_logo_mark(row)
    head = _before_address(row.text[start:])
    value = _clean_org_name(head)
    cand = Candidate("issuer", value, head, row, start, start + len(head), "position", 0, bonus=max(0.3, min(1.0, score)))
    return [cand]


def _after_logo_mark(row: Row) -> int:
    """Where a letterhead's name begins after the logo OCR read as a little word ("RY St Mary's Hospital", RY 0.26)."""
    i = 0
    while (i + 1 < len(row.words) and row.words[i].confidence < LOGO_MARK and len(row.words[i].text) <= 3
           and row.words[i + 1].text[:1].isupper() and not row.words[i + 1].text.isupper()):  # TED HENG is a name
        i += 1
    return row.spans[i][0] if i else 0


LOGO_MARK = 0.4  # OCR confidence under which a little word before a letterhead's name is its logo
_ADDRESS_LABEL_RE = re.compile(r"地址|电话|传真|\b(?:address|tel|fax)\b", re.I)


def _before_address(text: str) -> str:
    """A letterhead line OCR ran into the address after it ("...人民医院地址: 深圳市...") ends there."""
    m = _ADDRESS_LABEL_RE.search(text)
    return text[: m.start()].rstrip() if m and m.start() >= 4 else text


def _largest_amount(rows: list[Row], skip_words: list[str]) -> list[Candidate]:
    """A receipt's total when no label was read: the largest amount with cents in the lower part
    of the print (a long receipt's print may end halfway down the paper)."""
    best: Candidate | None = None
    best_v = Decimal(-1)
    extent: dict[int, tuple[float, float]] = {}  # page -> its print's top and bottom
    for r in rows:
        top, bottom = extent.get(r.page_no, (r.top, r.bottom))
        extent[r.page_no] = (min(top, r.top), max(bottom, r.bottom))
    for r in rows:
        top, bottom = extent[r.page_no]
        if r.top < top + 0.3 * (bottom - top) or _holds(r, skip_words):
            continue
        for s, e, v in find_amounts(r.text):
            raw = r.text[s:e]
            if not re.search(r"[.,]\d{2}$", raw) or _inside_date(r.text, s, e) or v > Decimal("1000000"):
                continue
            if re.search(r"\d\s+\d[\d\s]*[.,]", raw):  # "*4 252.00": a count and an item's amount, not 4252.00
                continue
            if v > best_v:
                best_v, best = v, Candidate("total_amount", format_amount(v), raw, r, s, e, "position", 0)
    return [best] if best else []


def _check_birth_date(cands: list[Candidate], rows: list[Row]) -> list[Candidate]:
    """A valid Chinese resident ID carries its holder's birth date (digits 7-14), and its
    check character vouches for every digit: it confirms a date read by its label, and
    overrules one the OCR misread (1995-01-21 for 1995-11-21) or could not read at all."""
    ids = _pattern_candidates("id_number", rows)
    if not ids:
        return cands
    c = ids[0]
    born = f"{c.value[6:10]}-{c.value[10:12]}-{c.value[12:14]}"
    agreeing = [x for x in cands if x.value == born]
    for x in agreeing:
        x.bonus = max(x.bonus, 1.2)
    if agreeing:
        return agreeing
    return [Candidate("date_of_birth", born, c.raw, c.row, c.start, c.end, "pattern", 5, bonus=1.2)]


_TIME_AFTER_RE = re.compile(r"[\s,]{1,3}\d{1,2}:\d{2}")  # "18/03/18 09:03": a till's time of sale


def _date_by_position(field: str, rows: list[Row], ctx: Context, last: bool = False) -> list[Candidate]:
    """The first date on the document (an invoice is dated at its head), or the last (a
    certificate is dated where it is signed, below its body). A till stamps the sale with
    its time: a date printed with one ("18/03/18 09:03") outranks a bare date above it (a
    registration date beside a tax number)."""
    found = [Candidate(field, iso, r.text[s:e], r, s, e, "position", 0)
             for r in rows for s, e, iso in find_dates(r.text, ctx.date_order)
             if 1990 <= int(iso[:4]) <= date.today().year + 1]  # not a product code like 11-22-31
    if last:
        return found[-1:]
    timed = [c for c in found if _TIME_AFTER_RE.match(c.row.text, c.end)]
    return timed[:1] or found[:1]


# ----------------------------------------------------------------------------- the reader


def _first_row_matching(rows: list[Row], phrases: list[str]) -> int:
    """Index of the first row containing one of ``phrases`` (case-insensitive); past the end if none."""
    for r in rows:
        low = r.text.lower()
        if any(p in low for p in phrases):
            return r.index
    return len(rows) + 10**6


def extract_fields(doc_type: str, pages: list[PageText], lang_hint: str | None = None,
                   claim: ClaimHints | None = None) -> list[ExtractedField]:
    """The key fields of ``doc_type`` (pipeline.vocabulary.FIELDS) found on ``pages``.

    At most one reading per field: the most trusted candidate. A field that is not
    found is left out rather than guessed. ``lang_hint`` ("en"/"zh") is only used to
    pick a currency when the page prints an amount without a currency mark.
    ``claim`` (``normalize.claim_hints``) is what the claim's documents settle together:
    its date order reads 01/04/2024 on a document whose own dates and place say nothing
    (otherwise day first), and its currency is taken when the document shows none.
    """
    if doc_type not in DOC_TYPES:
        raise ValueError(f"unknown document type {doc_type!r}; expected one of {', '.join(DOC_TYPES)}")
    wanted = FIELDS[doc_type]
    if not wanted:
        return []
    cfg = load_label_config()
    specs = field_specs()
    rows: list[Row] = []
    labels: list[LabelHit] = []
    for page in pages:
        page_r = page_rows(page)
        offset = len(rows)
        for r in page_r:
            r.index += offset
        rows.extend(page_r)
        labels.extend(find_labels(page_r))

    claim = claim or ClaimHints()
    ctx = Context(date_order=infer_date_order("\n".join(r.text for r in rows), default=claim.date_order or "DMY"))
    found: list[ExtractedField] = []
    for name in wanted:
        spec = specs[name]
        field_cfg = cfg["fields"][name]
        section_start = _first_row_matching(rows, field_cfg.get("sections_after", []))
        cands: list[Candidate] = []
        for hit in labels:
            if hit.field == name:
                for c in candidates_from_label(hit, spec.kind, rows, labels, ctx):
                    if c.row.index > section_start:
                        c.priority -= 2
                    if spec.kind == "amount" and not _has_cents(c.raw):
                        c.priority -= 1  # a whole number beside TOTAL is more often a count
                    cands.append(c)
        if field_cfg.get("past_only"):
            cands = _not_ahead(cands)
        if name == "id_number":
            for c in cands:
                mended = c.value.translate(_ID_DIGIT_SLIPS)  # "J10105199304133683": a one read as a letter
                if not valid_cn_id(c.value) and len(mended) == 18 and valid_cn_id(mended):
                    c.value = mended
                c.bonus = 1.3 if valid_cn_id(c.value) else (0.6 if re.fullmatch(r"\d{17}[\dX]", c.value) else 1.0)
        if name == "account_number":
            for c in cands:
                c.value = c.value.replace("-", "")
                mended = _mend_account_number(c) or _mend_iban(c, cfg["fields"]["account_number"]["digit_slips"])
                check = account_check(c.value)
                c.bonus = (1.2 if check else (0.6 if check is False else 1.0)) * (0.75 if mended else 1.0)
        if name == "bank_name":
            banks = [b for bs in cfg.get("known_banks", {}).values() for b in bs]
            for c in cands:  # 开户行 names the branch: 中国工商银行上海分行 -> 中国工商银行
                known = known_bank(c.value, banks)
                if known:
                    if not c.value.casefold().startswith(known.casefold()):
                        c.bonus = min(c.bonus, 0.85)  # corrected: a person sees it was read otherwise
                    c.value = known
                elif "银行" in c.value:
                    c.value = c.value[: c.value.index("银行") + 2]
            if not cands:
                cands = _letterhead_bank(rows, banks) or _bank_by_card_number(rows, cfg.get("card_bins", {}))
        if name == "diagnosis":
            for c in cands:  # "Comminnty-acquired pneumonia" is the listed name OCR slipped on
                known = known_diagnosis(c.value)
                if known and known != c.value:
                    c.value, c.bonus = known, min(c.bonus, 0.85)
        if name == "date_of_birth":
            cands = _check_birth_date(cands, rows)
        if not cands:
            cands = _pattern_candidates(name, rows)
        if not cands and name == "issuer":
            cands = _issuer_candidates(rows, cfg, labels)
        if spec.kind == "amount":  # "TOTAL 0.00" is a misread figure (or a void), never what is owed
            cands = [c for c in cands if c.value != "0.00"]
        if name == "total_amount" and not any(_has_cents(c.raw) and c.row.index <= section_start for c in cands):
            # a bare "2" or "7" beside 合计 is an OCR'd fragment more often than a total, and a tax
            # summary's "Total" column totals one tax code, not the bill
            extra = _largest_amount(rows, field_cfg.get("fallback_skip", []))
            for c in cands:
                c.priority = min(c.priority, -1)
            cands += extra
        if not cands and name == "name" and doc_type in NAME_BY_SHAPE:
            cands = _name_by_shape(rows) or _latin_name_by_shape(rows, field_cfg.get("card_title_words", []))
        if not cands and doc_type in NAME_BY_SHAPE and "card_pattern" in field_cfg:
            cands = _card_number_by_shape(name, rows, field_cfg["card_pattern"])
        if not cands and name == "date_of_birth" and doc_type in NAME_BY_SHAPE:
            cands = _birth_date_on_a_card(rows, ctx)
        if not cands and name == "issue_date":
            # a date another label claims (a birth, an admission) is not the document's own
            dated = {h.row.index for h in labels if h.field != name and specs[h.field].kind == "date"}
            undated = [r for r in rows if r.index not in dated]
            if doc_type in field_cfg.get("dated_at_the_end", []):  # on the last page, by the signature
                cands = _date_by_position(name, [r for r in undated if r.page_no == rows[-1].page_no], ctx, last=True)
            else:
                cands = _date_by_position(name, undated, ctx)
        if not cands and name == "currency" and rows:  # no mark printed: where the document is from
            code = (currency_from_place("\n".join(r.text for r in rows)) or claim.currency
                    or {"zh": "CNY"}.get(lang_hint or ""))
            if code:
                cands = [Candidate(name, code, "", rows[0], 0, 0, "position", 0, bonus=0.8)]
        if name == "name":
            cands = _tidy_names(cands, [w.lower() for ws in field_cfg.get("not_values", {}).values() for w in ws])
            for c in cands:
                _mend_person_name(c)
        if name == "issuer":
            for c in cands:
                c.value = clean_issuer(c.value, cfg)
            cands = [c for c in cands if len(c.value) >= 2]
        if field_cfg.get("past_only"):
            cands = _not_ahead(cands)
        if not cands:
            continue
        later_is_better = name == "total_amount"  # a receipt's last total is what was paid
        best = max(
            cands,
            key=lambda c: (c.priority, round(c.confidence, 1), c.row.index if later_is_better else -c.row.index),
        )
        if name == "total_amount" and "cash_rounding" in field_cfg:
            best = _cash_rounded(best, rows, field_cfg["cash_rounding"])
        if name == "total_amount" and "paid_less_change" in field_cfg:
            best = _paid_less_change(best, rows, field_cfg["paid_less_change"])
        if name == "total_amount" and "vouched_by_figures" in field_cfg:
            best = _vouched_by_figures(best, rows, field_cfg)
        found.append(best.to_field())
    return found


def _mend_person_name(cand: Candidate) -> None:
    """"Heriry Johnsori" is Henry Johnson: a first name or surname OCR was not sure of, one slip from a
    common one (see person_names), is given that name."""
    parts = cand.value.split(" ")
    if len(parts) < 2:
        return
    read = [cand.row.words[i] for i in cand.row.words_in(cand.start, cand.end)]
    mended = list(parts)
    for at, part in ((0, "given"), (len(parts) - 1, "surnames")):
        word = next((w for w in read if parts[at] in w.text), None)
        if word is not None and word.confidence < SURE_NAME_WORD:
            mended[at] = known_name(parts[at], part) or parts[at]  # type: ignore[arg-type]
    if mended != parts:
        cand.value, cand.bonus = " ".join(mended), min(cand.bonus, 0.85)


def _not_ahead(cands: list[Candidate]) -> list[Candidate]:
    """The dates not after today: a receipt dated 2035 was dated 2025 and misread (an expiry may lie ahead, these may not)."""
    today = date.today().isoformat()
    return [c for c in cands if c.value <= today]


def _cash_rounded(total: Candidate, rows: list[Row], rule: dict[str, Any]) -> Candidate:
    """The rounded figure a customer paid, where the receipt prints a rounding line.

    In order: the nearest multiple of the step printed under the total; the total with the
    rounding line's adjustment (its sign is often lost: the side that lands on a multiple);
    a payment close to the total that is a multiple (the total itself was misread). A
    receipt without a rounding line, or whose total is already a multiple, keeps its total.
    """
    step, within = Decimal(rule["step"]), Decimal(rule["within"])
    value = Decimal(total.value)
    if value % step == 0:
        return total
    page = [r for r in rows if r.page_no == total.row.page_no]
    rounding = [r for r in page if _holds(r, rule["lines"]) and r is not total.row]
    if not rounding:
        return total
    below = [r for r in page if total.row.index < r.index <= total.row.index + rule["rows_below"]]
    nearest = (value / step).quantize(Decimal(1), rounding="ROUND_HALF_UP") * step

    def printed(r: Row) -> list[tuple[int, int, Decimal]]:
        return [(s, e, abs(v)) for s, e, v in find_amounts(r.text) if not _inside_date(r.text, s, e)]

    def moved(r: Row, s: int, e: int, v: Decimal, bonus: float) -> Candidate:
        return replace(total, value=format_amount(v), raw=r.text[s:e], row=r, start=s, end=e, bonus=total.bonus * bonus)

    for r in below:
        for s, e, v in printed(r):
            if v == nearest:
                return moved(r, s, e, v, 1.0)
    for r in rounding:
        for s, e, adj in printed(r):
            if 0 < adj < step:
                for v in (value + adj, value - adj):
                    if v % step == 0:
                        return replace(total, value=format_amount(v), raw=f"{total.raw} ± {r.text[s:e]}",
                                       bonus=total.bonus * 0.9)
    for r in below:
        for s, e, v in printed(r):
            if v % step == 0 and 0 < abs(v - value) <= within:
                return moved(r, s, e, v, 0.8)
    return total


def _paid_less_change(total: Candidate, rows: list[Row], rule: dict[str, Any]) -> Candidate:
    """What was paid less the change given back, where the total read cannot be right.

    "CASH 101.00 / CHANGE 0.10" says the bill was 100.90: two labelled figures on their own
    lines. That replaces a total larger than the cash handed over (misread: "400,96") and
    one not read beside its label with cents (a guess from the line below or the largest
    amount on the page); a total within the rounding step of it stands. Without change
    (exact money, a card) it says nothing.
    """
    paid, change = _amount_after(rows, rule["paid"]), _amount_after(rows, rule["change"])
    if not paid or not change or not 0 < change[1] < paid[1]:
        return total
    owed = paid[1] - change[1]
    value = Decimal(total.value)
    beside_label = total.method == "label_right" and _has_cents(total.raw)
    if abs(value - owed) <= Decimal(rule["within"]) or (beside_label and value <= paid[1]):
        return total
    row = change[0]
    return replace(total, value=format_amount(owed), raw=f"{paid[0].text} − {row.text}", row=row, start=0,
                   end=len(row.text), method="position", bonus=0.9)


def _amount_after(rows: list[Row], words: list[str], cjk: bool = False) -> tuple[Row, Decimal] | None:
    """The last figure on the first line that begins with one of ``words`` ("CASH 101.00"); ``cjk``: a
    Chinese word may run on into OCR's noise ("合计让 19682.28")."""
    starts = _line_start_re(tuple(words), cjk)
    return _last_figure(next((r for r in rows if starts.match(r.text)), None))


@lru_cache(maxsize=64)
def _line_start_re(words: tuple[str, ...], cjk: bool) -> re.Pattern[str]:
    end = r"(?:\b|(?<=[\u3400-\u9fff]))" if cjk else r"\b"
    return re.compile(r"\W*(?:" + "|".join(map(re.escape, words)) + ")" + end, re.I)


def _amount_on(rows: list[Row], words: list[str]) -> tuple[Row, Decimal] | None:
    """The last figure on the first line that holds one of ``words`` and a figure ("税率 13% ，税额 758.49")."""
    for r in rows:
        if _holds(r, words) and (found := _last_figure(r)):
            return found
    return None


def _holds(row: Row, words: list[str]) -> bool:
    """The line holds one of ``words`` (lower case) anywhere in it."""
    text = row.text.lower()
    return any(w in text for w in words)


def _last_figure(row: Row | None) -> tuple[Row, Decimal] | None:
    if row is None or not (found := _figures(row)):
        return None
    return row, found[-1][1]


def _figures(row: Row) -> list[tuple[int, Decimal, float]]:
    """(start, value, OCR confidence) of each figure on the line printed with cents, as tills print
    them ("50 200" is no sum). A word OCR did not read at all is no part of one: "西药费 90 100.35",
    its 90 a guess at a smudge, is no 90,100.35."""
    text = row.text
    for w, (s, e) in zip(row.words, row.spans):
        if w.confidence < UNREAD_WORD:
            text = text[:s] + " " * (e - s) + text[e:]
    return [(s, v, row.confidence_of(s, e)) for s, e, v in find_amounts(text)
            if not _inside_date(text, s, e) and _has_cents(text[s:e])]


def _vouched_by_figures(total: Candidate, rows: list[Row], cfg: dict[str, Any]) -> Candidate:
    """The bill the rest of the receipt agrees on, where the total read is one OCR slip from it.

    A till prints the bill more than once: again as the card charge or a summary's total,
    as a tax summary's net plus its tax ("SR 6.00 16.98 1.02"), as cash less change; an
    invoice as its net line plus its tax line (合计 + 税额); and the items add up to it
    (``_items_sum``, a witness to a slip only). When these agree on a figure
    one misread digit from the total read (18.00 read 48.00), or that the total read lost
    its first digits of (42.40 read 2.40), and outweigh the total, the figure they agree
    on is the bill. Each sum counts one; each copy counts its OCR confidence, times
    ``copy_weight``: a summary prints the net before tax more than once, and a net one
    digit from the total is no misreading of it. A tax line's figure is the tax, never a
    copy of the bill (42.40 read 2.40 beside "Total GST Amt : 2.40"). The total counts its
    own reading's confidence, and its copies and sums count for it too. A total read without cents or
    hardly read at all gives way to a sum of labelled figures whatever it reads.
    """
    rule = cfg["vouched_by_figures"]
    page = [r for r in rows if r.page_no == total.row.page_no]
    weight: defaultdict[Decimal, float] = defaultdict(float)
    for r in page:
        figures = _figures(r)
        taxed = _holds(r, rule["tax_lines"])  # "Total GST Amt : 2.40" is no copy of the bill
        for s, v, conf in figures:
            if not (r is total.row and s == total.start) and not taxed:
                weight[v] += conf * float(rule["copy_weight"])
        for (_, a, _), (_, b, _) in zip(figures, figures[1:]):  # a net and its tax, side by side
            if 0 < b <= a * Decimal(rule["tax_share"]):
                weight[a + b] += 1.0
    cash = cfg["paid_less_change"]
    paid, change = _amount_after(page, cash["paid"]), _amount_after(page, cash["change"])
    net, tax = _amount_after(page, rule["net_lines"], cjk=True), _amount_on(page, rule["tax_lines"])
    labelled = []  # sums of labelled figures: cash less change, net + tax (合计 5834.52 / 税额 758.49)
    if paid and change and 0 < change[1] < paid[1]:
        labelled.append(paid[1] - change[1])
    if net and tax and 0 < tax[1] <= net[1] * Decimal(rule["tax_share"]):
        labelled.append(net[1] + tax[1])
    for v in labelled:
        weight[v] += 1.0
    items = _items_sum(page, total.row, rule)
    if items:  # a witness to a slip only: the items may stop short of the bill (tax, fees), as no labelled sum does
        weight[items] += 1.0
    read = Decimal(total.value)
    own = weight.get(read, 0.0) + total.row.confidence_of(total.start, total.end)
    # a figure within the rounding step is the bill before or after cash rounding, not a misreading
    step = Decimal(cfg["cash_rounding"]["step"])
    # a total read without its cents, or hardly read at all ("(小写) 90"), may be any labelled sum
    guessed = not _has_cents(total.raw) or own < float(rule["guessed_below"])
    slips = [v for v in weight if abs(v - read) >= step
             and (_one_slip(format_amount(read), format_amount(v)) or (guessed and v in labelled))]
    if not slips:
        return total
    best = max(slips, key=lambda v: weight[v])
    if weight[best] <= own + float(rule["margin"]):
        return total
    return replace(total, value=format_amount(best), raw=f"{total.raw} (agreed: {format_amount(best)})",
                   bonus=total.bonus * 0.9)


def _items_sum(page: list[Row], total_row: Row, rule: dict[str, Any]) -> Decimal | None:
    """The line items' amounts added up: the last figure of each line from the table's head
    (a line with two of ``item_heads``: 项目 数量 单价 金额) down to the first sub-total,
    tax, discount or total line."""
    heads = [i for i, r in enumerate(page) if r.index < total_row.index
             and sum(has_word(r.text.lower(), [w]) for w in rule["item_heads"]) >= 2]
    if not heads:
        return None
    stops = rule["net_lines"] + rule["tax_lines"] + rule["item_stops"]
    figures = []
    for r in page[heads[-1] + 1:]:
        if r.index >= total_row.index or _holds(r, stops):
            break
        if found := _figures(r):
            figures.append(found[-1][1])
    return sum(figures, Decimal(0)) if len(figures) >= 2 else None


def _one_slip(read: str, figure: str) -> bool:
    """``read`` is ``figure`` with one digit misread, or with its first one or two digits lost."""
    if len(read) == len(figure):
        return sum(a != b for a, b in zip(read, figure)) == 1
    return 0 < len(figure) - len(read) <= 2 and figure.endswith(read)
