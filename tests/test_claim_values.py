"""A value OCR was unsure of takes the value the claim's other documents give surely, one slip away."""
import pytest

from pipeline.checklist.yamlfile import ChecklistConfigError
from pipeline.reading.claim_values import agree_with_claim, claim_values, load_agreement
from pipeline.reading.types import ExtractedField


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
    (field("name", "ETHAN WHITE", 0.83), "ETHAN WHITE"),  # case and spacing only: kept as printed
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


def test_a_value_near_two_of_the_claims_values_is_left_as_read():
    known = claim_values([[field("name", "王超", 0.95)], [field("name", "王越", 0.92)]])
    assert agree_with_claim([field("name", "王起", 0.5)], known)[0].value == "王起"


def test_only_values_read_surely_settle_the_claim():
    known = claim_values([[field("name", "丁平", 0.95), field("name", "高起", 0.65)]])
    assert known == {"name": {"丁平"}}


def test_a_broken_settings_file_names_its_line(tmp_path):
    path = tmp_path / "claim_values.yaml"
    path.write_text("version: 1\nfields: [name]\nsure_from: 2\nunsure_below: 0.9\n", encoding="utf-8")
    with pytest.raises(ChecklistConfigError, match=r"claim_values.yaml:3:"):
        load_agreement(str(path))
