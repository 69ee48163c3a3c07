"""What the reading stages hand to each other and to the rest of the pipeline.

Boxes are fractions of the page (x0, y0, x1, y1 in 0..1, origin top-left) so they
can be drawn on any rendering of the page. Confidences are 0..1.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Box = tuple[float, float, float, float]
SURE = 0.5  # word confidence from which tesseract is at least half sure of what it read


@dataclass(frozen=True)
class Word:
    text: str
    box: Box
    confidence: float = 1.0
    line: int = 0  # index of the text line on the page (OCR line or text-layer line)
    block: int = 0
    weakest: float | None = None  # a word OCR joined from parts: its least sure part's confidence

    @property
    def surest_reading(self) -> float:
        """How far a value read from this word can be trusted: its weakest part decides."""
        return self.confidence if self.weakest is None else min(self.confidence, self.weakest)


def ocr_lines(words: list[Word]) -> dict[tuple[int, int], list[Word]]:
    """The words of each line as OCR numbered it, by (block, line), in the order first met."""
    lines: dict[tuple[int, int], list[Word]] = {}
    for w in words:
        lines.setdefault((w.block, w.line), []).append(w)
    return lines


@dataclass
class PageText:
    """One page as read: words with positions, from a text layer or from OCR."""

    page_no: int  # 1-based
    source: Literal["text_layer", "ocr", "none"]
    words: list[Word]
    width: int  # pixels of the clean image (or PDF points for a text layer)
    height: int
    lang: str = "eng"  # tesseract language string used, e.g. "eng", "chi_sim", "eng+chi_sim"
    rotation: int = 0  # degrees the page was turned to read upright (0/90/180/270)
    skew: float = 0.0  # degrees of deskew applied
    timings: dict[str, float] = field(default_factory=dict)  # stage -> seconds

    @property
    def text(self) -> str:
        return "\n".join(" ".join(w.text for w in ws) for _, ws in sorted(ocr_lines(self.words).items()))

    @property
    def sure_words(self) -> list[Word]:
        """The words read with confidence ``SURE`` or more: what a page's print says, without
        the marks tesseract took for letters on a picture or a background."""
        return [w for w in self.words if w.confidence >= SURE]

    @property
    def mean_confidence(self) -> float:
        return sum(w.confidence for w in self.words) / len(self.words) if self.words else 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "PageText":
        words = [Word(w["text"], tuple(w["box"]), w["confidence"], w["line"], w["block"], w.get("weakest")) for w in d["words"]]
        return cls(**{**d, "words": words})


@dataclass
class ExtractedField:
    name: str  # a field name from pipeline.vocabulary.FIELDS
    value: str  # normalised (see pipeline.vocabulary)
    raw: str  # the text as read
    confidence: float
    page_no: int
    box: Box | None = None
    method: str = ""  # how it was found: label_right, label_below, pattern, position; "claim": agreed with the claim
    # OCR confidence of the value's words (1.0 off a text layer), for measuring trust (benchmarks/field_trust.py);
    # None where no print was read for it (agreed with the claim) or it was read back from the database
    print_confidence: float | None = None


@dataclass
class ReadDocument:
    """A whole document as the reviewer will see it."""

    doc_type: str  # one of pipeline.vocabulary.DOC_TYPES
    type_confidence: float
    low_confidence: bool  # True when the classifier would not commit to a type
    pages: list[PageText]
    fields: list[ExtractedField]

    def field(self, name: str) -> ExtractedField | None:
        best = [f for f in self.fields if f.name == name]
        return max(best, key=lambda f: f.confidence) if best else None


def shown_confidence(confidence: float) -> str:
    """A confidence as shown to a person, rounded down: 0.797, under a bar of 0.80, reads 0.79, not 0.80."""
    return f"{math.floor(round(confidence * 100, 6)) / 100:.2f}"


def is_cjk(ch: str) -> bool:
    """A Chinese character or full-width mark: no space is printed between two of them."""
    o = ord(ch)
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x3000 <= o <= 0x303F
            or 0xFF00 <= o <= 0xFFEF or 0xF900 <= o <= 0xFAFF)
