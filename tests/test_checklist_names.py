"""Specification: a name is matched however it is written, never to somebody else; ID numbers by check digit."""
from __future__ import annotations

import pytest

from pipeline.checklist import load_settings
from pipeline.checklist.ids import cn_resident_check_char, cn_resident_id_problem, id_number_problem
from pipeline.checklist.names import NameMatch, compare_names

VARIANTS = load_settings().names.variants
IGNORE = load_settings().names.ignore_words


def match(a: str, b: str) -> NameMatch:
    return compare_names(a, b, VARIANTS, IGNORE)


@pytest.mark.parametrize("a,b", [
    ("Wei Zhang", "ZHANG Wei"),                 # order and case
    ("Zhang  Wei", "zhang wei"),                # spacing
    ("Zhang Xiao-Ming", "Xiaoming Zhang"),      # hyphens and joined syllables
    ("Zhāng Wěi", "Zhang Wei"),                 # tone marks
    ("张伟", "Zhang Wei"),                       # characters against pinyin
    ("张伟", "WEI ZHANG"),
    ("张晓明", "Zhang Xiao Ming"),
    ("张 伟", "张伟"),
    ("張偉", "Zhang Wei"),                       # traditional characters
    ("欧阳娜娜", "Ouyang Nana"),                  # compound surname
    ("吕明", "Lü Ming"),
    ("吕明", "Lu Ming"),
    ("曾伟", "Zeng Wei"),                        # a character with several readings
    ("Chang Wei", "Zhang Wei"),                 # Wade-Giles
    ("陈美", "Chan Mei"),                        # Cantonese surname spelling
    ("Wong Mei", "王美"),
    ("Mr James Smith", "SMITH, James"),          # honorific and comma
    ("James A. Smith", "James Smith"),           # middle initial
    ("Liam O'Connor", "LIAM OCONNOR"),
])
def test_the_same_person_written_differently_matches(a, b):
    assert match(a, b) is NameMatch.same


@pytest.mark.parametrize("a,b", [
    ("Wang Wei", "Zhang Wei"),
    ("Zhang Wei", "Zhang Wen"),        # short given names: one letter is a different name
    ("张伟", "张玮"),                    # same sound, different characters
    ("张伟", "王伟"),                    # in a two-character name one character is half the name
    ("孙诗涵", "孙雨萱"),                # two characters differ
    ("张伟", "Wang Fang"),
    ("李娜", "Li Hua"),
    ("Olivia Brown", "Sophie Brown"),
    ("James Smith", ""),
    ("张伟", "Zhang Weiming"),
])
def test_a_different_person_does_not_match(a, b):
    assert match(a, b) is NameMatch.different


@pytest.mark.parametrize("a,b", [
    ("James Smith", "James Smyth"),
    ("Christopher Wright", "Christopher Wrigth"),
    ("Zhang Xiaoming", "Zhang Xiaoning"),
    ("曹振宇", "曹振字"),   # one character misread in a three-character name
    ("孙诗涵", "孙诗"),     # one character lost
    ("Grace Evans", "Grace"),  # part of the name: OCR lost the rest
])
def test_one_slip_in_a_long_name_part_goes_to_a_person(a, b):
    assert match(a, b) is NameMatch.similar


def test_a_valid_resident_id_number_passes_and_a_changed_digit_fails():
    body = "44030519920229003"
    number = body + cn_resident_check_char(body)
    assert cn_resident_id_problem(number) is None
    assert cn_resident_id_problem(number.lower()) is None
    changed = number[:10] + ("1" if number[10] != "1" else "2") + number[11:]
    assert cn_resident_id_problem(changed) is not None
    assert "not a calendar date" in cn_resident_id_problem("44030519930229" + "0031")
    assert "17 digits" in cn_resident_id_problem("4403051992022900")


def test_numeric_ids_must_be_resident_numbers_other_forms_pass_on_shape():
    assert id_number_problem("AB123456C", "cn_resident_where_numeric") is None
    body = "44030519920229003"
    good = body + cn_resident_check_char(body)
    assert id_number_problem(good, "cn_resident_where_numeric") is None
    assert id_number_problem(body + ("X" if good[-1] != "X" else "0"), "cn_resident_where_numeric") is not None
    assert id_number_problem("4403051992022900", "cn_resident_where_numeric") is not None  # a misread resident number
    assert id_number_problem("AB 12", "cn_resident_where_numeric") is not None
    assert id_number_problem("AB123456C", "cn_resident") is not None
    assert id_number_problem("anything", "any") is None
