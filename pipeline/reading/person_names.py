"""A person's name OCR slipped on, given back from the names people commonly have.

OCR reads letters of like shape for each other: "Heriry" for Henry ("ri" for "n"),
"Atice" for Alice, "Johnsori" for Johnson. A reviewer must see the person's name, and
the checklist compares names across a claim's documents. ``config/fields/person_names.yaml``
lists common given names and surnames and the slips OCR makes; a reading that is no
listed name but one slip (or, for long names, two) from exactly one of them takes that
name. The distance counts only OCR's slips as cheap, so a rarer real name one ordinary
letter from a common one ("Jaxon", "Jason") stays as read.

Chinese names are checked, not mended: ``usual_cn_name`` says whether a reading looks like
a name people have, and one that does not is read again from the page (``zones``).
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pipeline.checklist.yamlfile import load_yaml_model

PERSON_NAMES_PATH = Path(__file__).resolve().parents[2] / "config" / "fields" / "person_names.yaml"


class MaxCost(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    short: Annotated[float, Field(ge=0)]
    long: Annotated[float, Field(ge=0)]


class PersonNames(BaseModel):
    """``person_names.yaml``: the names, OCR's slips and how near a reading must come."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int = 1
    slip: Annotated[float, Field(gt=0, le=1)]
    max_cost: MaxCost
    short_length: Annotated[int, Field(ge=1)]
    margin: Annotated[float, Field(ge=0)]
    slips: tuple[tuple[str, str], ...]
    given: tuple[str, ...]
    surnames: tuple[str, ...]
    cn_given_chars: str = ""  # none listed: every Chinese name OCR was unsure of is read again

    @field_validator("cn_given_chars")
    @classmethod
    def _no_spaces(cls, chars: str) -> str:
        return "".join(chars.split())  # the YAML folds its lines with spaces


@lru_cache(maxsize=4)
def load_person_names(path: str = str(PERSON_NAMES_PATH)) -> PersonNames:
    """The lists, or ``ChecklistConfigError`` naming the file, line and fault."""
    names, _ = load_yaml_model(Path(path), PersonNames)
    return names


def ocr_distance(read: str, name: str, slips: tuple[tuple[str, str], ...], slip_cost: float) -> float:
    """Edits from ``read`` to ``name`` (both lower case): OCR's slips (either way) cost ``slip_cost``, any other edit 1."""
    pairs = _both_ways(slips)
    n, m = len(read), len(name)
    d = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        for j in range(m + 1):
            if i == 0 or j == 0:
                d[i][j] = float(i + j)
                continue
            best = min(d[i - 1][j] + 1, d[i][j - 1] + 1,
                       d[i - 1][j - 1] + (0.0 if read[i - 1] == name[j - 1] else 1.0))
            for a, b in pairs:  # a run of letters read for another ("ri" for "n", "t" for "l")
                if i >= len(a) and j >= len(b) and read[i - len(a):i] == a and name[j - len(b):j] == b:
                    best = min(best, d[i - len(a)][j - len(b)] + slip_cost)
            d[i][j] = best
    return d[n][m]


@lru_cache(maxsize=8)
def _both_ways(slips: tuple[tuple[str, str], ...]) -> frozenset[tuple[str, str]]:
    """Each slip as read and as meant: worked out once, not for every name compared."""
    return frozenset({(a, b) for a, b in slips} | {(b, a) for a, b in slips})


def known_name(read: str, part: Literal["given", "surnames"] = "given", names: PersonNames | None = None) -> str | None:
    """The listed given name (or surname) ``read`` is an OCR slip of, in ``read``'s case; None when it
    is a listed name itself or near none."""
    lists = names or load_person_names()
    listed = {n.lower(): n for n in getattr(lists, part)}
    # a speck over a letter ("Natalié") is a slip too; a real accent is read surely, and the caller keeps it
    low = unicodedata.normalize("NFKD", read.lower()).encode("ascii", "ignore").decode()
    accent = lists.slip if low != read.lower() else 0.0
    if not low.isalpha() or len(low) < 3 or low == read.lower() and low in listed:
        return None
    scored = sorted((accent + ocr_distance(low, key, lists.slips, lists.slip), key) for key in listed
                    if abs(len(key) - len(low)) <= 2)
    if not scored:
        return None
    cost, key = scored[0]
    limit = lists.max_cost.short if len(key) <= lists.short_length else lists.max_cost.long
    runner_up = scored[1][0] if len(scored) > 1 else float("inf")
    if cost > limit or runner_up - cost < lists.margin:
        return None
    name = listed[key]
    return name.upper() if read.isupper() else name


def listed_given_name(word: str, names: PersonNames | None = None) -> bool:
    """Whether ``word`` is a given name on the list as it stands."""
    return word.lower() in {n.lower() for n in (names or load_person_names()).given}


def usual_cn_name(name: str, surname_starts: str, names: PersonNames | None = None) -> bool:
    """A Chinese name as people have them: a surname, then characters common in given names."""
    lists = names or load_person_names()
    return bool(name) and name[0] in surname_starts and all(ch in lists.cn_given_chars for ch in name[1:])
