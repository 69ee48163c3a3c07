"""Verify a claim's documents against its checklist: one pure function of the dossier.

Re-verification after a late upload is calling :func:`verify` again on the new dossier:
the same case always gets the same answer.

'satisfied' is never a guess. An item is ticked only when every document offered for
it is confidently of its type, every required field was read confidently, and no
cross-document check holds anything against it. Anything the reading could not decide
becomes ``needs_person``, never ``satisfied``.
"""
from __future__ import annotations

from collections import defaultdict

from pipeline.checklist.acceptance import judge_acceptance
from pipeline.checklist.conditions import holds
from pipeline.checklist.config import Checklist, ChecklistItem, ChecklistSettings
from pipeline.checklist.cross_checks import cross_document_findings, evidence_of, unreadable_reason
from pipeline.checklist.reasons import Reason
from pipeline.checklist.result import ChecklistResult, Evidence, Finding, ItemResult, ItemStatus, NotApplicable
from pipeline.dossier import Dossier, DossierDocument
from pipeline.reading.types import shown_confidence


def verify(dossier: Dossier, checklist: Checklist, settings: ChecklistSettings) -> ChecklistResult:
    fnol = dossier.fnol
    if (fnol.line_of_business, fnol.incident_type) != (checklist.line_of_business, checklist.incident_type):
        raise ValueError(
            f"checklist {checklist.version} is for {checklist.line_of_business}/{checklist.incident_type}, "
            f"claim {dossier.claim_number} is {fnol.line_of_business}/{fnol.incident_type}"
        )
    findings = cross_document_findings(dossier, checklist, settings)
    against: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        for document_id in finding.document_ids:
            against[document_id].append(finding)

    items, not_applicable = [], []
    for item in checklist.items:
        if holds(item.when, fnol):
            items.append(_judge_item(item, dossier, against, settings))
        else:
            not_applicable.append(NotApplicable(code=item.code, condition=item.when.describe() if item.when else ""))

    return ChecklistResult(
        claim_number=dossier.claim_number,
        checklist_version=checklist.version,
        settings_version=settings.version,
        line_of_business=fnol.line_of_business,
        incident_type=fnol.incident_type,
        language=fnol.language,
        items=items,
        not_applicable=not_applicable,
        findings=findings,
        acceptance=judge_acceptance(dossier, items, findings, settings),
    )


def _judge_item(item: ChecklistItem, dossier: Dossier, against: dict[str, list[Finding]], s: ChecklistSettings) -> ItemResult:
    candidates = dossier.of_type(*item.doc_types)
    invalid: list[Reason] = []
    person: list[Reason] = []
    evidence: list[Evidence] = []

    if not candidates:
        unsorted = [d for d in dossier.documents if d.low_confidence or d.type_confidence < s.reading.min_type_confidence]
        if unsorted and s.reading.unsorted_documents_block_missing:
            # One of the documents we could not sort may be this one: a person looks first.
            person = [
                s.reasons.reason("unclassified_document", d.document_id, document=d.file_name, item=item.name) for d in unsorted
            ]
            return _result(item, "needs_person", person, [], [], [d.document_id for d in unsorted])
        return _result(item, "missing", [s.reasons.reason("document_missing", None, item=item.name)], [], [], [])

    for doc in candidates:
        bad, unsure, seen = _judge_document(item, doc, against.get(doc.document_id, []), s)
        invalid += bad
        person += unsure
        evidence += seen

    ids = [d.document_id for d in candidates]
    if invalid:
        return _result(item, "invalid", invalid, person, evidence, ids)
    if person:
        return _result(item, "needs_person", person, [], evidence, ids)
    return _result(item, "satisfied", [], [], evidence, ids)


def _judge_document(
    item: ChecklistItem, doc: DossierDocument, findings: list[Finding], s: ChecklistSettings
) -> tuple[list[Reason], list[Reason], list[Evidence]]:
    """(reasons it is invalid, reasons a person must look, evidence) for one document offered for an item."""
    invalid: list[Reason] = []
    person: list[Reason] = []
    evidence: list[Evidence] = [Evidence(document_id=doc.document_id, file_name=doc.file_name, field="doc_type", value=doc.doc_type, confidence=doc.type_confidence)]
    type_sure = not doc.low_confidence and doc.type_confidence >= s.reading.min_type_confidence
    if not type_sure:
        person.append(
            s.reasons.reason("type_uncertain", doc.document_id, document=doc.file_name, doc_type=doc.doc_type,
                             confidence=shown_confidence(doc.type_confidence))
        )
    accepts = next(a for a in item.accepts if doc.doc_type in a.doc_types)
    for name in accepts.fields:
        f = doc.fields.get(name)
        if f is None or not f.value.strip():
            reason = s.reasons.reason("field_missing", doc.document_id, document=doc.file_name, field=name)
            (invalid if s.reading.missing_field_status == "invalid" else person).append(reason)
        elif f.confidence < s.reading.min_field_confidence:
            person.append(unreadable_reason(doc, f, s))
            evidence.append(evidence_of(doc, f))
        else:
            evidence.append(evidence_of(doc, f))
    for finding in findings:
        # A rule failing on a document we are not sure of the type of is a person's call; reused bytes are not.
        if finding.status == "failed" and (type_sure or finding.check == "reuse"):
            invalid += [r for r in finding.reasons if r.document_id in (None, doc.document_id)]
        elif finding.status == "failed":
            person += [r for r in finding.reasons if r.document_id in (None, doc.document_id)]
        elif finding.status == "needs_person":
            person += [r for r in finding.reasons if r.document_id in (None, doc.document_id)]
        evidence += [e for e in finding.evidence if e not in evidence]
    return invalid, person, evidence


def _result(
    item: ChecklistItem,
    status: ItemStatus,
    reasons: list[Reason],
    notes: list[Reason],
    evidence: list[Evidence],
    document_ids: list[str],
) -> ItemResult:
    return ItemResult(
        code=item.code,
        name_en=item.name.en,
        name_zh=item.name.zh,
        instruction_en=item.instruction.en,
        instruction_zh=item.instruction.zh,
        required=item.required,
        status=status,
        reasons=_unique(reasons),
        review_notes=_unique(notes),
        evidence=evidence,
        document_ids=document_ids,
    )


def _unique(reasons: list[Reason]) -> list[Reason]:
    seen, out = set(), []
    for r in reasons:
        key = (r.code, r.message_en)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out
