"""The sample-claim generator writes dossiers whose files, records and truth agree with each other."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pytest
from PIL import Image

from pipeline.samples import NoiseSettings, generate_dossiers
from pipeline.samples.identity import cn_id_valid, iban_valid, luhn_valid
from pipeline.samples.text import cn_capital_amount
from pipeline.schemas import FirstNotice, PolicyRecord
from pipeline.vocabulary import DEFECT_KINDS, DOC_TYPES, FIELDS

INVOICES = ("medical_invoice", "repair_invoice")


@pytest.fixture(scope="module")
def sample_set(tmp_path_factory) -> list[Path]:
    return generate_dossiers(tmp_path_factory.mktemp("samples"), count=12, seed=7)


def truth(folder: Path) -> dict:
    return json.loads((folder / "truth.json").read_text(encoding="utf-8"))


def test_first_notice_and_policy_validate_and_agree(sample_set):
    policy_numbers = set()
    for folder in sample_set:
        fnol = FirstNotice.model_validate_json((folder / "fnol.json").read_text(encoding="utf-8"))
        policy = PolicyRecord.model_validate_json((folder / "policy.json").read_text(encoding="utf-8"))
        t = truth(folder)
        assert fnol.policy_number == policy.policy_number
        assert policy.holder_name == fnol.claimant_name
        assert (fnol.line_of_business, fnol.incident_type, fnol.language) == (t["line_of_business"], t["incident_type"], t["language"])
        policy_numbers.add(policy.policy_number)
    assert len(policy_numbers) == len(sample_set)


def test_every_document_in_truth_exists_and_opens(sample_set):
    for folder in sample_set:
        for doc in truth(folder)["documents"]:
            path = folder / doc["file"]
            assert path.is_file(), path
            assert doc["doc_type"] in DOC_TYPES
            assert set(doc["fields"]) <= set(FIELDS[doc["doc_type"]])
            if path.suffix == ".pdf":
                assert len(pdfium.PdfDocument(path)) == doc["pages"], path
            else:
                with Image.open(path) as img:
                    img.load()
                    assert min(img.size) >= 600
                assert doc["pages"] == 1


def test_claim_form_has_a_text_layer_with_the_claimant_name(sample_set):
    for folder in sample_set:
        fnol = FirstNotice.model_validate_json((folder / "fnol.json").read_text(encoding="utf-8"))
        form = next(d for d in truth(folder)["documents"] if d["doc_type"] == "claim_form")
        assert form["kind"] == "text_pdf"
        with pdfplumber.open(folder / form["file"]) as pdf:
            text = "\n".join(page.extract_text() or "" for page in pdf.pages)
        assert fnol.claimant_name in text
        assert fnol.policy_number in text


def test_scanned_pdfs_have_no_text_layer(sample_set):
    scans = [folder / d["file"] for folder in sample_set for d in truth(folder)["documents"] if d["kind"] == "scan_pdf"]
    assert scans
    for path in scans:
        with pdfplumber.open(path) as pdf:
            assert all(not page.chars for page in pdf.pages), path
            assert pdf.pages[0].images, path


def test_identifiers_carry_valid_check_digits(sample_set):
    seen_cn = 0
    for folder in sample_set:
        t = truth(folder)
        for doc in t["documents"]:
            number = doc["fields"].get("id_number")
            if number and t["language"] == "zh":
                assert cn_id_valid(number), number
                seen_cn += 1
            account = doc["fields"].get("account_number")
            if account and t["language"] == "zh":
                assert luhn_valid(account), account
            if account and account[:2].isalpha():
                assert iban_valid(account), account
    assert seen_cn > 0


def test_clean_claims_add_up_and_planted_mismatches_do_not(sample_set):
    for folder in sample_set:
        t = truth(folder)
        fnol = FirstNotice.model_validate_json((folder / "fnol.json").read_text(encoding="utf-8"))
        kinds = {d["kind"] for d in t["defects"]}
        invoices = [Decimal(d["fields"]["total_amount"]) for d in t["documents"] if d["doc_type"] in INVOICES]
        if not invoices or "missing_document" in kinds:
            continue
        total = sum(invoices)
        if "amount_mismatch" in kinds:
            assert abs(fnol.claimed_amount - total) > Decimal("0.05") * total
        else:
            assert fnol.claimed_amount == total


def test_planted_defects_are_recorded_consistently(sample_set):
    kinds = set()
    for folder in sample_set:
        t = truth(folder)
        fnol = FirstNotice.model_validate_json((folder / "fnol.json").read_text(encoding="utf-8"))
        docs = {d["file"]: d for d in t["documents"]}
        for defect in t["defects"]:
            kinds.add(defect["kind"])
            assert defect["kind"] in DEFECT_KINDS
            if defect["kind"] == "missing_document":
                assert defect["detail"]["doc_type"] not in {d["doc_type"] for d in t["documents"]}
            elif defect["kind"] == "name_mismatch":
                assert docs[defect["document"]]["fields"]["name"].lower() != fnol.claimant_name.lower()
            elif defect["kind"] == "invoice_before_incident":
                assert date.fromisoformat(docs[defect["document"]]["fields"]["issue_date"]) < fnol.incident_at.date()
            elif defect["kind"] == "rotated_document":
                doc = docs[defect["document"]]
                assert doc["rotation"] in (90, 180, 270)
                if doc["rotation"] in (90, 270):  # a portrait page stored on its side is wider than tall
                    path = folder / doc["file"]
                    img = pdfium.PdfDocument(path)[0] if path.suffix == ".pdf" else Image.open(path)
                    w, h = (img.get_size() if path.suffix == ".pdf" else img.size)
                    assert w > h
    assert kinds == set(DEFECT_KINDS)
    clean = sum(1 for folder in sample_set if not truth(folder)["defects"])
    assert 2 <= clean <= 8


def test_reused_invoice_has_the_same_bytes_in_two_claims(sample_set):
    root = sample_set[0].parent
    exact = 0
    for folder in sample_set:
        for defect in truth(folder)["defects"]:
            if defect["kind"] == "reused_invoice" and defect["detail"]["role"] == "copy":
                copy = (folder / defect["document"]).read_bytes()
                original = (root / defect["detail"]["same_as"]).read_bytes()
                if defect["detail"]["near"]:
                    assert copy != original
                else:
                    assert copy == original
                    exact += 1
    assert exact >= 1


def test_no_two_dossiers_share_a_document_except_the_reused_invoice(sample_set):
    seen: dict[bytes, str] = {}
    reused = {(f.name + "/" + d["document"]) for f in sample_set for d in truth(f)["defects"] if d["kind"] == "reused_invoice"}
    for folder in sample_set:
        for doc in truth(folder)["documents"]:
            key = folder.name + "/" + doc["file"]
            content = (folder / doc["file"]).read_bytes()
            if content in seen:
                assert key in reused and seen[content] in reused
            seen[content] = key


def test_same_seed_gives_the_same_truth_and_another_seed_does_not(tmp_path):
    a = generate_dossiers(tmp_path / "a", count=2, seed=11, workers=1)
    b = generate_dossiers(tmp_path / "b", count=2, seed=11, workers=1)
    c = generate_dossiers(tmp_path / "c", count=2, seed=12, workers=1)
    assert [p.name for p in a] == [p.name for p in b]
    for x, y in zip(a, b):
        assert (x / "truth.json").read_text(encoding="utf-8") == (y / "truth.json").read_text(encoding="utf-8")
        assert (x / "fnol.json").read_text(encoding="utf-8") == (y / "fnol.json").read_text(encoding="utf-8")
    assert [(p / "truth.json").read_text(encoding="utf-8") for p in a] != [(p / "truth.json").read_text(encoding="utf-8") for p in c]


def test_noise_settings_reject_nonsense():
    with pytest.raises(ValueError, match="max_skew_deg"):
        NoiseSettings(max_skew_deg=90)
    with pytest.raises(ValueError, match="dpi"):
        NoiseSettings(dpi=(300, 200))
    with pytest.raises(ValueError, match="count"):
        generate_dossiers(Path("/nonexistent-never-written"), count=0, seed=1)


def test_chinese_capital_amounts():
    assert cn_capital_amount(Decimal("1200")) == "壹仟贰佰元整"
    assert cn_capital_amount(Decimal("10.05")) == "壹拾元零伍分"
    assert cn_capital_amount(Decimal("120034")) == "壹拾贰万零叁拾肆元整"
    assert cn_capital_amount(Decimal("23456.78")) == "贰万叁仟肆佰伍拾陆元柒角捌分"
