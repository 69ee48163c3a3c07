"""Turning printed values into the normalised forms of pipeline.vocabulary.

Every normaliser takes the text as read (OCR noise, labels and all) and returns the
normalised value or ``None`` when the text does not hold one: a reader must never
guess a date or an amount it could not parse.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Literal

Prefer = Literal["DMY", "MDY"] | None

# ---------------------------------------------------------------- dates

MONTHS: dict[str, int] = {}
for _i, _names in enumerate(
    (
        ("january", "jan"),
        ("february", "feb"),
        ("march", "mar"),
        ("april", "apr"),
        ("may",),
        ("june", "jun"),
        ("july", "jul"),
        ("august", "aug"),
        ("september", "sep", "sept"),
        ("october", "oct"),
        ("november", "nov"),
        ("december", "dec"),
    ),
    start=1,
):
    for _n in _names:
        MONTHS[_n] = _i

_MONTH_RE = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

# Patterns tried in order; each yields (year, month, day) or (a, b, year) to disambiguate.
# A date may run into the time after it where OCR lost the space: "2023.10.2617:00", "25/12/201814:30".
_GLUED_TIME = r"(?=\d{1,2}:\d\d(?!\d))"
# (a hyphen may be read as a colon, or as a colon and the hyphen: "2023:08:-01")
_ISO = re.compile(r"(?<!\d)(\d{4})[ \t]*[-/.:]{1,2}[ \t]*(\d{1,2})[ \t]*[-/.:]{1,2}[ \t]*(\d{1,2})(?:(?!\d)|" + _GLUED_TIME + ")")
_CN = re.compile(r"(\d{4}|[〇○零一二三四五六七八九]{4})[ \t]*年[ \t]*(\d{1,2}|[一二三四五六七八九十]{1,3})[ \t]*月[ \t]*(\d{1,2}|[一二三四五六七八九十]{1,3})[ \t]*[日号]?")
# (a year OCR split with a space and a letter for a digit, "13/03/20 1B", counts as four digits;
# a two-digit year before a time, "13/03/20 15:30", stays two)
_NUMERIC = re.compile(r"(?<![A-Za-z\d./])(?<![A-Za-z\d]-)(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|(?:19|20) [\dBOSl]{2}(?![\w:])|\d{2})"
                      r"(?:(?!\d|[.\-/]\d)|" + _GLUED_TIME + ")")
_D_MON_Y = re.compile(r"(?<![\d])(\d{1,2})(?:st|nd|rd|th)?[ \t\-/.,:°'’‘]*(" + _MONTH_RE + r")(?![a-z])[ \t\-/.,:]*(\d{4}|\d{2})(?!\d)", re.I)
_MON_D_Y = re.compile(r"(?<![a-z])(" + _MONTH_RE + r")(?![a-z])[ \t\-/.]*(\d{1,2})(?:st|nd|rd|th)?[ \t,\-/.]+(\d{4}|\d{2})(?!\d)", re.I)
_Y_MON_D = re.compile(r"(?<!\d)(\d{4})[ \t\-/.]*(" + _MONTH_RE + r")(?![a-z])[ \t\-/.]*(\d{1,2})(?!\d)", re.I)
_COMPACT = re.compile(r"(?<!\d)((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)")
# OCR reads the second slash of 22/12/2017 as a one: 22/1212017 (only with a 19xx/20xx year after it)
_SLIPPED = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})[1l|I]((?:19|20)\d{2})(?!\d)")
# 25/Feu/2017: a month's name with one letter misread, only between like separators
_D_MISREAD_MON_Y = re.compile(r"(?<![\d])(\d{1,2})([-/.])([A-Za-z]{3})\2((?:19|20)\d{2})(?!\d)")
_COMPACT_DMY = re.compile(r"(?<!\d)(0[1-9]|[12]\d|3[01])(0[1-9]|1[0-2])((?:19|20)\d{2})(?!\d)")


def _cn_small_number(s: str) -> int:
    """二〇二四 -> 2024 (digit by digit); 十二 -> 12; 二十五 -> 25."""
    if s.isdigit():
        return int(s)
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    return int("".join(str(_CN_DIGITS[c]) for c in s))


_YEAR_SLIPS = str.maketrans("BOSl", "8051")


def _year(y: str) -> int:
    """Two-digit years: 00-49 are 20xx, 50-99 are 19xx (dates of birth reach back)."""
    y = y.replace(" ", "").translate(_YEAR_SLIPS)
    n = int(y)
    if len(y) == 2:
        return 2000 + n if n < 50 else 1900 + n
    return n


LATEST_YEAR_AHEAD = 10  # no claim paper is dated further ahead (an expiry at most): 2078 on a receipt is 2018 misread


def _possible_year(y: int) -> bool:
    return 1900 <= y <= date.today().year + LATEST_YEAR_AHEAD


def _iso(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat() if _possible_year(y) else None
    except ValueError:
        return None


def _match_to_iso(kind: str, m: re.Match[str], prefer: Prefer) -> str | None:
    if kind == "iso":
        return _iso(int(m[1]), int(m[2]), int(m[3]))
    if kind == "cn":
        return _iso(_cn_small_number(m[1]), _cn_small_number(m[2]), _cn_small_number(m[3]))
    if kind == "compact":
        return _iso(int(m[1]), int(m[2]), int(m[3]))
    if kind == "compact_dmy":  # 25032018, as some tills print it
        return _iso(int(m[3]), int(m[2]), int(m[1]))
    if kind == "d_mon_y":
        return _iso(_year(m[3]), _month(m[2]), int(m[1]))
    if kind == "mon_d_y":
        return _iso(_year(m[3]), _month(m[1]), int(m[2]))
    if kind == "d_misread_mon_y":
        month = _misread_month(m[3])
        return _iso(int(m[4]), month, int(m[1])) if month else None
    if kind == "y_mon_d":
        return _iso(int(m[1]), _month(m[2]), int(m[3]))
    # numeric a/b/y: decide which of a and b is the day
    a, b, y = (int(m[1]), int(m[2]), int(m[3])) if kind == "slipped" else (int(m[1]), int(m[3]), _year(m[4]))
    if a > 12 and b <= 12:
        return _iso(y, b, a)
    if b > 12 and a <= 12:
        return _iso(y, a, b)
    if a == b:
        return _iso(y, a, a)
    if prefer == "DMY":
        return _iso(y, b, a)
    if prefer == "MDY":
        return _iso(y, a, b)
    return None  # genuinely ambiguous and the caller would not choose


def _misread_month(word: str) -> int | None:
    """A month's three letters with one misread ("Feu"): the only month one letter away, or None."""
    near = {n for name, n in MONTHS.items()
            if len(name) == 3 and sum(a != b for a, b in zip(name, word.lower())) == 1}
    return near.pop() if len(near) == 1 else None


def _month(name: str) -> int:
    key = name.lower().rstrip(".")
    return MONTHS.get(key) or MONTHS[key[:3]]


_DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("cn", _CN),
    ("iso", _ISO),
    ("d_mon_y", _D_MON_Y),
    ("mon_d_y", _MON_D_Y),
    ("y_mon_d", _Y_MON_D),
    ("numeric", _NUMERIC),
    ("compact", _COMPACT),
    ("compact_dmy", _COMPACT_DMY),
    ("slipped", _SLIPPED),
    ("d_misread_mon_y", _D_MISREAD_MON_Y),
)


# Between 年 and 月, or 月 and 日, only a number is printed: a one read as a bracket or a
# letter there ("2024年08月3]日", "12月1j日") is a one
_CN_DATE_PART_SLIP = re.compile(r"(?<=[年月])([ \t]*)([\dlI|\]\[j!]{1,2})(?=[ \t]*[月日号])")


def _mend_cn_date_parts(text: str) -> str:
    """``text`` with ones mended inside Chinese dates, same length so positions still hold."""
    return _CN_DATE_PART_SLIP.sub(lambda m: m[1] + re.sub(r"[lI|\]\[j!]", "1", m[2]), text)


# "Time: 11.14.00" is a till's time of day, not the 14th of November 2000 ("Date/Time: 14.11.00" is a date)
_TIME_LABEL_RE = re.compile(r"(?<!date)(?<!date )(?<!date/)(?<!date & )\btime\W{0,3}$", re.I)


def _time_of_day(text: str, m: re.Match[str]) -> bool:
    """A dotted hh.mm.ss after a "Time" label."""
    return m[2] == "." and len(m[4]) == 2 and bool(_TIME_LABEL_RE.search(text, 0, m.start()))


def find_dates(text: str, prefer: Prefer = "DMY") -> list[tuple[int, int, str]]:
    """Every date in ``text`` as (start, end, ISO), left to right, without overlaps."""
    if "年" in text:
        text = _mend_cn_date_parts(text)
    found: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken) or (kind == "numeric" and _time_of_day(text, m)):
                continue
            iso = _match_to_iso(kind, m, prefer)
            if iso:
                found.append((m.start(), m.end(), iso))
                taken.append((m.start(), m.end()))
    return sorted(found)


def misread_year_dates(text: str) -> list[tuple[int, int]]:
    """Spans shaped like a date whose four-digit year no claim paper carries ("13 Mar 2098").

    OCR misread a digit of the year: worth reading again, never worth guessing.
    """
    spans = []
    for pattern, year_group in ((_NUMERIC, 4), (_D_MON_Y, 3), (_MON_D_Y, 3)):
        for m in pattern.finditer(text):
            y = m[year_group].replace(" ", "")
            if len(y) == 4 and y.isdigit() and not _possible_year(int(y)):
                spans.append((m.start(), m.end()))
    return sorted(set(spans))


# A numeric date with a digit or a separator misread: "12-02 2618", "OS~05-17", "20/03/201€" (no dots:
# "1.20 240" is two amounts)
_BROKEN_DATE = re.compile(r"(?<![\w/.\-])([0-9OoSIl|]{1,2}) ?[-/~] ?([0-9OoSIl|]{1,2}) ?[-/~ ] ?[0-9OoSIl|€B]{2,4}(?![\w/])")
_LOOK_ALIKE_DIGITS = str.maketrans("OoSIl|", "005111")


def broken_dates(text: str) -> list[tuple[int, int]]:
    """Spans shaped like a numeric date that read as none, not even with a year no paper
    carries (``misread_year_dates``): worth reading again, never worth guessing. Day and month
    must be able to be one ("60-45-41" is a bank's sort code)."""
    taken = [(s, e) for s, e, _ in find_dates(text)] + misread_year_dates(text)
    spans = []
    for m in _BROKEN_DATE.finditer(text):
        a, b = (int(g.translate(_LOOK_ALIKE_DIGITS)) for g in m.groups())
        if (a <= 31 and b <= 12 or a <= 12 and b <= 31) and not any(s < m.end() and m.start() < e for s, e in taken):
            spans.append((m.start(), m.end()))
    return spans


def infer_date_order(text: str, default: Prefer = "DMY") -> Prefer:
    """Whether a document writes day or month first, from the dates that settle it.

    A 25/12/2018 anywhere on the page says DMY, a 12/25/2018 says MDY; with no such
    witness, signs of the country decide (see ``_DMY_PLACE_RE``), otherwise ``default``.
    """
    votes = {"DMY": 0, "MDY": 0}
    for m in _NUMERIC.finditer(text):
        a, b, y = int(m[1]), int(m[3]), _year(m[4])
        if not 1950 <= y <= date.today().year + 1 or (m.start() and text[m.start() - 1].isalpha()):
            continue  # product codes like HD03-04-06 or CK 11-22-31 are not dates
        if _time_of_day(text, m):
            continue
        if a > 12 >= b and _iso(y, b, a):
            votes["DMY"] += 1
        elif b > 12 >= a and _iso(y, a, b):
            votes["MDY"] += 1
    if votes["DMY"] != votes["MDY"]:
        return max(votes, key=votes.get)  # type: ignore[arg-type]
    if _DMY_PLACE_RE.search(text):
        return "DMY"
    dollars = len(re.findall(r"(?<![A-Z])\$ ?\d", text))
    if _US_PLACE_RE.search(text) or dollars >= 2:
        return "MDY"
    return default


@dataclass(frozen=True)
class ClaimHints:
    """What a claim's documents settle together, for a document that leaves it open.

    A claim's papers mostly come from one country: a police report that prints only
    01/04/2024 is read the way the claim form's 12/25/2023 or its "IL 62701" say, and a
    repair invoice whose amounts carry no mark is in the currency the claim form names.
    A document's own dates, marks and place still decide for it (``extract_fields``).
    """

    date_order: Prefer = None
    currency: str | None = None


def claim_hints(page_texts: Iterable[str]) -> ClaimHints:
    """The date order and currency the pages of one claim settle (None where they do not)."""
    texts = list(page_texts)
    marked = Counter(code for t in texts if (code := detect_currency(t)))
    ranked = marked.most_common(2)
    currency = ranked[0][0] if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]) else None
    joined = "\n".join(texts)
    return ClaimHints(infer_date_order(joined, default=None), currency or currency_from_place(joined))


# Where a document comes from, when no date settles the order: a UK postcode, pounds or
# Malaysian ringgit say day first; a US "CA 90210" (", IL 627" where the card's edge cut
# the ZIP) or "(555) 123-4567", or several
# dollar amounts, say month first. (One "$" alone is too often an OCR slip.)
_DMY_PLACE_RE = re.compile(r"£|GBP|\bRM ?\d|\bMYR\b|\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b")
_US_PLACE_RE = re.compile(r"US\$|\bUSD\b|\b[A-Z]{2} \d{5}(?:-\d{4})?\b|, [A-Z]{2} \d{3,5}\b|\(\d{3}\) ?\d{3}-\d{4}")


def normalize_date(text: str, prefer: Prefer = "DMY") -> str | None:
    """The first date in ``text`` as ISO ``YYYY-MM-DD``.

    ``prefer`` settles 03/05/2024: "DMY" (most of the world, the default), "MDY"
    (United States) or ``None`` (return ``None`` rather than guess).
    """
    if not text:
        return None
    dates = find_dates(text, prefer)
    return dates[0][2] if dates else None


# ---------------------------------------------------------------- amounts

_CN_NUM = {
    "零": 0, "〇": 0, "壹": 1, "一": 1, "贰": 2, "貳": 2, "二": 2, "两": 2, "叁": 3, "參": 3, "三": 3,
    "肆": 4, "四": 4, "伍": 5, "五": 5, "陆": 6, "陸": 6, "六": 6, "柒": 7, "七": 7,
    "捌": 8, "八": 8, "玖": 9, "九": 9,
}
_CN_UNIT = {"拾": 10, "十": 10, "佰": 100, "百": 100, "仟": 1000, "千": 1000}
_CN_BIG = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
_CN_MONEY_CHARS = set(_CN_NUM) | set(_CN_UNIT) | set(_CN_BIG) | set("元圆圓角分整正")
_CN_CAPITAL_RE = re.compile(r"[" + "".join(sorted(_CN_MONEY_CHARS)) + r"]{2,}")


def _cn_integer(s: str) -> int:
    """壹万贰仟叁佰 -> 12300 (units within sections of 万 and 亿)."""
    total, section, digit = 0, 0, None
    for ch in s:
        if ch in _CN_NUM:
            digit = _CN_NUM[ch]
        elif ch in _CN_UNIT:
            section += (1 if digit is None else digit) * _CN_UNIT[ch]
            digit = None
        elif ch in _CN_BIG:
            section += digit or 0
            total = (total + section) * _CN_BIG[ch]
            section, digit = 0, None
        else:
            raise ValueError(ch)
    return total + section + (digit or 0)


def chinese_capital_amount(text: str) -> Decimal | None:
    """壹仟贰佰元整 -> 1200.00; 叁拾元伍角 -> 30.50."""
    m = _CN_CAPITAL_RE.search(text)
    if not m:
        return None
    s = m.group(0)
    if not any(c in _CN_NUM for c in s):
        return None
    yuan_part, jiao, fen = s, 0, 0
    for sep in ("元", "圆", "圓"):
        if sep in s:
            yuan_part, _, rest = s.partition(sep)
            break
    else:
        rest = ""
        if "角" in s or "分" in s:  # 伍角 alone: no yuan
            yuan_part, rest = "", s
    jm = re.search(r"([" + "".join(_CN_NUM) + r"])角", rest)
    fm = re.search(r"([" + "".join(_CN_NUM) + r"])分", rest)
    jiao = _CN_NUM[jm[1]] if jm else 0
    fen = _CN_NUM[fm[1]] if fm else 0
    yuan_part = yuan_part.rstrip("整正")
    try:
        yuan = _cn_integer(yuan_part) if yuan_part else 0
    except (ValueError, KeyError):
        return None
    return (Decimal(yuan) + Decimal(jiao) / 10 + Decimal(fen) / 100).quantize(Decimal("0.01"))


# The first unit after a capital amount's first digit says how many digits the figure has
# before its point (仟: four); 什 is how OCR reads 仟.
_LEADING_UNIT_DIGITS = {unit: len(str(value)) for unit, value in
                        {**_CN_UNIT, "什": 1000, "万": 10_000, "萬": 10_000, "元": 1, "圆": 1, "圓": 1}.items()}
# A run of capitals, misreads and all: 壹什零肆拾伍元起角揭分; its first unit (second character)
# must be read, its first digit need not be (全万肆作全抹失下元下角趟分 for 叁万肆仟...); it begins a
# run of characters (in 陆他贰佰... the 仟 was misread, and 贰佰 is no first digit and unit)
_CAPITALS_RE = re.compile(r"(?<![\u3400-\u9fff])[\u3400-\u9fff][" + "".join(_LEADING_UNIT_DIGITS) + r"][\u3400-\u9fff]{2,}")
_PLAINLY_CAPITALS_RE = re.compile(r"[元圆圓].*[分整正]$")  # ...and so, with no first digit, it must end as capitals do
_FIGURE_RE = re.compile(r"(?<![\d])[,.]?\d[\d,]*\.\d{2}(?!\d)")


def mend_from_capitals(text: str, figure_from: int = 0) -> tuple[Decimal, int, int] | None:
    """The figure of an amount whose first digit OCR lost, or gained, given its capitals beside it.

    Invoices print the amount twice: 壹仟零肆拾伍元贰角捌分 and ¥1,045.28. OCR joins "¥1"
    into one mark and reads ",045.28" (or "045.28"), or reads the "¥" as a digit
    ("334879.92" for ¥34879.92), while the capitals, however misread
    ("壹什零肆拾伍元起角揭分"), still show how many digits the figure has, and often its
    first. A figure (after the capitals, and at or after ``figure_from``) one digit short
    of that, not starting with that digit, gets it back; one digit over, with that digit
    (when read) second, loses its first: (value, start, end) of the figure in ``text``;
    otherwise None.
    """
    capitals = next((m for m in _CAPITALS_RE.finditer(text)
                     if m[0][0] in _CN_NUM or _PLAINLY_CAPITALS_RE.search(m[0])), None)
    if not capitals:
        return None
    lead = _CN_NUM.get(capitals[0][0])
    n = _LEADING_UNIT_DIGITS[capitals[0][1]]
    m = _FIGURE_RE.search(text, max(figure_from, capitals.end()))
    if not m:
        return None
    if "万" in capitals[0][2:] and n < 5:
        n += 4  # 壹拾贰万...: the first unit counts within the 万
    whole, cents = m.group(0).rsplit(".", 1)
    digits = re.sub(r"\D", "", whole)
    if lead and len(digits) == n - 1 and not (digits.startswith(str(lead)) and whole[:1].isdigit()):
        return Decimal(f"{lead}{digits}.{cents}"), m.start(), m.end()
    if len(digits) == n + 1 and whole[:1].isdigit() and (lead is None or digits[1] == str(lead)):
        return Decimal(f"{digits[1:]}.{cents}"), m.start(), m.end()
    return None


# a number with optional thousands separators and decimals: 1,234.50 1.234,50 1 234,50 1234
_NUMBER_RE = re.compile(r"(?<![\d.,])-?\d{1,3}(?:[,.\u00a0 ']\d{3})+(?:[.,]\d{1,2})?(?![\d])|(?<![\d.,])-?\d+(?:[.,]\d{1,3})?(?![\d])")
_OCR_ZERO_RE = re.compile(r"(?<=[\d][.,])[Oo]{1,2}(?![A-Za-z])|(?<=\d)[Oo](?=[\d.,])")
# Tesseract reads a receipt's 5 as "§" ("§.30"); only before a figure with cents
_OCR_FIVE_RE = re.compile(r"(?<![A-Za-z\d])§(?=\d{0,3}[.,]\d{2}(?!\d))")
# ...and its thousands comma as a semicolon ("1;045.28"), only before three digits and cents
_OCR_THOUSANDS_RE = re.compile(r"(?<=\d);(?=\d{3}[.,]\d{2}(?!\d))")
_WAN_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([万萬亿億千])")


def _parse_number(s: str) -> Decimal | None:
    s = s.replace("\u00a0", " ").replace("'", " ")
    neg = s.startswith("-")
    s = s.lstrip("-")
    seps = [c for c in s if c in ",. "]
    if not seps:
        value = Decimal(s)
    else:
        last = seps[-1]
        tail = s.rsplit(last, 1)[1]
        if len(set(seps)) > 1:  # 1,234.50 / 1.234,50 / 1 234,50: the last one is the decimal mark
            if last == " ":
                return None
            whole = re.sub(r"[,. ]", "", s.rsplit(last, 1)[0])
            value = Decimal(f"{whole}.{tail}")
        elif len(seps) > 1 and len(tail) == 2 and last in ",.":  # 4.349.86, 5,565,00: OCR slipped the decimal mark
            value = Decimal(re.sub(r"[,. ]", "", s.rsplit(last, 1)[0]) + "." + tail)
        elif len(seps) > 1:  # 1,234,567 or 1.234.567: thousands only
            value = Decimal(re.sub(r"[,. ]", "", s))
        elif last == " ":
            value = Decimal(s.replace(" ", ""))
        elif last == "," and len(tail) == 3:  # 1,234: thousands
            value = Decimal(s.replace(",", ""))
        else:  # 12.50, 12,50, 1.234 (a decimal with three places)
            value = Decimal(s.replace(",", "."))
    return -value if neg else value


def _ocr_digits(text: str) -> str:
    """Letters OCR reads for digits inside a figure put back (9.OO for 9.00, §.30 for 5.30), and a
    thousands comma read as a semicolon (1;045.28); same length."""
    text = _OCR_THOUSANDS_RE.sub(",", text)
    return _OCR_FIVE_RE.sub("5", _OCR_ZERO_RE.sub(lambda m: "0" * len(m.group(0)), text))


def normalize_amount(text: str) -> Decimal | None:
    """The amount in ``text`` as a Decimal with two places.

    Understands currency marks around the number (¥1,200, RM 9.00, USD 12), both
    decimal conventions (1,234.50 and 1.234,50), Chinese capital numerals
    (壹仟贰佰元整) and 万/千 multipliers (1.2万).
    """
    if not text:
        return None
    t = text.strip().translate(_FULL_WIDTH_MARKS).replace("：", ":")
    t = _ocr_digits(t)
    t, _ = _join_split_decimals(t)  # 64. 15 read for 64.15
    wan = _WAN_RE.search(t)
    if wan and not re.search(r"[元圆角分]", t[: wan.start()]):
        mult = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000, "千": 1000}[wan[2]]
        return (Decimal(wan[1]) * mult).quantize(Decimal("0.01"))
    m = _NUMBER_RE.search(t)
    if m:
        try:
            value = _parse_number(m.group(0))
        except InvalidOperation:
            value = None
        if value is not None:
            return value.quantize(Decimal("0.01"))
    return chinese_capital_amount(t)


# ...and "1,437.00" as "1, 437.00": a thousands mark with a space after it, before three digits and cents
_SPLIT_DECIMAL_RE = re.compile(r"(?<=\d)([.,]) (?=\d{2}(?!\d))|(?<=\d) ([.,])(?=\d{2}(?!\d))"
                               r"|(?<!\d{4})(?<=\d)(,) (?=\d{3}[.,]\d{2}(?!\d))")


def _join_split_decimals(text: str) -> tuple[str, list[int]]:
    """OCR reads '64.15' as '64. 15' or '64 .15': drop that space, remembering where each character came from."""
    out, where, last = [], [], 0
    for m in _SPLIT_DECIMAL_RE.finditer(text):
        keep = m[1] or m[2] or m[3]
        out.append(text[last : m.start()])
        where.extend(range(last, m.start()))
        out.append(keep)
        where.append(m.start() + m.group(0).index(keep))
        last = m.end()
    out.append(text[last:])
    where.extend(range(last, len(text)))
    where.append(len(text))
    return "".join(out), where


_FULL_WIDTH_MARKS = str.maketrans("，．", ",.")  # Chinese fonts' comma and full stop, as OCR reads them


def find_amounts(text: str) -> list[tuple[int, int, Decimal]]:
    """Every plain number in ``text`` that could be an amount, as (start, end, value) in ``text``."""
    out = []
    joined, where = _join_split_decimals(_ocr_digits(text.translate(_FULL_WIDTH_MARKS)))
    for m in _NUMBER_RE.finditer(joined):
        try:
            v = _parse_number(m.group(0))
            v = None if v is None else v.quantize(Decimal("0.01"))
        except InvalidOperation:  # not a number, or one too long to be an amount
            continue
        if v is not None:
            out.append((where[m.start()], where[m.end() - 1] + 1, v))
    return out


def format_amount(value: Decimal) -> str:
    """The vocabulary's amount string: two places, no separators."""
    return f"{value.quantize(Decimal('0.01')):f}"


_CURRENCIES: tuple[tuple[str, str], ...] = (
    (r"HK\$|HKD", "HKD"),
    (r"(?<![A-Z])S\$|SGD", "SGD"),
    (r"US\$|USD|US dollars?", "USD"),
    (r"人民币|RMB|CNY|¥|￥|元|圆", "CNY"),
    # RM beside a figure or heading a column ("RM 9.00", "Total (RM)"): alone ("RM :") it is a speck's guess
    (r"(?<![A-Z])RM(?=\s*[:.]?\s*\d)|\(\s*RM\s*\)|MYR|ringgit", "MYR"),
    (r"€|EUR|euros?", "EUR"),
    (r"£|GBP", "GBP"),
    (r"\$", "USD"),
    # OCR reads "$" as "§": after an amount heading ("Amount §") or before a figure with cents
    # ("§12.00"); a section sign in a clause ("§ 3") is neither
    (r"(?i:amount|price|total|paid|due)\s*\(?§|§ ?\d[\d,]*\.\d\d\b", "USD"),
)


def detect_currency(text: str) -> str | None:
    """The ISO code of the currency mark in ``text`` (¥ and 元 are read as CNY)."""
    if not text:
        return None
    for pattern, code in _CURRENCIES:
        if re.search(pattern, text, re.I if code in ("USD", "EUR", "MYR") and "$" not in pattern else 0):
            return code
    return None


# ---------------------------------------------------------------- identifiers

_CN_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CN_ID_CHECK = "10X98765432"


def cn_id_check_char(first17: str) -> str:
    """The check character (ISO 7064 MOD 11-2) for the first 17 digits of a resident ID."""
    return _CN_ID_CHECK[sum(int(c) * w for c, w in zip(first17, _CN_ID_WEIGHTS)) % 11]


CN_ID_SHAPE = re.compile(r"\d{17}[\dX]")  # a Chinese resident ID: 17 digits and a check character


def valid_cn_id(s: str) -> bool:
    """A Chinese resident ID: 18 characters, a real birth date, and the right check character."""
    s = normalize_identifier(s)
    if not CN_ID_SHAPE.fullmatch(s):
        return False
    if not _iso(int(s[6:10]), int(s[10:12]), int(s[12:14])):
        return False
    return cn_id_check_char(s[:17]) == s[17]


def luhn_valid(number: str) -> bool:
    """Bank card numbers (and many account numbers) end in a Luhn check digit."""
    digits = re.sub(r"[\s-]", "", number)
    if not digits.isdigit() or len(digits) < 2:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


IBAN_SHAPE = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")  # country, check digits, 10 to 30 of the account


def iban_valid(iban: str) -> bool:
    """IBAN check digits: move the first four characters to the end; mod 97 must be 1."""
    s = normalize_identifier(iban)
    if not IBAN_SHAPE.fullmatch(s):
        return False
    rearranged = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def account_check(number: str) -> bool | None:
    """Whether an account number passes its check digit: IBAN mod-97, card-length Luhn.

    ``None`` when the number has no check digit we know (most domestic account numbers).
    """
    s = normalize_identifier(number)
    if re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+", s):
        return iban_valid(s)
    if s.isdigit() and 15 <= len(s) <= 19:
        return luhn_valid(s)
    return None


_VIN_VALUES = {**{str(d): d for d in range(10)},
               **dict(zip("ABCDEFGH", range(1, 9))), **dict(zip("JKLMN", range(1, 6))), "P": 7, "R": 9,
               **dict(zip("STUVWXYZ", range(2, 10)))}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
VIN_SHAPE = re.compile(r"[A-HJ-NPR-Z0-9]{17}")  # I, O and Q are never printed in a VIN
# Regions whose VINs must carry the check character in ninth place (ISO 3779 leaves it optional):
# North America (first character 1-5, 49 CFR 565) and China (L, GB 16735)
CHECKED_VIN_REGIONS = "12345L"


def vin_check_char(vin: str) -> str:
    """The check character (ninth place) of a 17-character VIN: weighted sum mod 11, 10 as X."""
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS))
    return "X" if total % 11 == 10 else str(total % 11)


def vin_check(vin: str) -> bool | None:
    """Whether a VIN passes its check character; ``None`` where its region does not require one and it fails.

    A European or Japanese VIN may carry any character in ninth place, so failing says nothing;
    a North American or Chinese one that fails was misread (or is no VIN).
    """
    s = normalize_identifier(vin)
    if not VIN_SHAPE.fullmatch(s):
        return False
    if vin_check_char(s) == s[8]:
        return True
    return False if s[0] in CHECKED_VIN_REGIONS else None


UK_LICENCE_SHAPE = re.compile(r"[A-Z9]{5}\d{6}[A-Z9]{2}[A-Z0-9]{3}")


def licence_check(number: str, card_text: str, prefer: Prefer = "DMY") -> bool | None:
    """Whether a driving licence number agrees with itself and its card.

    A Chinese licence number is its holder's resident ID: its check character. A British one
    (DVLA) spells its holder's surname (five characters, padded with 9s) and birth date
    (decade, month plus 50 for a woman, day, year): it must match a word and a date printed
    elsewhere on the card (``card_text``, without the number; its dates read in ``prefer``
    order). ``None``: neither shape.
    """
    s = normalize_identifier(number)
    if CN_ID_SHAPE.fullmatch(s):
        return valid_cn_id(s)
    if not UK_LICENCE_SHAPE.fullmatch(s):
        return None
    surname = s[:5].rstrip("9")
    words = [re.sub(r"[^A-Z]", "", w.upper()) for w in card_text.split() if not any(ch.isdigit() for ch in w)]
    if not surname or not any(w == surname or (len(surname) == 5 and w.startswith(surname)) for w in words):
        return False
    for _, _, iso in find_dates(card_text, prefer):
        year, month, day = iso[:4], int(iso[5:7]), iso[8:10]
        if (s[5], s[10], s[8:10]) == (year[2], year[3], day) and int(s[6:8]) in (month, month + 50):
            return True
    return False


def normalize_identifier(text: str) -> str:
    """Upper case with spaces (and stray edge punctuation) removed: 'ab 12-3.' -> 'AB12-3'."""
    s = re.sub(r"\s+", "", text or "").upper()
    return s.strip(".,:;#|()[]{}'\"")


def normalize_name(text: str) -> str:
    """Names keep their printed form; runs of spaces and marks at either end go ('周建华，' -> '周建华')."""
    s = re.sub(r"\s+", " ", text or "").strip()
    s = re.sub(r"(?<=[a-z]{2})\.(?=[A-Z][a-z])", " ", s)  # a speck read as a dot between words: Joseph.Moore
    s = re.sub(r"(?<=[A-Za-z]) ?[’‘`´'] ?s\b", "'s", s)  # "St Mary’ s": a possessive read apart, or curled
    # a speck read as a quote at a word's edge ("Thomas ‘Smith", "Natalie’ Roberts"); O'Neil keeps its own
    s = re.sub(r"(?<![A-Za-z])[‘’'`\"“”]+(?=[A-Z])|(?<=[a-z])[‘’'`\"“”]+(?= |$)", "", s)
    word = r"A-Za-z0-9\u00c0-\u024f\u3400-\u9fff"
    return re.sub(rf"^[^{word}]+|[^{word})]+$", "", s).strip()


def currency_from_place(text: str) -> str | None:
    """The currency a document's place implies when no amount carries a mark."""
    if re.search(r"\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b", text):  # UK postcode
        return "GBP"
    if re.search(r"\b[A-Z]{2} \d{5}(?:-\d{4})?\b|\(\d{3}\) ?\d{3}-\d{4}", text):  # US state + ZIP, phone
        return "USD"
    if re.search(r"[\u4e00-\u9fff]{2}(?:省|市|区|县)", text):
        return "CNY"
    return None
