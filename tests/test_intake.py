"""Intake: claims are acknowledged, uploads are checked, bad files quarantined, nothing lost."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from pipeline.intake.service import Intake
from pipeline.schemas import FirstNotice, PolicyRecord
from storage.models import AuditEvent, Claim, Document
from tests import files

INCIDENT = datetime(2026, 3, 5, 14, 30, tzinfo=timezone.utc)


def policy(number="POL-1001", start=date(2026, 1, 1), end=date(2026, 12, 31)) -> PolicyRecord:
    return PolicyRecord(policy_number=number, line_of_business="auto", holder_name="Wei Zhang",
                        start_date=start, end_date=end, covered_incidents=["collision", "theft"],
                        sum_insured=Decimal("50000"), premium=Decimal("1200"))


def fnol(number="POL-1001", **kw) -> FirstNotice:
    base = dict(policy_number=number, line_of_business="auto", incident_type="collision", incident_at=INCIDENT,
                reported_at=INCIDENT + timedelta(days=1), claimant_name="Wei Zhang",
                claimed_amount=Decimal("1234.50"), currency="USD",
                auto={"vehicle_make": "Honda", "vehicle_plate": "AB12CDE"})
    return FirstNotice(**{**base, **kw})


@pytest.fixture
def intake(ctx) -> Intake:
    ctx.intake.register_policy(policy())
    return ctx.intake


def test_a_new_claim_is_acknowledged_with_a_number_and_time(intake):
    receipt = intake.create_claim(fnol())
    assert receipt.claim_number.startswith("CLM-")
    assert receipt.status == "pending" and receipt.reason is None
    assert (datetime.now(timezone.utc) - receipt.acknowledged_at).total_seconds() < 60


def test_unknown_policy_or_incident_outside_the_period_is_not_accepted_with_a_reason(intake):
    unknown = intake.create_claim(fnol(number="POL-NOPE"))
    assert (unknown.status, unknown.reason) == ("not_accepted", "policy_not_found")
    late = intake.create_claim(fnol(incident_at=datetime(2027, 2, 1, tzinfo=timezone.utc),
                                    reported_at=datetime(2027, 2, 2, tzinfo=timezone.utc)))
    assert late.status == "not_accepted" and "outside the policy period" in late.reason


def test_the_same_external_reference_creates_one_claim(intake, db):
    a = intake.create_claim(fnol(), external_ref="web-123")
    b = intake.create_claim(fnol(), external_ref="web-123")
    assert a.claim_number == b.claim_number and b.created is False
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Claim)) == 1


BAD_UPLOADS = [
    ("empty.pdf", b"", "empty_file"),
    ("broken.pdf", files.truncated_pdf(), "corrupt_pdf"),
    ("locked.pdf", files.encrypted_pdf(), "encrypted_pdf"),
    ("invoice.pdf", files.png(), "type_mismatch"),
    ("notes.docx", b"PK\x03\x04 not a document we read", "unsupported_type"),
    ("../../etc/passwd.pdf", files.text_pdf(["x"]), "unsafe_file_name"),
    ("bomb.png", files.huge_png(3000, 3000), "image_too_large"),
    ("broken.jpg", files.jpeg()[:200], "corrupt_image"),
    ("pixel.png", files.png((1, 1)), "image_too_small"),
    ("damage_front.png", files.png((800, 600)), "blank_page"),  # a covered lens: told at once, not after reading
]


@pytest.mark.parametrize("name,data,reason", BAD_UPLOADS, ids=[r for _, _, r in BAD_UPLOADS])
def test_a_bad_file_is_quarantined_with_a_reason_and_the_claim_goes_on(intake, ctx, name, data, reason):
    ctx.settings.max_image_pixels = 4_000_000
    claim = intake.create_claim(fnol()).claim_number
    bad = intake.upload(claim, name, data)
    good = intake.upload(claim, "claim_form.pdf", files.text_pdf(["Claim form", "Name: Wei Zhang"]))
    assert bad.status == "quarantined" and bad.reason == reason and bad.message
    assert good.status == "stored"
    assert ctx.store.exists(f"quarantine/{bad.sha256}")
    assert not ctx.store.exists(f"raw/{bad.sha256}")
    assert ctx.store.stat(f"quarantine/{bad.sha256}").metadata["reason"] == reason


def test_oversized_and_too_many_pages_are_quarantined(intake, ctx):
    ctx.settings.max_upload_bytes, ctx.settings.max_pages = 5_000, 2
    claim = intake.create_claim(fnol()).claim_number
    assert intake.upload(claim, "big.jpg", files.jpeg(size=(1600, 1200))).reason == "too_large"
    ctx.settings.max_upload_bytes = 10_000_000
    assert intake.upload(claim, "long.pdf", files.text_pdf(["p"], pages=3)).reason == "too_many_pages"


def test_stored_uploads_are_content_addressed_with_claim_and_name_metadata(intake, ctx):
    claim = intake.create_claim(fnol()).claim_number
    data = files.scanned_pdf(["INVOICE", "Total 1,234.50"])
    up = intake.upload(claim, "发票.pdf", data)
    info = ctx.store.stat(f"raw/{up.sha256}")
    assert info.metadata == {"claim": claim, "original_name": "发票.pdf", "detected_type": "application/pdf"}


def test_same_bytes_twice_in_a_claim_make_one_document(intake, db):
    claim = intake.create_claim(fnol()).claim_number
    data = files.jpeg(["damage"])
    first = intake.upload(claim, "IMG_1.jpg", data)
    second = intake.upload(claim, "IMG_1 (copy).jpg", data)
    assert second.already_in_claim and second.document_id == first.document_id
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 1


def test_same_bytes_in_another_claim_are_recorded_as_a_cross_claim_duplicate(intake, db):
    data = files.scanned_pdf(["INVOICE 0042", "Total 900.00"])
    a = intake.create_claim(fnol()).claim_number
    b = intake.create_claim(fnol()).claim_number
    intake.upload(a, "invoice.pdf", data)
    dup = intake.upload(b, "invoice_copy.pdf", data)
    assert dup.status == "stored" and dup.duplicate_of == [a]
    with db.session() as s:
        actions = s.scalars(select(AuditEvent.action)).all()
    assert actions.count("claim_created") == 2 and actions.count("document_uploaded") == 2
