"""Is the name on this document the claimant's? Tolerant of how a name is written, not of who it is.

Names reach us as typed by the customer, printed by a hospital, or read by OCR:
``ZHANG Wei``, ``Wei Zhang``, ``Zhang-Wei``, ``Zhāng Wěi``, ``张伟`` and (in Wade-Giles or
Cantonese spelling) ``Chang Wei`` are all one person. ``Wang Wei`` is somebody else, and
so is ``张玮`` (same sound, different characters). A one-letter slip in a long name part,
one Chinese character misread or lost in a name of three or more, or a name that is part
of the other ("Grace" for "Grace Evans"), is neither: it goes to a person (``similar``)
rather than being ticked or flagged.
"""
from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from enum import Enum

from pypinyin import Style, pinyin

from pipeline.edits import one_edit_apart


class NameMatch(str, Enum):
    same = "same"
    similar = "similar"  # one small slip: a person should look
    different = "different"


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SEPARATORS = re.compile(r"[\s\-‐‑–—_.,;:'’`·・/()（）]+")
_COMPOUND_SURNAMES = (
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "司徒", "夏侯", "尉迟", "长孙", "宇文", "公孙", "轩辕",
)
_MAX_READINGS = 64  # heteronym combinations tried for one Chinese name
_MAX_TOKENS = 6  # permutations are tried; longer "names" are compared in written order

Variants = Mapping[str, Collection[str]]  # a spelling -> the pinyin syllables it may stand for


def has_cjk(name: str) -> bool:
    return bool(_CJK.search(name))


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def latin_tokens(name: str, ignore: Iterable[str] = ()) -> list[str]:
    """Lower-case, mark-free name parts."""
    ignored = set(ignore)
    text = _strip_marks(name).lower().replace("ü", "u")
    return [p for p in _SEPARATORS.split(text) if p and p not in ignored]


def _spellings(tokens: list[str], variants: Variants) -> list[list[str]]:
    """The name as written, and as it would be written in pinyin (romanisation variants)."""
    options = [[t, *variants.get(t, ())] for t in tokens]
    return [list(p) for p in itertools.islice(itertools.product(*options), _MAX_READINGS)]


def _cjk_chars(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", name) if _CJK.match(c))


def _pinyin_readings(chars: str) -> list[list[str]]:
    """Every plausible reading of a Chinese name as [surname, given name] in pinyin."""
    surname_len = 2 if chars[:2] in _COMPOUND_SURNAMES and len(chars) > 2 else 1
    per_char = pinyin(chars, style=Style.NORMAL, heteronym=True, v_to_u=True)
    readings = []
    for combo in itertools.islice(itertools.product(*per_char), _MAX_READINGS):
        syllables = [_strip_marks(s).lower().replace("ü", "u") for s in combo]
        surname = "".join(syllables[:surname_len])
        given = "".join(syllables[surname_len:])
        readings.append([surname] + ([given] if given else []))
    return readings


def _orderings(tokens: list[str]) -> set[str]:
    if len(tokens) > _MAX_TOKENS:
        return {"".join(tokens)}
    return {"".join(p) for p in itertools.permutations(tokens)}


def _one_slip(a: str, b: str) -> bool:
    """True when a and b differ by one edit (or one swap) and are long enough for that to be a slip."""
    if min(len(a), len(b)) < 4:
        return False
    if one_edit_apart(a, b):
        return True
    diffs = [i for i, (x, y) in enumerate(zip(a, b)) if x != y] if len(a) == len(b) else []
    return len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]


def _one_character_slip(a: str, b: str) -> bool:
    """One character misread or lost in a name of three or more (曹振宇 / 曹振字, 孙诗涵 / 孙诗):
    OCR's usual slips, and too close to call either way. In a two-character name one
    character is half the name: 张伟 and 张玮 are two people."""
    return max(len(a), len(b)) >= 3 and one_edit_apart(a, b)


def _compare_tokens(a: list[str], b: list[str]) -> NameMatch:
    if not a or not b:
        return NameMatch.different
    if _orderings(a) & _orderings(b):
        return NameMatch.same
    # Initials ("John A. Smith") are dropped only when two full parts remain on each side.
    full_a, full_b = [t for t in a if len(t) > 1], [t for t in b if len(t) > 1]
    if (full_a != a or full_b != b) and len(full_a) >= 2 and len(full_b) >= 2:
        if _orderings(full_a) & _orderings(full_b):
            return NameMatch.same
    if set(a) < set(b) or set(b) < set(a):
        return NameMatch.similar  # "Grace" for "Grace Evans": part of the name, as OCR often loses the rest
    if len(a) == len(b) and len(a) <= _MAX_TOKENS:
        for perm in itertools.permutations(b):
            differing = [(x, y) for x, y in zip(a, perm) if x != y]
            if len(differing) == 1 and _one_slip(*differing[0]):
                return NameMatch.similar
    return NameMatch.different


def compare_names(a: str, b: str, variants: Variants = {}, ignore: Iterable[str] = ()) -> NameMatch:
    """Compare two written names; ``variants`` maps a romanised spelling to the pinyin it may stand for."""
    ignore = tuple(ignore)
    a_cjk, b_cjk = has_cjk(a), has_cjk(b)
    if a_cjk and b_cjk:
        # Same sound is not same person: Chinese characters are compared as characters.
        ca, cb = _cjk_chars(a), _cjk_chars(b)
        if ca == cb:
            return NameMatch.same
        return NameMatch.similar if _one_character_slip(ca, cb) else NameMatch.different
    if a_cjk or b_cjk:
        chars, latin = (_cjk_chars(a), b) if a_cjk else (_cjk_chars(b), a)
        left = _pinyin_readings(chars)
        written = latin_tokens(latin, ignore)
        right_options = _spellings(written, variants)
        # A romanised given name may be written in syllables ("Xiao Ming") or whole.
        pairs = ((reading, _merge_given(r, reading)) for reading in left for r in right_options)
    else:
        left = _spellings(latin_tokens(a, ignore), variants)
        right = _spellings(latin_tokens(b, ignore), variants)
        pairs = ((x, y) for x in left for y in right)
    best = NameMatch.different
    for x, y in pairs:
        outcome = _compare_tokens(x, y)
        if outcome is NameMatch.same:
            return outcome
        if outcome is NameMatch.similar:
            best = outcome
    return best


def _merge_given(tokens: list[str], reading: list[str]) -> list[str]:
    """Join the non-surname parts of a romanised name when the reading has one given name."""
    if len(reading) != 2 or len(tokens) <= 2:
        return tokens
    surname = reading[0]
    if surname in tokens:
        rest = list(tokens)
        rest.remove(surname)
        return [surname, "".join(rest)]
    return tokens
