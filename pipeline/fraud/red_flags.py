"""Document and timing red flags: named signals, each with the evidence a reviewer can check.

A red flag is not a verdict. It says what looked wrong and where, and carries a weight
(log-odds, from ``config/fraud.yaml``) used when the line's model has not learned that
signal from history. Every function here is pure: same dossier, same flags.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from pipeline.checklist.names import NameMatch, compare_names
from pipeline.dossier import Dossier, DossierDocument
from pipeline.fraud.config import FraudConfig, load_fraud_config
from pipeline.fraud.image_hash import hamming

# Documents whose total is what the claimant asks us to pay.
INVOICE_TYPES = ("medical_invoice", "repair_invoice")
# Used for the amount check only when no invoice was sent.
ESTIMATE_TYPES = ("repair_estimate",)
# Documents whose issue date should fall after the incident.
DATED_BILL_TYPES = ("medical_invoice", "itemised_bill", "repair_invoice", "repair_estimate")

TITLES = {
    "duplicate_image": "The same file was sent with another claim",
    "near_duplicate_image": "A nearly identical image was sent with another claim",
    "pdf_edited": "A PDF was produced or saved by editing software",
    "pdf_modified_after_issue": "A PDF was modified after it was issued",
    "invoice_amount_mismatch": "Invoice total differs from the claimed amount",
    "invoice_before_incident": "An invoice is dated before the incident",
    "invoice_outside_policy": "An invoice is dated outside the policy period",
    "name_mismatch": "Names disagree across the documents",
    "late_report": "Claim reported long after the incident",
    "new_policy": "Incident shortly after the policy started",
}


@dataclass(frozen=True)
class RedFlag:
    code: str  # one of pipeline.fraud.config.FLAG_CODES
    title: str  # plain words for a reviewer
    evidence: dict[str, Any] = field(default_factory=dict)
    weight: float = 0.0  # log-odds added when the model did not learn this flag

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _flag(code: str, cfg: FraudConfig, **evidence: Any) -> RedFlag:
    return RedFlag(code, TITLES[code], evidence, cfg.red_flags.weights[code])


# --- PDF metadata -----------------------------------------------------------------

_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?\s*(Z|[+-]\d{2}'?\d{2}'?)?")


def parse_pdf_date(text: str | None) -> datetime | None:
    """PDF dates (``D:20240131120000+08'00'``) or ISO strings, as aware datetimes; None if unreadable."""
    if not text:
        return None
    text = text.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    except ValueError:
        pass
    m = _PDF_DATE.match(text)
    if not m:
        return None
    year, month, day, hour, minute, second, tz = m.groups()
    try:
        when = datetime(int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None
    offset = timezone.utc
    if tz and tz != "Z":
        digits = tz.replace("'", "")
        sign = -1 if digits[0] == "-" else 1
        offset = timezone(sign * timedelta(hours=int(digits[1:3]), minutes=int(digits[3:5] or 0)))
    return when.replace(tzinfo=offset)


def pdf_metadata_flags(metadata: dict[str, str], issue_date: date | None = None,
                       config: FraudConfig | None = None, document: str | None = None) -> list[RedFlag]:
    """Editing software in Producer/Creator; a ModDate well after CreationDate or after the issue date."""
    cfg = config or load_fraud_config()
    rules = cfg.red_flags
    where = {"document": document} if document else {}
    flags: list[RedFlag] = []
    for key in ("Producer", "Creator"):
        value = str(metadata.get(key) or metadata.get(f"/{key}") or "")
        hit = next((e for e in rules.pdf_editors if e.lower() in value.lower()), None)
        if hit:
            flags.append(_flag("pdf_edited", cfg, **where, field=key, value=value, editor=hit))
            break
    created = parse_pdf_date(metadata.get("CreationDate") or metadata.get("/CreationDate"))
    modified = parse_pdf_date(metadata.get("ModDate") or metadata.get("/ModDate"))
    if modified:
        gap = timedelta(hours=rules.pdf_modified_after_hours)
        if created and modified - created >= gap:
            flags.append(_flag("pdf_modified_after_issue", cfg, **where, created=created.isoformat(),
                               modified=modified.isoformat(), hours_later=round((modified - created) / timedelta(hours=1), 1)))
        elif issue_date and modified.date() > issue_date + gap:
            flags.append(_flag("pdf_modified_after_issue", cfg, **where, issue_date=issue_date.isoformat(),
                               modified=modified.isoformat()))
    return flags


# --- helpers -------------------------------------------------------------------------

def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _amount(value: str | None) -> Decimal | None:
    if not value:
        return None
    try:
        return Decimal(value.replace(",", ""))
    except InvalidOperation:
        return None


def find_near_duplicates(phash: str, others: Iterable[tuple[str, str]], max_distance: int) -> list[str]:
    """Claims (from ``(claim_number, phash)`` pairs) holding an image within ``max_distance`` bits."""
    return sorted({claim for claim, other in others if other and len(other) == len(phash)
                   and hamming(phash, other) <= max_distance})


# --- the checks --------------------------------------------------------------------

def _image_flags(doc: DossierDocument, cfg: FraudConfig) -> list[RedFlag]:
    if doc.duplicate_of:
        return [_flag("duplicate_image", cfg, document=doc.file_name, other_claims=sorted(doc.duplicate_of))]
    if doc.near_duplicate_of:
        return [_flag("near_duplicate_image", cfg, document=doc.file_name, other_claims=sorted(doc.near_duplicate_of))]
    return []


def _amount_flags(dossier: Dossier, cfg: FraudConfig) -> list[RedFlag]:
    bills = dossier.of_type(*INVOICE_TYPES) or dossier.of_type(*ESTIMATE_TYPES)
    seen: set[str] = set()
    total, counted = Decimal("0"), []
    for doc in bills:
        amount = _amount(doc.value("total_amount"))
        currency = doc.value("currency")
        if amount is None or (currency and currency.upper() != dossier.fnol.currency.upper()):
            continue
        key = doc.value("invoice_number") or doc.sha256
        if key in seen:  # the same invoice twice is a duplicate, not twice the money
            continue
        seen.add(key)
        total += amount
        counted.append(doc.file_name)
    if not counted:
        return []
    claimed = dossier.fnol.claimed_amount
    rules = cfg.red_flags
    tolerance = max(Decimal(str(rules.amount_tolerance_fraction)) * claimed, Decimal(str(rules.amount_tolerance_absolute)))
    if abs(total - claimed) <= tolerance:
        return []
    return [_flag("invoice_amount_mismatch", cfg, documents=counted, invoice_total=f"{total:.2f}",
                  claimed_amount=f"{claimed:.2f}", difference=f"{claimed - total:.2f}")]


def _invoice_date_flags(dossier: Dossier, cfg: FraudConfig) -> list[RedFlag]:
    incident = dossier.fnol.incident_at.date()
    policy = dossier.policy
    flags = []
    for doc in dossier.of_type(*DATED_BILL_TYPES):
        issued = _date(doc.value("issue_date"))
        if issued is None:
            continue
        if issued < incident:
            flags.append(_flag("invoice_before_incident", cfg, document=doc.file_name,
                               issue_date=issued.isoformat(), incident_date=incident.isoformat()))
        if policy and not (policy.start_date <= issued <= policy.end_date):
            flags.append(_flag("invoice_outside_policy", cfg, document=doc.file_name, issue_date=issued.isoformat(),
                               policy_start=policy.start_date.isoformat(), policy_end=policy.end_date.isoformat()))
    return flags


def _name_flags(dossier: Dossier, cfg: FraudConfig) -> list[RedFlag]:
    claimant = dossier.fnol.claimant_name
    differing = []
    for doc in dossier.documents:
        name = doc.value("name")
        if name and compare_names(claimant, name) is NameMatch.different:
            differing.append({"document": doc.file_name, "name": name})
    if not differing:
        return []
    return [_flag("name_mismatch", cfg, claimant=claimant, differing=differing)]


def timing_flags(fnol, policy, config: FraudConfig | None = None) -> list[RedFlag]:
    """Late report and brand-new policy: from the first notice and policy alone (no documents)."""
    cfg = config or load_fraud_config()
    rules = cfg.red_flags
    flags = []
    delay = (fnol.reported_at - fnol.incident_at).days
    if delay >= rules.late_report_days:
        flags.append(_flag("late_report", cfg, days_after_incident=delay, threshold_days=rules.late_report_days))
    if policy is not None:
        age = (fnol.incident_at.date() - policy.start_date).days
        if 0 <= age <= rules.new_policy_days:
            flags.append(_flag("new_policy", cfg, days_after_policy_start=age, threshold_days=rules.new_policy_days,
                               policy_start=policy.start_date.isoformat()))
    return flags


def find_red_flags(dossier: Dossier, config: FraudConfig | None = None) -> list[RedFlag]:
    """Every red flag in a claim's dossier, in a stable order."""
    cfg = config or load_fraud_config()
    flags: list[RedFlag] = []
    for doc in dossier.documents:
        flags += _image_flags(doc, cfg)
        if doc.pdf_metadata:
            flags += pdf_metadata_flags(doc.pdf_metadata, _date(doc.value("issue_date")), cfg, doc.file_name)
    flags += _amount_flags(dossier, cfg)
    flags += _invoice_date_flags(dossier, cfg)
    flags += _name_flags(dossier, cfg)
    flags += timing_flags(dossier.fnol, dossier.policy, cfg)
    return flags
