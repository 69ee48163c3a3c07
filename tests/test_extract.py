"""Key fields from positioned words: a label's value sits to its right or on the line below."""
from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.checklist.config import load_settings
from pipeline.reading.extract import extract_fields
from pipeline.reading.layout import page_rows
from pipeline.reading.normalize import ClaimHints
from pipeline.reading.types import PageText, Word

CHAR_W = 0.012  # width of one character, as a fraction of the page
LINE_H = 0.015

SROIE = Path(__file__).resolve().parents[2] / "shared" / "data" / "receipts_sroie"


def page_of(lines: list[tuple[float, float, str]], confidence: float = 0.95, page_no: int = 1) -> PageText:
    """A page whose words sit where ``lines`` says: (x, y, text) with x, y fractions of the page.

    Words are split on single spaces; a run of spaces is a gap the width of those spaces,
    so ``"Total:      9.00"`` puts the amount well to the right of its label.
    """
    words = []
    for n, (x, y, text) in enumerate(lines):
        for m in re.finditer(r"\S+", text):
            x0 = x + m.start() * CHAR_W
            x1 = x + m.end() * CHAR_W
            words.append(Word(m.group(0), (x0, y, x1, y + LINE_H), confidence, n, 0))
    return PageText(page_no, "ocr", words, 1000, 1400)


def fields(doc_type: str, *pages: PageText, lang_hint: str | None = None) -> dict[str, str]:
    return {f.name: f.value for f in extract_fields(doc_type, list(pages), lang_hint)}


def test_value_to_the_right_of_its_label_is_read_and_normalised():
    page = page_of([
        (0.10, 0.05, "City General Hospital"),
        (0.10, 0.12, "INVOICE"),
        (0.10, 0.20, "Invoice No: INV-2024-0042"),
        (0.10, 0.23, "Patient Name: Mary Jones"),
        (0.10, 0.26, "Date of Issue: 5 March 2024"),
        (0.10, 0.60, "Subtotal            1,100.00"),
        (0.10, 0.63, "Total Amount        USD 1,234.50"),
    ])
    got = fields("medical_invoice", page)
    assert got == {
        "invoice_number": "INV-2024-0042",
        "name": "Mary Jones",
        "issuer": "City General Hospital",
        "issue_date": "2024-03-05",
        "total_amount": "1234.50",
        "currency": "USD",
    }


def test_value_on_the_line_below_a_stacked_label_stops_at_the_next_column():
    page = page_of([
        (0.10, 0.20, "Name"),
        (0.55, 0.20, "ID Number"),
        (0.10, 0.22, "张伟"),
        (0.55, 0.22, "11010519491231002X"),
        (0.10, 0.26, "Date of Birth"),
        (0.10, 0.28, "1949-12-31"),
    ])
    assert fields("id_card", page) == {"name": "张伟", "id_number": "11010519491231002X", "date_of_birth": "1949-12-31"}


def test_chinese_labels_with_full_width_colons():
    page = page_of([
        (0.10, 0.05, "上海市第一人民医院"),
        (0.10, 0.10, "门诊收费票据"),
        (0.10, 0.20, "票据号码：0012345"),
        (0.10, 0.23, "姓名：李娜"),
        (0.10, 0.26, "开票日期：2024年3月5日"),
        (0.10, 0.60, "合计（大写）：壹仟贰佰元整"),
        (0.10, 0.63, "合计金额：¥1,200.00"),
    ])
    got = fields("medical_invoice", page, lang_hint="zh")
    assert got["invoice_number"] == "0012345"
    assert got["name"] == "李娜"
    assert got["issue_date"] == "2024-03-05"
    assert got["total_amount"] == "1200.00"
    assert got["currency"] == "CNY"
    assert got["issuer"] == "上海市第一人民医院"


def test_receipt_total_prefers_the_rounded_total_over_subtotal_and_tax_summary():
    page = page_of([
        (0.20, 0.05, "TAN WOON YANN"),
        (0.15, 0.08, "BOOK TA.K (TAMAN DAYA) SDN BHD"),
        (0.30, 0.10, "(789417-W)"),
        (0.05, 0.20, "DATE: 25/12/2018 8:13:39 PM"),
        (0.05, 0.55, "SUB TOTAL :              8.97"),
        (0.05, 0.58, "Total Qty:                 3"),
        (0.05, 0.61, "Rounding Adjustment      0.03"),
        (0.05, 0.64, "Rounded Total (RM):      9.00"),
        (0.05, 0.67, "CASH                    50.00"),
        (0.05, 0.75, "GST SUMMARY"),
        (0.05, 0.78, "Total                    8.49   0.51"),
    ])
    got = fields("medical_invoice", page)
    assert got["total_amount"] == "9.00"
    assert got["issue_date"] == "2018-12-25"
    assert got["issuer"] == "BOOK TA.K (TAMAN DAYA) SDN BHD"


@pytest.mark.parametrize("lines, paid", [
    # the rounded figure is printed under the total: CASH / VISA / "Rounding RM"
    (["Total (Inclusive of GST):   65.53", "Rounding Adj:               0.02", "VISA                       65.55"], "65.55"),
    (["Total Sales (Inclusive GST) RM 45.34", "Rounding Adjustment RM 0.01", "Rounding RM             45.35"], "45.35"),
    # only the adjustment: its sign is lost as often as not
    (["Total Sales Incl GST        98.37", "Rounding Adj               -0.02", "Total After Adj Incl GST  98 35",
      "CASH                      100.00"], "98.35"),
    (["TOTAL                      41.48", "Rounding                    0.02"], "41.50"),
    # the total was misread (13.78 as 13.86): the payment close to it and on the 5-sen step is what was paid
    (["ROUNDING                    0.02", "TOTAL                      13.86", "CASH                       13.80"], "13.80"),
    # a cash payment is not the total when the rounded total is printed
    (["TOTAL                      99.97", "Rounding                   -0.02", "CASH                      100.00"], "99.95"),
    # no rounding line: the total as printed, whatever is paid
    (["TOTAL                      62.06", "VISA                       62.05"], "62.06"),
    # already on the step: nothing to round
    (["TOTAL                      20.80", "Rounding                    0.00", "CASH                       50.00"], "20.80"),
])
def test_a_receipt_with_a_rounding_line_gives_the_rounded_total_that_was_paid(lines, paid):
    page = page_of([(0.10, 0.05, "KEDAI RUNCIT MAJU SDN BHD")] + [(0.10, 0.50 + 0.03 * i, t) for i, t in enumerate(lines)])
    assert fields("medical_invoice", page)["total_amount"] == paid


@pytest.mark.parametrize("lines, owed", [
    # the total was misread larger than the cash handed over: paid less change is the bill
    (["Total Sales (Inclusive of GST) 400,96", "CASH                      101.00", "Change 0.10"], "100.90"),
    # the total's own figure was lost; the line below it is another sum
    (["Grand Total RNgg .00", "(Bill Inclusive of 6% GST : RM2.21)", "Cash RM50.00", "Change RM11,00"], "39.00"),
    # a total read beside its label stands, even where the cash or change was misread
    (["TOTAL                      12.00", "CASH                       50.00", "CHANGE                     30.00"], "12.00"),
    (["TOTAL                      99.00", "CASH                      100.00", "CHANGE                      1.01"], "99.00"),
    # exact money: no change, nothing to say
    (["TOTAL                      400.96", "CASH                      101.00", "CHANGE                      0.00"], "400.96"),
])
def test_cash_paid_less_change_given_overrules_a_total_that_cannot_be_right(lines, owed):
    page = page_of([(0.10, 0.05, "KEDAI RUNCIT MAJU SDN BHD")] + [(0.10, 0.50 + 0.03 * i, t) for i, t in enumerate(lines)])
    assert fields("medical_invoice", page)["total_amount"] == owed


def _read_weakly(page: PageText, figure: str, confidence: float) -> PageText:
    """``page`` with OCR unsure of the words reading ``figure``."""
    return replace(page, words=[replace(w, confidence=confidence) if w.text == figure else w for w in page.words])


@pytest.mark.parametrize("lines, misread, bill", [
    # the tax summary's net plus its tax, twice, against a total whose 1 was read as a 4
    (["SUB-TOTAL(EX)              16.98", "TOTAL                      48.00", "CASH                       //AB.00",
      "GST SUMMARY", "SR      6.00     16.98     1.02", "TOTAL            16.98     1.02"], "48.00", "18.00"),
    # the total lost its first digits: "TOTA In, 3.35" for 153.35
    (["Total Qty. 18             144.68", "TOTA In,                   3.35", "GST SUMMARY",
      "SR      6.00    144.68     8.67"], "3.35", "153.35"),
    # the net and its tax side by side on one line add up to the bill, one digit from the total read
    (["SUB-TOTAL                  62.80", "TOTAL INCL GST RK          62.06", "GST Taxable Amt GST Amt",
      "SR(I) 6%          58.49      3.51"], "62.06", "62.00"),
])
def test_a_total_read_one_digit_wrong_gives_way_to_the_bill_the_receipt_agrees_on(lines, misread, bill):
    page = page_of([(0.10, 0.05, "TEO HENG STATIONERY & BOOKS")] + [(0.10, 0.50 + 0.03 * i, t) for i, t in enumerate(lines)])
    assert fields("medical_invoice", _read_weakly(page, misread, 0.6))["total_amount"] == bill


@pytest.mark.parametrize("lines, misread, bill", [
    # 住院费用清单: the items' amounts add up to the bill whose first digit OCR lost
    (["序号 项目名称 数量 单价 金额", "1 麻醉费 913.00 913.00", "2 检查费 3 238.70 716.10", "3 护理费 102.98 102.98",
      "合计金额: 732.08"], "732.08", "1732.08"),
    # a receipt's item lines, down to the gross amount line (which is no item)
    (["Quantity Price (GST Inc.) Amount", "2 2.6500 5.30 SR", "2 3.1800 6.36 SR", "1 30.7400 30.74 SR",
      "Gross Amount : 40.00", "Total (RM): 2.40"], "2.40", "42.40"),
])
def test_a_total_read_without_its_first_digits_gives_way_to_the_sum_of_its_items(lines, misread, bill):
    page = page_of([(0.10, 0.05, "北京市中心医院")] + [(0.10, 0.50 + 0.03 * i, t) for i, t in enumerate(lines)])
    assert fields("itemised_bill", _read_weakly(page, misread, 0.2))["total_amount"] == bill


def test_the_sum_of_the_items_does_not_overrule_a_total_read_surely():
    # 12.40 is 2.40 with its first digit lost, but OCR was sure of the 2.40 (an item's line may be a refund)
    lines = ["Description Qty Amount", "Paint 1 6.04", "Roller 1 6.36", "Total: 2.40"]
    page = page_of([(0.10, 0.05, "WAHIN HARDWARE")] + [(0.10, 0.50 + 0.03 * i, t) for i, t in enumerate(lines)])
    assert fields("medical_invoice", page)["total_amount"] == "2.40"
    assert fields("medical_invoice", _read_weakly(page, "2.40", 0.2))["total_amount"] == "12.40"


def test_a_tax_line_is_no_copy_of_the_bill():
    """42.40 read as 2.40: the GST amount (2.40) must not back the misreading up as a second copy of it."""
    lines = ["Gross Amount :              40.00", "Total GST Amt :              2.40", "Sub Total :                 42.40",
             "Total (RM):                   2.40", "GST Summary", "SR 6%             40.00      2.40"]
    page = page_of([(0.10, 0.05, "KEDAI RUNCIT MAJU SDN BHD")] + [(0.10, 0.50 + 0.03 * i, t) for i, t in enumerate(lines)])
    total_row = [w for w in page.words if w.text == "(RM):"][0].line
    page = replace(page, words=[replace(w, confidence=0.6) if w.line == total_row and w.text == "2.40" else w
                                for w in page.words])
    assert fields("medical_invoice", page)["total_amount"] == "42.40"


@pytest.mark.parametrize("lines, total", [
    # read surely, the total outweighs cash less change read with one digit wrong...
    (["TOTAL                      18.00", "CASH                       20.00", "CHANGE                      3.00"], "18.00"),
    # ...and a net before tax printed twice, one digit from it
    (["Total Amt Payable           7.40", "Amt excl GST                7.00", "GST Summary      7.00"], "7.40"),
    # a figure a few cents off is the bill before cash rounding, not a misreading
    (["Total Sales Incl GST       248.04", "Rounding                    0.01", "Total After Rounding      248.05",
      "GST Summary", "SR      6.00    234.00    14.04"], "248.05"),
])
def test_a_total_read_surely_stands_against_figures_that_merely_look_like_it(lines, total):
    page = page_of([(0.10, 0.05, "KEDAI RUNCIT MAJU SDN BHD")] + [(0.10, 0.50 + 0.03 * i, t) for i, t in enumerate(lines)])
    assert fields("medical_invoice", page)["total_amount"] == total


def test_a_smudge_ocr_guessed_a_number_for_is_no_part_of_an_items_amount():
    """"西药费 90 100.35": the 90 (OCR confidence 0) would make the items add up to 90,500.05,
    the total 500.05 with its first digits lost."""
    lines = ["项目 数量 金额", "化验费 127.20", "西药费 90 100.35", "检查费 225.00", "诊察费 47.50", "合计金额: 500.05"]
    page = page_of([(0.10, 0.05, "上海市中心医院")] + [(0.10, 0.50 + 0.03 * i, t) for i, t in enumerate(lines)])
    page = _read_weakly(_read_weakly(page, "90", 0.0), "500.05", 0.28)
    assert fields("itemised_bill", page, lang_hint="zh")["total_amount"] == "500.05"


def test_a_vat_invoice_total_read_without_its_cents_is_the_net_plus_its_tax():
    """A scanned 增值税发票: the figure after (小写) came out "90"; 合计 and 税额 were read."""
    page = page_of([(0.10, 0.05, "上海市永信汽车服务有限公司"), (0.10, 0.10, "增值税普通发票"),
                    (0.10, 0.50, "合计              5834.52"), (0.10, 0.53, "税率 13% ，税额 758.49"),
                    (0.10, 0.56, "价税合计（大写） 陆仟伍佰玖拾叁元零壹分 （小写） 90")])
    page = _read_weakly(page, "90", 0.27)
    assert fields("repair_invoice", page, lang_hint="zh")["total_amount"] == "6593.01"


def test_an_itemised_bill_line_is_no_net_and_tax_for_a_total_read_unsurely():
    """Quantity 3 ran into the unit price ("3 238.70" read as 3238.70): the line's figures add up to nothing."""
    page = page_of([(0.10, 0.05, "北京市中心医院"), (0.10, 0.40, "1 麻醉费 913.00 913.00"), (0.10, 0.43, "2 检查费 3 238.70 716.10"),
                    (0.10, 0.50, "合计金额: 732.08")])
    page = _read_weakly(page, "732.08", 0.23)
    assert fields("itemised_bill", page, lang_hint="zh")["total_amount"] == "732.08"


def test_an_unlabelled_receipt_date_is_the_one_stamped_with_the_time_of_sale():
    page = page_of([(0.10, 0.05, "PASAR RAYA SDN BHD"), (0.10, 0.12, "TAX INV: 002-1550040 19/03/16"),
                    (0.10, 0.40, "VEGETABLES 2.00"), (0.10, 0.60, "18/03/18 09:03 #002-15500408")])
    assert fields("medical_invoice", page)["issue_date"] == "2018-03-18"
    bare = page_of([(0.10, 0.05, "PASAR RAYA SDN BHD"), (0.10, 0.12, "19/03/18"), (0.10, 0.60, "20/03/18")])
    assert fields("medical_invoice", bare)["issue_date"] == "2018-03-19"  # no time anywhere: the first date


def test_without_a_total_label_the_largest_amount_low_on_the_page_is_taken_with_low_confidence():
    page = page_of([
        (0.10, 0.05, "CORNER SHOP ENTERPRISE"),
        (0.10, 0.50, "Bread           3.50"),
        (0.10, 0.53, "Milk            5.40"),
        (0.10, 0.56, "                8.90"),
        (0.10, 0.60, "CASH           10.00"),
    ])
    total = next(f for f in extract_fields("itemised_bill", [page]) if f.name == "total_amount")
    assert total.value == "8.90"
    assert total.method == "position"
    assert total.confidence < load_settings().reading.min_field_confidence  # a person confirms it


def test_a_tax_summarys_total_column_does_not_stand_for_the_bill_on_a_receipt_whose_print_ends_high():
    # the total's label was lost; the print stops under halfway down a long strip of paper
    page = page_of([
        (0.10, 0.02, "PERSONAL CARE STORES SDN BHD"),
        (0.10, 0.08, "22241 WS CUT SCISSORS     18.00"),
        (0.10, 0.10, "64542 TEMPO TWEEZER       17.90"),
        (0.10, 0.12, "21434 COTTON BUDS          5.55"),
        (0.10, 0.18, "(QTY 3)                 RM41.45"),
        (0.10, 0.27, "GST SUMMARY"),
        (0.10, 0.29, "Rate  Net(RM)  GST(RM)  Total (RM)"),
        (0.10, 0.31, "S 6%  20.00    1.20     21.20"),
        (0.10, 0.33, "Z 0%  20.25    0.00     20.25"),
        (0.10, 0.40, "Thank you"),
    ])
    assert fields("medical_invoice", page)["total_amount"] == "41.45"


def test_without_a_total_label_a_count_and_an_amount_read_as_one_figure_are_not_the_total():
    page = page_of([
        (0.10, 0.05, "SUPER SEVEN CASH & CARRY SDN BHD"),
        (0.10, 0.30, "PLATE FLOUR 300UP 6KG @63.00"),
        (0.10, 0.33, "FM4 11000055 *4 252.00 ZR"),  # four sacks, 252.00, not 4252.00
        (0.10, 0.36, "BERAS 10KG @53.50       53.50 ZR"),
        (0.10, 0.45, "iolal sales (Incl. GST 6%)   RH367.10"),  # Total sales, misread past finding
        (0.10, 0.48, "Kel Tata!                RH367.10"),
    ])
    assert fields("medical_invoice", page)["total_amount"] == "367.10"


def test_us_documents_read_ambiguous_dates_month_first():
    page = page_of([
        (0.10, 0.20, "Date of Incident: 03/04/2024"),
        (0.10, 0.23, "Report Date: 03/15/2024"),
        (0.10, 0.26, "Report No: PR-88123"),
    ])
    got = fields("police_report", page)
    assert got["incident_date"] == "2024-03-04"
    assert got["issue_date"] == "2024-03-15"
    assert got["report_number"] == "PR-88123"


@pytest.mark.parametrize("printed, number", [
    ("FIR- 2023. 106445 ;", "FIR-2023-106445"),  # a gap after a dash, a dash read as a dot
    ("PR-2024-0012", "PR-2024-0012"),
    ("AB-123. Date of report 08/01/2023", "AB-123"),  # a gap before a word is the end of the number
])
def test_a_reference_number_in_parts_is_read_whole(printed, number):
    page = page_of([(0.10, 0.05, "Raleigh Fire and Rescue Service"), (0.10, 0.19, "Report no. " + printed)])
    assert fields("fire_report", page)["report_number"] == number


@pytest.mark.parametrize("numbered", ["5 Account holder", "12 Account holder"])
def test_a_label_after_a_bare_item_number_is_a_label(numbered):
    """A section's number ends with a dot ("1. Policyholder / claimant": a heading, see below)."""
    page = page_of([(0.10, 0.05, "HSBC UK"), (0.10, 0.20, "Confirmation of Bank Details"),
                    (0.10, 0.30, numbered + "   Eleanor Robinson"), (0.10, 0.34, "Account number   10886898")])
    assert fields("bank_details", page)["name"] == "Eleanor Robinson"


def test_a_label_word_inside_running_text_is_still_no_label():
    page = page_of([(0.10, 0.05, "HSBC UK"), (0.10, 0.20, "We confirm the account holder named below"),
                    (0.10, 0.34, "Account number   10886898")])
    assert "name" not in fields("bank_details", page)


def test_a_vin_that_fails_its_check_character_is_reported_unsure():
    """A Chinese VIN must pass its check: one that does not was misread, and a person should look."""
    def vin(printed: str):
        page = page_of([(0.10, 0.05, "中华人民共和国机动车行驶证"), (0.10, 0.20, "车辆识别代号 " + printed)], confidence=0.9)
        return next(f for f in extract_fields("vehicle_registration", [page], "zh") if f.name == "vin")

    right, slipped = vin("LVHLNXNKXLLVGWLFX"), vin("LVHLNXNKXL1VGWLFX")  # an L read as 1
    assert slipped.value == "LVHLNXNKXL1VGWLFX"  # what was read is kept, not guessed at
    assert right.confidence >= 0.9 and slipped.confidence < 0.6


def test_a_date_beside_a_misread_label_is_no_number_plate():
    page = page_of([(0.10, 0.05, "QuickFix Auto Services"), (0.10, 0.18, "Invoice no. INV-20973   pate 11-Nov-2024"),
                    (0.10, 0.22, "Customer Oliver Edwards   Vehicle reg. AT67-DNR")])
    assert fields("repair_invoice", page)["vehicle_plate"] == "AT67DNR"  # "pate" (Date) is one letter from "plate"


def test_identifiers_found_by_pattern_when_their_label_is_missing():
    page = page_of([
        (0.10, 0.20, "Owner: Wang Fang"),
        (0.10, 0.23, "粤B·12345    LSVAU2180N2183294"),
    ])
    got = fields("vehicle_registration", page)
    assert got == {"name": "Wang Fang", "vehicle_plate": "粤B12345", "vin": "LSVAU2180N2183294"}


def test_account_numbers_in_groups_are_joined_and_checked():
    page = page_of([
        (0.10, 0.20, "Account Holder: Li Na"),
        (0.10, 0.23, "Bank Name: 中国工商银行"),
        (0.10, 0.26, "Account No: 4539 1488 0343 6467"),
    ])
    got = {f.name: f for f in extract_fields("bank_details", [page])}
    assert got["account_number"].value == "4539148803436467"
    assert got["account_number"].confidence > 0.9
    assert got["bank_name"].value == "中国工商银行"
    assert got["name"].value == "Li Na"


def test_each_field_carries_page_box_raw_text_and_a_confidence_from_ocr():
    page = page_of([(0.10, 0.30, "Policy No.: P-778812")], confidence=0.5, page_no=2)
    (policy,) = [f for f in extract_fields("claim_form", [page]) if f.name == "policy_number"]
    assert policy.raw == "P-778812"
    assert policy.page_no == 2
    x0, y0, x1, y1 = policy.box
    assert x0 > 0.10 + len("Policy No.:") * CHAR_W - 1e-9 and y0 == pytest.approx(0.30)
    assert 0.5 < policy.confidence < 0.9  # a sure label but a shaky reading


def test_an_ocr_slip_in_a_long_label_is_tolerated():
    page = page_of([(0.10, 0.60, "GRAND TOTAI        RM 42.90")])
    assert fields("itemised_bill", page)["total_amount"] == "42.90"


def test_chinese_labels_are_found_through_ocr_slips_but_a_code_is_not_a_number():
    page = page_of([
        (0.10, 0.05, "国南京市第三人民医院"),  # a speck read as 国 before the letterhead
        (0.10, 0.18, "票据代码: 207341087349"),
        (0.10, 0.20, "发票号吗: 38277634"),  # 码 misread
        (0.10, 0.23, "”姓 名: 李娜"),  # a stray quote before the label
        (0.10, 0.26, "开票日其: 2024年8月26日"),
        (0.10, 0.60, "金额合计〈大写 ) : 制佰类拾就元陆角陆分 (4写) Y872.66"),
        (0.10, 0.70, "收喜单位(章): 南京市第三人民医院收款人李娟"),  # 收款单位 misread, a stamp, a neighbour
    ])
    got = fields("medical_invoice", page, lang_hint="zh")
    assert got["invoice_number"] == "38277634"
    assert got["name"] == "李娜"
    assert got["issue_date"] == "2024-08-26"
    assert got["total_amount"] == "872.66"
    assert got["issuer"] == "南京市第三人民医院"


def test_a_two_character_label_read_with_a_look_alike_is_still_the_label():
    """名 read as 各 (config/fields/labels.yaml, cn_label_lookalikes): 姓各 and 户各 glued to the name or not."""
    assert fields("diagnosis_certificate", page_of([(0.10, 0.20, "姓各:周秀兰 性别:女")]), lang_hint="zh")["name"] == "周秀兰"
    assert fields("bank_details", page_of([(0.10, 0.20, "户各吕美玲")]), lang_hint="zh")["name"] == "吕美玲"
    # 各 is no look-alike of 姓: a word that merely ends in 名 stays no label
    assert "name" not in fields("diagnosis_certificate", page_of([(0.10, 0.20, "各名:周秀兰")]), lang_hint="zh")


def test_a_chinese_plate_with_a_speck_after_its_city_letter_is_read_whole():
    for printed in ("车牌号: 陕 A。14H61", '车牌号: 陕 A" 14H61', "号牌号码: 陕A·14H61"):
        assert fields("repair_estimate", page_of([(0.1, 0.2, printed)]), lang_hint="zh")["vehicle_plate"] == "陕A14H61"


def test_an_exact_label_wins_over_a_misread_longer_one():
    page = page_of([(0.10, 0.20, "车牌号 京A3JG96"), (0.10, 0.23, "*保单号 PDAA202332010610100005")])
    assert fields("repair_estimate", page)["vehicle_plate"] == "京A3JG96"
    # OCR puts a space between a Chinese character and a Latin letter: 川 A75703
    assert fields("repair_estimate", page_of([(0.1, 0.2, "车牌号码 : 川 A75703")]))["vehicle_plate"] == "川A75703"
    assert fields("claim_form", page)["policy_number"] == "PDAA202332010610100005"


def test_capital_numerals_spoilt_by_ocr_are_not_read_as_a_small_amount():
    page = page_of([
        (0.10, 0.30, "西药费 1 281.70 281.70"),
        (0.10, 0.50, "金额合计(大写): 制佰类拾就元陆角陆分"),
        (0.10, 0.55, "872.66"),
    ])
    assert fields("medical_invoice", page, lang_hint="zh")["total_amount"] == "872.66"


def test_a_total_whose_first_digit_ocr_lost_to_the_yuan_sign_gets_it_back_from_its_capitals():
    words = [Word(t, (x, 0.40, x + 0.08, 0.42), 0.9, 0, 0) for x, t in [
        (0.10, "中成药费"), (0.59, "1"), (0.69, "194.78"), (0.84, "194.78")]]
    words += [Word(t, (x, 0.50, x + 0.08, 0.52), 0.9, 1, 0) for x, t in [
        (0.10, "金额合计"), (0.19, "(大写)"), (0.25, ":"), (0.27, "壹什零肆拾伍元起角揭分"), (0.51, "(小写):"),
        (0.59, "习"), (0.61, ",045.28")]]
    page = PageText(1, "ocr", words, 1654, 2339)
    assert fields("medical_invoice", page, lang_hint="zh")["total_amount"] == "1045.28"


def test_a_valid_resident_id_gives_the_birth_date_the_ocr_misread_or_missed():
    misread = page_of([(0.10, 0.20, "出生日期 1949年12月21日"), (0.10, 0.40, "公民身份号码 11010519491231002X")])
    unread = page_of([(0.10, 0.20, "出年 1949 年 12 月 31"), (0.10, 0.40, "ARG ee 11010519491231002X")])
    for page in (misread, unread):
        got = {f.name: f for f in extract_fields("id_card", [page])}
        assert got["id_number"].value == "11010519491231002X"
        assert got["date_of_birth"].value == "1949-12-31"


def test_a_split_number_is_one_resident_id_only_where_its_check_digit_agrees():
    page = page_of([(0.10, 0.80, "110105194"), (0.30, 0.80, "91231002X")])
    assert fields("id_card", page)["id_number"] == "11010519491231002X"
    wrong = page_of([(0.10, 0.80, "110105194"), (0.30, 0.80, "91231003X")])
    assert fields("id_card", wrong).get("id_number") != "11010519491231003X"
    bracket = page_of([(0.04, 0.88, "公民身份号码"), (0.26, 0.88, "]1010519491231002X")])  # a one read as "]"
    assert fields("id_card", bracket)["id_number"] == "11010519491231002X"


def test_account_numbers_with_a_gap_read_as_a_dot_and_ids_with_s_read_as_dollar():
    bank = page_of([(0.10, 0.26, ".| 账号 “6225.8886 5516 3941 581 ，")])
    assert fields("bank_details", bank)["account_number"] == "6225888655163941581"
    card = page_of([(0.10, 0.50, "ID No."), (0.10, 0.53, "$26215654")])
    assert fields("id_card", card)["id_number"] == "S26215654"


def test_a_chinese_document_number_keeps_its_brackets_however_ocr_bent_them():
    page = page_of([(0.10, 0.13, "文号: 深消火认字〔2024] 第4437号，")])
    assert fields("fire_report", page)["report_number"] == "深消火认字〔2024〕第4437号"


def test_a_name_with_digits_or_mixed_scripts_is_kept_but_sent_to_a_person():
    page = page_of([(0.10, 0.27, "姓名 BY 二2Z 主央")])
    (name,) = [f for f in extract_fields("id_card", [page]) if f.name == "name"]
    assert name.confidence < 0.5


def test_a_letterhead_bank_of_is_not_a_bank_label():
    page = page_of([(0.10, 0.04, "Bank of America"), (0.10, 0.20, "Account holder: Liam Johnson"),
                    (0.10, 0.22, "Bank: Bank of America")])
    assert fields("bank_details", page)["bank_name"] == "Bank of America"


def test_damage_photos_have_no_fields_and_unknown_types_are_refused():
    assert extract_fields("damage_photo", [page_of([(0.1, 0.1, "x")])]) == []
    with pytest.raises(ValueError, match="unknown document type"):
        extract_fields("passport", [])


def test_words_of_one_visual_line_form_one_row_even_across_ocr_blocks():
    page = page_of([(0.10, 0.30, "Name:"), (0.40, 0.302, "Mary Jones")])
    rows = page_rows(page)
    assert [r.text for r in rows] == ["Name: Mary Jones"]


@pytest.mark.skipif(not SROIE.exists(), reason="../shared/data/receipts_sroie is not present")
def test_real_receipt_lines_from_sroie_give_its_date_and_total():
    from PIL import Image

    stem = "007"
    w, h = Image.open(SROIE / "img" / f"{stem}.jpg").size
    words = []
    for n, line in enumerate((SROIE / "box" / f"{stem}.csv").read_text(encoding="utf-8").splitlines()):
        parts = line.split(",", 8)
        xs, ys = [int(parts[i]) for i in (0, 2, 4, 6)], [int(parts[i]) for i in (1, 3, 5, 7)]
        words.append(Word(parts[8], (min(xs) / w, min(ys) / h, max(xs) / w, max(ys) / h), 1.0, n, 0))
    key = json.loads((SROIE / "key" / f"{stem}.json").read_text())
    got = fields("medical_invoice", PageText(1, "ocr", words, w, h))
    assert got["issue_date"] == "2019-01-23" and key["date"] == "23-01-2019"
    assert got["total_amount"] == "20.00" and key["total"] == "20.00"


def test_a_neighbouring_label_is_never_taken_for_the_name():
    from pipeline.reading.extract import extract_fields
    from pipeline.reading.types import PageText, Word

    words = [Word("诊断证明书", (0.3, 0.05, 0.6, 0.08), 0.95, 0, 0),
             Word("姓名", (0.1, 0.2, 0.18, 0.23), 0.95, 1, 1), Word("性别", (0.2, 0.2, 0.28, 0.23), 0.9, 1, 1),
             Word("男", (0.3, 0.2, 0.33, 0.23), 0.9, 1, 1)]
    page = PageText(1, "ocr", words, 1240, 1754, lang="chi_sim")
    assert [f for f in extract_fields("diagnosis_certificate", [page], "zh") if f.name == "name"] == []


def test_a_chinese_label_ocr_glued_to_its_value_still_gives_the_value():
    page = page_of([
        (0.10, 0.05, "中国工商银行"),
        (0.10, 0.20, "户名杜秀英"),
        (0.10, 0.25, "账号 6222 0239 0752 1968 324"),
        (0.10, 0.30, "开户行中国工商银行西安市科技园支行"),
    ])
    got = fields("bank_details", page)
    assert got["name"] == "杜秀英"
    assert got["bank_name"] == "中国工商银行"


def test_an_issuer_glued_to_its_label_is_taken_when_it_names_an_organisation():
    page = page_of([
        (0.10, 0.05, "电子发票(普通发票)"),
        (0.10, 0.10, "发票号码 24468957176312489847"),
        (0.10, 0.15, "购买方名称沈宇轩"),
        (0.10, 0.20, "销售方名称上海市永信汽车服务有限公司"),
        (0.10, 0.25, "销售方名称信息请见备注"),
    ])
    assert fields("repair_invoice", page)["issuer"] == "上海市永信汽车服务有限公司"  # not the title


@pytest.mark.parametrize("printed, account", [
    ("账号 6222 0239 0752 i968324", "6222023907521968324"),  # a 1 read as i: mended, the check digit agrees
    ("账号 6222 0239 0752 i968325", "622202390752"),  # the check digit disagrees: left as read
    ("账号 4539 1488 0343 6467          12", "4539148803436467"),  # valid as read; a number past a gap is not its
])
def test_a_card_number_is_read_on_through_a_digit_taken_for_a_letter_only_when_its_check_digit_agrees(printed, account):
    page = page_of([(0.10, 0.05, "中国工商银行"), (0.10, 0.20, printed)])
    got = extract_fields("bank_details", [page], "zh")
    field = next(f for f in got if f.name == "account_number")
    assert field.value == account
    if account.endswith("324"):
        assert field.confidence < 0.95  # mended: a person can see it was not read as it stands


def test_a_value_below_its_label_is_found_past_a_line_of_specks_and_a_speck_inside_a_label():
    page = page_of([
        (0.07, 0.10, "Patient"), (0.50, 0.10, 'Date of" birth'),
        (0.07, 0.13, "Michael Carter"), (0.50, 0.13, "22 February 1993"),
        (0.07, 0.20, "Seen on"), (0.50, 0.20, "Date issued"),
        (0.66, 0.222, ";"),
        (0.18, 0.238, ";"),
        (0.07, 0.255, "14 February 2025"), (0.50, 0.255, "14 February 2025"),
    ])
    got = fields("diagnosis_certificate", page)
    assert got["issue_date"] == "2025-02-14"  # not the birth date under 'Date of" birth'


@pytest.mark.parametrize("below", [
    [Word("朱磊", (0.098, 0.201, 0.137, 0.222), 0.9, 1), Word("男", (0.514, 0.203, 0.531, 0.216), 0.9, 1)],
    [Word("朱磊男", (0.098, 0.201, 0.160, 0.222), 0.9, 1)],  # OCR glued the two columns into one word
], ids=["two words", "one glued word"])
def test_a_name_below_its_label_stops_where_the_next_column_begins(below):
    label_row = [Word("姓名-", (0.099, 0.183, 0.138, 0.201), 0.9, 0), Word("性别", (0.140, 0.183, 0.172, 0.201), 0.9, 0)]
    if len(below) == 2:  # the columns are far apart
        label_row[1] = Word("性别", (0.514, 0.183, 0.546, 0.201), 0.9, 0)
    page = PageText(1, "ocr", [*label_row, *below], 1654, 2339, lang="chi_sim")
    assert fields("diagnosis_certificate", page)["name"] == "朱磊"  # not 性别, not 朱, not 朱磊男


def test_a_name_below_its_label_ends_at_the_next_columns_heading():
    page = page_of([
        (0.07, 0.05, "Madison Royal Infirmary"),
        (0.07, 0.10, "Patient"), (0.50, 0.10, "Department"),
        (0.07, 0.14, "William Mitchell"), (0.50, 0.14, "Emergency:"),
    ])
    assert fields("itemised_bill", page)["name"] == "William Mitchell"  # not "Department", not "... Emergency"


def test_a_name_below_its_label_is_read_past_an_unsure_speck_between_the_lines():
    page = page_of([
        (0.07, 0.05, "Madison Royal Infirmary"),
        (0.07, 0.20, "Patient"), (0.50, 0.20, "Date of birth"),
        (0.15, 0.217, "ak"),
        (0.07, 0.234, "William Mitchell"), (0.50, 0.234, "02-Sep-1967"),
    ])
    page.words = [replace(w, confidence=0.09) if w.text == "ak" else w for w in page.words]
    assert fields("medical_invoice", page)["name"] == "William Mitchell"  # not the speck "ak"


def test_a_faint_value_below_its_label_is_not_taken_for_specks():
    page = page_of([
        (0.10, 0.05, "Metro Insurance"),
        (0.10, 0.20, "Policy No."),
        (0.10, 0.22, "PX-2024-118734"),
        (0.10, 0.24, "14/02/2025"),
    ])
    page.words = [replace(w, confidence=0.55) if w.text == "PX-2024-118734" else w for w in page.words]
    assert fields("claim_form", page)["policy_number"] == "PX-2024-118734"


@pytest.mark.parametrize("printed, name", [
    ("Patient Name: JAMES WARD      Age: 45", "JAMES WARD"),
    ("Patient: James Ward", "James Ward"),
])
def test_a_word_of_another_heading_inside_a_name_does_not_end_it(printed, name):
    page = page_of([(0.10, 0.05, "City General Hospital"), (0.10, 0.20, printed)])
    assert fields("medical_invoice", page)["name"] == name


def test_a_certificate_without_an_issue_date_label_is_dated_where_it_is_signed():
    page = page_of([
        (0.10, 0.05, "北京市第一人民医院"),
        (0.40, 0.12, "诊断证明书"),
        (0.10, 0.20, "就诊日期"),
        (0.10, 0.23, "2024年4月15日"),
        (0.10, 0.30, "诊断"),
        (0.10, 0.33, "输尿管结石"),
        (0.10, 0.45, "张秀英，2024年4月23日"),
    ])
    assert fields("diagnosis_certificate", page)["issue_date"] == "2024-04-23"
    assert fields("medical_invoice", page)["issue_date"] == "2024-04-15"  # an invoice is dated at its head


def test_a_latin_mark_after_a_chinese_name_is_not_part_of_it():
    page = page_of([(0.10, 0.05, "平安财产保险定损单"), (0.10, 0.20, "被保险人: 何鹏 Rs")])
    assert fields("repair_estimate", page)["name"] == "何鹏"


def test_a_glued_label_at_the_head_of_a_sentence_or_a_title_gives_nothing():
    page = page_of([
        (0.30, 0.05, "诊断证明书"),
        (0.10, 0.20, "患者因外伤于今日入院治疗"),
        (0.10, 0.25, "账户状态正常"),
    ])
    got = fields("diagnosis_certificate", page)
    assert "name" not in got and "diagnosis" not in got


@pytest.mark.parametrize("printed, bank", [
    ("开户行 中国工商儿行北京市中关村支行", "中国工商银行"),
    ("Bank: Wells Farpo Bank", "Wells Fargo Bank"),
    ("开户行 招商很行深圳分行", "招商银行"),
    ("Bank: Barclays-Bank UK", "Barclays Bank UK"),  # a speck read as a hyphen: not just "Barclays"
])
def test_a_bank_name_read_with_a_slip_is_taken_as_the_known_bank(printed, bank):
    page = page_of([(0.10, 0.05, "Account confirmation"), (0.10, 0.30, printed)])
    assert fields("bank_details", page)["bank_name"] == bank


def test_a_bank_letter_without_a_bank_label_names_its_bank_in_the_letterhead():
    page = page_of([(0.10, 0.05, "中国银行"), (0.10, 0.10, "地址: 北京市西城区复兴门内大街1号"),
                    (0.10, 0.30, "户名 朱磊"), (0.10, 0.35, "账号 6216 6100 0000 0000 017")])
    got = extract_fields("bank_details", [page])
    bank = next(f for f in got if f.name == "bank_name")
    assert bank.value == "中国银行" and bank.confidence < 0.8  # found by position: a person confirms


def test_a_name_ends_where_the_next_field_of_the_form_begins():
    page = page_of([(0.10, 0.05, "Statement of charges"),
                    (0.10, 0.20, "Patient: Michael Carter          Department Orthopaedics")])
    assert fields("itemised_bill", page)["name"] == "Michael Carter"
    assert fields("itemised_bill", page_of([(0.10, 0.25, "姓名 朱磊性别男")]))["name"] == "朱磊"
    assert fields("itemised_bill", page_of([(0.10, 0.25, "姓名张三 性别 男")]))["name"] == "张三"


@pytest.mark.parametrize("printed, name", [
    ("Patient: James Ward", "James Ward"),  # a word that can head another field is also a surname
    ("姓名 张胜男", "张胜男"),                # 男 inside a name is part of it
    ("姓名 李亚男 性别 女", "李亚男"),
])
def test_a_name_that_contains_a_word_of_another_field_is_kept_whole(printed, name):
    assert fields("itemised_bill", page_of([(0.10, 0.05, "Statement"), (0.10, 0.25, printed)]))["name"] == name


@pytest.mark.parametrize("printed", ["交款人 自助机", "Name: LEA", "患者姓名 何辉2"])
def test_a_name_that_does_not_look_like_one_is_kept_but_sent_to_a_person(printed):
    page = page_of([(0.10, 0.05, "Document"), (0.10, 0.20, printed)])
    [name] = [f for f in extract_fields("medical_invoice", [page]) if f.name == "name"]
    assert name.confidence < 0.8


def test_another_fields_label_and_value_are_not_a_name():
    page = page_of([(0.10, 0.05, "门诊收费票据"), (0.10, 0.20, "交款人 医疗机构类型: 综合医院")])
    assert "name" not in fields("medical_invoice", page)
    page = page_of([(0.10, 0.05, "门诊收费票据"), (0.10, 0.20, "交款人 何辉 医疗机构类型: 综合医院")])
    assert fields("medical_invoice", page)["name"] == "何辉"


def test_a_chinese_id_card_whose_labels_were_lost_gives_the_name_line_for_a_person_to_confirm():
    page = page_of([(0.15, 0.10, "于婷婷"), (0.15, 0.18, "女 汉"), (0.15, 0.26, "1959 年 10 月 7 日"),
                    (0.15, 0.34, "陕西省西安市雁塔区学院路121号"), (0.30, 0.80, "610113195910074847")])
    [name] = [f for f in extract_fields("id_card", [page]) if f.name == "name"]
    assert name.value == "于婷婷" and name.confidence < 0.8
    assert "name" not in fields("id_card", page_of([(0.15, 0.10, "陕西省西安市"), (0.15, 0.18, "女 汉")]))
    misread = page_of([(0.15, 0.07, "锥名朱磊"), (0.15, 0.19, "性另男民族用"), (0.15, 0.29, "出生 1967年 1月 14日")])
    assert fields("id_card", misread)["name"] == "朱磊"  # 姓名 misread and glued to the name
    apart = page_of([(0.05, 0.08, "兰匀"), (0.15, 0.08, "宋春梅"), (0.05, 0.19, "件盖"), (0.15, 0.19, "女")])
    assert fields("id_card", apart)["name"] == "宋春梅"  # 姓名 misread as a word of its own


def test_a_stamp_mark_after_a_misread_label_does_not_make_it_part_of_a_longer_word():
    page = page_of([(0.10, 0.05, "陕西省医疗门诊收费票据"), (0.10, 0.20, "医疗机构类型: 综合医院"),
                    (0.10, 0.80, "收单位章 ) : 西安市中医医院 . 收款人: 李娟")])
    assert fields("medical_invoice", page)["issuer"] == "西安市中医医院"


def test_unsure_little_words_after_a_name_are_dust_and_a_stray_mark_before_a_label_is_ignored():
    words = [Word("4", (0.05, 0.30, 0.06, 0.33), 0.30, 0, 0), Word("‘Patient", (0.08, 0.30, 0.16, 0.33), 0.90, 0, 0),
             Word("William", (0.18, 0.30, 0.26, 0.33), 0.93, 0, 0), Word("Mitchell", (0.27, 0.30, 0.35, 0.33), 0.92, 0, 0),
             Word("jp", (0.37, 0.30, 0.39, 0.33), 0.31, 0, 0), Word("naa", (0.40, 0.30, 0.43, 0.33), 0.40, 0, 0)]
    page = PageText(1, "ocr", [Word("Medical Certificate", (0.1, 0.1, 0.4, 0.13), 0.95, 1, 0)] + words, 1654, 2339)
    assert fields("diagnosis_certificate", page)["name"] == "William Mitchell"


@pytest.mark.parametrize("printed, name", [
    ("NatalieRoberts", "Natalie Roberts"),  # OCR lost the space
    ("Douglas MacArthur", "Douglas MacArthur"),  # a name built on a prefix is one word
    ("Ronald McDonald", "Ronald McDonald"),
])
def test_two_names_run_together_are_two_words(printed, name):
    page = page_of([(0.10, 0.05, "Austin Royal Infirmary"), (0.10, 0.22, "Patient " + printed)])
    assert fields("medical_invoice", page)["name"] == name


def test_an_unsure_surname_with_a_speck_after_it_is_still_part_of_the_name():
    words = [Word("Patient:", (0.09, 0.19, 0.16, 0.21), 0.96, 0, 0), Word("Henry", (0.17, 0.19, 0.22, 0.21), 0.95, 0, 0),
             Word("Wood’", (0.23, 0.19, 0.28, 0.21), 0.57, 0, 0)]
    page = PageText(1, "ocr", [Word("Medical Certificate", (0.1, 0.1, 0.4, 0.13), 0.95, 1, 0)] + words, 1654, 2339)
    assert fields("diagnosis_certificate", page)["name"] == "Henry Wood"


def test_a_numbered_section_heading_is_not_a_label_and_its_title_not_a_name():
    page = page_of([(0.10, 0.05, "Home Insurance Claim Form"), (0.10, 0.15, "1. Policyholder / claimant"),
                    (0.10, 0.20, "*Full name Rachel Brown")])
    assert fields("claim_form", page)["name"] == "Rachel Brown"


def test_specks_read_in_the_gap_before_a_columns_label_do_not_join_the_name_to_it():
    page = page_of([
        (0.10, 0.05, "St Mary's Hospital Columbus"),
        (0.10, 0.20, "Patient: Charlotte Carter      es Date of birth 10-Nov-1974"),
    ])
    page.words = [replace(w, confidence=0.18) if w.text == "es" else w for w in page.words]
    got = fields("medical_invoice", page)
    assert got["name"] == "Charlotte Carter"


@pytest.mark.parametrize("printed", [
    "Customer Robert Edwards : | Vehicle reg. KM70 XFC.",  # a table's wall read as a bar, close to the label
    "Customer Robert Edwards      Vehicle reg. KM70°XFC",  # the gap in the plate read as a speck
])
def test_a_cell_read_beside_its_neighbour_gives_both_values(printed):
    got = fields("repair_invoice", page_of([(0.10, 0.05, "Kwik Fit Garage"), (0.10, 0.20, printed)]))
    assert (got["name"], got["vehicle_plate"]) == ("Robert Edwards", "KM70XFC")


def test_a_card_whose_faint_labels_were_lost_still_gives_its_holder_number_and_birth_date():
    page = page_of([
        (0.20, 0.05, "NATIONAL IDENTITY CARD"),
        (0.40, 0.15, "Wane"),  # "Name", misread
        (0.40, 0.18, "aa RACHEL ROBINSON"),
        (0.40, 0.25, "Dare wi wirth"),
        (0.40, 0.28, "Jul 25, 2004"),
        (0.40, 0.38, "XG484918B"),
        (0.40, 0.45, "expires"),
        (0.40, 0.48, "Jul 1, 2035"),
    ])
    got = {f.name: f for f in extract_fields("id_card", [page])}
    assert {k: f.value for k, f in got.items()} == {
        "name": "RACHEL ROBINSON", "id_number": "XG484918B", "date_of_birth": "2004-07-25"}
    assert all(f.confidence < 0.7 for f in got.values())  # found by shape and place: a person confirms them


def test_a_card_title_or_a_recent_date_is_not_taken_for_the_holder():
    page = page_of([
        (0.20, 0.05, "RESIDENT PERMIT CARD"),
        (0.40, 0.28, "01/02/2030"),
        (0.40, 0.48, "01/02/2035"),
    ])
    assert fields("id_card", page) == {}


@pytest.mark.parametrize("printed", [
    "Patient: David Fletcher      nee _ Date of birth 23 November 1958",
    "Patient: David Fletcher      — Date of birth 23 November 1958",
])
def test_marks_read_in_the_gap_before_a_columns_label_do_not_join_the_name_to_it(printed):
    page = page_of([(0.10, 0.05, ".Madison General Hospital"), (0.10, 0.20, printed)])
    page.words = [replace(w, confidence=0.2) if w.text == "nee" else w for w in page.words]
    got = fields("medical_invoice", page)
    assert got["name"] == "David Fletcher"
    assert got["issuer"] == "Madison General Hospital"  # no name begins with a dot


def test_a_photographed_bank_card_gives_its_bank_by_the_first_digits_of_its_number():
    card = page_of([(0.10, 0.10, "PBR RIT"), (0.10, 0.20, "DEBIT"), (0.10, 0.50, "6217 0065 6865 5180")])
    got = {f.name: f for f in extract_fields("bank_details", [card], "zh")}
    assert got["account_number"].value == "6217006568655180"
    # found by its shape, and its check digit passed: sure enough for the checklist, as a labelled one that passes
    assert got["account_number"].confidence >= load_settings().reading.min_field_confidence
    # the bank its first six digits name is as sure as the number: a slip in them fails the check digit
    assert got["bank_name"].value == "中国建设银行"
    assert got["bank_name"].confidence == got["account_number"].confidence
    unknown = page_of([(0.10, 0.10, "DEBIT"), (0.10, 0.50, "4111 1111 1111 1111")])  # a valid number of no listed bank
    assert "bank_name" not in fields("bank_details", unknown)


def test_a_colon_speck_apart_from_a_surname_ends_the_name_after_it_and_a_wide_gap_ends_it_too():
    page = page_of([
        (0.10, 0.05, "St Mary's Hospital York"),
        (0.10, 0.20, "Patient Daniel Griffiths   : x Date of birth 17/10/1961"),
        (0.10, 0.30, "Account holder Hannah Carter      ES"),
    ])
    page.words = [replace(w, confidence=0.1) if w.text == "ES" else w for w in page.words]
    assert fields("medical_invoice", page)["name"] == "Daniel Griffiths"
    assert fields("bank_details", replace(page, words=[w for w in page.words if w.box[1] > 0.25]))["name"] == "Hannah Carter"


@pytest.mark.parametrize("printed, issuer", [
    ("York. Police", "York Police"),
    ("St Mary's Hospital. York", "St Mary's Hospital York"),
    ("Acme Co. Ltd.", "Acme Co. Ltd"),
    ("Planning Dept. Leeds City Council", "Planning Dept. Leeds City Council"),
    ("St Mary’ s Hospital Portland", "St Mary's Hospital Portland"),  # an apostrophe read apart from its s
    ("Riverside Medical:Centre, York", "Riverside Medical Centre, York"),  # ...or as a colon
    ("Mercy Regional Medical-Center", "Mercy Regional Medical Center"),  # ...or a hyphen before an organisation word
    ("Wilkes-Barre General Hospital", "Wilkes-Barre General Hospital"),  # a place's own hyphen stays
])
def test_a_speck_read_as_a_full_stop_inside_an_issuers_name_goes_but_abbreviations_stay(printed, issuer):
    page = page_of([(0.10, 0.05, "Issued by: " + printed), (0.10, 0.20, "Report No: PR-2024-0012")])
    assert fields("police_report", page)["issuer"] == issuer


def test_a_letterhead_run_into_the_address_after_it_ends_there():
    page = page_of([(0.06, 0.03, "和深圳市南山区人民医院地址 : 深圳市南山区工业大道146号"), (0.15, 0.08, "电话: 075-63461076"),
                    (0.37, 0.11, "住院费用清音"), (0.07, 0.16, "姓名 谢思琪")])
    assert fields("itemised_bill", page)["issuer"] == "深圳市南山区人民医院"


def test_a_saints_name_in_a_letterhead_is_no_street():
    page = page_of([(0.20, 0.05, "St Mary's Hospital Columbus"), (0.20, 0.08, "218 High St, Columbus"),
                    (0.10, 0.19, "Invoice No. HB242661"), (0.10, 0.25, "Hospital no. H868491   Department Gastroenterology")])
    assert fields("medical_invoice", page)["issuer"] == "St Mary's Hospital Columbus"


@pytest.mark.parametrize("printed, issuer", [
    ("eel York General Hospital", "York General Hospital"),
    ("pe Austin Royal Infirmary", "Austin Royal Infirmary"),
    ("de Montfort Clinic", "de Montfort Clinic"),  # a name's particle is no speck
    ("ot Mary's Hospital York", "St Mary's Hospital York"),  # ...but the S of a saint's St misread is mended
    ("5t Thomas' Hospital", "St Thomas' Hospital"),
    ("os - Columbus Police Department", "Columbus Police Department"),
])
def test_specks_read_as_a_little_word_before_an_issuers_name_go(printed, issuer):
    page = page_of([(0.10, 0.05, printed), (0.10, 0.20, "Invoice No: INV-2024-0012")])
    assert fields("medical_invoice", page)["issuer"] == issuer


@pytest.mark.parametrize("printed, issuer", [
    ("Portland Police Departinent", "Portland Police Department"),
    ("KEDAI RUNCIT ENTERPRlSE", "KEDAI RUNCIT ENTERPRISE"),
    ("Fire Stations Leeds", "Fire Stations Leeds"),  # a listed word grown is no slip
    ("Hartley Coachworks", "Hartley Coachworks"),  # near no listed word
])
def test_an_organisation_word_ocr_slipped_on_is_spelt_right(printed, issuer):
    page = page_of([(0.10, 0.05, printed), (0.10, 0.20, "Invoice No: INV-2024-0012")])
    assert fields("medical_invoice", page)["issuer"] == issuer


def test_the_extracted_diagnosis_keeps_what_was_read_and_is_less_sure_when_it_was_mended():
    page = page_of([(0.10, 0.05, "St Mary's Hospital"), (0.10, 0.30, "Diagnosis: Comminnty-acquired pneumonia")])
    exact = page_of([(0.10, 0.05, "St Mary's Hospital"), (0.10, 0.30, "Diagnosis: Community-acquired pneumonia")])
    [mended] = [f for f in extract_fields("diagnosis_certificate", [page]) if f.name == "diagnosis"]
    [read] = [f for f in extract_fields("diagnosis_certificate", [exact]) if f.name == "diagnosis"]
    assert mended.value == read.value == "Community-acquired pneumonia"
    assert mended.raw == "Comminnty-acquired pneumonia"
    assert mended.confidence < read.confidence


def test_a_label_whose_words_ocr_joined_with_a_colon_is_still_a_label():
    page = page_of([(0.1, 0.20, "Account:holder"), (0.1, 0.24, "Noah White"), (0.1, 0.30, "Bank"), (0.1, 0.34, "NatWest")])
    assert fields("bank_details", page)["name"] == "Noah White"


def test_a_colon_between_label_and_value_still_ends_the_label():
    page = page_of([(0.1, 0.20, "Name:Noah White")])
    assert fields("bank_details", page)["name"] == "Noah White"


def test_an_invoice_date_after_today_is_a_misread_year_and_left_out():
    from datetime import date, timedelta

    ahead = date.today() + timedelta(days=400)
    page = page_of([(0.1, 0.1, "Mercy Regional Medical Center"),
                    (0.1, 0.2, f"Invoice date: {ahead:%d/%m/%Y}"), (0.1, 0.3, "Date of birth: 18/04/2003")])
    assert "issue_date" not in fields("medical_invoice", page)  # nor is the birth date taken in its place


def test_a_logo_read_as_a_little_word_is_not_part_of_the_letterhead_name():
    page = page_of([(0.1, 0.05, "RY St Mary's Hospital Columbus"), (0.1, 0.09, "127 High Street, Columbus"),
                    (0.1, 0.2, "Itemised Bill")])
    logo = replace(page.words[0], confidence=0.26)
    assert fields("itemised_bill", replace(page, words=[logo, *page.words[1:]]))["issuer"] == "St Mary's Hospital Columbus"
    assert fields("itemised_bill", page)["issuer"] == "RY St Mary's Hospital Columbus"  # read surely, it is part of the name


def test_an_iban_with_a_speck_in_a_gap_and_a_resident_id_with_a_one_read_as_j_are_read_whole():
    bank = page_of([(0.10, 0.26, "IBAN GB33 NWBK 6070°2100 6951 76")])
    assert fields("bank_details", bank)["account_number"] == "GB33NWBK60702100695176"
    colon = page_of([(0.10, 0.26, "IBAN GB23 HBUK 4001:3710 8868 98")])  # a speck read as a colon
    assert fields("bank_details", colon)["account_number"] == "GB23HBUK40013710886898"
    card = page_of([(0.10, 0.50, "公民身份号码"), (0.10, 0.53, "J10105199304133683")])
    got = fields("id_card", card)
    assert got["id_number"] == "110105199304133683" and got["date_of_birth"] == "1993-04-13"
    not_one = page_of([(0.10, 0.50, "公民身份号码"), (0.10, 0.53, "J10105199304133684")])
    assert fields("id_card", not_one)["id_number"] == "J10105199304133684"  # the check digit does not vouch: as read


def test_a_total_label_over_a_line_of_words_takes_no_figure_from_further_down():
    """"Total Inclusive GST:" lost its figure to OCR; "CASH" below it is a line of its own, and
    the 21.00 under that is the change, not the bill (SROIE 212)."""
    page = page_of([(0.10, 0.05, "SANTA FURNITURE SDN BHD"), (0.10, 0.50, "Total Inclusive GST:"),
                    (0.10, 0.52, "CASH"), (0.10, 0.54, "Change                     21.00")])
    assert fields("medical_invoice", page).get("total_amount") != "21.00"
    below = page_of([(0.10, 0.05, "SANTA FURNITURE SDN BHD"), (0.10, 0.50, "Total Inclusive GST:"),
                     (0.10, 0.52, "29.00")])
    assert fields("medical_invoice", below)["total_amount"] == "29.00"


def test_on_a_licence_whose_name_label_was_misread_the_name_is_the_chinese_after_it_not_the_nationality_line():
    """姓名 read as 由名 with specks after the name ("LE |"); 国籍 中国 further down is no name."""
    rows = [(0.10, 0.05, "中华人民共和国机动车驾驶证"), (0.10, 0.12, "证号 110105198310191797"),
            (0.10, 0.19, "由名 陈涛 LE |"), (0.10, 0.26, "性别 男"), (0.10, 0.33, "国籍 中国"),
            (0.10, 0.40, "出生日期 1983-10-19")]
    assert fields("driving_licence", page_of(rows))["name"] == "陈涛"
    without_name = [r for r in rows if "陈涛" not in r[2]]
    assert "name" not in fields("driving_licence", page_of(without_name))


@pytest.mark.parametrize("printed, account", [
    ("GB47-HBUK 4072 4823 6314 85", "GB47HBUK40724823631485"),  # a gap read as a dash: the check digits agree
    ("GB47 HBUK 4072 4823 6314 85", "GB47HBUK40724823631485"),
])
def test_an_iban_whose_gap_ocr_read_as_a_dash_is_read_whole(printed, account):
    page = page_of([(0.10, 0.20, "Account holder"), (0.10, 0.23, "Henry Carter"), (0.10, 0.30, "IBAN"), (0.10, 0.33, printed)])
    assert fields("bank_details", page)["account_number"] == account
    # a dash joins the groups only where the check digits agree
    wrong = replace(page, words=[replace(w, text="GB48-HBUK") if w.text == "GB47-HBUK" else w for w in page.words])
    assert fields("bank_details", wrong)["account_number"] != account.replace("GB47", "GB48")


def test_specks_read_as_letters_beside_a_name_label_are_no_name_and_the_name_below_is():
    """A Chinese bill: 姓名 with its name on the line below; dust to its right read "et ee" at 0.19."""
    words = [Word("住院费用清单", (0.30, 0.05, 0.50, 0.08), 0.92, 0, 0),
             Word("姓名", (0.08, 0.18, 0.13, 0.20), 0.95, 1, 0), Word("et", (0.50, 0.18, 0.53, 0.19), 0.19, 1, 0),
             Word("ee", (0.54, 0.18, 0.56, 0.19), 0.19, 1, 0), Word("魏立新", (0.08, 0.20, 0.14, 0.22), 0.80, 2, 0)]
    assert fields("itemised_bill", PageText(1, "ocr", words, 1654, 2339), lang_hint="zh")["name"] == "魏立新"


def test_what_the_claim_settles_is_read_only_where_a_document_leaves_it_open():
    open_page = page_of([(0.10, 0.05, "Springfield Police Department"), (0.10, 0.20, "Report no.: PR-2024-668569"),
                         (0.10, 0.25, "Incident date: 01/04/2024")])
    settled = page_of([(0.10, 0.05, "Leeds Police"), (0.10, 0.20, "Report no.: PR-2024-668569"),
                       (0.10, 0.25, "Incident date: 01/04/2024"), (0.10, 0.30, "Date of report: 25/04/2024")])
    us_claim = ClaimHints("MDY", "USD")

    def incident(page: PageText, claim: ClaimHints | None) -> str:
        return {f.name: f.value for f in extract_fields("police_report", [page], "en", claim)}["incident_date"]

    assert incident(open_page, None) == "2024-04-01"  # day first when nothing says otherwise
    assert incident(open_page, us_claim) == "2024-01-04"  # the claim writes month first
    assert incident(settled, us_claim) == "2024-04-01"  # the document's own 25/04/2024 decides for it

    invoice = page_of([(0.10, 0.05, "Hartley Coachworks"), (0.10, 0.20, "Invoice No: INV-2024-0012"),
                       (0.10, 0.30, "Total due: 1,250.00")])
    assert "currency" not in fields("repair_invoice", invoice)
    assert {f.name: f.value for f in extract_fields("repair_invoice", [invoice], "en", us_claim)}["currency"] == "USD"
    pounds = page_of([(0.10, 0.05, "Hartley Coachworks"), (0.10, 0.30, "Total due: £1,250.00")])
    assert {f.name: f.value for f in extract_fields("repair_invoice", [pounds], "en", us_claim)}["currency"] == "GBP"


@pytest.mark.parametrize("printed, tail, number", [
    ("Invoice No.: INV1 76368, Invoice date 16/03/2025", "76368,", "INV176368"),  # OCR split the number in two
    ("Invoice no.: INV-81 125 Date: 2023-08-07", "125", "INV-81125"),
    ("Invoice no.: INV-81 125 Date: 2023-08-07", None, "INV-81"),  # a gap as wide as between words: two things
])
def test_a_number_ocr_split_at_a_gap_narrower_than_between_words_is_read_whole(printed, tail, number):
    page = page_of([(0.10, 0.05, "Hartley Coachworks"), (0.10, 0.20, printed)])
    # the split's gap a third of a space wide
    words = [replace(w, box=(w.box[0] - 0.7 * CHAR_W, *w.box[1:])) if w.text == tail else w for w in page.words]
    assert fields("repair_invoice", replace(page, words=words))["invoice_number"] == number


@pytest.mark.parametrize("below, name", [
    ("Henry: Johnson", "Henry Johnson"),  # a speck read as a colon after a listed first name
    ("Henry Johnson", "Henry Johnson"),
    ("Sex: Male", None),  # a label of its own with its value: no name
])
def test_a_colon_after_a_first_name_is_a_speck_not_a_label(below, name):
    page = page_of([(0.10, 0.05, "Mercy Regional Medical Center"), (0.10, 0.20, "Patient        Date of birth"),
                    (0.10, 0.24, below + "        10-Apr-1989")])
    assert fields("discharge_summary", page).get("name") == name


def test_specks_read_between_a_label_and_its_value_or_inside_a_label_are_passed_over():
    page = page_of([(0.10, 0.05, "Road Traffic Collision Report"), (0.10, 0.20, "Report no. » CR-2024-770090"),
                    (0.10, 0.25, "Account.number 3783372023")])
    got = fields("police_report", page)
    assert got["report_number"] == "CR-2024-770090"  # "»": a speck before the value
    assert fields("bank_details", page)["account_number"] == "3783372023"  # a speck read as a full stop in the label


def test_the_cashier_on_a_chinese_receipt_is_not_the_patient():
    page = page_of([(0.10, 0.05, "陕西省医疗门诊收费票据"), (0.10, 0.12, "姓名: 董秀英， 开票日期: 2023:08:-01"),
                    (0.10, 0.40, "收款单位〈章): 西安市中医医院 收款人: 李娟，")])
    got = fields("medical_invoice", page)
    assert got["name"] == "董秀英"  # 收款人 is the cashier, one character from 交款人 (the payer)
    assert got["issue_date"] == "2023-08-01"


def test_a_name_label_read_with_a_known_look_alike_still_announces_the_name():
    page = page_of([(0.10, 0.05, "深圳市南山区人民医院"), (0.10, 0.10, "诊断证明书"), (0.10, 0.20, "由名      性别"),
                    (0.10, 0.24, "谢思琪.      女")])
    assert fields("diagnosis_certificate", page)["name"] == "谢思琪"  # 姓名 read as 由名


def test_a_lone_character_ocr_could_not_read_after_a_chinese_name_is_a_speck():
    page = page_of([(0.10, 0.05, "西安市中医医院"), (0.10, 0.20, "姓名 杜秀英 和      科室 急诊科")])
    page = replace(page, words=[replace(w, confidence=0.0) if w.text == "和" else w for w in page.words])
    assert fields("itemised_bill", page)["name"] == "杜秀英"


def test_an_iban_with_one_digit_misread_in_a_group_ocr_was_unsure_of_is_mended_where_its_check_says_so():
    page = page_of([(0.10, 0.20, "Account holder Robert Thompson"), (0.10, 0.30, "IBAN GB90 HBUK 4063 1084 2398 60")])
    unsure = replace(page, words=[replace(w, confidence=0.86) if w.text == "4063" else w for w in page.words])
    got = extract_fields("bank_details", [unsure], "en")
    account = next(f for f in got if f.name == "account_number")
    assert account.value == "GB90HBUK40031084239860"  # 4063 for 4003: the one look-alike that checks
    printed_right = page_of([(0.10, 0.20, "Account holder Robert Thompson"), (0.10, 0.30, "IBAN GB90 HBUK 4003 1084 2398 60")])
    assert account.confidence < next(f for f in extract_fields("bank_details", [printed_right], "en")
                                      if f.name == "account_number").confidence  # a person sees it was mended
    # read surely, the group is as printed: the IBAN stays as read, and fails its check for a person to see
    assert fields("bank_details", page)["account_number"] == "GB90HBUK40631084239860"


def test_a_label_english_ocr_put_an_accent_on_is_still_the_label():
    """"Incidént date/time": with the label lost, its words were taken for the reporter's name."""
    page = page_of([(0.10, 0.05, "Reading Police"), (0.10, 0.20, "Reported by"), (0.50, 0.20, "Incidént date/time"),
                    (0.10, 0.23, "Charlotte Patel"), (0.50, 0.23, "30/11/2023 09:15")])
    got = fields("police_report", page)
    assert (got["name"], got["incident_date"]) == ("Charlotte Patel", "2023-11-30")


def test_a_short_label_word_with_a_digit_read_for_a_letter_is_still_the_label():
    for label in ("1D No.", "\\D No.", "|D No."):
        card = page_of([(0.10, 0.05, "RESIDENT IDENTITY CARD"), (0.10, 0.40, label), (0.10, 0.45, "T23731671")])
        assert fields("id_card", card)["id_number"] == "T23731671", label
    report = page_of([(0.10, 0.05, "Reading Police"), (0.10, 0.20, "Report N0. CR-2023-179083")])
    assert fields("police_report", report)["report_number"] == "CR-2023-179083"


def test_a_speck_read_as_a_colon_inside_a_label_before_its_own_colon_is_passed_over():
    page = page_of([(0.10, 0.05, "Mercy Regional Medical Center"), (0.10, 0.15, "INVOICE"),
                    (0.10, 0.20, "Invoice: No.: HB947940      Invoice date: 23/07/2023")])
    got = fields("medical_invoice", page)
    assert (got["invoice_number"], got["issue_date"]) == ("HB947940", "2023-07-23")


def test_a_number_printed_in_groups_is_never_cut_inside_a_group():
    page = page_of([(0.10, 0.05, "增值税普通发票"), (0.10, 0.15, "发票号码: 1457881 3092176424270  开票日期: 2024年11月19日")])
    assert fields("repair_invoice", page, lang_hint="zh")["invoice_number"] == "14578813092176424270"


def test_a_label_misread_as_a_name_is_no_name():
    """A registration whose owner's name OCR lost: 住址 after it, read 位址 (位 is a surname), is no name."""
    page = page_of([(0.10, 0.05, "中华人民共和国机动车行驶证"), (0.10, 0.15, "号牌号码 沪B45049"),
                    (0.10, 0.20, "所有人"), (0.30, 0.20, "位址"), (0.40, 0.20, "上海市浦东新区世纪大道100号")])
    assert "name" not in fields("vehicle_registration", page, lang_hint="zh")


def test_a_chinese_plates_o_and_i_are_zero_and_one():
    """Chinese plate serials leave out the letters O and I (GA 36): OCR's O in 鄂AOFB07 is a zero."""
    page = page_of([(0.10, 0.05, "中华人民共和国机动车行驶证"), (0.10, 0.15, "号牌号码 鄂AOFB07")])
    assert fields("vehicle_registration", page, lang_hint="zh")["vehicle_plate"] == "鄂A0FB07"
    uk = page_of([(0.10, 0.05, "Vehicle registration"), (0.10, 0.15, "Registration number VO17 TMG")])
    assert fields("vehicle_registration", uk)["vehicle_plate"] == "VO17TMG"  # other countries' plates as printed


@pytest.mark.parametrize("doc_type", ["medical_invoice", "repair_invoice", "claim_form", "police_report", "bank_details"])
def test_a_page_on_which_nothing_was_read_gives_no_fields_and_no_error(doc_type):
    # a faded receipt OCR found no word on: its issuer's letterhead search had no first page to look at
    assert extract_fields(doc_type, [PageText(1, "ocr", [], 800, 1200)], "en") == []
