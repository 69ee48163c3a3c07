"""A date or amount the first OCR pass lost beside its label is read again from its own strip."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.reading.extract import extract_fields
from pipeline.reading.values import Context
from pipeline.reading.types import PageText, Word
from pipeline.reading.zones import _value_of, _word_by_word, reread_value_zones
from tests.conftest import needs_shared

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def receipt_line(value: str) -> np.ndarray:
    img = Image.new("L", (1000, 200), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(DEJAVU, 30)
    draw.text((40, 80), "Date:", fill=0, font=font)
    draw.text((400, 80), value, fill=0, font=font)
    return np.asarray(img)


def first_reading(value_read: str, confidence: float = 0.40) -> PageText:
    """What a first pass gave: the label, and its value misread."""
    words = [Word("Date:", (0.04, 0.40, 0.12, 0.58), 0.95, 0, 1),
             Word(value_read, (0.40, 0.40, 0.55, 0.58), confidence, 0, 1)]
    return PageText(1, "ocr", words, 1000, 200, lang="eng")


def test_a_date_misread_beside_its_label_is_read_again_from_its_strip():
    page = reread_value_zones(first_reading("Sate"), receipt_line("22/12/2017"))
    assert "Sate" not in [w.text for w in page.words]
    [date] = [f for f in extract_fields("medical_invoice", [page]) if f.name == "issue_date"]
    assert date.value == "2017-12-22" and date.confidence > 0.8
    assert page.timings["zones"] > 0


def test_the_words_read_again_take_the_place_of_the_misreading_in_reading_order():
    img = Image.fromarray(receipt_line("22/12/2017"))
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(DEJAVU, 30)
    draw.text((700, 80), "Total:", fill=0, font=font)
    draw.text((820, 80), "5.00", fill=0, font=font)
    words = first_reading("Sate").words + [Word("Total:", (0.70, 0.40, 0.79, 0.58), 0.95, 0, 1),
                                           Word("5.00", (0.82, 0.40, 0.88, 0.58), 0.95, 0, 1)]
    page = reread_value_zones(PageText(1, "ocr", words, 1000, 200, lang="eng"), np.asarray(img))
    assert page.text == "Date: 22/12/2017 Total: 5.00"


def test_a_page_whose_labels_all_have_values_is_left_as_it_was():
    page = first_reading("22/12/2017")
    again = reread_value_zones(page, receipt_line("22/12/2017"))
    assert again.words == page.words


def test_nothing_readable_in_the_strip_leaves_the_first_reading():
    page = reread_value_zones(first_reading("Sate"), receipt_line(""))
    assert [w.text for w in page.words] == ["Date:", "Sate"]


def test_a_curled_real_receipt_gets_its_tilted_date():
    """SROIE 014: the receipt curls, "22/12/2017" beside "Date:" tilts and reads as "Sate"."""
    from pipeline.reading.read_file import read_path

    root = needs_shared("data", "receipts_sroie")
    doc = read_path(root / "img" / "014.jpg")
    key = json.loads((root / "key" / "014.json").read_text())
    fields = {f.name: f.value for f in extract_fields("medical_invoice", doc.pages)}
    assert key["date"] == "22/12/2017" and fields["issue_date"] == "2017-12-22"


def name_line() -> np.ndarray:
    img = Image.new("L", (1000, 200), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(DEJAVU, 30)
    draw.text((40, 80), "Account holder", fill=0, font=font)
    draw.text((330, 80), "Hannah Carter", fill=0, font=font)
    return np.asarray(img)


def test_a_name_with_a_word_ocr_could_not_make_out_is_read_again_from_its_strip():
    words = [Word("Account", (0.04, 0.40, 0.16, 0.58), 0.96, 0, 1), Word("holder", (0.17, 0.40, 0.28, 0.58), 0.96, 0, 1),
             Word("Hannah", (0.33, 0.40, 0.45, 0.58), 0.96, 0, 1), Word("alee", (0.46, 0.40, 0.55, 0.58), 0.08, 0, 1)]
    page = reread_value_zones(PageText(1, "ocr", words, 1000, 200, lang="eng"), name_line())
    assert {f.name: f.value for f in extract_fields("bank_details", [page])}["name"] == "Hannah Carter"


def test_a_name_read_surely_is_not_read_again():
    words = [Word("Account", (0.04, 0.40, 0.16, 0.58), 0.96, 0, 1), Word("holder", (0.17, 0.40, 0.28, 0.58), 0.96, 0, 1),
             Word("Hannah", (0.33, 0.40, 0.45, 0.58), 0.96, 0, 1), Word("Carter", (0.46, 0.40, 0.57, 0.58), 0.93, 0, 1)]
    page = PageText(1, "ocr", words, 1000, 200, lang="eng")
    assert reread_value_zones(page, name_line()).words == words


def line_image(label: str, value: str, size: int = 30) -> np.ndarray:
    img = Image.new("L", (1000, 200), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(DEJAVU, size)
    if label:
        draw.text((40, 80), label, fill=0, font=font)
    draw.text((400, 80), value, fill=0, font=font)
    return np.asarray(img)


def test_a_total_read_as_letters_ocr_was_unsure_of_is_read_again_word_by_word():
    """SROIE 011: "TOTAL 15.00" in dot-matrix print came out "TOTAL isS.vU0", which parses as 0.00."""
    words = [Word("TOTAL", (0.04, 0.40, 0.15, 0.58), 0.95, 0, 1), Word("isS.vU0", (0.40, 0.40, 0.49, 0.58), 0.06, 0, 1)]
    page = reread_value_zones(PageText(1, "ocr", words, 1000, 200, lang="eng"), line_image("TOTAL", "15.00"))
    assert page.text == "TOTAL 15.00"
    assert {f.name: f.value for f in extract_fields("medical_invoice", [page])}["total_amount"] == "15.00"


def test_a_value_read_surely_is_not_read_again_even_when_it_has_letters():
    words = [Word("TOTAL", (0.04, 0.40, 0.15, 0.58), 0.95, 0, 1), Word("RM15.00", (0.40, 0.40, 0.52, 0.58), 0.90, 0, 1)]
    page = PageText(1, "ocr", words, 1000, 200, lang="eng")
    assert reread_value_zones(page, line_image("TOTAL", "15.00")).words == words


def test_a_date_with_a_year_no_paper_carries_is_read_again_without_a_label():
    """SROIE 044: a till prints "18 Mar 2018 18:25" alone on its line; OCR gave 2098."""
    words = [Word("18", (0.40, 0.40, 0.44, 0.58), 0.84, 0, 1), Word("Mar", (0.45, 0.40, 0.51, 0.58), 0.90, 0, 1),
             Word("2098", (0.52, 0.40, 0.60, 0.58), 0.72, 0, 1)]
    page = reread_value_zones(PageText(1, "ocr", words, 1000, 200, lang="eng"), line_image("", "18 Mar 2018"))
    assert page.text == "18 Mar 2018"
    assert {f.name: f.value for f in extract_fields("medical_invoice", [page])}["issue_date"] == "2018-03-18"


def test_a_date_whose_separator_ocr_misread_is_read_again():
    """SROIE 259: a till's "05-05-17" came out "OS~05-17", which reads as no date at all."""
    words = [Word("OS~05-17", (0.40, 0.40, 0.56, 0.58), 0.55, 0, 1)]
    page = reread_value_zones(PageText(1, "ocr", words, 1000, 200, lang="eng"), line_image("", "05-05-17"))
    assert {f.name: f.value for f in extract_fields("medical_invoice", [page])}["issue_date"] == "2017-05-05"


def test_a_date_ocr_was_unsure_of_is_read_again_and_most_readings_decide():
    """SROIE 090: a till's "Date : 13/03/2017" came out 19/03/2017, OCR unsure of it."""
    page = reread_value_zones(first_reading("16/03/2018", 0.60), receipt_line("15/03/2018"))
    assert {f.name: f.value for f in extract_fields("medical_invoice", [page])}["issue_date"] == "2018-03-15"


def test_a_date_ocr_was_sure_of_is_not_read_again():
    page = first_reading("16/03/2018", 0.93)
    assert reread_value_zones(page, receipt_line("15/03/2018")).words == page.words


@pytest.mark.parametrize("stem, printed, date", [
    ("090", "13/03/2017", "2017-03-13"),  # read unsurely as 19/03/2017
    ("057", "29 MAR 2018", "2018-03-29"),  # read as 29 Mar 2044, then agreed on only word by word
])
def test_a_real_receipt_date_misread_is_read_again(stem, printed, date):
    from pipeline.reading.read_file import read_path

    root = needs_shared("data", "receipts_sroie")
    doc = read_path(root / "img" / f"{stem}.jpg")
    assert json.loads((root / "key" / f"{stem}.json").read_text())["date"] == printed
    assert {f.name: f.value for f in extract_fields("medical_invoice", doc.pages)}["issue_date"] == date


def _copy(*texts: str) -> list[Word]:
    """One copy's reading: its words side by side across the zone (x in fractions of it)."""
    return [Word(t, (i / len(texts), 0.0, (i + 0.9) / len(texts), 1.0), 0.9, 0, 0) for i, t in enumerate(texts)]


def test_readings_that_agree_only_word_by_word_give_the_value_each_word_agrees_on():
    """SROIE 057: "29 Mar 2018" came out 2044; read again at eight sizes, no whole date came out twice."""
    zone = (0.0, 0.0, 1.0, 1.0)
    first = [Word(t, (i / 3, 0.4, (i + 0.9) / 3, 0.6), 0.7, 0, 0) for i, t in enumerate(["29", "Mar", "2044"])]
    readings = [(zone, _copy("29", "Mar", "2915")), (zone, _copy("29", "Mar", "2915")), (zone, _copy("29", "Mar", "2018")),
                (zone, _copy("29", "Mar", "2018")), (zone, _copy("29", "Mar", "2013")), (zone, _copy("29", "Mar", "2915"))]
    value, _, words = _word_by_word(readings, first, _value_of("date", Context()), 2)
    assert value == "2018-03-29" and [w.text for w in words] == ["29", "Mar", "2018"]  # 2915 is no year


def test_word_by_word_readings_that_do_not_agree_give_nothing():
    zone = (0.0, 0.0, 1.0, 1.0)
    first = [Word(t, (i / 3, 0.4, (i + 0.9) / 3, 0.6), 0.7, 0, 0) for i, t in enumerate(["29", "Mar", "2044"])]
    readings = [(zone, _copy("29", "Mar", "2915")), (zone, _copy("23", "Mar", "2018")), (zone, _copy("28", "Mar", "2013"))]
    assert _word_by_word(readings, first, _value_of("date", Context()), 2) is None


def test_readings_that_do_not_agree_leave_the_misread_year_as_it_was():
    """Nothing there to read: no value gets the votes to replace the first reading, which stays for a person to see."""
    words = [Word("18", (0.40, 0.40, 0.44, 0.58), 0.84, 0, 1), Word("Mar", (0.45, 0.40, 0.51, 0.58), 0.90, 0, 1),
             Word("2098", (0.52, 0.40, 0.60, 0.58), 0.72, 0, 1)]
    page = PageText(1, "ocr", words, 1000, 200, lang="eng")
    assert reread_value_zones(page, line_image("", "")).words == words


def test_a_date_alone_on_its_line_read_again_keeps_its_place_in_the_page():
    img = Image.fromarray(line_image("", "18 Mar 2018"))
    ImageDraw.Draw(img).text((400, 150), "Thank you", fill=0, font=ImageFont.truetype(DEJAVU, 30))
    words = [Word("Receipt", (0.40, 0.05, 0.55, 0.2), 0.95, 0, 1),
             Word("18", (0.40, 0.40, 0.44, 0.58), 0.84, 1, 1), Word("Mar", (0.45, 0.40, 0.51, 0.58), 0.90, 1, 1),
             Word("2098", (0.52, 0.40, 0.60, 0.58), 0.72, 1, 1), Word("Thanks", (0.40, 0.75, 0.55, 0.9), 0.95, 2, 1)]
    page = reread_value_zones(PageText(1, "ocr", words, 1000, 200, lang="eng"), np.asarray(img))
    assert [w.text for w in page.words] == ["Receipt", "18", "Mar", "2018", "Thanks"]


def test_an_amount_whose_currency_mark_and_first_digit_became_one_unsure_mark_is_read_again():
    """An invoice's "¥13761.93" came out "双 3761.93" (双 at 0.00): the first digit went into the mark."""
    words = [Word("TOTAL", (0.04, 0.40, 0.15, 0.58), 0.95, 0, 1), Word("S", (0.40, 0.40, 0.425, 0.58), 0.02, 0, 1),
             Word("3761.93", (0.425, 0.40, 0.56, 0.58), 0.55, 0, 1)]
    page = reread_value_zones(PageText(1, "ocr", words, 1000, 200, lang="eng"), line_image("TOTAL", "$13761.93"))
    assert {f.name: f.value for f in extract_fields("medical_invoice", [page])}["total_amount"] == "13761.93"


NOTO_CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def chinese_line(text: str) -> np.ndarray:
    img = Image.new("L", (1000, 200), 255)
    ImageDraw.Draw(img).text((40, 75), text, fill=0, font=ImageFont.truetype(NOTO_CJK, 40))
    return np.asarray(img)


def glued(read_as: str, right: float, confidence: float) -> PageText:
    """OCR joined a label and its value into one word, as it does with close Chinese characters."""
    return PageText(1, "ocr", [Word(read_as, (0.04, 0.39, right, 0.6), confidence, 0, 1)], 1000, 200, lang="chi_sim")


def chinese_name_line(name: str) -> np.ndarray:
    return chinese_line("户名" + name)


def glued_name(read_as: str, confidence: float) -> PageText:
    return glued("户名" + read_as, 0.24, confidence)


def test_a_chinese_name_ocr_was_unsure_of_is_read_again_and_takes_what_most_readings_agree_on():
    """A bank letter's 户名蔡家乐 came out 户名葵家乐 (0.28): 葵 is no surname, and 蔡 is what the print says."""
    page = reread_value_zones(glued_name("葵家乐", 0.28), chinese_name_line("蔡家乐"))
    [word] = page.words
    assert word.text == "户名蔡家乐" and word.confidence <= 0.28
    assert {f.name: f.value for f in extract_fields("bank_details", [page], "zh")}["name"] == "蔡家乐"


def test_a_chinese_name_read_surely_is_not_read_again():
    page = glued_name("葵家乐", 0.9)  # sure, even if wrong: a person sees the confidence, the reader does not guess
    assert reread_value_zones(page, chinese_name_line("蔡家乐")).words == page.words


def test_a_chinese_name_nothing_on_the_page_confirms_stays_as_first_read():
    page = glued_name("葵家乐", 0.28)
    assert reread_value_zones(page, chinese_name_line("")).words == page.words


def test_a_plate_whose_province_ocr_read_as_another_character_gets_its_province_back():
    """A registration's 粤A67J85 came out 哪A67J85: the plate was read, its province was not."""
    img = Image.new("L", (1000, 200), 255)
    ImageDraw.Draw(img).text((40, 75), "号牌号码:  粤A67J85", fill=0, font=ImageFont.truetype(NOTO_CJK, 40))
    words = [Word("号牌号码:", (0.04, 0.39, 0.21, 0.6), 0.9, 0, 1), Word("哪A67J85", (0.23, 0.39, 0.40, 0.6), 0.5, 0, 1)]
    page = PageText(1, "ocr", words, 1000, 200, lang="chi_sim")
    assert {f.name: f.value for f in extract_fields("vehicle_registration", [page], "zh")}["vehicle_plate"] == "A67J85"
    again = reread_value_zones(page, np.asarray(img))
    assert {f.name: f.value for f in extract_fields("vehicle_registration", [again], "zh")}["vehicle_plate"] == "粤A67J85"


def test_a_card_number_whose_letter_ocr_read_as_a_digit_gets_its_letter_back():
    """An ID card's D76534165 came out 076534165 (0.60); read again, it is the card's shape (labels.yaml card_pattern)."""
    words = [Word("076534165", (0.40, 0.40, 0.62, 0.58), 0.60, 0, 1)]
    page = reread_value_zones(PageText(1, "ocr", words, 1000, 200, lang="eng"), line_image("", "D76534165"))
    assert [w.text for w in page.words] == ["D76534165"]
    assert {f.name: f.value for f in extract_fields("id_card", [page])}["id_number"] == "D76534165"


def test_a_number_that_reads_as_digits_again_stays_as_it_was():
    words = [Word("076534165", (0.40, 0.40, 0.62, 0.58), 0.60, 0, 1)]
    page = PageText(1, "ocr", words, 1000, 200, lang="eng")
    assert reread_value_zones(page, line_image("", "076534165")).words == words


def test_a_date_beside_an_expiry_label_is_not_taken_for_a_misread_year():
    """A card valid until 2068 is no misreading: not read again, even when the print would say otherwise."""
    words = [Word("Expires", (0.04, 0.40, 0.15, 0.58), 0.95, 0, 1), Word("18", (0.40, 0.40, 0.44, 0.58), 0.84, 0, 1),
             Word("Mar", (0.45, 0.40, 0.51, 0.58), 0.90, 0, 1), Word("2098", (0.52, 0.40, 0.60, 0.58), 0.72, 0, 1)]
    page = PageText(1, "ocr", words, 1000, 200, lang="eng")
    assert reread_value_zones(page, line_image("Expires", "18 Mar 2018")).words == words


def test_a_value_below_its_label_read_again_stays_on_its_own_line():
    """A police report prints "Incident date/time" over "30/11/2023 09:15"; a speck before the date
    (";", hardly read) sends it for a second look, which must not overwrite the label's line."""
    img = Image.new("L", (1000, 260), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(DEJAVU, 26)
    placed = [("Reported", 40, 60), ("by", 175, 60), ("Incident", 500, 60), ("date/time", 625, 60),
              ("Charlotte", 40, 140), ("Patel", 175, 140), (";", 470, 140), ("30/11/2023", 500, 140), ("09:15", 675, 140)]
    words = []
    for text, x, y in placed:
        draw.text((x, y), text, fill=0, font=font)
        x0, y0, x1, y1 = draw.textbbox((x, y), text, font=font)
        words.append(Word(text, (x0 / 1000, y0 / 260, x1 / 1000, y1 / 260), 0.10 if text == ";" else 0.95, int(y > 100), 1))
    page = reread_value_zones(PageText(1, "ocr", words, 1000, 260, lang="eng"), np.asarray(img))
    assert page.text.splitlines()[0] == "Reported by Incident date/time"
    got = {f.name: f.value for f in extract_fields("police_report", [page])}
    assert (got["name"], got["incident_date"]) == ("Charlotte Patel", "2023-11-30")


def test_a_chinese_date_ocr_was_unsure_of_is_read_again_and_most_readings_decide():
    """A scanned invoice's 2024年11月19日 came out 2024年1月19日 (0.70): the thin 1 of 11 lost."""
    page = reread_value_zones(glued("开票日期2024年1月19日", 0.52, 0.70), chinese_line("开票日期2024年11月19日"))
    assert {f.name: f.value for f in extract_fields("medical_invoice", [page], "zh")}["issue_date"] == "2024-11-19"


def test_a_chinese_date_ocr_was_sure_of_is_not_read_again():
    page = glued("开票日期2024年1月19日", 0.52, 0.80)
    assert reread_value_zones(page, chinese_line("开票日期2024年11月19日")).words == page.words
