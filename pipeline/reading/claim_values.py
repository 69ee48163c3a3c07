"""A value OCR was unsure of, given the value the claim's other documents give surely.

The claimant's name, ID number and policy, and the vehicle's plate and VIN, come back on
several documents of one claim, and the claim form usually carries them typed. OCR that
was unsure of one character of them on a dusty scan (薪子豪 for 蒋子豪, X17TMG for
VX17TMG) need not stand: a reading one slip from exactly one value the claim settles
surely is that value, and a reading just like one is as sure as the claim's sure readings.
``config/fields/claim_values.yaml`` says which fields and how sure.
A reading as sure as the claim's own values is left alone, however near: it may be
another person (the doctor, the other driver). And where a document's name label was
smudged away, the claim's name printed on it is still its name. An amount read unsurely but
exactly as the claim's filed amount is as sure too; it is never mended towards it.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from pipeline.checklist.yamlfile import load_yaml_model
from pipeline.edits import one_edit_apart
from pipeline.reading.layout import Row, page_rows
from pipeline.reading.normalize import normalize_amount
from pipeline.reading.types import Box, ExtractedField, PageText, ReadDocument
from pipeline.vocabulary import FIELDS

CLAIM_VALUES_PATH = Path(__file__).resolve().parents[2] / "config" / "fields" / "claim_values.yaml"


class Agreement(BaseModel):
    """``claim_values.yaml``: the fields a claim's documents share, and how sure a reading must be."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int = 1
    fields: tuple[str, ...]
    sure_from: Annotated[float, Field(gt=0, le=1)]
    unsure_below: Annotated[float, Field(gt=0, le=1)]
    found_on_page: tuple[str, ...]
    found_confidence: Annotated[float, Field(gt=0, le=1)]
    filed_amount_vouches: tuple[str, ...] = ()


@lru_cache(maxsize=4)
def load_agreement(path: str = str(CLAIM_VALUES_PATH)) -> Agreement:
    """The settings, or ``ChecklistConfigError`` naming the file, line and fault."""
    agreement, _ = load_yaml_model(Path(path), Agreement)
    return agreement


def claim_values(documents: Iterable[Iterable[ExtractedField]],
                 agreement: Agreement | None = None) -> dict[str, set[str]]:
    """The values each shared field is read as surely somewhere in the claim."""
    agreement = agreement or load_agreement()
    known: dict[str, set[str]] = {}
    for fields in documents:
        for f in fields:
            if f.name in agreement.fields and f.confidence >= agreement.sure_from:
                known.setdefault(f.name, set()).add(f.value)
    return known


def settle(documents: list[ReadDocument], fields_before: Iterable[Iterable[ExtractedField]] = (),
           filed_amount: Decimal | None = None) -> list[ReadDocument]:
    """A claim's documents, each with its fields as the claim settles them (``with_claim``), given what
    all of them and the claim's documents read before (``fields_before``) say surely, and the amount
    the claim was filed for."""
    known = claim_values([d.fields for d in documents] + list(fields_before))
    return [replace(d, fields=vouched_by_filing(with_claim(d.doc_type, d.pages, d.fields, known), filed_amount))
            for d in documents]


def vouched_by_filing(fields: list[ExtractedField], filed_amount: Decimal | None,
                      agreement: Agreement | None = None) -> list[ExtractedField]:
    """``fields`` with each unsure amount read exactly as ``filed_amount`` as sure as the claim's sure
    readings. Only the confidence moves: a figure near the filed one stays as read."""
    if filed_amount is None:
        return fields
    agreement = agreement or load_agreement()
    return [replace(f, confidence=agreement.sure_from)
            if f.name in agreement.filed_amount_vouches and f.confidence < agreement.unsure_below
            and normalize_amount(f.value) == filed_amount else f
            for f in fields]


def with_claim(doc_type: str, pages: list[PageText], fields: list[ExtractedField],
               known: dict[str, set[str]]) -> list[ExtractedField]:
    """A document's fields as the claim settles them: unsure values agreed, lost labels' values found."""
    return found_on_page(doc_type, pages, agree_with_claim(fields, known), known)


def agree_with_claim(fields: list[ExtractedField], known: dict[str, set[str]],
                     agreement: Agreement | None = None) -> list[ExtractedField]:
    """``fields`` with each unsure shared value one slip from exactly one of ``known``'s taken as that value,
    and each read just as one of them (case and spacing aside) as sure as the claim's sure readings."""
    agreement = agreement or load_agreement()
    out = []
    for f in fields:
        if f.name in agreement.fields and f.confidence < agreement.unsure_below:
            if any(_plain(v) == _plain(f.value) for v in known.get(f.name, ())):
                # two readings, one of them sure, said the same: a misreading would have had to
                # make exactly the claim's value
                out.append(replace(f, confidence=max(f.confidence, agreement.sure_from)))
                continue
            read = _key(f.value)
            near = {_key(v): v for v in sorted(known.get(f.name, ())) if _one_slip(read, _key(v))}
            if len(near) == 1:
                (value,) = near.values()
                if _plain(value) != _plain(f.value):  # only case or spacing apart: "REBECCA GREEN" stays as printed
                    f = replace(f, value=value)
        out.append(f)
    return out


def found_on_page(doc_type: str, pages: list[PageText], fields: list[ExtractedField], known: dict[str, set[str]],
                  agreement: Agreement | None = None) -> list[ExtractedField]:
    """``fields`` with each shared field the document should carry and no label gave, where exactly one
    of the claim's sure values of it is printed on the page ("Account holder" smudged to '"nodeent holder
    Megan Khan'), at ``found_confidence``: read, not guessed, but not read beside its label."""
    agreement = agreement or load_agreement()
    have = {f.name for f in fields}
    wanted = [n for n in agreement.found_on_page if n not in have and n in FIELDS.get(doc_type, ()) and known.get(n)]
    rows = [(page.page_no, row) for page in pages for row in page_rows(page)] if wanted else []
    out = list(fields)
    for name in wanted:
        spots = {value: spot for value in sorted(known[name]) if (spot := _printed(value, rows))}
        if len({_plain(value) for value in spots}) == 1:  # one name, however its documents print it ("MEGAN KHAN")
            value = next((v for v, spot in spots.items() if spot[1] == v), next(iter(spots)))  # the form printed here
            page_no, raw, box = spots[value]
            out.append(ExtractedField(name, value, raw, agreement.found_confidence, page_no, box, "claim"))
    return out


def _printed(value: str, rows: list[tuple[int, Row]]) -> tuple[int, str, Box | None] | None:
    """(page, text, box) where ``value`` is printed as a whole (a Chinese name not run on into more characters)."""
    if re.search(r"[\u3400-\u9fff]", value):
        pattern = re.compile(re.escape(value) + r"(?![\u3400-\u9fff])")
    else:
        pattern = re.compile(r"(?<![\w])" + r"\s+".join(map(re.escape, value.split())) + r"(?![\w])", re.I)
    for page_no, row in rows:
        m = pattern.search(row.text)
        if m:
            return page_no, m.group(0), row.box_of(m.start(), m.end())
    return None


def _key(value: str) -> str:
    """Letters, digits and Chinese characters only, case folded: "Ethan’White" is "ethanwhite"."""
    return re.sub(r"[^\w]|_", "", value).casefold()


def _plain(value: str) -> str:
    """Spacing and case set aside: "REBECCA GREEN" is "Rebecca Green" as printed elsewhere."""
    return re.sub(r"\s+", "", value).casefold()


def _one_slip(read: str, known: str) -> bool:
    """``read`` (two characters or more) is ``known``, or one character read as another, lost or added."""
    return len(read) >= 2 and (read == known or one_edit_apart(read, known))
