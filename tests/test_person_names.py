"""A first name or surname OCR slipped on takes the common name it slipped from; any other name stays as read."""
import pytest

from pipeline.checklist.yamlfile import ChecklistConfigError
from pipeline.reading.extract import extract_fields
from pipeline.reading.person_names import PersonNames, known_name, load_person_names
from pipeline.reading.types import PageText, Word


@pytest.mark.parametrize("read, name", [
    ("Heriry", "Henry"),  # "ri" read for "n"
    ("Atice", "Alice"),  # "t" for "l"
    ("Jarnes", "James"),  # "rn" for "m"
    ("Oiivia", "Olivia"),
    ("Chailotte", "Charlotte"),  # a long name allows one ordinary slip
    ("Natalié", "Natalie"),  # a speck over a letter
    ("NATALIÉ", "NATALIE"),  # capitals stay capitals
])
def test_a_first_name_one_ocr_slip_from_a_common_one_takes_that_name(read, name):
    assert known_name(read) == name


@pytest.mark.parametrize("read", [
    "Henry",  # a listed name is itself
    "Jaxon",  # a real name one ordinary letter from Jason: short names allow only OCR's slips
    "Lea",  # not Leo: a and o are not taken for each other
    "Renée",  # an accent on a name the list does not hold
    "Siobhan",  # not listed, near none
    "Wood",
])
def test_a_name_that_is_no_slip_of_a_listed_one_stays_as_read(read):
    assert known_name(read) is None


def test_the_list_is_configuration():
    names = PersonNames(slip=0.5, max_cost={"short": 0.5, "long": 1.0}, short_length=5, margin=0.5,
                        slips=(("rn", "m"),), given=("Siobhan",), surnames=("Nakamura",))
    assert known_name("Siobhau", names=names) == "Siobhan"  # one ordinary slip in a long name
    assert known_name("Heriry", names=names) is None  # Henry is not on this list
    assert known_name("Nakarnura", "surnames", names) == "Nakamura"
    assert "Siobhan" not in load_person_names().given


def test_a_malformed_list_names_its_file_and_line(tmp_path):
    path = tmp_path / "person_names.yaml"
    path.write_text("slip: 2\nmax_cost: {short: 0.5, long: 1}\nshort_length: 5\nmargin: 0.5\nslips: []\ngiven: [Ann]\nsurnames: [Lee]\n",
                    encoding="utf-8")
    with pytest.raises(ChecklistConfigError, match=r"person_names.yaml:1:"):
        load_person_names(str(path))


def name_page(first_confidence: float, first: str = "Heriry") -> PageText:
    words = [Word("Patient:", (0.1, 0.2, 0.2, 0.23), 0.96, 0, 0), Word(first, (0.22, 0.2, 0.3, 0.23), first_confidence, 0, 0),
             Word("Wood", (0.31, 0.2, 0.37, 0.23), 0.95, 0, 0)]
    return PageText(1, "ocr", words, 1240, 1754, lang="eng")


def test_a_name_whose_first_name_ocr_was_unsure_of_is_mended_and_flagged():
    [name] = [f for f in extract_fields("discharge_summary", [name_page(0.90)]) if f.name == "name"]
    assert name.value == "Henry Wood" and name.raw == "Heriry Wood"
    [read_so] = [f for f in extract_fields("discharge_summary", [name_page(0.90, "Henry")]) if f.name == "name"]
    assert name.confidence < read_so.confidence  # a person sees it was read otherwise


def test_a_first_name_read_surely_is_kept_as_read_listed_or_not():
    [name] = [f for f in extract_fields("discharge_summary", [name_page(0.97)]) if f.name == "name"]
    assert name.value == "Heriry Wood"


@pytest.mark.parametrize("read, name", [("Johnsori", "Johnson"), ("Johnsan", "Johnson"), ("HUCHES", "HUGHES")])
def test_a_surname_one_ocr_slip_from_a_common_one_takes_that_name(read, name):
    assert known_name(read, "surnames") == name


def test_both_parts_of_a_name_ocr_was_unsure_of_are_mended():
    words = [Word("Patient:", (0.1, 0.2, 0.2, 0.23), 0.96, 0, 0), Word("Heriry", (0.22, 0.2, 0.3, 0.23), 0.9, 0, 0),
             Word("Johnsori", (0.31, 0.2, 0.41, 0.23), 0.85, 0, 0)]
    page = PageText(1, "ocr", words, 1240, 1754, lang="eng")
    assert {f.name: f.value for f in extract_fields("discharge_summary", [page])}["name"] == "Henry Johnson"


def test_a_chinese_name_is_usual_when_it_starts_with_a_surname_and_has_common_given_name_characters():
    from pipeline.reading.labels import cn_surname_starts
    from pipeline.reading.person_names import usual_cn_name

    surnames = cn_surname_starts()
    assert usual_cn_name("邓辉", surnames) and usual_cn_name("杨子豪", surnames) and usual_cn_name("蔡家乐", surnames)
    assert not usual_cn_name("邓交", surnames)  # 辉 misread: no parent's choice
    assert not usual_cn_name("葵家乐", surnames)  # 蔡 misread: no surname
    names = PersonNames(slip=0.5, max_cost={"short": 0.5, "long": 1.0}, short_length=5, margin=0.5,
                        slips=(), given=(), surnames=(), cn_given_chars="交")
    assert usual_cn_name("邓交", surnames, names)
