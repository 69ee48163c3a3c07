"""The Prefect flow prepares every page, quarantines unreadable files, and is idempotent."""
import io

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


US_CLAIM_FORM = ["Meridian Assurance Ltd", "Motor Insurance Claim Form",
                 "Please complete in BLOCK CAPITALS. Fields marked * are required.", "1. Policyholder / claimant",
                 "*Full name Alice Kelly", "*Policy number MTR-2023-15000006-GP", "Telephone 270 591 2506",
                 "Address 8084 Riverside Walk, Springfield, IL 62704", "2. Incident", "*Date of incident 2024-01-04",
                 "Place Junction of Station Road and Mill Lane, Springfield", "3. Amount claimed and payment",
                 "*Amount claimed 26,400.00", "4. What happened", "Vehicle was missing in the morning.",
                 "Declaration: I declare that the information given on this form is true and complete.",
                 "Signature: Alice Kelly Date: 2024-01-11"]
POLICE_REPORT = ["Springfield Police Department", "79 High Street, Springfield", "Crime Report Acknowledgement",
                 "Report no.: PR-2024-668569 Date issued: 01/10/2024",
                 "Reported by: Alice Kelly Incident date/time: 01/04/2024 13:40",
                 "Location: Junction of Station Road and Mill Lane, Springfield",
                 "Vehicle was parked outside my home overnight and was missing in the morning. Reported to police.",
                 "This acknowledgement confirms that the incident has been recorded. Quote the report number in all",
                 "correspondence with your insurer.", "PC 5634"]


def incident_dates(db) -> dict[str, str]:
    from storage.models import ExtractedFieldRow

    with db.session() as s:
        rows = s.execute(select(Document.original_name, ExtractedFieldRow.value).join(ExtractedFieldRow)
                         .where(ExtractedFieldRow.name == "incident_date")).all()
    return dict(rows)


@pytest.mark.parametrize("late_upload", [False, True])
def test_a_date_a_document_leaves_open_is_read_the_way_the_rest_of_the_claim_writes_dates(flow_ctx, late_upload):
    from flows.process_claim import process_claim

    ctx = flow_ctx
    ctx.intake.register_policy(policy())
    claim = ctx.intake.create_claim(fnol()).claim_number
    ctx.intake.upload(claim, "claim_form.pdf", files.text_pdf(US_CLAIM_FORM))
    if late_upload:  # the claim form was read in an earlier run
        process_claim(claim)
    ctx.intake.upload(claim, "police_report.pdf", files.text_pdf(POLICE_REPORT))
    process_claim(claim)
    # the police report prints no place that settles 01/04/2024; the claim form's Illinois ZIP does
    assert incident_dates(ctx.db)["police_report.pdf"] == "2024-01-04"


CN_CLAIM_FORM = ["理赔申请书", "被保险人：丁平", "身份证号：110101198502052091", "保单号：PQCA202437020224200015",
                 "出险日期：2024年3月5日", "申请金额：3,200.00元"]
# 丁 printed as the J that OCR makes of it on a dusty scan: read unsurely, one slip from the form's 丁平
CN_BANK_CARD = ["中国工商银行", "银行卡信息确认书", "户名：J平", "卡号：6222021001122334455",
                "开户行：中国工商银行上海分行", "日期：2024年3月5日"]


@pytest.mark.parametrize("late_upload", [False, True])
def test_a_name_ocr_was_unsure_of_takes_the_name_the_claim_form_gives_surely(flow_ctx, late_upload):
    from flows.process_claim import process_claim
    from storage.models import ExtractedFieldRow

    ctx = flow_ctx
    ctx.intake.register_policy(policy())
    claim = ctx.intake.create_claim(fnol()).claim_number
    ctx.intake.upload(claim, "理赔申请书.pdf", files.text_pdf(CN_CLAIM_FORM, font=files.WQY))
    if late_upload:  # the claim form was read in an earlier run
        process_claim(claim)
    buf = io.BytesIO()
    files.page_image(CN_BANK_CARD, size=(1240, 900), font_file=files.WQY).save(buf, "JPEG", quality=50)
    ctx.intake.upload(claim, "银行卡.jpg", buf.getvalue())
    process_claim(claim)
    with ctx.db.session() as s:
        names = {name: (value, raw, confidence) for name, value, raw, confidence in s.execute(
            select(Document.original_name, ExtractedFieldRow.value, ExtractedFieldRow.raw, ExtractedFieldRow.confidence)
            .join(ExtractedFieldRow).where(ExtractedFieldRow.name == "name")).all()}
    assert names["理赔申请书.pdf"][0] == "丁平"
    value, raw, confidence = names["银行卡.jpg"]
    assert value == "丁平"
    assert raw != "丁平" and confidence < 0.9  # what OCR read (上平, J平), and how unsure, stay for the reviewer


BANK_LETTER_WITHOUT_LABEL = ["Wells Fargo Bank", "Account Details Confirmation",
                             "We confirm that the account below is held with us in the name shown.",
                             "Alice Kelly", "Routing number (ABA) 121000248", "Account number 968546827918",
                             "Account type Checking"]


def test_a_document_whose_name_label_is_lost_takes_the_claims_name_printed_on_it(flow_ctx):
    from flows.process_claim import process_claim
    from storage.models import ExtractedFieldRow

    ctx = flow_ctx
    ctx.intake.register_policy(policy())
    claim = ctx.intake.create_claim(fnol()).claim_number
    ctx.intake.upload(claim, "claim_form.pdf", files.text_pdf(US_CLAIM_FORM))
    ctx.intake.upload(claim, "bank_letter.pdf", files.scanned_pdf(BANK_LETTER_WITHOUT_LABEL))
    process_claim(claim)
    with ctx.db.session() as s:
        found = s.execute(select(Document.doc_type, ExtractedFieldRow.value, ExtractedFieldRow.confidence,
                                 ExtractedFieldRow.method)
                          .join(ExtractedFieldRow).where(Document.original_name == "bank_letter.pdf",
                                                         ExtractedFieldRow.name == "name")).all()
    assert [(t, v) for t, v, _, _ in found] == [("bank_details", "Alice Kelly")]
    assert found[0][2] < 0.9 and found[0][3] == "claim"  # read on the page, not beside its label: the reviewer sees so


def test_a_document_the_reader_fails_on_is_quarantined_and_the_others_are_read(flow_ctx, monkeypatch):
    """Fault injection: the clean-up fails on one photo (as a bug in the reader would), the claim goes on."""
    import pipeline.reading.engine as engine
    from flows.process_claim import process_claim
    from pipeline.stages.prepare import summarise

    real_clean_page = engine.clean_page

    def clean_page(image, *args, **kwargs):
        if image.size == (640, 480):
            raise RuntimeError("the clean-up broke on this photo")
        return real_clean_page(image, *args, **kwargs)

    monkeypatch.setattr(engine, "clean_page", clean_page)
    ctx = flow_ctx
    ctx.intake.register_policy(policy())
    claim = ctx.intake.create_claim(fnol()).claim_number
    ctx.intake.upload(claim, "claim_form.pdf", files.text_pdf(["CLAIM FORM", "Name: Wei Zhang"]))
    ctx.intake.upload(claim, "photo.jpg", files.jpeg(["damage"], size=(640, 480)))
    process_claim(claim)
    summary = summarise(ctx, claim)
    assert [(name, reason) for name, reason, _ in summary.quarantined] == [("photo.jpg", "unreadable_page")]
    assert "the clean-up broke on this photo" in summary.quarantined[0][2]
    with ctx.db.session() as s:
        assert [d.original_name for d in s.scalars(select(Document)) if d.read_at is not None] == ["claim_form.pdf"]
