"""Finding the printed labels of config/fields/labels.yaml on a page's lines.

A spaCy Matcher finds each field's label phrases (case-insensitive; longer English words
tolerate one OCR slip, Chinese labels one look-alike character), and a hit counts as a
label only where it stands as one: not inside a sentence, not glued to other text.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import spacy
import yaml
from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.util import filter_spans

from pipeline.reading.layout import Row
from pipeline.reading.types import Word

LABELS_PATH = Path(__file__).resolve().parents[2] / "config" / "fields" / "labels.yaml"


SPECK_WORD = 0.3  # OCR confidence under which a short lower-case "word" in a gap is specks


WEAK_WORD = 0.6  # OCR confidence under which a little word beside a label or a name may be specks read as letters


AVOID = "_avoid"  # pseudo-field of phrases that must not count as labels ("SUB TOTAL")


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


LABEL_JUNK = "*#•·\"'“”‘’`~_|…-—.,，。、;:：()（）[]【】<>〈〉《》「」 "


_BARE_NUMBER_RE = re.compile(r"\d{1,2}")  # before a label: an item's number, or a speck read as a digit


def _stands_as_label(row: Row, start: int, end: int) -> bool:
    """A label begins its line, a column (a gap before it) or a numbered item ("5 Account holder"), or ends
    with a colon.

    "Patient: Mary Jones" is a label; "...examined the above patient, who..." and
    "Confirmation of Bank Details" are running text that happens to contain one. A
    Chinese label glued to what follows it counts when it begins its word: OCR joins
    close characters, so "户名杜秀英" is label and value; titles such as 诊断证明书 are
    kept out by the field's ``avoid`` phrases, and glued values are checked harder
    (``glued_value_ok``).
    """
    first = row.words_in(start, end)
    if first:
        word_start = row.spans[first[0]][0]
        if row.text[word_start:start].strip(LABEL_JUNK):
            return False  # "一、被保险人信息": the label is the tail of another word
    before_label = row.text[:start].strip(LABEL_JUNK)
    if row.text[end:].lstrip(" ").startswith((":", "：")) or not before_label:
        return True
    before = [i for i, (s, e) in enumerate(row.spans) if e <= start]
    if len(before) == 1 and len(before_label) == 1 and row.words[before[0]].confidence < WEAK_WORD:
        return True  # "4 ‘Patient": a speck read, unsure, as one mark before the label ("1." numbers a section)
    if len(before) == 1 and _BARE_NUMBER_RE.fullmatch(row.words[before[0]].text):
        return True  # "5 Account holder"; "1. Policyholder" numbers a section, and its heading is no label
    while before:
        w = row.words[before[-1]]
        if w.text in _CELL_WALLS:
            return True  # "Robert Edwards | Vehicle reg.": a table's wall read as a bar begins the next cell
        if w.text.strip(LABEL_JUNK) and not gap_speck(w):
            break
        before.pop()  # specks read as "es" or "_" in the gap before a column's label are not the column's text
    if not before or not first:
        return True
    gap = row.words[first[0]].box[0] - row.words[before[-1]].box[2]
    return gap > 1.5 * row.height


def gap_speck(w: Word) -> bool:
    """A mark of two or three lower-case letters read with hardly any confidence ("es" 0.18)."""
    text = w.text.strip(".,'‘’`")
    return w.confidence < SPECK_WORD and 0 < len(text) <= 3 and text.isalpha() and text.islower()


def _glued(row: Row, end: int) -> bool:
    """The label's last character runs straight on into Chinese text in the same word."""
    inside = row.words_in(end - 1, end)
    if STAMP_RE.match(row.text, end):
        return False  # "收款单位章):" is the label and where its stamp goes, not a longer word
    return bool(inside) and end < row.spans[inside[-1]][1] and "\u3400" <= row.text[end] <= "\u9fff"


CN_NAME_RE = re.compile(r"[\u3400-\u9fff]{2,4}")


CN_RUN_RE = re.compile(r"[\u3400-\u9fff]+")  # a run of Chinese characters


def cn_surname_starts() -> str:
    return load_label_config()["fields"]["name"].get("cn_surname_starts", "")


def glued_value_ok(field: str, kind: str, value: str) -> bool:
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


STAMP_RE = re.compile(r"[(（〈<]?\s*[章盖]\s*[.。]?\s*[)）〉>]\s*[:：]?")  # 收款单位(章): where the stamp goes


def has_word(low: str, words: list[str]) -> bool:
    """One of ``words`` in lower-case ``low`` as a word of its own (Chinese: anywhere)."""
    return any(re.search(r"(?<![a-z])" + re.escape(w) + r"(?![a-z])", low) for w in words)
