"""The Prefect flow prepares every page, quarantines unreadable files, and is idempotent."""
import pytest
from sqlalchemy import func, select

from storage.models import Claim, Document, Page
from tests import files
from tests.test_intake import fnol, policy


def counts(db):
    with db.session() as s:
        return (s.scalar(select(func.count()).select_from(Document)), s.scalar(select(func.count()).select_from(Page)))


def test_process_inbox_prepares_pages_and_rerunning_changes_nothing(flow_ctx):
    from flows.process_claim import process_claim, process_inbox

    ctx = flow_ctx
    ctx.intake.register_policy(policy())
    claim = ctx.intake.create_claim(fnol()).claim_number
    ctx.intake.upload(claim, "claim_form.pdf", files.text_pdf(["CLAIM FORM", "Name: Wei Zhang"], pages=2))
    ctx.intake.upload(claim, "invoice_scan.pdf", files.scanned_pdf(["INVOICE 77", "Total 1,234.50"]))
    ctx.intake.upload(claim, "IMG_0001.jpg", files.jpeg(["damage"]))

    process_inbox()
    assert counts(ctx.db) == (3, 4)
    with ctx.db.session() as s:
        pages = s.scalars(select(Page).order_by(Page.document_id, Page.page_no)).all()
        assert [p.source for p in pages] == ["text_layer", "text_layer", "image", "image"]
        assert "Wei Zhang" in pages[0].text
        assert all(ctx.store.exists(p.image_key) for p in pages)
        assert all(ctx.store.exists(p.words_key) for p in pages if p.source == "text_layer")
        assert s.scalar(select(Claim.stage)) != "received"
    objects = sorted(ctx.store.list())

    process_claim(claim)  # a second run on the same claim
    assert counts(ctx.db) == (3, 4)
    assert sorted(ctx.store.list()) == objects


def test_a_file_that_fails_page_preparation_is_quarantined_and_the_rest_goes_on(flow_ctx):
    from flows.process_claim import process_claim
    from pipeline.stages.prepare import summarise

    ctx = flow_ctx
    ctx.intake.register_policy(policy())
    claim = ctx.intake.create_claim(fnol()).claim_number
    # pypdf can open this one (intake lets it through) but it has a page PDFium cannot draw
    ctx.intake.upload(claim, "claim_form.pdf", files.text_pdf(["CLAIM FORM"]))
    with ctx.db.session() as s:
        doc = s.scalar(select(Document))
        doc_id = doc.id
    # Simulate a file that intake accepted but turns out unreadable: replace its bytes in a fresh store key
    bad = files.truncated_pdf()
    with ctx.db.session() as s:
        doc = s.get(Document, doc_id)
        ctx.store.put("raw/broken-copy", bad)
        doc.object_key = "raw/broken-copy"
    ctx.intake.upload(claim, "photo.jpg", files.jpeg())
    process_claim(claim)
    summary = summarise(ctx, claim)
    assert summary.pages == 1
    assert [q[1] for q in summary.quarantined] == ["corrupt_pdf"]


def test_a_claim_that_fails_stops_no_other_and_stays_in_the_inbox(flow_ctx):
    from flows.process_claim import claims_waiting, process_inbox
    from storage.models import AuditEvent

    ctx = flow_ctx
    ctx.intake.register_policy(policy())
    broken = ctx.intake.create_claim(fnol()).claim_number
    fine = ctx.intake.create_claim(fnol()).claim_number
    ctx.intake.upload(broken, "claim_form.pdf", files.text_pdf(["CLAIM FORM", "Name: Wei Zhang"]))
    ctx.intake.upload(fine, "claim_form.pdf", files.text_pdf(["CLAIM FORM", "Name: Wei Zhang", "Policy POL-1001"]))
    with ctx.db.session() as s:  # the stored upload vanished from the object store
        key = s.scalar(select(Document.object_key).join(Claim).where(Claim.claim_number == broken))
    ctx.store.delete(key)

    results = process_inbox()
    assert [r["claim_number"] for r in results if "failed" in r] == [broken]
    with ctx.db.session() as s:
        assert s.scalar(select(Claim.stage).where(Claim.claim_number == fine)) == "routed"
        assert "processing_failed" in s.scalars(select(AuditEvent.action)).all()
    assert claims_waiting(ctx) == [broken]


def test_a_page_read_in_one_claim_is_not_read_again_in_another(flow_ctx):
    from flows.process_claim import process_claim
    from storage.models import Page

    ctx = flow_ctx
    ctx.intake.register_policy(policy())
    scan = files.scanned_pdf(["REPAIR INVOICE 0042", "Total 1,234.50"])
    first = ctx.intake.create_claim(fnol()).claim_number
    second = ctx.intake.create_claim(fnol()).claim_number
    ctx.intake.upload(first, "invoice.pdf", scan)
    ctx.intake.upload(second, "invoice_copy.pdf", scan)

    assert process_claim(first)["reading"]["pages_from_cache"] == 0
    assert process_claim(second)["reading"]["pages_from_cache"] == 1
    with ctx.db.session() as s:
        texts = s.scalars(select(Page.text).order_by(Page.id)).all()
    assert len(texts) == 2 and texts[0] == texts[1] and "1,234.50" in texts[0]
