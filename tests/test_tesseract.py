"""Tesseract run inside the process reads exactly what the tesseract program reads, faster.

The pipeline calls libtesseract through its C API so that a language is loaded once,
not once per page; the program (through pytesseract) stays as the fallback. Both must
give the same words, boxes and confidences, or every threshold tuned on one would be
off on the other.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from pipeline.reading import tesseract
from pipeline.reading.tesseract import image_to_data
from tests.files import WQY, page_image

needs_library = pytest.mark.skipif(not tesseract.library_loads(), reason=f"{tesseract.LIBRARY} is not installed here")

ENGLISH = ["Repair Invoice No. RI-20931", "Invoice date: 14 March 2024", "Total due: GBP 1,284.50"]
CHINESE = ["医疗费用发票", "患者姓名：王芳", "开票日期：2024年3月5日"]

WORD_COLUMNS = ("block_num", "par_num", "line_num", "word_num", "left", "top", "width", "height", "conf", "text")


def words(data: dict) -> list[tuple]:
    return [tuple(data[c][i] for c in WORD_COLUMNS) for i in range(len(data["text"])) if data["level"][i] == 5]


def grey(lines: list[str], **kw) -> np.ndarray:
    return np.asarray(page_image(lines, size=(1240, 400), **kw))


@needs_library
@pytest.mark.parametrize("lines, lang, psm, font", [
    (ENGLISH, "eng", 3, {}),
    (ENGLISH, "eng", 6, {}),
    (CHINESE, "chi_sim", 3, {"font_file": WQY}),
    (CHINESE, "chi_sim", 11, {"font_file": WQY}),
    (CHINESE, "chi_sim+eng", 3, {"font_file": WQY}),
])
def test_the_library_reads_what_the_program_reads(lines, lang, psm, font):
    image = grey(lines, **font)
    from_library = image_to_data(image, lang, psm, via="library")
    from_program = image_to_data(image, lang, psm, via="program")
    assert words(from_library) == words(from_program)
    assert any(w[-1] for w in words(from_library))


@needs_library
def test_english_words_come_back_with_boxes_and_whole_number_confidences():
    data = image_to_data(grey(ENGLISH), "eng", 3, via="library")
    found = [w for w in words(data) if w[-1]]
    assert "RI-20931" in [w[-1] for w in found]
    assert all(isinstance(w[-2], int) and 0 <= w[-2] <= 100 for w in found)  # conf: a whole number, as pytesseract gives


@needs_library
def test_a_language_is_loaded_once_and_its_engine_reused():
    image = grey(ENGLISH)
    image_to_data(image, "eng", 3, via="library")
    made = len(tesseract._every)
    for _ in range(3):
        image_to_data(image, "eng", 6, via="library")
    assert len(tesseract._every) == made


@needs_library
def test_readings_in_several_threads_at_once_each_get_their_own_engine():
    pages = [grey(ENGLISH), grey(["Policy number PA-2024-00123", "Claimant John Smith"])]
    alone = [words(image_to_data(p, "eng", 3, via="library")) for p in pages]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda i: words(image_to_data(pages[i % 2], "eng", 3, via="library")), range(8)))
    assert together == [alone[i % 2] for i in range(8)]


@needs_library
def test_engines_beyond_one_per_core_are_freed_when_their_reading_is_done(monkeypatch):
    monkeypatch.setattr(tesseract, "KEEP_IDLE", 1)
    monkeypatch.setattr(tesseract, "_idle", {})
    monkeypatch.setattr(tesseract, "_every", [])
    lib = tesseract._library()
    first, second = tesseract._take(lib, "eng"), tesseract._take(lib, "eng")  # two readings at once
    tesseract._give_back(lib, "eng", first)
    tesseract._give_back(lib, "eng", second)
    assert tesseract._idle == {"eng": [first]} and tesseract._every == [first]  # the second was freed
    assert words(image_to_data(grey(ENGLISH), "eng", 3, via="library"))  # the kept one still reads
    tesseract._end(lib, first)


def test_without_the_library_the_program_reads_the_page(monkeypatch):
    monkeypatch.setattr(tesseract, "_library", lambda: None)
    data = image_to_data(grey(ENGLISH), "eng", 3)  # "auto" falls back to the program
    assert "RI-20931" in data["text"]


def test_the_setting_can_ask_for_the_program(monkeypatch):
    from pipeline.settings import Settings

    monkeypatch.setattr(tesseract, "get_settings", lambda: Settings(tesseract="program"))
    monkeypatch.setattr(tesseract, "_library_tsv", lambda *a: pytest.fail("the library was used"))
    assert "RI-20931" in image_to_data(grey(ENGLISH), "eng", 3)["text"]


@needs_library
def test_a_language_without_its_files_is_a_clear_error():
    with pytest.raises(RuntimeError, match="could not load the language 'xyz'"):
        image_to_data(grey(ENGLISH), "xyz", 3, via="library")
