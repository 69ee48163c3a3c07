"""A diagnosis OCR slipped on takes the name doctors write; anything else stays as read."""
import pytest

from pipeline.checklist.yamlfile import ChecklistConfigError
from pipeline.reading.diagnoses import Vocabulary, known_diagnosis, load_vocabulary


@pytest.mark.parametrize("read, name", [
    ("Comminnty-acquired pneumonia", "Community-acquired pneumonia"),
    ("Acute bronchitls", "Acute bronchitis"),
    ("acute appendicitis", "Acute appendicitis"),  # the listed spelling
    ("急性闲尾炎", "急性阑尾炎"),
    ("腰椎问盘突出症", "腰椎间盘突出症"),
    ("急生支气管炎", "急性支气管炎"),
    ("Acute bronchiolitis", "Acute bronchiolitis"),  # listed itself: not its near neighbour
])
def test_a_slightly_misread_diagnosis_takes_its_listed_name(read, name):
    assert known_diagnosis(read) == name


@pytest.mark.parametrize("read", [
    "Acute eres ga",  # too far gone to say which
    "止呼吸道感染",  # 上 or 下呼吸道感染: as near one as the other
    "Rare tropical disease",
    "Acute appendicitis with perforation",  # more than the listed name: kept whole
])
def test_a_reading_near_no_name_or_near_two_stays_as_read(read):
    assert known_diagnosis(read) is None


def test_the_vocabulary_is_configuration():
    vocabulary = Vocabulary(en=("Tennis elbow",), zh=(), min_similarity={"en": 0.85, "zh": 0.75}, margin=0.05)
    assert known_diagnosis("Tennis elbaw", vocabulary) == "Tennis elbow"
    assert "Tennis elbow" not in load_vocabulary().en


def test_a_malformed_vocabulary_names_its_file_and_line(tmp_path):
    path = tmp_path / "diagnoses.yaml"
    path.write_text("min_similarity:\n  en: 0.85\n  zh: 1.5\nmargin: 0.05\nen: [Gout]\nzh: [痛风]\n", encoding="utf-8")
    with pytest.raises(ChecklistConfigError, match=r"diagnoses.yaml:3:"):
        load_vocabulary(str(path))

