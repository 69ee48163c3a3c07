"""A value OCR was unsure of takes the value the claim's other documents give surely, one slip away;
read just as that value, it is as sure as they are. An amount read unsurely but exactly as the
claim's filed amount is as sure; never mended towards it."""
from decimal import Decimal

import pytest

from pipeline.checklist.yamlfile import ChecklistConfigError
from pipeline.reading.claim_values import (agree_with_claim, claim_values, found_on_page, load_agreement, settle,
                                           vouched_by_filing)
from pipeline.reading.types import ExtractedField, ReadDocument
from tests.test_extract import page_of


def field(name: str, value: str, confidence: float) -> ExtractedField:
    return ExtractedField(name, value, value, confidence, 1)


CLAIM_FORM = [field("name", "丁平", 0.95), field("id_number", "XG484918B", 0.95), field("vehicle_plate", "VX17TMG", 0.95),
              field("name", "Ethan White", 0.93)]


@pytest.mark.parametrize("read, expected", [
    (field("name", "J平", 0.30), "丁平"),  # one character read as another
    (field("name", "干平", 0.86), "丁平"),
    (field("id_number", "G484918B", 0.54), "XG484918B"),  # one lost
    (field("vehicle_plate", "VX17TMC", 0.6), "VX17TMG"),
    (field("name", "Ethan’White", 0.68), "Ethan White"),  # a speck for the space
    (field("name", "干平", 0.93), "干平"),  # read surely: another person, however near
    (field("name", "干超", 0.40), "干超"),  # two slips away
    (field("name", "平", 0.40), "平"),  # too little left to tell
    (field("issuer", "丁平", 0.40), "丁平"),  # not a value the claim's documents share
    (field("vin", "JTDSCDSX7P16LVZRD", 0.75), "JTDSCDSX7P16LVZRD"),  # no document gives the VIN surely
])
def test_an_unsure_value_one_slip_from_a_sure_one_of_the_claim_takes_it(read, expected):
    (mended,) = agree_with_claim([read], claim_values([CLAIM_FORM]))
    assert mended.value == expected
    assert (mended.raw, mended.confidence) == (read.raw, read.confidence)  # what was read, and how surely, stay


@pytest.mark.parametrize("read", [
    field("name", "丁平", 0.56),  # chi_sim is seldom sure of a name it reads right
    field("name", "ETHAN WHITE", 0.83),  # case and spacing apart: kept as printed
    field("vehicle_plate", "VX17TMG", 0.40),
])
def test_an_unsure_value_read_just_as_the_claims_sure_one_is_as_sure_as_the_claims_readings(read):
    (agreed,) = agree_with_claim([read], claim_values([CLAIM_FORM]))
    assert (agreed.value, agreed.raw, agreed.method) == (read.value, read.raw, read.method)
    assert agreed.confidence == load_agreement().sure_from


def test_a_value_read_surely_keeps_its_own_confidence_and_a_mended_one_gains_none():
    known = claim_values([CLAIM_FORM])
    assert agree_with_claim([field("name", "丁平", 0.97)], known)[0].confidence == 0.97
    assert agree_with_claim([field("name", "J平", 0.30)], known)[0].confidence == 0.30


def test_a_value_near_two_of_the_claims_values_is_left_as_read():
    known = claim_values([[field("name", "王超", 0.95)], [field("name", "王越", 0.92)]])
    assert agree_with_claim([field("name", "王起", 0.5)], known)[0].value == "王起"


def test_only_values_read_surely_settle_the_claim():
    known = claim_values([[field("name", "丁平", 0.95), field("name", "高起", 0.65)]])
    assert known == {"name": {"丁平"}}


def test_a_broken_settings_file_names_its_line(tmp_path):
    path = tmp_path / "claim_values.yaml"
    path.write_text("version: 1\nfields: [name]\nsure_from: 2\nunsure_below: 0.9\nfound_on_page: [name]\n"
                    "found_confidence: 0.5\n", encoding="utf-8")
    with pytest.raises(ChecklistConfigError, match=r"claim_values.yaml:3:"):
        load_agreement(str(path))


BANK_LETTER = page_of([(0.10, 0.05, "Wells Fargo Bank"), (0.10, 0.20, '"nodeent holder Megan Khan'),
                       (0.10, 0.25, "Account number 968546827918")])


def test_the_claims_name_printed_where_its_label_was_smudged_away_is_the_documents_name():
    known = claim_values([[field("name", "Megan Khan", 0.95)]])
    (name,) = [f for f in found_on_page("bank_details", [BANK_LETTER], [], known) if f.name == "name"]
    assert (name.value, name.raw, name.page_no) == ("Megan Khan", "Megan Khan", 1)
    assert name.confidence == load_agreement().found_confidence and name.box is not None  # read, not by its label


def test_one_name_printed_in_capitals_on_one_document_and_not_on_another_is_still_one_name():
    known = claim_values([[field("name", "MEGAN KHAN", 0.99)], [field("name", "Megan Khan", 0.98)]])
    (name,) = found_on_page("bank_details", [BANK_LETTER], [], known)
    assert (name.value, name.raw, name.method) == ("Megan Khan", "Megan Khan", "claim")


def test_a_claims_documents_are_settled_together_and_with_those_read_before():
    form = ReadDocument("claim_form", 0.99, False, [], [field("name", "Megan Khan", 0.98)])
    letter = ReadDocument("bank_details", 0.97, False, [BANK_LETTER], [field("account_number", "968546827918", 0.95)])
    card = ReadDocument("id_card", 0.95, False, [], [field("name", "Megan Kham", 0.6)])
    settled_form, settled_letter, settled_card = settle([form, letter, card])
    assert settled_form == form
    assert {f.name: f.value for f in settled_letter.fields} == {"account_number": "968546827918", "name": "Megan Khan"}
    assert [f.value for f in settled_card.fields] == ["Megan Khan"]
    # a late upload is settled with the documents read before it
    (late,) = settle([card], [form.fields])
    assert [f.value for f in late.fields] == ["Megan Khan"]
    assert settle([card]) == [card]  # alone, nothing says otherwise


@pytest.mark.parametrize("doc_type, read, known", [
    ("bank_details", [field("name", "Megan Khan", 0.9)], {"Megan Khan"}),  # the label gave it already
    ("damage_photo", [], {"Megan Khan"}),  # a photo carries no name
    ("bank_details", [], {"Megan Khan", "Wells Fargo"}),  # two of the claim's names printed: which is it?
    ("bank_details", [], {"Megan Kha"}),  # only part of a word printed
])
def test_a_name_is_found_on_the_page_only_where_the_document_lacks_it_and_one_name_fits(doc_type, read, known):
    assert found_on_page(doc_type, [BANK_LETTER], read, {"name": known}) == read


def test_a_chinese_name_run_on_into_more_characters_is_another_name():
    page = page_of([(0.10, 0.05, "中国银行"), (0.10, 0.20, "户和名王勇军"), (0.10, 0.25, "账号 6216612050400273")])
    assert found_on_page("bank_details", [page], [], {"name": {"王勇"}}) == []
    glued = page_of([(0.10, 0.05, "中国银行"), (0.10, 0.20, "户和名王勇…"), (0.10, 0.25, "账号 6216612050400273")])
    assert [f.value for f in found_on_page("bank_details", [glued], [], {"name": {"王勇"}})] == ["王勇"]


@pytest.mark.parametrize("read, confidence", [
    (field("total_amount", "2270.06", 0.44), 0.9),  # exactly the filed figure: a misreading would have had to make it
    (field("claimed_amount", "2270.06", 0.61), 0.9),  # the claim form's copy of it
    (field("total_amount", "2276.06", 0.44), 0.44),  # one digit off: the checklist's finding, not a misreading to mend
    (field("total_amount", "227.06", 0.44), 0.44),
    (field("total_amount", "2270.06", 0.95), 0.95),  # read surely already
    (field("invoice_number", "2270.06", 0.5), 0.5),  # not an amount of the claim
])
def test_an_unsure_amount_read_exactly_as_the_filed_amount_is_taken_as_read(read, confidence):
    (out,) = vouched_by_filing([read], Decimal("2270.06"))
    assert (out.value, out.raw, out.confidence) == (read.value, read.raw, confidence)


def test_a_claim_is_settled_with_the_amount_it_was_filed_for():
    bill = ReadDocument("itemised_bill", 0.9, False, [], [field("total_amount", "2270.06", 0.44)])
    (settled,) = settle([bill], filed_amount=Decimal("2270.06"))
    assert settled.field("total_amount").confidence == 0.9
    assert settle([bill]) == [bill]  # no filed amount: nothing vouches for it
    assert settle([bill], filed_amount=Decimal("2270.60")) == [bill]
