"""A page's words as visual lines, the unit every label and value is looked for in.

OCR and text layers number lines differently, and a two-column form splits one visual
line into blocks; grouping words by position makes "to the right of the label" and "the
line below" mean the same for both.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass

from pipeline.reading.types import Box, PageText, Word, is_cjk


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
            if text and not (is_cjk(text[-1]) and is_cjk(t[0])):
                text += " "
            spans.append((len(text), len(text) + len(t)))
            text += t
        rows.append(Row(page.page_no, len(rows), band, text, spans))
    return rows


def holds(row: Row, words: list[str]) -> bool:
    """The line holds one of ``words`` (lower case) anywhere in it."""
    text = row.text.lower()
    return any(w in text for w in words)
