"""Red flags name what looked wrong in a claim and show the evidence."""
from datetime import date, datetime
from decimal import Decimal

import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from pipeline.checklist.yamlfile import ChecklistConfigError
from pipeline.dossier import Dossier, DossierDocument
from pipeline.fraud.config import load_fraud_config
from pipeline.fraud.red_flags import find_near_duplicates, find_red_flags, parse_pdf_date, pdf_metadata_flags
from pipeline.reading.types import ExtractedField
from pipeline.schemas import FirstNotice, PolicyRecord


def fnol(**changes) -> FirstNotice:
    base = dict(policy_number="HP-100", line_of_business="health", incident_type="inpatient",
                incident_at=datetime(2024, 5, 10, 9), reported_at=datetime(2024, 5, 12, 9), claimant_name="Li Wei",
                claimed_amount=Decimal("5000.00"), health={"hospital": "City Hospital"})
    return FirstNotice(**{**base, **changes})


def policy(**changes) -> PolicyRecord:
    base = dict(policy_number="HP-100", line_of_business="health", holder_name="Li Wei", start_date=date(2023, 1, 1),
                end_date=date(2024, 12, 31), covered_incidents=["inpatient"], sum_insured=Decimal("100000"),
                premium=Decimal("1200"))
    return PolicyRecord(**{**base, **changes})


def doc(doc_id: str, doc_type: str, **fields) -> DossierDocument:
    values = {k: ExtractedField(k, v, v, 0.95, 1) for k, v in fields.items()}
    return DossierDocument(doc_id, f"{doc_id}.pdf", doc_type, 0.9, False, values, sha256=doc_id * 8)


def dossier(documents, first_notice=None, policy_record="default") -> Dossier:
    return Dossier("CLM-1", first_notice or fnol(), policy() if policy_record == "default" else policy_record,
                   documents, datetime(2024, 5, 12, 10))


def codes(flags):
    return [f.code for f in flags]


def test_a_clean_claim_raises_no_flag():
    clean = dossier([doc("inv", "medical_invoice", name="LI Wei", total_amount="5000.00", issue_date="2024-05-11",
                         invoice_number="A1")])
    assert find_red_flags(clean) == []


def test_invoice_total_different_from_claimed_amount():
    flags = find_red_flags(dossier([doc("inv", "medical_invoice", total_amount="4200.00", issue_date="2024-05-11")]))
    (flag,) = flags
    assert flag.code == "invoice_amount_mismatch"
    assert flag.evidence["invoice_total"] == "4200.00" and flag.evidence["claimed_amount"] == "5000.00"
    assert flag.title and flag.weight > 0


def test_small_rounding_is_not_a_mismatch_and_a_repeated_invoice_counts_once():
    twice = [doc("a", "medical_invoice", total_amount="4990.00", invoice_number="X"),
             doc("b", "medical_invoice", total_amount="4990.00", invoice_number="X")]
    assert find_red_flags(dossier(twice)) == []


def test_invoice_dated_before_incident_and_outside_policy():
    flags = find_red_flags(dossier([doc("inv", "medical_invoice", total_amount="5000.00", issue_date="2022-12-20")]))
    assert codes(flags) == ["invoice_before_incident", "invoice_outside_policy"]
    assert flags[0].evidence == {"document": "inv.pdf", "issue_date": "2022-12-20", "incident_date": "2024-05-10"}


def test_names_that_disagree_across_documents():
    flags = find_red_flags(dossier([doc("id", "id_card", name="Wang Fang"), doc("bill", "itemised_bill", name="Wei Li")]))
    (flag,) = flags
    assert flag.code == "name_mismatch"
    assert flag.evidence["differing"] == [{"document": "id.pdf", "name": "Wang Fang"}]


def test_same_and_near_duplicate_images_in_other_claims():
    exact = doc("photo", "damage_photo")
    exact.duplicate_of = ["CLM-7"]
    near = doc("photo2", "damage_photo")
    near.near_duplicate_of = ["CLM-9"]
    flags = find_red_flags(dossier([exact, near]))
    assert codes(flags) == ["duplicate_image", "near_duplicate_image"]
    assert flags[0].evidence["other_claims"] == ["CLM-7"]


def test_near_duplicates_by_hamming_distance():
    others = [("CLM-2", "ffffffffffffffff"), ("CLM-3", "fffffffffffff000"), ("CLM-4", "0000000000000000")]
    assert find_near_duplicates("fffffffffffffff0", others, max_distance=12) == ["CLM-2", "CLM-3"]


def test_late_report_and_brand_new_policy():
    late = fnol(incident_at=datetime(2024, 1, 5), reported_at=datetime(2024, 3, 1))
    flags = find_red_flags(dossier([], late, policy(start_date=date(2023, 12, 20))))
    assert codes(flags) == ["late_report", "new_policy"]
    assert flags[0].evidence["days_after_incident"] == 56
    assert flags[1].evidence["days_after_policy_start"] == 16


def _pdf_with_metadata(path, **metadata) -> dict:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="INVOICE 2024-05-11 TOTAL 5000.00")
    plain = path.with_suffix(".plain.pdf")
    pdf.output(str(plain))
    writer = PdfWriter(clone_from=str(plain))
    writer.add_metadata({f"/{k}": v for k, v in metadata.items()})
    writer.write(str(path))
    return {k.lstrip("/"): str(v) for k, v in PdfReader(str(path)).metadata.items()}


def test_pdf_saved_by_an_editor_and_modified_later(tmp_path):
    meta = _pdf_with_metadata(tmp_path / "edited.pdf", Producer="Adobe Photoshop 25.0", Creator="Microsoft Word",
                              CreationDate="D:20240511090000+08'00'", ModDate="D:20240601120000+08'00'")
    flags = pdf_metadata_flags(meta, document="edited.pdf")
    assert codes(flags) == ["pdf_edited", "pdf_modified_after_issue"]
    assert flags[0].evidence["editor"] == "photoshop"
    assert flags[1].evidence["hours_later"] == pytest.approx(507.0)


def test_pdf_from_a_plain_generator_is_not_flagged(tmp_path):
    meta = _pdf_with_metadata(tmp_path / "plain.pdf", Producer="HospitalBilling 3.2",
                              CreationDate="D:20240511090000Z", ModDate="D:20240511090500Z")
    assert pdf_metadata_flags(meta) == []


def test_pdf_modified_after_its_printed_issue_date():
    flags = pdf_metadata_flags({"ModDate": "D:20240620100000Z"}, issue_date=date(2024, 5, 11))
    assert codes(flags) == ["pdf_modified_after_issue"]


def test_pdf_dates_in_both_notations():
    assert parse_pdf_date("D:20240511090000+08'00'").isoformat() == "2024-05-11T09:00:00+08:00"
    assert parse_pdf_date("2024-05-11T09:00:00Z").isoformat() == "2024-05-11T09:00:00+00:00"
    assert parse_pdf_date("yesterday") is None


def test_a_bad_config_file_is_refused_with_its_line(tmp_path):
    text = load_fraud_config().model_dump()
    bad = tmp_path / "fraud.yaml"
    import yaml

    text["red_flags"]["weights"]["made_up_flag"] = 1.0
    bad.write_text(yaml.safe_dump(text))
    with pytest.raises(ChecklistConfigError, match="made_up_flag"):
        load_fraud_config(bad)
