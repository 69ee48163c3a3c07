"""Checks that need more than one document: same person, same ID, plausible dates, totals, no reuse.

Each check yields findings that name the documents they hold against, so the item a
document serves can be marked invalid (or sent to a person) for the right reason. A
reading below the confidence bar never passes or fails a check: it goes to a person.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from pipeline.checklist.config import Checklist, ChecklistSettings
from pipeline.checklist.ids import id_number_problem, normalise_id
from pipeline.checklist.names import NameMatch, compare_names
from pipeline.checklist.reasons import Reason
from pipeline.checklist.result import Evidence, Finding
from pipeline.dossier import Dossier, DossierDocument
from pipeline.edits import one_edit_apart
from pipeline.reading.types import ExtractedField, shown_confidence

FNOL_FILE = "first notice of loss"


def evidence_of(doc: DossierDocument, f: ExtractedField) -> Evidence:
    return Evidence(
        document_id=doc.document_id, file_name=doc.file_name, field=f.name, page_no=f.page_no, value=f.value, confidence=f.confidence
    )


def _confident_type(doc: DossierDocument, s: ChecklistSettings) -> bool:
    return not doc.low_confidence and doc.type_confidence >= s.reading.min_type_confidence and doc.doc_type != "other"


def unreadable_reason(doc: DossierDocument, f: ExtractedField, s: ChecklistSettings) -> Reason:
    """A person must read ``f``: it was read under the confidence bar."""
    return s.reasons.reason("field_unreadable", doc.document_id, document=doc.file_name, field=f.name,
                            confidence=shown_confidence(f.confidence))


def _unreadable(doc: DossierDocument, f: ExtractedField, check: str, s: ChecklistSettings) -> Finding:
    return Finding(check=check, status="needs_person", document_ids=[doc.document_id], reasons=[unreadable_reason(doc, f, s)],
                   evidence=[evidence_of(doc, f)])


def name_findings(dossier: Dossier, s: ChecklistSettings) -> list[Finding]:
    claimant = dossier.fnol.claimant_name
    claimant_ev = Evidence(document_id=None, file_name=FNOL_FILE, field="claimant_name", value=claimant)
    findings = []
    for doc in dossier.of_type(*s.names.doc_types):
        f = doc.fields.get("name")
        if f is None or not f.value.strip():
            continue  # absence is the item's business (field_missing)
        match = compare_names(f.value, claimant, s.names.variants, s.names.ignore_words)
        evidence = [evidence_of(doc, f), claimant_ev]
        if f.confidence < s.reading.min_field_confidence:
            if match is NameMatch.different:  # uncertain, but not even close: say what it may be
                reason = s.reasons.reason("name_possibly_other_person", doc.document_id, document=doc.file_name,
                                          name=f.value, claimant=claimant, confidence=shown_confidence(f.confidence))
                findings.append(Finding(check="name_agreement", status="needs_person", document_ids=[doc.document_id],
                                        reasons=[reason], evidence=evidence))
            else:
                findings.append(_unreadable(doc, f, "name_agreement", s))
            continue
        if match is NameMatch.same:
            findings.append(Finding(check="name_agreement", status="passed", document_ids=[doc.document_id], reasons=[], evidence=evidence))
        else:
            code, status = ("name_unclear", "needs_person") if match is NameMatch.similar else ("name_mismatch", "failed")
            reason = s.reasons.reason(code, doc.document_id, document=doc.file_name, name=f.value, claimant=claimant)
            findings.append(Finding(check="name_agreement", status=status, document_ids=[doc.document_id], reasons=[reason], evidence=evidence))
    return findings


def id_number_findings(dossier: Dossier, s: ChecklistSettings) -> list[Finding]:
    """Every identity number is well formed, and they are all the same number."""
    readings: list[tuple[DossierDocument, ExtractedField]] = []
    findings: list[Finding] = []
    for doc in dossier.documents:
        name = s.id_numbers.fields.get(doc.doc_type)
        f = doc.fields.get(name) if name else None
        if f is None or not f.value.strip():
            continue
        if f.confidence < s.reading.min_field_confidence:
            findings.append(_unreadable(doc, f, "id_number", s))
            continue
        if id_number_problem(f.value, s.id_numbers.rule):
            reason = s.reasons.reason("id_number_invalid", doc.document_id, document=doc.file_name, id_number=f.value)
            findings.append(Finding(check="id_number", status="failed", document_ids=[doc.document_id], reasons=[reason], evidence=[evidence_of(doc, f)]))
            continue
        readings.append((doc, f))
    fnol_id = dossier.fnol.claimant_id_number
    fnol_ok = bool(fnol_id) and id_number_problem(fnol_id or "", s.id_numbers.rule) is None
    reference = _reference_id(readings, normalise_id(fnol_id) if fnol_ok and fnol_id else None)
    reference_ev = Evidence(document_id=None, file_name=FNOL_FILE, field="claimant_id_number", value=fnol_id) if fnol_id else None
    for doc, f in readings:
        evidence = [evidence_of(doc, f)] + ([reference_ev] if reference_ev else [])
        if normalise_id(f.value) == reference:
            findings.append(Finding(check="id_number", status="passed", document_ids=[doc.document_id], reasons=[], evidence=evidence))
        else:
            reason = s.reasons.reason("id_number_mismatch", doc.document_id, document=doc.file_name, id_number=f.value, expected=reference)
            findings.append(Finding(check="id_number", status="failed", document_ids=[doc.document_id], reasons=[reason], evidence=evidence))
    if fnol_id and reference is not None and fnol_ok and normalise_id(fnol_id) != reference:
        # The filed number disagrees with the documents: the claim record is wrong, no document is.
        reason = s.reasons.reason("id_number_mismatch", None, document=FNOL_FILE, id_number=fnol_id, expected=reference)
        findings.append(Finding(check="id_number", status="failed", document_ids=[], reasons=[reason], evidence=[reference_ev] if reference_ev else []))
    return findings


def _reference_id(readings: list[tuple[DossierDocument, ExtractedField]], filed: str | None) -> str | None:
    """The number most sources agree on (the filed number counts as one source); ties go to the ID card."""
    votes = Counter(normalise_id(f.value) for _, f in readings)
    if filed:
        votes[filed] += 1
    if not votes:
        return None
    top = max(votes.values())
    leaders = {n for n, v in votes.items() if v == top}
    for number in [normalise_id(f.value) for d, f in readings if d.doc_type == "id_card"] + ([filed] if filed else []):
        if number in leaders:
            return number
    return sorted(leaders)[0]


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def date_findings(dossier: Dossier, s: ChecklistSettings) -> list[Finding]:
    incident = dossier.fnol.incident_at.date()
    policy = dossier.policy
    findings = []
    for doc in dossier.of_type(*s.dates.fields):
        for name in s.dates.fields[doc.doc_type]:
            f = doc.fields.get(name)
            if f is None or not f.value.strip():
                continue
            if f.confidence < s.reading.min_field_confidence:
                findings.append(_unreadable(doc, f, "dates", s))
                continue
            when = _parse_date(f.value)
            evidence = [evidence_of(doc, f)]
            if when is None:
                reason = s.reasons.reason("date_unparseable", doc.document_id, document=doc.file_name, field=name, date=f.value)
                findings.append(Finding(check="dates", status="needs_person", document_ids=[doc.document_id], reasons=[reason], evidence=evidence))
                continue
            reasons = []
            if s.dates.not_before_incident and when < incident:
                reasons.append(
                    s.reasons.reason("date_before_incident", doc.document_id, document=doc.file_name, field=name, date=when.isoformat(), incident_date=incident.isoformat())
                )
            latest = policy.end_date + timedelta(days=s.dates.after_policy_end_grace_days) if policy else None
            if s.dates.within_policy_period and policy is not None and not (policy.start_date <= when <= latest):
                reasons.append(
                    s.reasons.reason(
                        "date_outside_policy", doc.document_id, document=doc.file_name, field=name, date=when.isoformat(),
                        start=policy.start_date.isoformat(), end=policy.end_date.isoformat(),
                    )
                )
            status = "failed" if reasons else "passed"
            findings.append(Finding(check="dates", status=status, document_ids=[doc.document_id], reasons=reasons, evidence=evidence))
    return findings


def _amount(value: str) -> Decimal | None:
    try:
        return Decimal(value.replace(",", "").strip())
    except (InvalidOperation, AttributeError):
        return None


def _within(total: Decimal, claimed: Decimal, s: ChecklistSettings) -> bool:
    allowed = max(s.amounts.absolute_tolerance, s.amounts.relative_tolerance * claimed)
    return abs(total - claimed) <= allowed


def one_digit_apart(a: Decimal, b: Decimal) -> bool:
    """The figures differ by one digit lost, added or changed (12647.36 read as 2647.36): more
    often a misreading than a wrong claim, so a person looks rather than the customer being told."""
    return one_edit_apart(f"{a:.2f}", f"{b:.2f}")


def amount_findings(dossier: Dossier, checklist: Checklist, s: ChecklistSettings) -> list[Finding]:
    """The totals of the first amount document type present add up to the claimed amount."""
    fnol = dossier.fnol
    claimed = fnol.claimed_amount
    findings: list[Finding] = []
    form_findings = _claim_form_amount(dossier, s)
    docs: list[DossierDocument] = []
    for doc_type in checklist.amount_documents:
        docs = dossier.of_type(doc_type)
        if docs:
            break
    if not docs:
        return form_findings
    ids = [d.document_id for d in docs]
    evidence, person_reasons, total = [], [], Decimal("0")
    for doc in docs:
        f = doc.fields.get("total_amount")
        if not _confident_type(doc, s) or f is None:
            continue  # the item itself goes to a person / asks for the field; the total is then undecided
        evidence.append(evidence_of(doc, f))
        amount = _amount(f.value)
        if f.confidence < s.reading.min_field_confidence:
            person_reasons.append(unreadable_reason(doc, f, s))
        elif amount is None:
            person_reasons.append(s.reasons.reason("amount_unparseable", doc.document_id, document=doc.file_name, value=f.value))
        else:
            total += amount
        currency = doc.fields.get("currency")
        if currency is not None and currency.value.strip() and currency.value.strip().upper() != fnol.currency.upper():
            evidence.append(evidence_of(doc, currency))
            person_reasons.append(
                s.reasons.reason("currency_differs", doc.document_id, document=doc.file_name, currency=currency.value, claimed_currency=fnol.currency)
            )
    decided = len(evidence) > 0 and all(_confident_type(d, s) and "total_amount" in d.fields for d in docs)
    if person_reasons:
        findings.append(Finding(check="amount_total", status="needs_person", document_ids=ids, reasons=person_reasons, evidence=evidence))
    elif not decided:
        findings.append(Finding(check="amount_total", status="not_applicable", document_ids=[], reasons=[], evidence=evidence))
    elif _within(total, claimed, s):
        findings.append(Finding(check="amount_total", status="passed", document_ids=ids, reasons=[], evidence=evidence))
    elif one_digit_apart(total, claimed):
        reason = s.reasons.reason(
            "amount_one_digit_off", None, total=f"{total:.2f}", claimed=f"{claimed:.2f}", currency=fnol.currency,
            documents=", ".join(d.file_name for d in docs),
        )
        evidence.append(Evidence(document_id=None, file_name=FNOL_FILE, field="claimed_amount", value=f"{claimed:.2f}"))
        findings.append(Finding(check="amount_total", status="needs_person", document_ids=ids, reasons=[reason], evidence=evidence))
    else:
        reason = s.reasons.reason(
            "amount_mismatch", None, total=f"{total:.2f}", claimed=f"{claimed:.2f}", currency=fnol.currency,
            documents=", ".join(d.file_name for d in docs),
        )
        evidence.append(Evidence(document_id=None, file_name=FNOL_FILE, field="claimed_amount", value=f"{claimed:.2f}"))
        findings.append(Finding(check="amount_total", status="failed", document_ids=ids, reasons=[reason], evidence=evidence))
    return form_findings + findings


def _claim_form_amount(dossier: Dossier, s: ChecklistSettings) -> list[Finding]:
    """The amount on the signed claim form is the amount filed."""
    claimed = dossier.fnol.claimed_amount
    findings = []
    for doc in dossier.of_type("claim_form"):
        f = doc.fields.get("claimed_amount")
        if f is None or not f.value.strip():
            continue
        if f.confidence < s.reading.min_field_confidence:
            findings.append(_unreadable(doc, f, "amount_total", s))
            continue
        amount = _amount(f.value)
        evidence = [evidence_of(doc, f), Evidence(document_id=None, file_name=FNOL_FILE, field="claimed_amount", value=f"{claimed:.2f}")]
        if amount is None:
            reason = s.reasons.reason("amount_unparseable", doc.document_id, document=doc.file_name, value=f.value)
            findings.append(Finding(check="amount_total", status="needs_person", document_ids=[doc.document_id], reasons=[reason], evidence=evidence))
        elif _within(amount, claimed, s):
            findings.append(Finding(check="amount_total", status="passed", document_ids=[doc.document_id], reasons=[], evidence=evidence))
        else:
            code, status = ("amount_one_digit_off", "needs_person") if one_digit_apart(amount, claimed) else ("amount_mismatch", "failed")
            reason = s.reasons.reason(
                code, doc.document_id, total=f"{amount:.2f}", claimed=f"{claimed:.2f}", currency=dossier.fnol.currency, documents=doc.file_name
            )
            findings.append(Finding(check="amount_total", status=status, document_ids=[doc.document_id], reasons=[reason], evidence=evidence))
    return findings


def reuse_findings(dossier: Dossier, s: ChecklistSettings) -> list[Finding]:
    findings = []
    for doc in dossier.documents:
        evidence = [Evidence(document_id=doc.document_id, file_name=doc.file_name, field="sha256", value=doc.sha256)]
        if doc.duplicate_of:
            reason = s.reasons.reason("document_reused", doc.document_id, document=doc.file_name, claims=", ".join(doc.duplicate_of))
            findings.append(Finding(check="reuse", status="failed", document_ids=[doc.document_id], reasons=[reason], evidence=evidence))
        elif doc.near_duplicate_of and s.reuse.near_duplicate != "ignore":
            reason = s.reasons.reason("document_near_duplicate", doc.document_id, document=doc.file_name, claims=", ".join(doc.near_duplicate_of))
            status = "failed" if s.reuse.near_duplicate == "invalid" else "needs_person"
            evidence[0] = Evidence(document_id=doc.document_id, file_name=doc.file_name, field="phash", value=doc.phash)
            findings.append(Finding(check="reuse", status=status, document_ids=[doc.document_id], reasons=[reason], evidence=evidence))
    return findings


def unreadable_file_findings(dossier: Dossier, s: ChecklistSettings) -> list[Finding]:
    return [
        Finding(
            check="unreadable_file",
            status="failed",
            document_ids=[],
            reasons=[s.reasons.file_reason(q.reason, q.file_name)],
            evidence=[Evidence(document_id=None, file_name=q.file_name, field=q.reason, value=q.message)],
        )
        for q in dossier.quarantined
    ]


def cross_document_findings(dossier: Dossier, checklist: Checklist, s: ChecklistSettings) -> list[Finding]:
    return (
        name_findings(dossier, s)
        + id_number_findings(dossier, s)
        + date_findings(dossier, s)
        + amount_findings(dossier, checklist, s)
        + reuse_findings(dossier, s)
        + unreadable_file_findings(dossier, s)
    )
