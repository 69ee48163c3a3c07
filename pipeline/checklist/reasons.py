"""Why an item or a claim is not in order, in words for the customer, in English and Chinese.

The words live in ``config/notices/reasons.yaml``; the code only names a reason and its
facts. Start-up checks that every reason the code can give has both languages and uses
no fact the code does not supply.
"""
from __future__ import annotations

import string
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from pipeline.vocabulary import DOC_TYPES, FIELDS

Language = Literal["en", "zh"]

# Every reason the checklist can give, and the facts its message may use.
REASON_FACTS: dict[str, frozenset[str]] = {
    code: frozenset(facts)
    for code, facts in {
        "document_missing": {"item"},
        "field_missing": {"document", "field"},
        "field_unreadable": {"document", "field", "confidence"},
        "type_uncertain": {"document", "doc_type", "confidence"},
        "unclassified_document": {"document", "item"},
        "name_mismatch": {"document", "name", "claimant"},
        "name_unclear": {"document", "name", "claimant"},
        "name_possibly_other_person": {"document", "name", "claimant", "confidence"},
        "id_number_invalid": {"document", "id_number"},
        "id_number_mismatch": {"document", "id_number", "expected"},
        "date_before_incident": {"document", "field", "date", "incident_date"},
        "date_outside_policy": {"document", "field", "date", "start", "end"},
        "date_unparseable": {"document", "field", "date"},
        "amount_mismatch": {"total", "claimed", "currency", "documents"},
        "amount_one_digit_off": {"total", "claimed", "currency", "documents"},
        "amount_unparseable": {"document", "value"},
        "currency_differs": {"document", "currency", "claimed_currency"},
        "document_reused": {"document", "claims"},
        "document_near_duplicate": {"document", "claims"},
        "file_unreadable": {"document"},
        "file_locked": {"document"},
        "file_blank": {"document"},
        "file_too_big": {"document"},
        "file_too_small": {"document"},
        "file_wrong_type": {"document"},
        "policy_not_found": {"policy_number"},
        "policy_other_line": {"policy_number", "line"},
        "policy_not_in_force": {"incident_date", "start", "end"},
        "incident_not_covered": {"incident_type"},
        "reported_late": {"reported", "incident_date", "days"},
    }.items()
}


class Bilingual(BaseModel):
    model_config = ConfigDict(extra="forbid")
    en: str
    zh: str

    def get(self, language: Language) -> str:
        return self.en if language == "en" else self.zh


class Reason(BaseModel):
    """One reason, ready to show: a stable code plus the message in both languages."""

    code: str
    message_en: str
    message_zh: str
    document_id: str | None = None
    field: str | None = None  # the field the reason is about, where it is about one

    def message(self, language: Language) -> str:
        return self.message_en if language == "en" else self.message_zh


class ReasonCatalogue(BaseModel):
    """The contents of ``config/notices/reasons.yaml``."""

    model_config = ConfigDict(extra="forbid")

    version: str
    field_labels: dict[str, Bilingual]
    doc_type_labels: dict[str, Bilingual]
    reasons: dict[str, Bilingual]
    # why a file was quarantined (intake, page preparation) -> the reason the customer is told
    file_reasons: dict[str, str] = {}

    def field_label(self, name: str) -> Bilingual:
        return self.field_labels.get(name) or Bilingual(en=name.replace("_", " "), zh=name)

    def doc_type_label(self, doc_type: str) -> Bilingual:
        return self.doc_type_labels.get(doc_type) or Bilingual(en=doc_type.replace("_", " "), zh=doc_type)

    def file_reason(self, quarantine_reason: str, file_name: str) -> Reason:
        """What to tell the customer about a file we could not take: what to send instead depends on why."""
        return self.reason(self.file_reasons.get(quarantine_reason, "file_unreadable"), None, document=file_name)

    def reason(self, code: str, document_id: str | None = None, **facts: Any) -> Reason:
        """Build a reason; ``field``/``doc_type`` facts are shown by their label, Bilingual facts per language."""
        if code not in self.reasons:
            raise KeyError(f"reason '{code}' is not in the reason catalogue")
        messages = {}
        for language in ("en", "zh"):
            shown = {}
            for key, value in facts.items():
                if key == "field":
                    value = self.field_label(value)
                elif key == "doc_type":
                    value = self.doc_type_label(value)
                shown[key] = value.get(language) if isinstance(value, Bilingual) else value
            messages[language] = self.reasons[code].get(language).format_map(shown)
        field = facts.get("field")
        return Reason(code=code, message_en=messages["en"], message_zh=messages["zh"], document_id=document_id,
                      field=field if isinstance(field, str) else None)


def catalogue_problems(catalogue: ReasonCatalogue) -> list[tuple[tuple[Any, ...], str]]:
    problems: list[tuple[tuple[Any, ...], str]] = []
    for code in REASON_FACTS:
        if code not in catalogue.reasons:
            problems.append((("reasons",), f"reason '{code}' has no message"))
    for code, text in catalogue.reasons.items():
        if code not in REASON_FACTS:
            problems.append((("reasons", code), f"'{code}' is not a reason the checklist gives"))
            continue
        for language in ("en", "zh"):
            try:
                used = {name for _, name, _, _ in string.Formatter().parse(text.get(language)) if name}
            except ValueError as exc:
                problems.append((("reasons", code, language), f"bad placeholder: {exc}"))
                continue
            unknown = used - REASON_FACTS[code]
            if unknown:
                allowed = ", ".join(sorted(REASON_FACTS[code]))
                problems.append(
                    (("reasons", code, language), f"uses {sorted(unknown)}, which this reason does not supply (it has: {allowed})")
                )
    for quarantine_reason, code in catalogue.file_reasons.items():
        if not (code.startswith("file_") and code in REASON_FACTS):
            problems.append((("file_reasons", quarantine_reason), f"'{code}' is no reason about a file"))
    all_fields = {f for fields in FIELDS.values() for f in fields}
    for name in sorted(all_fields - set(catalogue.field_labels)):
        problems.append((("field_labels",), f"field '{name}' has no label"))
    for name in sorted(set(DOC_TYPES) - set(catalogue.doc_type_labels)):
        problems.append((("doc_type_labels",), f"document type '{name}' has no label"))
    return problems
