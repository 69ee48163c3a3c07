"""The document classifier: learns types from text and image features, and admits doubt."""
from __future__ import annotations

import json

import pytest
from PIL import Image

from pipeline.reading.classify import (
    number_features,
    MODELS_DIR,
    DocumentClassifier,
    colourfulness,
    document_text,
    image_features,
    latest_version,
)
from pipeline.reading.types import PageText, Word
from pipeline.vocabulary import DOC_TYPES

TEXTS = {
    "police_report": ["Road Traffic Collision Report Report no. PR-{n} Reported by Mary Jones Vehicle registration",
                      "道路交通事故认定书 编号 {n} 当事人 张伟 号牌号码 粤B{n}"],
    "medical_invoice": ["City General Hospital INVOICE Invoice No. {n} Patient Mary Jones Total due $1,{n}.00",
                        "门诊收费票据 票据号码 {n} 姓名 李娜 金额合计（大写） 壹仟贰佰元整"],
    "bank_details": ["Confirmation of Bank Details Account holder Mary Jones IBAN GB82 WEST {n} Sort code",
                     "银行账户信息确认书 户名 李娜 账号 6222 {n} 开户行 中国工商银行"],
}


def _page(text: str, confidence: float = 0.9) -> PageText:
    words = [Word(w, (0.1 + 0.05 * (i % 10), 0.1 + 0.03 * (i // 10), 0.14 + 0.05 * (i % 10), 0.12 + 0.03 * (i // 10)), confidence, i // 10)
             for i, w in enumerate(text.split())]
    return PageText(1, "ocr", words, 1000, 1400)


def _training_set():
    texts, feats, labels = [], [], []
    for label, templates in TEXTS.items():
        for n in range(12):
            for t in templates:
                page = _page(t.format(n=1000 + 37 * n))
                texts.append(document_text([page]))
                feats.append(image_features([page], None))
                labels.append(label)
    photo = _page("")
    for _ in range(12):
        texts.append("")
        feats.append({**image_features([photo], None), "colourfulness": 0.6})
        labels.append("damage_photo")
    return texts, feats, labels


@pytest.fixture(scope="module")
def trained() -> DocumentClassifier:
    return DocumentClassifier().fit(*_training_set())


def test_types_are_learned_from_english_and_chinese_text(trained):
    cases = {
        "Road Traffic Collision Report Report no. PR-5521 Reported by John Smith": "police_report",
        "道路交通事故认定书 编号 5521 当事人 王芳": "police_report",
        "门诊收费票据 票据号码 7788 姓名 王芳 金额合计": "medical_invoice",
        "Account holder John Smith IBAN GB33 BUKB 2020 1555 5555 55": "bank_details",
    }
    pages = [[_page(t)] for t in cases]
    preds = trained.predict([document_text(p) for p in pages], [image_features(p, None) for p in pages])
    assert [p.doc_type for p in preds] == list(cases.values())
    assert all(not p.low_confidence for p in preds)


def test_a_colourful_page_without_text_is_a_damage_photo(trained):
    photo = Image.new("RGB", (200, 150), (200, 40, 30))
    photo.paste((30, 90, 200), (100, 0, 200, 150))
    pred = trained.classify([_page("")], photo)
    assert pred.doc_type == "damage_photo"


def test_a_damage_photo_with_a_few_words_of_ocr_noise_is_still_a_damage_photo(trained):
    photo = Image.new("RGB", (200, 150), (200, 40, 30))
    photo.paste((30, 90, 200), (100, 0, 200, 150))
    noise = [_page("xq Zv", confidence=0.2)]  # what OCR made of a badge and a shadow
    assert trained.similarity([document_text(noise)])[0] < trained.min_similarity
    pred = trained.classify(noise, photo)
    assert (pred.doc_type, pred.low_confidence) == ("damage_photo", False)


def test_text_unlike_any_training_type_is_reported_as_low_confidence_not_forced(trained):
    pred = trained.classify([_page("Lorem ipsum dolor sit amet consectetur adipiscing")])
    assert pred.low_confidence
    assert trained.similarity([document_text([_page("Lorem ipsum dolor sit amet")])])[0] < trained.min_similarity


def test_save_and_load_by_version_round_trip_with_a_model_card(trained, tmp_path):
    out = trained.save(tmp_path, "v-test", card={"data": "unit-test texts", "metrics": {"accuracy": 1.0}})
    assert (out / "model.skops").exists() and (out / "MODEL_CARD.md").exists()
    assert json.loads((out / "card.json").read_text())["version"] == "v-test"
    loaded = DocumentClassifier.load("v-test", tmp_path)
    page = [_page("门诊收费票据 票据号码 12 姓名 李娜")]
    assert loaded.classify(page) == trained.classify(page)
    assert latest_version(tmp_path) == "v-test"
    with pytest.raises(FileNotFoundError):
        DocumentClassifier.load("v-missing", tmp_path)


def test_labels_outside_the_vocabulary_are_refused():
    with pytest.raises(ValueError, match="DOC_TYPES"):
        DocumentClassifier().fit(["a", "b"], [{}, {}], ["invoice", "receipt"])


def test_colourfulness_separates_grey_scans_from_photos():
    assert colourfulness(Image.new("L", (50, 50), 128)) == 0.0
    assert colourfulness(Image.new("RGB", (50, 50), (128, 128, 128))) == pytest.approx(0.0)
    vivid = Image.new("RGB", (50, 50), (220, 30, 30))
    vivid.paste((20, 200, 40), (25, 0, 50, 50))
    assert colourfulness(vivid) > 50


def test_a_card_held_up_to_the_camera_looks_like_a_card_and_a_wall_does_not():
    from PIL import ImageDraw

    from pipeline.reading.classify import shape_features

    card = Image.new("RGB", (1200, 1600), (90, 80, 70))
    ImageDraw.Draw(card).polygon([(250, 600), (950, 620), (940, 1060), (240, 1040)], fill=(235, 235, 225))
    wall = Image.new("RGB", (1600, 1200), (200, 195, 185))
    ImageDraw.Draw(wall).rectangle([0, 900, 1600, 1200], fill=(120, 110, 100))  # a floor: wide, not card-shaped
    assert shape_features(card)["card_like"] == 1.0
    assert shape_features(wall)["card_like"] == 0.0
    assert shape_features(None) == {"card_like": 0.0, "edge_density": 0.0}


def test_print_covers_the_page_where_words_were_read_not_where_tesseract_saw_a_letter_in_a_picture():
    """A card photo's portrait, 'read' as one unsure character in a box half the photo's size,
    once made the card look like a page full of text and sent it to 'other'."""
    from pipeline.reading.classify import text_features

    print_ = [Word("姓名", (0.2, 0.3, 0.3, 0.35), 0.94), Word("陈涛", (0.35, 0.3, 0.45, 0.35), 0.92)]
    portrait = Word("由", (0.55, 0.3, 1.0, 0.97), 0.39)
    with_portrait = text_features([PageText(1, "ocr", print_ + [portrait], 1600, 1200)])
    assert with_portrait["text_density"] == pytest.approx(0.01)
    assert with_portrait["text_density"] == text_features([PageText(1, "ocr", print_, 1600, 1200)])["text_density"]


def test_training_works_out_the_word_features_again_from_cached_readings(tmp_path):
    """OCR is the slow part and is cached; a cached row's features from the words follow the code."""
    from pipeline.reading.train_classifier import read_examples
    from tests.files import text_pdf

    upload = tmp_path / "letter.pdf"
    upload.write_bytes(text_pdf(["Dear Sir, please find my claim enclosed."]))
    cache = tmp_path / ".reading_cache.jsonl"
    first = read_examples([(upload, "g", "other")], cache, workers=1)[0]
    row = json.loads(cache.read_text(encoding="utf-8"))
    row["features"]["text_density"] = 0.99  # as an older definition of the feature left it
    cache.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    again = read_examples([(upload, "g", "other")], cache, workers=1)[0]
    assert again.features["text_density"] == pytest.approx(first.features["text_density"])
    assert again.features["text_density"] < 0.5


@pytest.mark.parametrize("text, expected", [
    ("中国工商儿行\n6222 0239 0752 1968 324\n户名 杜秀英", {"card_number": 1.0, "bank_named": 1.0, "resident_id": 0.0}),
    ("姓名 于婷婷\n公民身份号码 610113195910074847", {"card_number": 0.0, "bank_named": 0.0, "resident_id": 1.0}),
    ("公民身份号码 610113195910074848", {"card_number": 0.0, "bank_named": 0.0, "resident_id": 0.0}),  # check fails
    ("Bank: Wells Fargo Bank\nAccount number 147644835995", {"card_number": 0.0, "bank_named": 1.0, "resident_id": 0.0}),
])
def test_identity_numbers_and_bank_names_are_told_apart_by_their_check_digits(text, expected):
    """Photos of ID cards and bank cards read alike; what their numbers are tells them apart."""
    assert number_features(text) == expected


def test_the_shipped_classifier_loads_and_says_where_it_came_from():
    if not list(MODELS_DIR.glob("*/model.skops")):
        pytest.fail("no classifier shipped under models/doc_classifier/")
    clf = DocumentClassifier.load()
    assert clf.version == latest_version()
    assert set(clf.model.classes_) <= set(DOC_TYPES)
    assert {"data", "metrics", "trained_at"} <= set(clf.card)
    assert (MODELS_DIR / clf.version / "MODEL_CARD.md").exists()


def test_the_shipped_classifier_reads_four_lines_of_an_invoice_by_their_words():
    """Four lines of an invoice on an otherwise empty page were once read as an ID card (0.88):
    little text on a page is what cards have, and the page's numbers outweighed its words."""
    import io

    from pipeline.reading.read_file import read_document
    from tests.files import page_image

    buf = io.BytesIO()
    page_image(["Patient Invoice", "Patient: John Smith", "Department: Cardiology",
                "Total due: 1,234.50 GBP"]).save(buf, "PNG")
    doc = read_document(buf.getvalue(), "image/png", "invoice.png")
    assert doc.doc_type == "medical_invoice"


def _labelled_folder(tmp_path, rows: list[tuple[str, str, str]]):
    """Real-looking text-layer PDFs of police reports and repair invoices, and the labels CSV a person wrote."""
    from tests.files import text_pdf

    lines = {"police_report": ["POLICE INCIDENT REPORT", "Report number PR-2024-{n}", "Officer J. Miles, Northern Division",
                               "Incident: collision at the junction of Mill Road"],
             "repair_invoice": ["AUTOFIX GARAGE - REPAIR INVOICE", "Invoice no. RI-{n}", "Labour 3.5 hours 210.00",
                                "Parts: front bumper 340.00", "Total due 550.00"]}
    for name, doc_type, _ in rows:
        if doc_type in lines:
            (tmp_path / name).write_bytes(text_pdf([line.format(n=4000 + len(name) * 7) for line in lines[doc_type]]))
    csv_path = tmp_path / "labels.csv"
    csv_path.write_text("file,doc_type,claim\n" + "".join(f"{n},{t},{c}\n" for n, t, c in rows), encoding="utf-8")
    return csv_path


def test_real_documents_labelled_in_a_csv_train_and_ship_a_classifier(tmp_path):
    """A data scientist's own labelled uploads are training data: listed in a CSV, read as production reads them."""
    from pipeline.reading.train_classifier import read_for_training, train_classifier
    from tests.files import text_pdf

    rows = [(f"{t}_{i}.pdf", t, f"CLM-{i}") for i in range(4) for t in ("police_report", "repair_invoice")]
    csv_path = _labelled_folder(tmp_path, rows)
    card = train_classifier(labelled=[csv_path], sroie_limit=0, version="labelled-test",
                            models_dir=tmp_path / "models", workers=1)
    assert "8 real documents labelled by hand in labels.csv" in card["data"]
    assert card["metrics"]["n"] >= 1  # held out by claim: both documents of a claim on one side
    clf = DocumentClassifier.load("labelled-test", tmp_path / "models")
    new = tmp_path / "new.pdf"
    new.write_bytes(text_pdf(["POLICE INCIDENT REPORT", "Report number PR-2025-0091", "Officer K. Shah"]))
    text, feats, _ = read_for_training(new)
    assert clf.predict([text], [feats])[0].doc_type == "police_report"


def test_every_bad_row_of_a_labels_csv_is_reported_before_anything_is_read(tmp_path):
    from pipeline.reading.train_classifier import labelled_items

    csv_path = _labelled_folder(tmp_path, [("report.pdf", "police_report", "A"), ("x.pdf", "police_report", "A"),
                                           ("report.pdf", "police report", "B")])
    (tmp_path / "x.pdf").unlink()
    with pytest.raises(ValueError) as err:
        labelled_items(csv_path)
    assert "2 bad row(s)" in str(err.value)
    assert "line 3: no file" in str(err.value) and "line 4: unknown doc_type 'police report'" in str(err.value)
    (tmp_path / "bare.csv").write_text("path,type\nreport.pdf,police_report\n", encoding="utf-8")
    with pytest.raises(ValueError, match="columns file and doc_type"):
        labelled_items(tmp_path / "bare.csv")


def test_the_training_flow_learns_from_sample_dossiers_and_labelled_real_documents(tmp_path, prefect_server):
    from flows.train_classifier import train_classifier_flow
    from tests.files import text_pdf

    samples = tmp_path / "samples"
    for n, doc_type, lines in ((1, "bank_details", ["Confirmation of Bank Details", "Account holder Mary Jones"]),
                               (2, "bank_details", ["Bank details", "Account holder Tom Wu", "Sort code 60-16-13"])):
        (samples / f"D{n}" / "documents").mkdir(parents=True)
        (samples / f"D{n}" / "documents" / "bank.pdf").write_bytes(text_pdf(lines))
        (samples / f"D{n}" / "truth.json").write_text(json.dumps(
            {"documents": [{"file": "documents/bank.pdf", "doc_type": doc_type}]}), encoding="utf-8")
    rows = [(f"{t}_{i}.pdf", t, f"CLM-{i}") for i in range(3) for t in ("police_report", "repair_invoice")]
    card = train_classifier_flow(samples_dir=str(samples), labelled=[str(_labelled_folder(tmp_path, rows))],
                                 sroie_limit=0, version="flow-test", models_dir=str(tmp_path / "models"))
    assert "2 generated documents from 2 sample dossiers in samples" in card["data"]
    assert "6 real documents labelled by hand in labels.csv" in card["data"]
    assert list(DocumentClassifier.load("flow-test", tmp_path / "models").model.classes_) == [
        "bank_details", "police_report", "repair_invoice"]
