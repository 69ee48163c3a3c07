"""Normalisers: every printed form a claims document uses, to the vocabulary's one form."""
from __future__ import annotations

from decimal import Decimal

import pytest

from pipeline.reading.normalize import (
    ClaimHints,
    misread_year_dates,
    account_check,
    broken_dates,
    chinese_capital_amount,
    detect_currency,
    find_amounts,
    find_dates,
    iban_valid,
    claim_hints,
    infer_date_order,
    licence_check,
    luhn_valid,
    mend_from_capitals,
    normalize_amount,
    normalize_date,
    normalize_name,
    normalize_identifier,
    valid_cn_id,
    vin_check,
)


@pytest.mark.parametrize(
    "text, prefer, expected",
    [
        ("2024年3月5日", "DMY", "2024-03-05"),
        ("2024年03月05日", "DMY", "2024-03-05"),
        ("二〇二四年三月五日", "DMY", "2024-03-05"),
        ("2024年12月31号", "DMY", "2024-12-31"),
        ("2024-03-05", "DMY", "2024-03-05"),
        ("2024/3/5", "DMY", "2024-03-05"),
        ("2024.03.05", "DMY", "2024-03-05"),
        ("20240305", "DMY", "2024-03-05"),
        ("05/03/2024", "DMY", "2024-03-05"),
        ("05/03/2024", "MDY", "2024-05-03"),
        ("25/12/2018", "MDY", "2018-12-25"),  # only one reading is a real date
        ("12/25/2018", "DMY", "2018-12-25"),
        ("12-01-19", "DMY", "2019-01-12"),
        ("5.3.24", "DMY", "2024-03-05"),
        ("5 March 2024", "DMY", "2024-03-05"),
        ("March 5, 2024", "DMY", "2024-03-05"),
        ("Mar 5 2024", "DMY", "2024-03-05"),
        ("05-Mar-2024", "DMY", "2024-03-05"),
        ("5-MAR-24", "DMY", "2024-03-05"),
        ("25/FEB/2017", "DMY", "2017-02-25"),
        ("3rd September 2021", "DMY", "2021-09-03"),
        ("Sept 3, 2021", "DMY", "2021-09-03"),
        ("2024 Mar 05", "DMY", "2024-03-05"),
        ("25032018", "DMY", "2018-03-25"),
        ("Date: 25/12/2018 8:13:39 PM", "DMY", "2018-12-25"),
        ("born 14/07/61", "DMY", "1961-07-14"),  # two-digit years from 50 are 19xx
        ("Date: 22/1212017 14:03", "DMY", "2017-12-22"),  # OCR read the second slash as a one
        ("25/Feu/2017 07:43:54", "DMY", "2017-02-25"),  # one letter of the month misread
        ("Date: 13/03/20 1B", "DMY", "2018-03-13"),  # a year split by a space, an 8 read as B
        ("13/03/20 15:30", "DMY", "2020-03-13"),  # a two-digit year before a time stays two digits
        ("Date: -04/05/2024", "DMY", "2024-05-04"),  # a speck read as a dash before the date
        ("2°March 2024", "DMY", "2024-03-02"),  # a speck read as a degree sign between day and month
        ("19'February 2025", "DMY", "2025-02-19"),  # ...or as an apostrophe
        ("15:Feb: 2025", "DMY", "2025-02-15"),  # hyphens read as colons
        ("起火时间 2023.10.2617:00", "DMY", "2023-10-26"),  # the time run into the date: the space lost
        ("Date: 25/12/201814:30", "DMY", "2018-12-25"),
        ("开票日期: 2023:08:-01", "DMY", "2023-08-01"),  # hyphens read as colons
        ("2024年08月3] 日", "DMY", "2024-08-31"),  # a one read as a bracket where only a number goes
        ("日期: 2023年12月1j日", "DMY", "2023-12-11"),
    ],
)
def test_dates_in_every_common_format_become_iso(text, prefer, expected):
    assert normalize_date(text, prefer) == expected


@pytest.mark.parametrize(
    "text",
    ["", "no date here", "31/02/2024", "2024-13-01", "TEL: 05.22.95.66.66", "10 Market St 2024", "2024年13月1日",
     "12/Mau/2017",  # Mar or May: a misread month that two months are one letter from is no date
     "2023-10-261"],  # a digit run on that is no time
)
def test_text_without_a_real_date_gives_none(text):
    assert normalize_date(text) is None


def test_an_ambiguous_date_is_not_guessed_when_no_order_is_preferred():
    assert normalize_date("05/03/2024", prefer=None) is None
    assert normalize_date("25/03/2024", prefer=None) == "2024-03-25"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Date 25/12/2018 and 03/04/2018", "DMY"),
        ("Invoice date 12/25/2018, due 01/02/2019", "MDY"),
        ("Total $12.00, paid $12.00 on 03/04/2018", "MDY"),
        ("Springfield, IL 62704 on 03/04/2018", "MDY"),
        ("Date of birth 08/03/1981 ... 9190 Highfield Road, Springfield, IL 627", "MDY"),  # the card's edge cut the ZIP
        ("12 High St, Leeds, LS1 4AP on 03/04/2018", "DMY"),
        ("RM 9.00 $5.29 on 03/04/2018", "DMY"),
        ("Total £12.00 on 03/04/2018", "DMY"),
        ("code HD03-04-06 CK 11-22-31 date 19-09-17", "DMY"),  # product codes do not vote
        ("Date 08/02/2018 Cashier USER Time. 11.14.00", "DMY"),  # a till's time of day does not vote
        ("Date/Time: 12.25.18 10:00", "MDY"),  # ...but a date after Date/Time does
    ],
)
def test_the_date_order_of_a_document_is_inferred_from_dates_that_settle_it(text, expected):
    assert infer_date_order(text) == expected


@pytest.mark.parametrize(
    "texts, order, currency",
    [
        (["Address Springfield, IL 62704", "Incident date/time: 01/04/2024"], "MDY", "USD"),
        (["Invoice date 25/12/2023 Total £120.00", "Incident 01/04/2024"], "DMY", "GBP"),
        (["Amount claimed 4,250.00 Currency USD", "Total $120.00", "Paid 99.00"], "MDY", "USD"),
        (["Total $120.00", "Total £120.00"], "DMY", None),  # currency marks that disagree settle none
        (["Incident 01/04/2024", "Report date 03/02/2024"], None, None),  # each document's own default
    ],
)
def test_a_claims_documents_settle_the_date_order_and_currency_together(texts, order, currency):
    assert claim_hints(texts) == ClaimHints(order, currency)


def test_a_time_of_day_after_its_label_is_no_date():
    assert [iso for _, _, iso in find_dates("Date 08/02/2018 Time: 11.14.00")] == ["2018-02-08"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1,234.50", "1234.50"),
        ("1.234,50", "1234.50"),
        ("1 234,50", "1234.50"),
        ("1,234,567", "1234567.00"),
        ("1.234.567,8", "1234567.80"),
        ("12,50", "12.50"),
        ("¥1,200", "1200.00"),
        ("￥ 1200.5", "1200.50"),
        ("RM 9.00", "9.00"),
        ("RM9.00", "9.00"),
        ("$8.20", "8.20"),
        ("USD 1,000", "1000.00"),
        ("人民币 1,200.00元", "1200.00"),
        ("TOTAL: 64. 15", "64.15"),  # OCR split the decimal
        ("Total due USD 1, 437.00", "1437.00"),  # OCR split the thousands
        ("金额合计 1;045.28", "1045.28"),  # OCR read the thousands comma as a semicolon
        ("9.OO", "9.00"),  # OCR read zeros as O
        ("CASH §.30", "5.30"),  # OCR read a receipt's 5 as §
        ("§ 12.00", "12.00"),  # a section sign apart from the figure is not a digit
        ("-1.73", "-1.73"),
        ("1.2万", "12000.00"),
        ("3.5千", "3500.00"),
        ("壹仟贰佰元整", "1200.00"),
        ("壹万贰仟叁佰肆拾伍元陆角柒分", "12345.67"),
        ("叁拾元伍角", "30.50"),
        ("伍角", "0.50"),
        ("零元整", "0.00"),
        ("壹拾万零伍佰元整", "100500.00"),
        ("大写：贰仟零伍元整", "2005.00"),
        ("合计金额:4.349.86", "4349.86"),  # OCR read the thousands mark and the decimal mark alike
        ("Total due: £5,565,00", "5565.00"),
    ],
)
def test_amounts_become_decimals_with_two_places(text, expected):
    assert normalize_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text, expected", [
    ("周建华，", "周建华"),
    ("  Joseph.Moore ", "Joseph Moore"),  # a speck between the words read as a dot
    ("J. Moore", "J. Moore"),
    ("Dr.Smith", "Dr.Smith"),  # a title's dot is printed
    ("Mary O'Neil.", "Mary O'Neil"),
    ("Thomas ‘Smith", "Thomas Smith"),  # a speck read as a quote at a word's edge
    ("Natalie’ Roberts", "Natalie Roberts"),
    ("Contusion of right knee’.", "Contusion of right knee"),  # a speck and a full stop after the value
    ("Fracture (left wrist)", "Fracture (left wrist)"),
])
def test_names_keep_their_printed_form_without_stray_marks(text, expected):
    assert normalize_name(text) == expected


def test_a_date_decades_ahead_is_a_misread_year_not_a_date():
    assert normalize_date("22/03/2078") is None
    assert normalize_date("22/03/2031") == "2031-03-22"  # an expiry a few years on is a date


@pytest.mark.parametrize("text, spans", [
    ("13 Mar 2098 18:25", [(0, 11)]),
    ("Date: 22/03/2078", [(6, 16)]),
    ("Mar 5, 2099", [(0, 11)]),
    ("20/03/2018", []),  # a date
    ("HD03-04-2066", []),  # a product code, not a date
    ("Tel 03-4296 0133", []),
])
def test_a_date_shaped_span_with_a_year_no_paper_carries_is_found_for_a_second_look(text, spans):
    assert misread_year_dates(text) == spans


@pytest.mark.parametrize("text", ["", "no amount", "元整"])
def test_text_without_an_amount_gives_none(text):
    assert normalize_amount(text) is None


@pytest.mark.parametrize("capitals, figure, expected", [
    ("壹什零肆拾伍元起角揭分", " (小写): 习 ,045.28", "1045.28"),  # "¥1" read as one mark; 仟 as 什
    ("壹万叁仟柒佰陆拾壹元玖角叁分", " ¥3761.93", "13761.93"),
    ("壹拾贰万元整", " ¥20000.00", "120000.00"),  # the first unit counts within the 万
    ("壹仟零肆拾伍元贰角捌分", " ¥1,045.28", None),  # nothing lost: the figure stands
    ("贰仟零伍元整", " ¥205.00", None),  # a digit lost inside, not the first: no guess
    ("伍佰元整", " ¥500.00", None),
    ("叁万肆仟捌佰柒拾玖元玖角贰分", " ¥334879.92", "34879.92"),  # the "¥" read as a digit: one too many
    ("全万肆作全抹失下元下角趟分", " (小写): 334879.92", "34879.92"),  # first capital misread: the 万 still counts
    ("全万肆作全抹失下元下角趟分", " (小写): 34879.92", None),
    ("叁万肆仟捌佰柒拾玖元玖角贰分", " ¥734879.92", "34879.92"),
    ("叁万肆仟捌佰柒拾玖元玖角贰分", " ¥374879.92", None),  # its second digit is not the capitals' first
    ("单元楼下车库", " 334879.92", None),  # no capitals: a unit word in an address is not one
    ("陆他贰佰类抬苇元染角肆分", " Y6272.74", None),  # 仟 misread: 贰佰 inside the run is not the first unit
])
def test_a_figure_that_lost_or_gained_a_first_digit_is_mended_from_the_capitals(capitals, figure, expected):
    mended = mend_from_capitals(capitals + figure)
    assert (str(mended[0]) if mended else None) == expected


def test_capital_numerals_round_trip_with_the_sample_generator_form():
    assert chinese_capital_amount("壹佰零叁元零伍分") == Decimal("103.05")


def test_amounts_are_located_in_their_text():
    text = "TOTAL RM 64. 15 CASH 100.00"
    found = [(text[s:e], v) for s, e, v in find_amounts(text)]
    assert found == [("64. 15", Decimal("64.15")), ("100.00", Decimal("100.00"))]


def test_a_chinese_full_width_decimal_comma_keeps_the_cents():
    text = "（小写） Y22240，98"
    assert [(text[s:e], v) for s, e, v in find_amounts(text)] == [("22240，98", Decimal("22240.98"))]


def test_a_number_too_long_to_be_an_amount_is_passed_over_not_an_error():
    text = "Ref " + "9" * 40 + " TOTAL 12.50"  # a barcode run together with its neighbours
    assert [v for _, _, v in find_amounts(text)] == [Decimal("12.50")]


@pytest.mark.parametrize(
    "text, code",
    [("¥1,200", "CNY"), ("1200元", "CNY"), ("人民币", "CNY"), ("RMB 5", "CNY"), ("$5", "USD"), ("US$5", "USD"),
     ("USD 5", "USD"), ("HK$5", "HKD"), ("RM 9.00", "MYR"), ("€5", "EUR"), ("£5", "GBP"), ("GBP 5", "GBP"),
     ("12.00", None), ("FORM", None),
     ("Total (RM): 2.40", "MYR"), ("RM12.50", "MYR"), ("RM :", None),  # RM alone, beside no figure: a speck's guess
     ("Unit price Amount §", "USD"), ("§1,296.00", "USD"), ("under § 3 of the Act", None)],  # OCR's "§" for "$"
)
def test_currency_marks_become_iso_codes(text, code):
    assert detect_currency(text) == code


@pytest.mark.parametrize(
    "number, valid",
    [
        ("11010519491231002X", True),  # the GB 11643 example
        ("11010519491231002x", True),  # lower-case check character
        ("110105 19491231 002X", True),  # printed in groups
        ("110105194912310021", False),  # wrong check character
        ("11010519491331002X", False),  # month 13
        ("1101051949123100", False),  # too short
        ("ABCDEFGHIJKLMNOPQR", False),
    ],
)
def test_chinese_resident_ids_are_checked_by_their_check_character(number, valid):
    assert valid_cn_id(number) is valid


@pytest.mark.parametrize(
    "number, valid",
    [("4539 1488 0343 6467", True), ("4539148803436468", False), ("6222021234567890123", False), ("79927398713", True), ("12a4", False)],
)
def test_bank_card_numbers_are_checked_with_luhn(number, valid):
    assert luhn_valid(number) is valid


@pytest.mark.parametrize(
    "iban, valid",
    [("GB82 WEST 1234 5698 7654 32", True), ("GB82WEST12345698765433", False), ("DE89370400440532013000", True), ("GB82", False)],
)
def test_ibans_are_checked_mod_97(iban, valid):
    assert iban_valid(iban) is valid


def test_account_check_knows_which_numbers_carry_a_check_digit():
    assert account_check("GB82 WEST 1234 5698 7654 32") is True
    assert account_check("4539 1488 0343 6467") is True
    assert account_check("4539 1488 0343 6468") is False
    assert account_check("12345678") is None  # a plain domestic account number: nothing to check


@pytest.mark.parametrize("text, expected", [(" pol-2024 001. ", "POL-2024001"), ("粤B·12345", "粤B·12345"), ("#A12:", "A12")])
def test_identifiers_are_upper_case_without_spaces(text, expected):
    assert normalize_identifier(text) == expected


@pytest.mark.parametrize("text, spans", [
    ("12-02 2618 11:34:45 AM", [(0, 10)]),  # a separator lost, the year's 0 read as 6
    ("02:49PM $65287 OS~05-17", [(15, 23)]),  # 05- read as OS~
    ("DATE: 20/03/201€", [(6, 16)]),
    ("Date: 20/03/2018", []),  # reads as a date
    ("1.20 240", []),  # two amounts
    ("Tel 03-78590861", []),
    ("Time 11:34:45", []),
    ("Sort code: 60-45-41", []),  # no day and month
    ("Expires 08/01/2055", []),  # a date with a year no paper carries: misread_year_dates finds it
])
def test_a_numeric_date_with_a_misread_digit_or_separator_is_found_for_a_second_look(text, spans):
    assert broken_dates(text) == spans


@pytest.mark.parametrize(
    "vin, check",
    [
        ("1M8GDM9AXKP042788", True),  # 49 CFR 565's example: X in ninth place
        ("1M8GDM9A1KP042788", False),  # North America must carry the check character
        ("LVHLNXNKXLLVGWLFX", True),
        ("LVHLNXNKXL1VGWLFX", False),  # so must China (GB 16735): an L read as 1
        ("WVWZZZ1JZXW000001", None),  # Europe need not: a Z in ninth place says nothing
        ("JTD5CDSX7P16LVZRD", True),  # a Japanese VIN that carries one anyway
        ("1M8GDM9AXKP04278", False),  # 16 characters
        ("1M8GDM9AXKP0427O8", False),  # O is never printed in a VIN
    ],
)
def test_vins_are_checked_where_their_region_requires_a_check_character(vin, check):
    assert vin_check(vin) is check


CARD = "DRIVING LICENCE 1. HUGHES 2. MEGAN 3. 08.02.1968 UNITED KINGDOM 4a. 01.03.2019"


@pytest.mark.parametrize(
    "number, card, prefer, check",
    [
        ("HUGHE652088M9E69", CARD, "DMY", True),  # a woman born 8 February 1968: month 52
        ("HUGHE602088M9E69", CARD, "DMY", True),  # month 02 (a man's) still names the same birth date
        ("HUGHE652089M9E69", CARD, "DMY", False),  # a 9 for the 8 of 1968
        ("HUGHF652088M9E69", CARD, "DMY", False),  # an F for the E of HUGHES
        ("HUGHE652088M9E69", "DRIVING LICENCE MEGAN 08.02.1968", "DMY", False),  # no surname on the card
        ("SMITH808031T9G59", "THOMAS SMITH 08/03/1981", "MDY", True),  # an American card prints month first
        ("SMITH808031T9G59", "THOMAS SMITH 08/03/1981", "DMY", False),
        ("LI999604010W99AB", "LI WEI 01.04.1960", "DMY", True),  # a short surname, padded with 9s
        ("LI999604010W99AB", "LIAM WEI 01.04.1960", "DMY", False),  # LIAM is no LI
        ("42010619681120295X", "", "DMY", True),  # a Chinese licence number is a resident ID: its check character
        ("420106196811202951", "", "DMY", False),
        ("D1234567", CARD, "DMY", None),  # another country's number: nothing to check
    ],
)
def test_a_licence_number_agrees_with_its_card_or_its_check_character(number, card, prefer, check):
    assert licence_check(number, card, prefer) is check
