"""The checklists and their rules, as versioned YAML under ``config/``, checked at start-up.

- ``config/checklists/*.yaml``: one checklist per line of business and incident type.
- ``config/checklist.yaml``: reading thresholds, tolerances and cross-document rules.
- ``config/notices/reasons.yaml``: the words for every reason, in English and Chinese.

A malformed file raises :class:`ChecklistConfigError` naming the file, line and fault.
"""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline.checklist.conditions import Condition, condition_problems
from pipeline.checklist.reasons import Bilingual, ReasonCatalogue, catalogue_problems
from pipeline.checklist.yamlfile import ChecklistConfigError, Problem, load_yaml_model
from pipeline.settings import get_settings
from pipeline.vocabulary import DOC_TYPES, FIELDS, LINES_OF_BUSINESS

__all__ = [
    "Accepts",
    "Checklist",
    "ChecklistConfigError",
    "ChecklistItem",
    "ChecklistSet",
    "ChecklistSettings",
    "load_checklists",
    "load_settings",
]

_VERSION = re.compile(r"^(?P<line>[a-z]+)-(?P<incident>[a-z_]+)@\d{4}-\d{2}-\d{2}\.\d+$")


def config_dir() -> Path:
    return get_settings().config_dir


class Accepts(BaseModel):
    """One way to satisfy an item: a document of one of these types carrying these fields."""

    model_config = ConfigDict(extra="forbid")

    doc_types: list[str] = Field(min_length=1)
    fields: list[str] = Field(default_factory=list)


class ChecklistItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)
    required: bool = True
    when: Condition | None = None
    accepts: list[Accepts] = Field(min_length=1, description="alternatives: any one of them satisfies the item")
    name: Bilingual
    instruction: Bilingual

    @property
    def doc_types(self) -> list[str]:
        return [t for a in self.accepts for t in a.doc_types]


class Checklist(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str
    line_of_business: Literal["auto", "health", "property"]
    incident_type: str
    # Whose totals must add up to the claimed amount: the first of these types the claim holds.
    amount_documents: list[str] = Field(default_factory=list)
    items: list[ChecklistItem] = Field(min_length=1)

    def item(self, code: str) -> ChecklistItem:
        return next(i for i in self.items if i.code == code)


def _checklist_problems(c: Checklist) -> list[Problem]:
    problems: list[Problem] = []
    m = _VERSION.match(c.version)
    if not m:
        problems.append((("version",), f"'{c.version}' is not of the form <line>-<incident>@YYYY-MM-DD.N"))
    elif (m["line"], m["incident"]) != (c.line_of_business, c.incident_type):
        problems.append((("version",), f"names {m['line']}-{m['incident']} but the file is for {c.line_of_business}-{c.incident_type}"))
    allowed = LINES_OF_BUSINESS.get(c.line_of_business, ())
    if c.incident_type not in allowed:
        problems.append((("incident_type",), f"'{c.incident_type}' is not an incident type of {c.line_of_business} ({', '.join(allowed)})"))
    for i, doc_type in enumerate(c.amount_documents):
        if doc_type not in DOC_TYPES:
            problems.append((("amount_documents", i), f"unknown document type '{doc_type}'"))
        elif "total_amount" not in FIELDS[doc_type]:
            problems.append((("amount_documents", i), f"'{doc_type}' carries no total_amount"))
    seen: dict[str, int] = {}
    for i, item in enumerate(c.items):
        if item.code in seen:
            problems.append((("items", i, "code"), f"code '{item.code}' is already used by item {seen[item.code]}"))
        seen.setdefault(item.code, i)
        if item.when is not None:
            problems += condition_problems(item.when, ("items", i, "when"))
        for j, alt in enumerate(item.accepts):
            for k, doc_type in enumerate(alt.doc_types):
                if doc_type not in DOC_TYPES:
                    problems.append((("items", i, "accepts", j, "doc_types", k), f"unknown document type '{doc_type}' (known: {', '.join(DOC_TYPES)})"))
            for k, name in enumerate(alt.fields):
                lacking = [t for t in alt.doc_types if t in DOC_TYPES and name not in FIELDS[t]]
                if lacking:
                    problems.append((("items", i, "accepts", j, "fields", k), f"'{name}' is not a field of {', '.join(lacking)}"))
    return problems


class ChecklistSet:
    """Every checklist, one per (line of business, incident type); all pairs are covered."""

    def __init__(self, checklists: dict[tuple[str, str], Checklist], sources: dict[str, Path]):
        self._by_case = checklists
        self.sources = sources  # version -> file

    def for_claim(self, line_of_business: str, incident_type: str) -> Checklist:
        try:
            return self._by_case[(line_of_business, incident_type)]
        except KeyError:
            raise KeyError(f"no checklist for {line_of_business}/{incident_type}") from None

    def __iter__(self):
        return iter(self._by_case.values())

    def __len__(self) -> int:
        return len(self._by_case)

    @property
    def versions(self) -> list[str]:
        return sorted(c.version for c in self._by_case.values())


def load_checklists(dir: Path | None = None) -> ChecklistSet:
    """Load and check every ``*.yaml`` in the folder; any fault in any file stops start-up."""
    folder = Path(dir) if dir is not None else config_dir() / "checklists"
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    if not files:
        raise ChecklistConfigError([(folder, None, "no checklist files (*.yaml) in this folder")])
    by_case: dict[tuple[str, str], Checklist] = {}
    sources: dict[str, Path] = {}
    problems: list[tuple[Path, int | None, str]] = []
    for path in files:
        try:
            checklist, _ = load_yaml_model(path, Checklist, _checklist_problems)
        except ChecklistConfigError as exc:
            problems += exc.problems
            continue
        case = (checklist.line_of_business, checklist.incident_type)
        if case in by_case:
            other = sources[by_case[case].version]
            problems.append((path, 1, f"{case[0]}/{case[1]} already has a checklist in {other.name}"))
            continue
        by_case[case] = checklist
        sources[checklist.version] = path
    if not problems:
        for line, incidents in LINES_OF_BUSINESS.items():
            for incident in incidents:
                if (line, incident) not in by_case:
                    problems.append((folder, None, f"no checklist for {line}/{incident}"))
    if problems:
        raise ChecklistConfigError(problems)
    return ChecklistSet(by_case, sources)


# --- settings: thresholds, tolerances, cross-document rules -----------------------------


class ReadingRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_field_confidence: float = Field(ge=0, le=1)
    min_type_confidence: float = Field(ge=0, le=1)
    # What a required field that was not found at all means: OCR may have missed it.
    missing_field_status: Literal["needs_person", "invalid"] = "needs_person"
    # An item with no document of its type, while some file could not be sorted, goes to a person.
    unsorted_documents_block_missing: bool = True


class NameRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    doc_types: list[str]
    romanisation: dict[str, list[str]] = Field(default_factory=dict, description="pinyin -> other spellings")
    ignore_words: list[str] = Field(default_factory=list)

    @property
    def variants(self) -> dict[str, list[str]]:
        """Spelling -> the pinyin surnames it may stand for (``wong`` is Wang or Huang)."""
        out: dict[str, list[str]] = {}
        for pinyin, spellings in self.romanisation.items():
            for spelling in spellings:
                out.setdefault(spelling.lower(), []).append(pinyin.lower())
        return out


class IdNumberRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # (document type, field) pairs that carry the claimant's identity number
    fields: dict[str, str]
    rule: Literal["cn_resident", "cn_resident_where_numeric", "any"] = "cn_resident_where_numeric"


class DateRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fields: dict[str, list[str]]  # document type -> date fields to check
    within_policy_period: bool = True
    after_policy_end_grace_days: int = Field(0, ge=0)
    not_before_incident: bool = True


class AmountRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    absolute_tolerance: Decimal = Field(ge=0)
    relative_tolerance: Decimal = Field(ge=0, le=1)


class ReuseRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    near_duplicate: Literal["needs_person", "invalid", "ignore"] = "needs_person"


class ChecklistSettings(BaseModel):
    """``config/checklist.yaml``, plus the reason catalogue it speaks through."""

    model_config = ConfigDict(extra="forbid")

    version: str
    reading: ReadingRules
    names: NameRules
    id_numbers: IdNumberRules
    dates: DateRules
    amounts: AmountRules
    reuse: ReuseRules = ReuseRules()
    catalogue: ReasonCatalogue | None = Field(None, exclude=True)

    @property
    def reasons(self) -> ReasonCatalogue:
        if self.catalogue is None:
            raise RuntimeError("settings were built without a reason catalogue; use load_settings()")
        return self.catalogue


def _settings_problems(s: ChecklistSettings) -> list[Problem]:
    problems: list[Problem] = []
    if s.catalogue is not None:
        problems.append((("catalogue",), "the reason catalogue is loaded from config/notices/reasons.yaml, not set here"))
    for i, doc_type in enumerate(s.names.doc_types):
        if doc_type not in DOC_TYPES:
            problems.append((("names", "doc_types", i), f"unknown document type '{doc_type}'"))
        elif "name" not in FIELDS[doc_type]:
            problems.append((("names", "doc_types", i), f"'{doc_type}' carries no name"))
    for doc_type, name in s.id_numbers.fields.items():
        if doc_type not in DOC_TYPES:
            problems.append((("id_numbers", "fields", doc_type), f"unknown document type '{doc_type}'"))
        elif name not in FIELDS[doc_type]:
            problems.append((("id_numbers", "fields", doc_type), f"'{name}' is not a field of {doc_type}"))
    for doc_type, names in s.dates.fields.items():
        if doc_type not in DOC_TYPES:
            problems.append((("dates", "fields", doc_type), f"unknown document type '{doc_type}'"))
            continue
        for i, name in enumerate(names):
            if name not in FIELDS[doc_type]:
                problems.append((("dates", "fields", doc_type, i), f"'{name}' is not a field of {doc_type}"))
    return problems


def load_settings(dir: Path | None = None) -> ChecklistSettings:
    """``checklist.yaml`` and ``notices/reasons.yaml`` from the config folder, both checked."""
    folder = Path(dir) if dir is not None else config_dir()
    settings, _ = load_yaml_model(folder / "checklist.yaml", ChecklistSettings, _settings_problems)
    catalogue, _ = load_yaml_model(folder / "notices" / "reasons.yaml", ReasonCatalogue, catalogue_problems)
    return settings.model_copy(update={"catalogue": catalogue})
