"""A diagnosis read by OCR, given the name doctors write for it.

OCR of a diagnosis slips a letter or a character ("Comminnty-acquired pneumonia",
急性闲尾炎), and a reviewer, a checklist rule and a fraud feature all need the name
itself. ``config/fields/diagnoses.yaml`` lists the common diagnoses of health and
accident claims; a reading nearly one of them, and nearer it than any other, takes that
name. Anything else (a rarer diagnosis, a reading too far gone) stays as read.
"""
from __future__ import annotations

import difflib
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline.checklist.yamlfile import load_yaml_model

DIAGNOSES_PATH = Path(__file__).resolve().parents[2] / "config" / "fields" / "diagnoses.yaml"


class Vocabulary(BaseModel):
    """``diagnoses.yaml``: the names per language, and how near a reading must come to one."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int = 1
    min_similarity: dict[Literal["en", "zh"], Annotated[float, Field(gt=0, le=1)]]
    margin: Annotated[float, Field(ge=0, lt=1)]
    en: tuple[str, ...]
    zh: tuple[str, ...]

    def names(self, lang: str) -> tuple[str, ...]:
        return self.zh if lang == "zh" else self.en


@lru_cache(maxsize=4)
def load_vocabulary(path: str = str(DIAGNOSES_PATH)) -> Vocabulary:
    """The vocabulary, or ``ChecklistConfigError`` naming the file, line and fault."""
    vocabulary, _ = load_yaml_model(Path(path), Vocabulary)
    return vocabulary


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def known_diagnosis(read: str, vocabulary: Vocabulary | None = None) -> str | None:
    """The listed name ``read`` is a slightly misread form of (itself when listed), or None."""
    vocabulary = vocabulary or load_vocabulary()
    lang = "zh" if re.search(r"[\u3400-\u9fff]", read) else "en"
    key = _key(read)
    scored = sorted(((difflib.SequenceMatcher(None, key, _key(name)).ratio(), name)
                     for name in vocabulary.names(lang)), reverse=True)
    if not scored:
        return None
    best, name = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    if best == 1.0 or (best >= vocabulary.min_similarity[lang] and best - runner_up >= vocabulary.margin):
        return name
    return None
