"""Clean-up and OCR of scanned pages: upright, straight, flat, the right language, read once.

Pages are small (about a third of A4 at 200 DPI, a few lines) so each tesseract call
costs a second or less; the geometry tests need no tesseract at all.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import pytesseract
import cv2
from PIL import Image, ImageDraw, ImageFont

from pipeline.reading import cleanup
from pipeline.reading.engine import image_sha256, read_pages
from pipeline.reading.extract import extract_fields
from pipeline.reading.ocr import choose_language, fit_for_tesseract, merge_cjk_words, ocr_page
from pipeline.reading.pages import PreparedPage, prepare_pages
from pipeline.reading.types import PageText, Word
from tests.files import page_image

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SROIE_RECEIPTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "receipts_sroie"
NOTO_CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

ENGLISH = ["Motor Claim Form", "Policy number: PA-2024-00123", "Claimant name: John Smith",
           "Incident date: 2024-03-15", "Claimed amount: USD 4,250.00", "The vehicle was hit from behind."]
CHINESE = ["机动车保险索赔申请书", "保单号码：PA-2024-00123", "申请人姓名：张伟",
           "出险日期：2024年3月15日", "索赔金额：人民币4250.00元", "医院名称：北京市第一人民医院"]


def text_page(lines: list[str], font_path: str = DEJAVU, size=(1100, 620), px: int = 34) -> Image.Image:
    return page_image(lines, size, font_path, px, origin=(60, 50), line_step=int(px * 2.6))


@pytest.fixture(scope="module")
def english() -> Image.Image:
    return text_page(ENGLISH)


@pytest.fixture(scope="module")
def chinese() -> Image.Image:
    return text_page(CHINESE, NOTO_CJK)


def page_of(img: Image.Image, page_no: int = 1) -> PreparedPage:
    return PreparedPage(page_no, img, None, img.width, img.height)


def photo_of(page: Image.Image, corners: np.ndarray, frame=(1400, 1100)) -> Image.Image:
    """The page lying on a brown, grainy table, seen at an angle, lit from the right."""
    rgb = np.asarray(page.convert("RGB"))
    h, w = rgb.shape[:2]
    m = cv2.getPerspectiveTransform(np.float32([[0, 0], [w, 0], [w, h], [0, h]]), corners.astype(np.float32))
    warped = cv2.warpPerspective(rgb, m, frame)
    inside = cv2.warpPerspective(np.full((h, w), 255, np.uint8), m, frame) > 0
    table = np.random.default_rng(0).normal((90, 60, 40), 15, (frame[1], frame[0], 3))
    out = np.where(inside[..., None], warped, np.clip(table, 0, 255)).astype(np.float64)
    out *= np.linspace(0.75, 1.0, frame[0])[None, :, None]
    return Image.fromarray(out.astype(np.uint8))


# --------------------------------------------------------------------------- geometry, no OCR


@pytest.mark.parametrize("angle", [4.0, -4.0, 7.5])
def test_a_skewed_page_is_measured_and_straightened_within_one_degree(english, angle):
    skewed = english.rotate(angle, expand=True, fillcolor=255, resample=Image.BICUBIC)

    result = cleanup.clean_page(skewed, orientation=False)

    assert result.skew == pytest.approx(angle, abs=1.0)
    assert "deskew" in result.steps
    assert abs(cleanup.estimate_skew(np.asarray(result.image))) < 1.0


def test_a_straight_page_is_left_alone(english):
    result = cleanup.clean_page(english)
    assert result.steps == [] and result.skew == 0.0 and result.rotation == 0
    assert np.array_equal(np.asarray(result.image), np.asarray(english))


@pytest.mark.parametrize("script", ["english", "chinese"])
def test_sideways_text_is_recognised_without_ocr(request, script):
    img = np.asarray(request.getfixturevalue(script))
    assert not cleanup.text_runs_vertically(img)
    assert cleanup.text_runs_vertically(cleanup.rotate(img, 90))
    assert cleanup.text_runs_vertically(cleanup.rotate(img, 270))
    assert not cleanup.text_runs_vertically(cleanup.rotate(img, 180))


def test_a_phone_photo_is_found_and_flattened(english):
    corners = np.array([[250, 150], [1230, 190], [1250, 760], [220, 720]], dtype=np.float32)
    photo = np.asarray(photo_of(english, corners))

    assert cleanup.looks_like_photo(photo)
    quad = cleanup.find_document_quad(photo)
    assert quad is not None
    assert np.abs(quad - corners).max() < 15  # pixels, on a 1400 px frame
    flat = cleanup.correct_perspective(photo, quad)
    assert flat.shape[1] / flat.shape[0] == pytest.approx(1100 / 620, rel=0.08)

    result = cleanup.clean_page(Image.fromarray(photo))
    assert result.perspective_corrected and "contrast" in result.steps
    assert "binarise" not in result.steps  # a photo stays grey: a local threshold hollows out tinted print
    assert cleanup.background_unevenness(np.asarray(result.image)) < cleanup.UNEVEN_BACKGROUND


def test_a_scan_is_not_mistaken_for_a_photo(english):
    assert not cleanup.looks_like_photo(np.asarray(english.convert("RGB")))
    assert cleanup.find_document_quad(np.asarray(english.convert("RGB"))) is None


def test_specks_far_from_text_are_removed_and_the_dots_of_the_text_kept(english):
    grey = np.asarray(english).copy()
    rng = np.random.default_rng(1)
    for y, x in zip(rng.integers(0, 20, 40), rng.integers(0, grey.shape[1] - 3, 40)):  # dust in the top margin
        grey[y:y + 3, x:x + 3] = 0

    marks = cleanup.measure_marks(grey)
    cleaned = cleanup.remove_specks(grey, marks.specks)

    assert 20 <= marks.text_height <= 40  # 34 px DejaVu: capitals and digits about 25 px tall
    assert len(marks.specks) >= 30
    assert cleaned[:25].min() > 200  # the margin is clean again
    assert np.array_equal(cleaned[45:], grey[45:])  # the text, its colons and full stops, untouched
    assert len(cleanup.measure_marks(np.asarray(english)).specks) == 0


def test_dust_beside_letters_goes_when_it_is_smaller_than_any_mark_of_the_print(english):
    grey = np.asarray(english).copy()
    dust = [(92, 200), (95, 400), (180, 250), (182, 500)]  # a few pixels under the text lines
    for y, x in dust:
        grey[y:y + 2, x:x + 2] = 0
    marks = cleanup.measure_marks(grey)
    cleaned = cleanup.remove_specks(grey, marks.specks)
    for y, x in dust:
        assert cleaned[y:y + 2, x:x + 2].min() > 200
    text = " ".join(w.text for w in ocr_page(cleaned, lang="eng").words)
    assert "4,250.00" in text and "2024-03-15" in text  # full stops and hyphens stay


def test_the_clean_up_leaves_the_thin_strokes_of_small_print_alone():
    small_print = text_page(ENGLISH, px=13, size=(500, 260))
    result = cleanup.clean_page(small_print)
    assert "despeckle" not in result.steps
    assert np.array_equal(np.asarray(result.image), np.asarray(small_print))
    assert result.marks.text_height < 15


def test_language_is_chosen_from_the_shapes_alone(english, chinese):
    assert choose_language(english) == "eng"
    assert "chi_sim" in choose_language(chinese)  # Chinese with Latin IDs: chi_sim, or both when unsure
    plain_chinese = text_page(["机动车保险索赔申请书", "申请人姓名：张伟", "事故经过：车辆在红绿灯路口被后车追尾",
                               "对方司机承认全部责任", "交警到场处理", "医院名称：北京市第一人民医院"], NOTO_CJK)
    assert choose_language(plain_chinese) == "chi_sim"


def test_chinese_characters_tesseract_split_are_joined():
    def w(text, x0, x1):
        return Word(text, (x0 / 1000, 0.10, x1 / 1000, 0.13), 0.9, line=0, block=1)

    words = [w("姓名", 100, 160), w("：", 165, 180), w("张", 190, 220), w("伟", 224, 264),
             w("2024", 300, 360), w("年", 361, 391), w("USD", 500, 560), w("100", 580, 640)]

    merged = merge_cjk_words(words, 1000, 1000)

    assert [m.text for m in merged] == ["姓名：张伟", "2024年", "USD", "100"]
    assert merged[0].box == (0.1, 0.1, 0.264, 0.13)


def test_a_joined_word_is_trusted_only_as_far_as_its_least_sure_character():
    words = [Word("户名", (0.10, 0.1, 0.16, 0.13), 0.95), Word("朱", (0.17, 0.1, 0.20, 0.13), 0.54),
             Word("舌", (0.20, 0.1, 0.23, 0.13), 0.20)]
    [merged] = merge_cjk_words(words, 1000, 1000)
    assert merged.text == "户名朱舌"
    assert merged.confidence == pytest.approx((0.95 * 2 + 0.54 + 0.20) / 4)  # page-level measures
    assert merged.surest_reading == 0.20  # what a field read from it may claim


# --------------------------------------------------------------------------- OCR


def test_an_english_page_is_read_in_english(english):
    page = ocr_page(english)
    assert page.lang == "eng" and page.source == "ocr"
    texts = [w.text for w in page.words]
    assert "PA-2024-00123" in texts and "Smith" in texts
    assert page.mean_confidence > 0.8
    smith = next(w for w in page.words if w.text == "Smith")
    assert 0 < smith.box[0] < smith.box[2] <= 1 and smith.line == 2


def test_a_chinese_page_is_read_in_chinese_with_whole_words(chinese):
    page = ocr_page(chinese)
    assert page.lang in ("chi_sim", "chi_sim+eng")
    assert "张伟" in page.text and "保单号码" in page.text and "PA-2024-00123" in page.text
    assert any(w.text.endswith("张伟") for w in page.words)


@pytest.mark.parametrize("turn", [90, 180])
def test_a_turned_page_is_read_upright(english, turn):
    turned = english.rotate(-turn, expand=True)  # PIL turns counter-clockwise: this is `turn` clockwise
    read = read_pages([page_of(turned)], workers=1)[0]

    assert read.text.rotation == (360 - turn) % 360
    assert "PA-2024-00123" in read.text.text
    assert read.clean_image.size == english.size  # stored upright too
    assert read.text.timings["ocr"] > 0 and read.text.timings["osd"] > 0


def test_a_page_read_before_is_taken_from_the_cache(english, monkeypatch):
    cache: dict[str, PageText] = {}
    first = read_pages([page_of(english)], cache=cache)
    assert set(cache) == {image_sha256(english)} and not first[0].from_cache

    def refuse(*args, **kwargs):
        raise AssertionError("tesseract was called for a known page")

    monkeypatch.setattr(pytesseract, "image_to_data", refuse)
    again = read_pages([page_of(english.copy(), 1), page_of(english.copy(), 2)], cache=cache)

    assert [r.from_cache for r in again] == [True, True]
    assert [r.text.page_no for r in again] == [1, 2]
    assert again[1].text.words == first[0].text.words


def test_pages_handed_over_as_they_are_prepared_are_read_in_order_once_each(english, chinese, monkeypatch):
    calls = []
    real = pytesseract.image_to_data
    monkeypatch.setattr(pytesseract, "image_to_data", lambda *a, **k: calls.append(k.get("lang")) or real(*a, **k))
    cache: dict[str, PageText] = {}
    known = read_pages([page_of(chinese)], cache=dict())[0].text  # read earlier, elsewhere
    calls.clear()

    def documents():  # as the reading stage prepares them: the cache learns of a page before it arrives
        yield page_of(english, 1)
        cache[image_sha256(chinese)] = known
        yield page_of(chinese.copy(), 2)
        yield page_of(english.copy(), 3)  # the same pixels again within the call

    read = read_pages(documents(), cache=cache)

    assert [r.text.page_no for r in read] == [1, 2, 3]
    assert [r.from_cache for r in read] == [False, True, True]
    assert read[2].text.words == read[0].text.words
    assert "chi_sim" not in calls  # only the English page met tesseract


@pytest.fixture(scope="module")
def generated_chinese_claim() -> dict[str, PreparedPage]:
    """Two uploads of a generated Chinese claim that the page engine once misread, by file name."""
    import mimetypes

    from pipeline.samples.noise import NoiseSettings
    from pipeline.samples.render import render_document
    from pipeline.samples.scenario import plan_set

    noise = NoiseSettings(max_skew_deg=4.0, blur_sigma=(0.3, 1.1), speckle=0.001, jpeg_quality=(55, 85),
                          dpi=(200, 260), perspective=0.09, shadow=0.45)
    wanted = {"scan_20240305_57.jpg", "IMG_7638.jpg"}  # a dusty invoice of ruled boxes; an ID card far off
    docs = [d for plan in plan_set(6, 7) for d in plan.docs if d.file_name in wanted]
    return {d.file_name: prepare_pages(render_document(d, noise)[0], mimetypes.guess_type(d.file_name)[0])[0]
            for d in docs}


def test_a_dusty_chinese_invoice_of_ruled_boxes_is_seen_as_chinese(generated_chinese_claim):
    cleaned = cleanup.clean_page(generated_chinese_claim["scan_20240305_57.jpg"].image)
    assert "despeckle" in cleaned.steps
    assert "chi_sim" in choose_language(cleaned.image)  # rules and dust once made it look Latin


def test_a_card_far_from_the_lens_is_found_by_its_colour_and_read_in_chinese(generated_chinese_claim):
    photo = np.asarray(generated_chinese_claim["IMG_7638.jpg"].image)
    quad = cleanup.find_document_quad(photo)
    assert quad is not None
    assert 0.1 < cv2.contourArea(quad) / (photo.shape[0] * photo.shape[1]) < 0.3  # the card, not the table

    page = read_pages([generated_chinese_claim["IMG_7638.jpg"]], workers=1)[0].text

    assert page.lang == "chi_sim"
    assert "42010619681120295X" in page.text


def test_small_print_is_enlarged_for_tesseract_and_boxes_stay_fractions_of_the_page():
    small_print = text_page(ENGLISH, px=12, size=(430, 240))
    marks = cleanup.measure_marks(np.asarray(small_print))
    enlarged, region = fit_for_tesseract(np.asarray(small_print), marks)
    assert enlarged.shape[0] > 1.5 * (region[3] - region[1])

    page = ocr_page(small_print)

    assert "PA-2024-00123" in page.text and "Smith" in page.text
    assert (page.width, page.height) == small_print.size
    font = ImageFont.truetype(DEJAVU, 12)
    line_y = 50 + 2 * int(12 * 2.6)  # where text_page drew the third line, "Claimant name: John Smith"
    left = 60 + font.getlength("Claimant name: John ")
    drawn = (left, line_y + font.getbbox("Smith")[1], left + font.getlength("Smith"), line_y + font.getbbox("Smith")[3])
    smith = next(w for w in page.words if w.text == "Smith")
    read = (smith.box[0] * page.width, smith.box[1] * page.height, smith.box[2] * page.width, smith.box[3] * page.height)
    assert np.abs(np.subtract(read, drawn)).max() < 4  # pixels of the page as uploaded


def test_large_print_is_shrunk_for_tesseract_and_boxes_stay_fractions_of_the_page():
    large_print = text_page(ENGLISH[:3], px=90, size=(2000, 900))  # a page scanned at 600 dpi
    marks = cleanup.measure_marks(np.asarray(large_print))
    assert marks.text_height > 40
    shrunk, region = fit_for_tesseract(np.asarray(large_print), marks)
    assert region == (0, 0, 2000, 900) and shrunk.shape[0] < 0.8 * 900

    page = ocr_page(large_print)

    assert "PA-2024-00123" in page.text and "Smith" in page.text
    assert (page.width, page.height) == large_print.size
    font = ImageFont.truetype(DEJAVU, 90)
    left = 60 + font.getlength("Claimant name: John ")
    smith = next(w for w in page.words if w.text == "Smith")
    assert abs(smith.box[0] * page.width - left) < 8  # pixels of the page as uploaded


def test_text_inside_a_ruled_table_is_read_once_the_rules_are_taken_out():
    """Tesseract skips cells boxed in by table borders; the clean-up removes thin rules
    (not the letters, not a filled logo) so every cell is read."""
    img = Image.new("L", (1240, 700), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(NOTO_CJK, 30)
    draw.ellipse((60, 30, 150, 120), fill=60)  # a filled logo stays as it is
    for y in (200, 260, 320):
        draw.line((60, y, 1180, y), fill=0, width=3)
    for x in (60, 620, 1180):
        draw.line((x, 200, x, 320), fill=0, width=3)
    cells = [(80, 212, "姓名 张伟"), (640, 212, "科室 外科"), (80, 272, "打印日期 2024-04-23"), (640, 272, "病案号 141430")]
    for x, y, text in cells:
        draw.text((x, y), text, fill=0, font=font)
    cleaned = cleanup.clean_page(img, kind_hint="scan")
    assert "rules" in cleaned.steps
    grey = np.asarray(cleaned.image)
    assert grey[75, 105] < 128, "the filled logo must not be painted over"
    assert grey[200, 400] > 200 and grey[250, 60] > 200, "the table rules are gone"
    text = "".join(w.text for w in ocr_page(cleaned.image, lang="chi_sim", marks=cleaned.marks).words)
    for expected in ("张伟", "外科", "2024-04-23", "141430"):
        assert expected in text


def test_an_upside_down_chinese_invoice_is_read_upright_and_in_chinese(generated_chinese_claim):
    """OSD finds the turn but can name the script of upside-down Chinese print as Latin."""
    page = generated_chinese_claim["scan_20240305_57.jpg"]
    turned = page.image.rotate(180)
    result = read_pages([PreparedPage(1, turned, None, turned.width, turned.height)], workers=1)[0].text
    assert result.rotation == 180
    assert "chi_sim" in result.lang
    assert "发票" in result.text


@pytest.mark.parametrize("scale", [1.5, 2.0, 2.5])
def test_the_strokes_of_a_large_heading_are_not_taken_for_table_rules(scale):
    body = 28
    img = Image.new("L", (1400, 500), 255)
    draw = ImageDraw.Draw(img)
    draw.text((60, 40), "Hospital Bill 医院收费", fill=0, font=ImageFont.truetype(NOTO_CJK, int(body * scale)))
    for i, line in enumerate(["Patient: John Smith", "Date: 2024-03-15", "Total: 1,250.00"]):
        draw.text((60, 220 + i * 70), line, fill=0, font=ImageFont.truetype(NOTO_CJK, body))
    grey = np.asarray(img)
    marks = cleanup.measure_marks(grey)
    heading_ink = grey[:200] < 128
    rules = cleanup.find_rules(grey, marks.text_height)[:200] > 0
    assert (rules & heading_ink).sum() < 0.01 * heading_ink.sum()


def generated_photo(dossiers: int, seed: int, file_name: str, dossier: int | None = None,
                    default_noise: bool = False) -> PreparedPage:
    """A generated upload as the reading benchmark makes it (its noise; ``default_noise``: as the
    samples and the checklist benchmark make it), by file name; ``dossier`` picks one dossier's
    where several share the name."""
    from pipeline.samples.noise import NoiseSettings
    from pipeline.samples.render import render_document
    from pipeline.samples.scenario import plan_set

    noise = NoiseSettings() if default_noise else NoiseSettings(
        max_skew_deg=4.0, blur_sigma=(0.3, 1.1), speckle=0.001, jpeg_quality=(55, 85), dpi=(200, 260),
        perspective=0.09, shadow=0.45)
    plans = plan_set(dossiers, seed)
    docs = plans[dossier].docs if dossier is not None else [d for plan in plans for d in plan.docs]
    doc = next(d for d in docs if d.file_name == file_name)
    return prepare_pages(render_document(doc, noise)[0], "image/jpeg")[0]


@pytest.fixture(scope="module")
def card_on_a_shaded_table() -> PreparedPage:
    """A generated Chinese ID card photographed turned by about 8 degrees on a table lit from
    one corner (development seed 90210): the shading splits the table into a bright and a
    dark region, each outlined by a quad along the frame's edges."""
    return generated_photo(12, 90210, "IMG_20240330_230500.jpg")


def test_a_card_on_a_shaded_table_is_not_cut_apart_by_the_shading(card_on_a_shaded_table):
    photo = np.asarray(card_on_a_shaded_table.image)
    quad = cleanup.find_document_quad(photo)
    if quad is not None:  # the card itself, or nothing: never a patch of table along the frame's edge
        h, w = photo.shape[:2]
        on_edge = (quad[:, 0] < 0.02 * w) | (quad[:, 0] > 0.98 * w) | (quad[:, 1] < 0.02 * h) | (quad[:, 1] > 0.98 * h)
        assert on_edge.sum() <= 1

    read = read_pages([card_on_a_shaded_table], workers=1)[0].text

    assert abs(read.skew) > 4  # measured with the shading evened out, and straightened
    assert "310115200401231950" in read.text.replace(" ", "")


def test_a_chinese_card_on_a_patterned_table_is_read_in_chinese():
    """A generated vehicle registration photographed on a table with a wavy grain (development
    seed 424242): the card is not found on it, and the grain passed for lines of Latin print,
    so the card was read as English ("PEA RIMM REIT" for its owner's name). Few letter-like
    marks say it is a card, and a card read weakly as English is read as Chinese too."""
    card = generated_photo(24, 424242, "行驶证.jpg", dossier=13)

    read = read_pages([card], workers=1)[0].text

    assert read.lang == "chi_sim"
    assert "粤B45441" in read.text.replace(" ", "") and "朱明" in read.text


def test_a_chinese_card_on_a_striped_table_is_read_as_a_card():
    """A generated vehicle registration photographed on a table of pale zigzag stripes (checklist
    development seed 4242): the stripes pass for lines of ink, so the page is no sparse card by
    its ink, and read with page layout it gave no word in English or in Chinese: the claim was
    told its registration was missing. Its few letter-like marks say it is a card, and a card's
    Chinese is read as sparse text, whatever the table around it."""
    card = generated_photo(48, 4242, "微信图片_20240825190000.jpg", dossier=3, default_noise=True)

    read = read_pages([card], workers=1)[0].text

    assert read.lang == "chi_sim"
    assert "曹思琪" in read.text and "LBVHZ96U8MH20YS1Y" in read.text


def test_a_card_too_faint_to_measure_before_the_light_is_evened_is_still_enlarged_and_read():
    """A generated Chinese driving licence photographed small on a pale table (development seed
    777): the table passes for paper, so the photo is taken for a scan, and its faint print left
    no letter-like mark until the light was evened. Without a text height its 11-pixel print went
    to tesseract as it was, and nothing of it came back."""
    card = generated_photo(24, 777, "微信图片_20250410022700.jpg", dossier=13)

    read = read_pages([card], workers=1)[0].text

    assert "61011319901018730X" in read.text.replace(" ", "")  # its holder's ID number: the licence number
    assert "1990-10-18" in read.text and "2016-03-02" in read.text


@pytest.fixture(scope="module")
def card_lit_from_one_side() -> PreparedPage:
    """A generated Chinese ID card photographed at an angle, lit so that one half of the card
    is far darker than the other (development seed 90210): once flattened, Otsu took the
    dark half for ink, and the skew measured on it was 9.7 degrees for a straight card."""
    return generated_photo(24, 90210, "身份证正面.jpg", dossier=10)


def test_a_flattened_card_lit_from_one_side_is_measured_straight(card_lit_from_one_side):
    read = read_pages([card_lit_from_one_side], workers=1)[0].text

    assert abs(read.skew) < 2  # the light is evened before the skew is measured, on flattened photos too
    assert "杜秀英" in read.text and "610113199005025285" in read.text.replace(" ", "")


@pytest.fixture(scope="module")
def paper_on_a_textured_table() -> PreparedPage:
    """A generated English vehicle registration photographed turned and at an angle on a
    pale, shaded table (development seed 5150): its paper is not found, and the table's
    shading covers far more of the frame than the print does."""
    return generated_photo(16, 5150, "registration.jpg", dossier=13)


def test_the_skew_of_paper_on_a_textured_table_is_measured_on_the_print_not_the_table(paper_on_a_textured_table):
    read = read_pages([paper_on_a_textured_table], workers=1)[0].text

    assert read.skew > 4  # the print rises to the right; the table's shading once gave -5
    assert read.lang == "eng"
    assert "VehicleRegistrationCertificate" in read.text.replace(" ", "") and "GY18DZL" in read.text.replace(" ", "")


@pytest.mark.parametrize("q", [0.1, 5, 50, 90, 99, (0.5, 99)])
def test_percentiles_of_a_page_from_its_histogram_are_numpys(q):
    rng = np.random.default_rng(7)
    page = np.clip(rng.normal(210, 40, (300, 200)), 0, 255).astype(np.uint8)
    assert np.array_equal(cleanup.percentile(page, q), np.percentile(page, q))


@pytest.mark.parametrize("body", [12, 24])  # small print: rules looked for at full size; claim-form print: at half size
def test_the_rules_of_a_ruled_table_are_found_and_its_text_is_left(body):
    img = Image.new("L", (1600, 900), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(NOTO_CJK, body)
    xs, ys = [100, 600, 1100, 1500], [100, 250, 400, 550]
    for x in xs:
        draw.line([(x, ys[0]), (x, ys[-1])], fill=0, width=1)
    for y in ys:
        draw.line([(xs[0], y), (xs[-1], y)], fill=0, width=1)
    for i, y in enumerate(ys[:-1]):
        draw.text((130, y + 50), f"Item {i} 项目", fill=0, font=font)
        draw.text((630, y + 50), f"{(i + 1) * 125.5:.2f}", fill=0, font=font)
    grey = np.asarray(img)
    rule_ink = np.zeros(grey.shape, bool)
    for x in xs:
        rule_ink[ys[0]:ys[-1] + 1, x] = True
    for y in ys:
        rule_ink[y, xs[0]:xs[-1] + 1] = True
    text_ink = (grey < 128) & ~cv2.dilate(rule_ink.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    rules = cleanup.find_rules(grey, cleanup.measure_marks(grey).text_height) > 0
    assert rules.shape == grey.shape
    assert (rules & rule_ink).sum() >= 0.98 * rule_ink.sum()
    assert (rules & text_ink).sum() <= 0.01 * text_ink.sum()


# --------------------------------------------------------------------------- tinted print

def tinted_card(label_grey: int = 170) -> Image.Image:
    """An ID card whose labels are printed in a pale blue tint beside values in black."""
    img = Image.new("RGB", (1000, 630), (236, 240, 228))
    draw = ImageDraw.Draw(img)
    small, big = ImageFont.truetype(NOTO_CJK, 30), ImageFont.truetype(NOTO_CJK, 40)
    tint = (label_grey - 30, label_grey, label_grey + 40)
    rows = [("姓名", "张伟"), ("性别", "男"), ("出生", "1986年4月8日"), ("住址", "上海市浦东新区学院路291号")]
    for i, (label, value) in enumerate(rows):
        draw.text((60, 60 + i * 100), label, fill=tint, font=small)
        draw.text((200, 52 + i * 100), value, fill=(20, 20, 20), font=big)
    draw.text((60, 520), "公民身份号码", fill=tint, font=small)
    draw.text((330, 510), "310115198604082895", fill=(20, 20, 20), font=big)
    return img


def test_a_cards_tinted_labels_are_darkened_and_read_with_its_values():
    photo = photo_of(tinted_card(), np.array([[230, 170], [1190, 210], [1150, 830], [250, 800]]))
    assert "darken" in cleanup.clean_page(photo).steps

    page = read_pages([page_of(photo)], workers=1)[0].text

    for label in ("姓名", "性别", "出生", "公民身份号码"):  # tesseract's threshold once dropped them all
        assert label in page.text
    assert "张伟" in page.text


def test_a_page_printed_in_black_alone_is_not_darkened(english):
    assert "darken" not in cleanup.clean_page(english).steps


def test_a_page_whose_layout_reading_found_little_of_its_print_is_read_as_one_block():
    """The decision, on made-up readings: few sure characters for many letter-like marks."""
    from pipeline.reading.cleanup import Marks
    from pipeline.reading.ocr import _read_little

    def reading(n_words: int, confidence: float = 0.9) -> PageText:
        return PageText(1, "ocr", [Word("TOTAL", (0.1, 0.1 + i * 0.01, 0.2, 0.11 + i * 0.01), confidence, i, 1)
                                   for i in range(n_words)], 700, 1200)

    print_marks = Marks(12.0, 0.5, (0, 0, 700, 1200), np.zeros((0, 4), np.int64), letters=400)
    assert _read_little(reading(2), print_marks)  # 10 characters for 400 marks: the layout was missed
    assert _read_little(reading(40, confidence=0.3), print_marks)  # only guesses
    assert not _read_little(reading(40), print_marks)  # 200 sure characters
    assert not _read_little(reading(0), replace(print_marks, letters=60))  # a photo or a card: little print anyway


@pytest.mark.skipif(not SROIE_RECEIPTS.exists(), reason="../shared/data/receipts_sroie is not present")
def test_a_real_dot_matrix_receipt_beside_a_stamp_is_read_as_one_block():
    """SROIE receipt 262: tesseract's page layout finds no text on it at all; read as one block it gives its lines."""
    page = prepare_pages((SROIE_RECEIPTS / "img" / "262.jpg").read_bytes(), "image/jpeg")[0]
    cleaned = cleanup.clean_page(page.image)
    laid_out = ocr_page(cleaned.grey, marks=cleaned.marks, second_look=False)
    read = ocr_page(cleaned.grey, marks=cleaned.marks)
    assert len(laid_out.words) < 10
    assert len([w for w in read.words if w.confidence >= 0.5]) > 30
    assert "INVOICE" in read.text and "SPEED" in read.text


def test_a_chinese_card_line_both_layouts_passed_over_is_read_as_a_block_and_added():
    """The demo's first claim (seed 7) photographs its holder's ID card: tesseract's page layout
    and its sparse-text layout both dropped the boldest line, 姓名 陈涛, whole, and the card
    had no name. Read as one block the card gives that line; it joins the first reading in
    its place, and the lines the first reading found stand as they were read."""
    from pipeline.samples.noise import NoiseSettings
    from pipeline.samples.render import render_document
    from pipeline.samples.scenario import plan_set

    doc = next(d for d in plan_set(1, 7)[0].docs if d.file_name == "身份证.jpg")
    card = prepare_pages(render_document(doc, NoiseSettings())[0], "image/jpeg")[0]

    read = read_pages([card], workers=1)[0].text
    lines = read.text.splitlines()

    assert lines[0].startswith("姓名") and "陈涛" in lines[0]
    assert "110105198310191797" in lines[-1]
    assert {f.name: f.value for f in extract_fields("id_card", [read])}["name"] == "陈涛"


def test_a_photo_with_no_chinese_read_on_it_is_not_read_again_for_lines():
    """A damage photo can be read as Chinese (its few marks are of no script); read again as a
    block it gave more marks, which made the classifier less sure it is a photo. Only a card
    with Chinese read on it has lines worth looking for."""
    photo = np.full((900, 1200), 170, np.uint8)
    cv2.rectangle(photo, (200, 300), (1000, 650), 60, -1)  # a car's body
    for x in (330, 870):
        cv2.circle(photo, (x, 660), 90, 20, -1)  # its wheels
    cv2.line(photo, (0, 760), (1200, 740), 110, 6)  # the kerb

    page = ocr_page(photo, lang="chi_sim")

    assert "ocr_retry" not in page.timings
    assert not any(ch >= "\u4e00" for w in page.words for ch in w.text)
