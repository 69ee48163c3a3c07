"""Values found without a label: by pattern, by shape and by position.

A resident ID with a valid check character, a VIN, a plate or a card number identifies
itself anywhere on the page; a card's holder is the name-shaped line on it; the issuer
is the letterhead; a receipt's total is the largest amount in its lower part. Also the
mending of what a label gave: account numbers and IBANs OCR slipped on, names with
specks or the next column glued on.
"""
from __future__ import annotations

import re
import statistics
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from pipeline.edits import edit_distance, one_edit_apart
from pipeline.reading.labels import (
    CN_NAME_RE,
    CN_RUN_RE,
    LABEL_JUNK,
    LabelHit,
    cn_surname_starts,
    has_word,
)
from pipeline.reading.layout import Row, holds
from pipeline.reading.normalize import (
    IBAN_SHAPE,
    account_check,
    detect_currency,
    find_amounts,
    find_dates,
    format_amount,
    normalize_identifier,
    normalize_name,
    valid_cn_id,
)
from pipeline.reading.person_names import listed_given_name
from pipeline.reading.types import Word, is_cjk
from pipeline.reading.values import (
    CN_ID_ANY_SPLIT_RE,
    CN_PLATE_RE,
    DIGIT_GROUPS_RE,
    ID_DIGIT_SLIPS,
    UNREAD_WORD,
    VIN_RE,
    Candidate,
    Context,
    check_bonus,
    column_heads,
    compact_iban,
    dust_word,
    inside_date,
    plate_value,
)

NAME_GAP = 2.5  # line heights: a gap this wide inside a "name" ends it (the rest is the next column, or specks)


COLON_APART = 0.6  # line heights between a word and a colon read on its own beyond which the colon is no label's


ACCOUNT_DIGITS_SURE = 0.9  # an IBAN's digits read less surely than this may be tried as their look-alikes


_DIGIT_LOOKALIKES = str.maketrans({"i": "1", "I": "1", "l": "1", "|": "1", "!": "1", "o": "0", "O": "0"})


def mend_account_number(c: Candidate) -> bool:
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
    m = DIGIT_GROUPS_RE.match(mended)
    if not m:
        return False
    value = normalize_identifier(m.group(0)).replace(".", "").replace("-", "")
    if len(value) <= len(c.value) or not account_check(value) or mended[: m.end()] == rest[: m.end()]:
        return False  # not longer, not valid, or nothing was mended
    c.value, c.raw, c.end = value, rest[: m.end()], c.start + m.end()
    return True


def mend_iban(c: Candidate, slips: dict[str, str]) -> bool:
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
        part = compact_iban(c.row.text[max(s, c.start): min(e, c.end)])
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


def pattern_candidates(field: str, rows: list[Row]) -> list[Candidate]:
    out: list[Candidate] = []
    for r in rows:
        text = r.text
        if field in ("id_number", "licence_number"):  # a Chinese licence number is the holder's ID number
            for m in CN_ID_ANY_SPLIT_RE.finditer(text):
                v = normalize_identifier(m.group(0).translate(ID_DIGIT_SLIPS))
                slips = sum(not c.isdigit() for c in m.group(0)[:-1] if not c.isspace())
                if valid_cn_id(v) and len(m.group(0)) - len(v) <= 2 and slips <= 2:
                    out.append(Candidate(field, v, m.group(0), r, m.start(), m.end(), "pattern", bonus=1.3))
        elif field == "vin":
            up = text.upper()
            for m in VIN_RE.finditer(up):
                if any(c.isalpha() for c in m.group(0)) and any(c.isdigit() for c in m.group(0)):
                    out.append(Candidate(field, m.group(0), m.group(0), r, m.start(), m.end(), "pattern"))
        elif field == "vehicle_plate":
            for m in CN_PLATE_RE.finditer(text.upper()):
                out.append(Candidate(field, plate_value(m.group(0)), m.group(0), r, m.start(), m.end(), "pattern"))
        elif field == "account_number":
            for m in DIGIT_GROUPS_RE.finditer(text):
                v = normalize_identifier(m.group(0)).replace("-", "").replace(".", "")
                if account_check(v):  # its check digit passed, as a labelled number's may
                    out.append(Candidate(field, v, m.group(0), r, m.start(), m.end(), "pattern", bonus=check_bonus(True)))
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
        if is_cjk(bank[0]):
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
    if is_cjk(word[0]):
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


def _drop_weak_tail(c: Candidate) -> None:
    """'William Mitchell jp oa. naa': dust beside a name reads as unsure little words; they go.
    So do a word or two of Latin letters after a Chinese name ("何鹏 Rs"): a stamp's edge."""
    idx = c.row.words_in(c.start, c.end)
    keep = len(idx)
    chinese = bool(idx) and is_cjk(c.row.words[idx[0]].text[:1] or " ")

    def stray(w: Word) -> bool:
        return (not w.text.strip(LABEL_JUNK) or dust_word(w)
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


def tidy_names(cands: list[Candidate], not_names: list[str]) -> list[Candidate]:
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


def name_by_shape(rows: list[Row]) -> list[Candidate]:
    """On a card whose name label was lost: the first line high on the card that is a
    Chinese name and nothing else, or 姓名 misread and glued to one ("锥名朱磊"), or a short
    word of its own before one (the label read as "兰匀", then "宋春梅") (found by position: a person confirms it)."""
    heads = [h for h in column_heads("name") if is_cjk(h[0])]
    for r in rows:
        if r.top > 0.5:
            break
        text = r.text.strip(LABEL_JUNK)
        if text.startswith(tuple(heads)):
            continue  # "国籍 中国": another field's line, whatever follows its label
        misread_label = re.match(r"[\u3400-\u9fff]名\s*", text)
        # the name is the Chinese that follows the label, not specks after it ("由名 陈涛 LE |")
        after_label = CN_RUN_RE.match(text, misread_label.end()) if misread_label else None
        if after_label and _looks_like_a_name(after_label.group(0)):
            text = after_label.group(0)
        elif len(r.words) >= 2 and re.fullmatch(r"[\u3400-\u9fff]{1,3}", r.words[0].text):
            rest = r.text[r.spans[1][0]:].strip(LABEL_JUNK)  # the label read as another word
            text = rest if _looks_like_a_name(rest) else text
        if re.search(r"[\u3400-\u9fff]", text) and _looks_like_a_name(text):
            start = r.text.index(text)
            return [Candidate("name", text, text, r, start, start + len(text), "position")]
    return []


def latin_name_by_shape(rows: list[Row], title_words: list[str]) -> list[Candidate]:
    """On a card whose "Name" label was lost: the first line high on the card made of two to
    four capitalised words that are not its title ("RACHEL ROBINSON" under "NATIONAL IDENTITY
    CARD"); specks read as a short lower-case word before it go (found by position)."""
    titles = {w.lower() for w in title_words}
    for r in rows:
        if r.top > 0.5:
            break
        words = r.text.strip(LABEL_JUNK).split()
        while words and len(words[0]) <= 2 and words[0].islower():
            words.pop(0)  # "aa RACHEL ROBINSON"
        if not 2 <= len(words) <= 4 or any(w.lower().strip(".,") in titles for w in words):
            continue
        if all(re.fullmatch(r"[A-Z][A-Za-z'\-]+", w) for w in words) and _looks_like_a_name(" ".join(words)):
            text = " ".join(words)
            start = r.text.find(words[0])
            return [Candidate("name", text, r.text[start:start + len(text)], r, start, start + len(text), "position")]
    return []


def card_number_by_shape(field: str, rows: list[Row], pattern: str) -> list[Candidate]:
    """A card's number where its label was lost: the first word of the card's number shape."""
    for r in rows:
        for m in re.finditer(rf"(?<![A-Z0-9]){pattern}(?![A-Z0-9])", r.text):
            return [Candidate(field, m.group(0), m.group(0), r, m.start(), m.end(), "pattern", 0, bonus=0.9)]
    return []


def birth_date_on_a_card(rows: list[Row], ctx: Context) -> list[Candidate]:
    """A card's earliest date, where its label was lost: issue and expiry dates come later,
    and a holder is at least ``CARD_HOLDER_MIN_AGE`` years older than the latest date."""
    found = [(iso, r, s, e) for r in rows for s, e, iso in find_dates(r.text, ctx.date_order)]
    if len(found) < 2:
        return []
    iso, r, s, e = min(found, key=lambda f: f[0])
    if int(max(f[0] for f in found)[:4]) - int(iso[:4]) < CARD_HOLDER_MIN_AGE:
        return []
    return [Candidate("date_of_birth", iso, r.text[s:e], r, s, e, "position", 0)]


def bank_by_card_number(rows: list[Row], bins: dict[str, str]) -> list[Candidate]:
    """The bank whose card numbers begin as a valid card number on the page does (``card_bins``), as
    sure as that number: its first six digits name the issuer (ISO/IEC 7812), and a slip in them
    would fail the number's check digit."""
    for c in pattern_candidates("account_number", rows):
        bank = bins.get(c.value[:6])
        if bank:
            return [Candidate("bank_name", bank, c.raw, c.row, c.start, c.end, "pattern", 0, bonus=c.bonus)]
    return []


def letterhead_bank(rows: list[Row], banks: list[str]) -> list[Candidate]:
    """A bank letter without a bank label: the known bank its first lines name."""
    for r in rows[:4]:
        text = r.text.strip(LABEL_JUNK)
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


def issuer_candidates(rows: list[Row], cfg: dict[str, Any], labels: list[LabelHit]) -> list[Candidate]:
    """The letterhead: the first lines of page 1 that look like an organisation's name.

    A line with an organisation word (SDN BHD, Hospital, 医院) near the top wins over the
    very first line (often the owner's name or a logo's text). A name broken over two
    lines ("POPULAR BOOK" / "CO. (M) SDN BHD", "HOME MASTER HARDWARE &" / "ELECTRICAL")
    is joined.
    """
    titles = [t.lower() for t in cfg.get("titles", [])]
    org_words = [s.lower() for s in cfg.get("organisation_words", [])]
    if not rows:
        return []
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


def largest_amount(rows: list[Row], skip_words: list[str]) -> list[Candidate]:
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
        if r.top < top + 0.3 * (bottom - top) or holds(r, skip_words):
            continue
        for s, e, v in find_amounts(r.text):
            raw = r.text[s:e]
            if not re.search(r"[.,]\d{2}$", raw) or inside_date(r.text, s, e) or v > Decimal("1000000"):
                continue
            if re.search(r"\d\s+\d[\d\s]*[.,]", raw):  # "*4 252.00": a count and an item's amount, not 4252.00
                continue
            if v > best_v:
                best_v, best = v, Candidate("total_amount", format_amount(v), raw, r, s, e, "position", 0)
    return [best] if best else []


def check_birth_date(cands: list[Candidate], rows: list[Row]) -> list[Candidate]:
    """A valid Chinese resident ID carries its holder's birth date (digits 7-14), and its
    check character vouches for every digit: it confirms a date read by its label, and
    overrules one the OCR misread (1995-01-21 for 1995-11-21) or could not read at all."""
    ids = pattern_candidates("id_number", rows)
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


def date_by_position(field: str, rows: list[Row], ctx: Context, last: bool = False, till: bool = False) -> list[Candidate]:
    """The first date on the document (an invoice is dated at its head), or the last (a
    certificate is dated where it is signed, below its body). A till stamps the sale with
    its time: a date printed with one ("18/03/18 09:03") outranks a bare date above it (a
    registration date beside a tax number). On a ``till``'s receipt it is found by its shape
    (``pattern``), not merely its place: how far each can be trusted is measured apart
    (``trust.yaml``). On a report a date with a time is the incident's, whose label OCR missed."""
    found = [Candidate(field, iso, r.text[s:e], r, s, e, "position", 0)
             for r in rows for s, e, iso in find_dates(r.text, ctx.date_order)
             if 1990 <= int(iso[:4]) <= date.today().year + 1]  # not a product code like 11-22-31
    if last:
        return found[-1:]
    timed = [c for c in found if _TIME_AFTER_RE.match(c.row.text, c.end)]
    if timed and till:
        return [replace(timed[0], method="pattern")]
    return timed[:1] or found[:1]
