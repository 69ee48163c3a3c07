"""How far a value found one way can be trusted: fixed to rank candidates, measured to report.

Candidates for a field are ranked by their method's fixed trust (``TRUST``: a label
beats a pattern beats a position). The confidence a reviewer and the checklist see should
instead say how often such a value is right, and that differs by field: a receipt's date
found by its shape was right 58 times in 59 on the SROIE development receipts, its
merchant taken from a surely read letterhead 32 times in 38; a name beside its label was
right 192 times in 195 on generated scans and photos, where its fixed trust said 0.95
and the print's confidence took it under the checklist's bar one time in three.

``config/fields/trust.yaml`` holds, per field and method, the share of right values
measured on development documents (``benchmarks/field_trust.py`` writes it), shrunk
towards the fixed trust as if that had been seen ``PRIOR_READS`` times, and the worst
over the sources. A method not measured for a field keeps its fixed trust. The share
counts the values whose print was read at least as surely as a right value's typically
is (``TYPICAL_PRINT``), where there are enough of them; the words' OCR confidence then
lowers a value whose print was read less surely. A share over weak print as well would
count that print twice: a receipt's letterhead, right 56 times in 100 all told, gave
0.56 to a hospital's name read off a text layer.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pipeline.checklist.yamlfile import load_yaml_model
from pipeline.vocabulary import FIELDS

TRUST_PATH = Path(__file__).resolve().parents[2] / "config" / "fields" / "trust.yaml"
# How much each way of finding a value is trusted before its print is looked at: the order of candidates.
TRUST = {
    "label_right": 0.95,
    "label_below": 0.85,
    "pattern": 0.75,
    "position": 0.55,
}
PRIOR_READS = 5  # a method's fixed trust weighs as much as this many measured values
# OCR confidence of a right value's words, typically (median on development scans and photos:
# 0.89 generated, 0.91 SROIE receipts); print read as surely as this costs a value nothing.
TYPICAL_PRINT = 0.9
KNOWN_FIELDS = {name for names in FIELDS.values() for name in names}


class Measured(BaseModel):
    """One field's values found one way, on the source where they were right least often."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    trust: Annotated[float, Field(gt=0, le=1)]
    right: Annotated[int, Field(ge=0)]
    read: Annotated[int, Field(gt=0)]
    source: str


class TrustTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    fields: dict[str, dict[str, Measured]]

    @field_validator("fields")
    @classmethod
    def _known(cls, fields: dict[str, dict[str, Measured]]) -> dict[str, dict[str, Measured]]:
        for name, methods in fields.items():
            if name not in KNOWN_FIELDS:
                raise ValueError(f"unknown field {name!r}")
            if unknown := sorted(set(methods) - set(TRUST)):
                raise ValueError(f"{name}: unknown method(s) {unknown}; known: {list(TRUST)}")
        return fields

    def trust(self, field: str, method: str) -> float:
        """The measured trust of ``method`` for ``field``, else the method's fixed trust."""
        measured = self.fields.get(field, {}).get(method)
        return measured.trust if measured is not None else TRUST[method]

    def confidence(self, field: str, method: str, bonus: float, ocr: float) -> float:
        """A value's reported confidence: its field and method's trust (``bonus``: a check
        character passed or failed), lowered where its words were read less surely than usual."""
        print_factor = min(1.0, (0.5 + 0.5 * ocr) / (0.5 + 0.5 * TYPICAL_PRINT))
        return round(min(1.0, self.trust(field, method) * bonus) * print_factor, 3)


@lru_cache(maxsize=4)
def load_trust(path: str = str(TRUST_PATH)) -> TrustTable:
    """The table, or ``ChecklistConfigError`` naming the file, line and fault."""
    table, _ = load_yaml_model(Path(path), TrustTable)
    return table


def measured_trust(right: int, read: int, method: str) -> float:
    """The share of right values, shrunk towards the method's fixed trust: 5 of 5 right by
    position is 0.78, not 1.0; 193 of 195 beside a label, 0.99."""
    return (right + PRIOR_READS * TRUST[method]) / (read + PRIOR_READS)
