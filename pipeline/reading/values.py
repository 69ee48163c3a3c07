"""Reading a value beside a label: the candidates a label gives, and the parsers of each kind of value.

A value is read to the label's right on its line, else on the line below, up to the
next label or column; each kind (date, amount, identifier, plate, text...) has a parser
that finds its own extent. A candidate's confidence is its method's trust times the
OCR confidence of its words.
"""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from pipeline.reading.labels import (
    LABEL_JUNK,
    STAMP_RE,
    WEAK_WORD,
    LabelHit,
    gap_speck,
    glued_value_ok,
    load_label_config,
)
from pipeline.reading.layout import Row
from pipeline.reading.normalize import (
    VIN_SHAPE,
    Prefer,
    chinese_capital_amount,
    detect_currency,
    find_amounts,
    find_dates,
    format_amount,
    iban_valid,
    mend_from_capitals,
    normalize_identifier,
    normalize_name,
)
from pipeline.reading.trust import TRUST, load_trust
from pipeline.reading.types import ExtractedField, Word, is_cjk

PLAIN_WORD_SURE = 0.8  # OCR confidence from which a word of letters under a label is print, not a speck


UNREAD_WORD = 0.05  # OCR confidence under which a word was not read at all, only guessed


def check_bonus(check: bool | None) -> float:
    """A check character passed (surer), failed (a slip: shown as unsure) or says nothing (None)."""
    return 1.2 if check else (0.6 if check is False else 1.0)


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
        """The rank among candidates: the method's fixed trust (label, pattern, position) and the print."""
        ocr = self.row.confidence_of(self.start, self.end)
        return round(min(1.0, TRUST[self.method] * self.bonus) * (0.5 + 0.5 * ocr), 3)

    def to_field(self) -> ExtractedField:
        """The field as reported: its confidence says how often this field found this way is right."""
        ocr = self.row.confidence_of(self.start, self.end)
        confidence = load_trust().confidence(self.field, self.method, self.bonus, ocr)
        return ExtractedField(self.field, self.value, self.raw, confidence, self.row.page_no,
                              self.row.box_of(self.start, self.end), self.method, ocr)

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
CN_PLATE_RE = re.compile(rf"[{CN_PROVINCES}]\s?[A-Z]\s*[·•.\-。\"'“”‘’°]?\s*[A-Z0-9]{{5,6}}")


# the gap between a plate's halves is read as a space, a dash or a speck ("KM70°XFC")
_PLATE_RE = re.compile(r"(?<![A-Z0-9])(?=[A-Z0-9 \-°·•]*\d)(?=[A-Z0-9 \-°·•]*[A-Z])[A-Z0-9]{1,4}[ \-°·•]?[A-Z0-9]{2,5}(?![A-Z0-9])")


VIN_RE = re.compile(rf"(?<![A-Z0-9]){VIN_SHAPE.pattern}(?![A-Z0-9])")


_CN_ID_RE = re.compile(r"(?<!\d)\d{6}\s?\d{8}\s?\d{3}[\dXx](?![\dA-Za-z])")


# anywhere on the page, where the check digit vouches for it: OCR may split the number at any
# digit ("420106195 702042534"), up to twice, and read a one as a bracket or a letter ("]1010...", "J1010...")
ID_DIGIT_SLIPS = str.maketrans("][|lIJOo", "11111100")


CN_ID_ANY_SPLIT_RE = re.compile(r"(?<![\dA-Za-z\]\[|])[\d\]\[|lIJOo](?:\s?[\d\]\[|lIOo]){16}\s?[\dXx](?![\dA-Za-z])")


_IDENT_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-/_.]*[A-Za-z0-9]|[A-Za-z0-9]")


# a speck in a gap: 6070°2100; a gap read as a dash (GB47-HBUK 4072...) only where the check digits agree
_IBAN_RE = re.compile(r"[A-Z]{2}\d{2}(?:[ °·\-:]?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Z0-9])")


# a number printed in groups; OCR reads a gap as a dot now and then (6225.8886 5516 3941 581)
DIGIT_GROUPS_RE = re.compile(r"(?:[A-Z]{2}\d{2}[ ]?)?\d{2,8}(?:(?:[ \-]|\.(?=\d{3}))\d{2,16}){1,6}(?![\d.,]\d)(?!\d)")


def compact_iban(printed: str) -> str:
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
        if not re.match(r"\s*%", rest[e:]) and v >= 0 and not inside_date(rest, s, e)
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


def has_cents(figure: str) -> bool:
    """A figure printed with cents ("9.00", OCR's "64. 15"): what tills and totals print."""
    return bool(re.search(r"[.,]\s?\d{2}$", figure))


def inside_date(text: str, s: int, e: int) -> bool:
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
        compact = compact_iban(iban.group(0))
        if "-" not in iban.group(0) or iban_valid(compact):  # a dashed reference is an IBAN only if it checks
            return compact, offset + iban.start(), offset + iban.end()
    groups = DIGIT_GROUPS_RE.match(rest, pos)  # 6222 0212 3456 7890: one number in groups
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
    m = CN_PLATE_RE.search(rest) or _PLATE_RE.search(rest)
    if not m or m.start() > 8 or inside_date(text[offset:], m.start(), m.end()):
        return None  # "11-Nov-2024" beside a misread label ("pate" for Date) is no plate
    return plate_value(m.group(0)), offset + m.start(), offset + m.end()


def plate_value(printed: str) -> str:
    """A plate without its separators; on a Chinese plate O and I are 0 and 1 (GA 36 leaves the
    letters out of serials so they cannot be confused: 鄂AOFB07 is 鄂A0FB07)."""
    plate = re.sub(r"[\s·•.\-°。\"'“”‘’]", "", printed)
    return plate[:2] + plate[2:].translate(_CN_SERIAL_SLIPS) if plate[:1] in CN_PROVINCES else plate


_CN_SERIAL_SLIPS = str.maketrans("OI", "01")


def _parse_vin(text: str, offset: int, ctx: Context) -> tuple[str, int, int] | None:
    rest = text[offset:].upper()
    m = VIN_RE.search(rest.replace("O", "0").replace("Q", "0").replace("I", "1"))
    if not m or m.start() > 8:
        return None
    return m.group(0), offset + m.start(), offset + m.end()


def _parse_currency(text: str, offset: int, ctx: Context) -> tuple[str, int, int] | None:
    rest = text[offset:]
    code = detect_currency(rest)
    if not code:
        return None
    return code, offset, len(text)


def _parse_text(text: str, offset: int, ctx: Context) -> tuple[str, int, int] | None:
    m = _SKIP_RE.match(text, offset)
    start = m.end() if m else offset
    stamp = STAMP_RE.match(text, start)
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
    heads = column_heads(hit.field)
    head_words = [(s, w) for i, ((s, _), w) in enumerate(zip(row.spans, row.words))
                  if s >= hit.end and w.text.strip(LABEL_JUNK).lower() in heads and _stands_apart(row, i)]
    end = min([_value_end(row, hit.end, on_row, kind), *(s for s, _ in head_words)])
    got = parse(row.text[:end], hit.end, ctx)
    if hit.glued and got and hit.field == "name":
        # "姓名张三 性别 男": the name is the rest of the word OCR glued to the label
        word_end = hit.word_end
        got = (normalize_name(row.text[got[1]:word_end]), got[1], word_end) if word_end > got[1] else None
    if got and kind == "text" and not hit.glued and all(gap_speck(row.words[i]) for i in row.words_in(got[1], got[2])):
        got = None  # specks read as letters beside the label ("姓名 ... et ee"): the value may be below
    if hit.glued and not (got and glued_value_ok(hit.field, kind, got[0])):
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
    text = w.text.strip(LABEL_JUNK)
    return w.confidence >= PLAIN_WORD_SURE and len(text) >= 3 and text.isalpha()


def _stands_apart(row: Row, i: int) -> bool:
    """Word ``i`` is a heading of its own: Chinese, or English set apart by column gaps or
    ending in a colon ("Patient    Department"), not inside a value ("James Ward",
    "Name: WARD, JAMES")."""
    w = row.words[i]
    if is_cjk(w.text.strip(LABEL_JUNK)[:1]):
        return True
    gap = 1.5 * row.height
    before = i == 0 or w.box[0] - row.words[i - 1].box[2] > gap
    after = i == len(row.words) - 1 or row.words[i + 1].box[0] - w.box[2] > gap or w.text.endswith((":", "："))
    return before and after


@lru_cache(maxsize=64)
def column_heads(field: str) -> frozenset[str]:
    """Labels of other fields, printed as headings of their own (``not_values`` of two or more characters)."""
    spec = load_label_config()["fields"][field]
    return frozenset(w for ws in (spec.get("not_values") or {}).values() for w in ws if len(w) >= 2)


def _speck_line(row: Row) -> bool:
    """A line of nothing but specks: marks, or unsure little lower-case words ("ak", ";").

    A faint value (a date or number read at 0.5) is no speck: it has digits or is longer.
    """
    if not row.text.strip(LABEL_JUNK):
        return True
    return all(dust_word(w) and len(w.text) <= 3 and not re.search(r"[\d\u3400-\u9fff]", w.text)
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
        if s >= start and w.box[0] < right < w.box[2] and is_cjk(row.text[s]):
            k = round((right - w.box[0]) / (w.box[2] - w.box[0]) * (e - s))
            if 0 < k < e - s and e - s - k <= COLUMN_TAIL:
                cuts.append(s + k)
    return cuts


def dust_word(w: Word) -> bool:
    """Unsure and not shaped like part of a name: lower case or not all letters ("jp", "oa.");
    a capitalised or Chinese word ("Lee", "三", "Wood’" with a speck after it) is kept however unsure."""
    text = w.text.strip(".,:;'\"‘’“”`")
    return w.confidence < WEAK_WORD and (text.islower() or not text.isalpha())
