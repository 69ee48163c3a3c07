"""A document re-sent with another claim is found by what it is, not by its bytes."""
from datetime import datetime, timezone

from sqlalchemy import select

from pipeline.stages.dossier import near_duplicates
from storage.models import Claim, Document, ExtractedFieldRow
from tests.test_intake import fnol, policy


def _read_document(db, intake, claim_number, sha, doc_type, fields):
    with db.session() as s:
        claim = s.scalar(select(Claim).where(Claim.claim_number == claim_number))
        doc = Document(claim_id=claim.id, sha256=sha, object_key=f"raw/{sha}", original_name=f"{sha}.jpg",
                       media_type="image/jpeg", size=1, doc_type=doc_type, read_at=datetime.now(timezone.utc))
        s.add(doc)
        s.flush()
        for name, (value, conf) in fields.items():
            s.add(ExtractedFieldRow(document_id=doc.id, name=name, value=value, raw=value, confidence=conf, page_no=1))
        return doc.id


def _near(db, doc_id):
    with db.session() as s:
        return near_duplicates(s, s.get(Document, doc_id), max_bits=12)


def test_the_same_invoice_number_or_issuer_date_and_total_in_another_claim_is_a_near_duplicate(ctx):
    ctx.intake.register_policy(policy())
    a, b, c = (ctx.intake.create_claim(fnol()).claim_number for _ in range(3))
    invoice = {"invoice_number": ("INV-0042", 0.9), "issuer": ("Quickfix Garage", 0.9),
               "issue_date": ("2026-03-06", 0.9), "total_amount": ("1234.50", 0.9)}
    first = _read_document(ctx.db, ctx.intake, a, "1" * 64, "repair_invoice", invoice)
    # a re-scan: the number misread, but issuer, date and total agree (case and spaces aside)
    _read_document(ctx.db, ctx.intake, b, "2" * 64, "repair_invoice",
                   {**invoice, "invoice_number": ("INV-0O42", 0.7), "issuer": (" QUICKFIX GARAGE", 0.8)})
    # same number on an uncertain reading, and a different invoice: neither counts
    _read_document(ctx.db, ctx.intake, c, "3" * 64, "repair_invoice", {"invoice_number": ("INV-0042", 0.4)})
    _read_document(ctx.db, ctx.intake, c, "4" * 64, "repair_invoice",
                   {**invoice, "invoice_number": ("INV-0099", 0.9), "total_amount": ("99.00", 0.9)})
    assert _near(ctx.db, first) == [b]
