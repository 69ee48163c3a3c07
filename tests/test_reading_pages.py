"""Page preparation: text layers read without OCR, scans rendered, bad files refused with a reason."""
from __future__ import annotations

import io

import numpy as np
import pytest
import pytesseract
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter

from pipeline.reading.engine import read_pages
from pipeline.reading.pages import PREVIEW_DPI, PageError, prepare_pages
from tests import files

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
NOTO_CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def claim_form_pdf() -> bytes:
    """A two-line English/Chinese claim form with a real text layer, A4, text at x = 20 mm."""
    pdf = FPDF(format="A4")
    pdf.add_font("cjk", fname=NOTO_CJK)
    pdf.set_font("cjk", size=14)
    pdf.add_page()
    pdf.set_xy(20, 30)
    pdf.cell(0, 10, "Policy number: PA-2024-00123", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(20)
    pdf.cell(0, 10, "申请人姓名：张伟  Claimed amount 4250.00")
    return bytes(pdf.output())


def scan_image(text: str = "Scanned claim form", size=(1654, 2339)) -> Image.Image:
    img = Image.new("RGB", size, "white")
    ImageDraw.Draw(img).text((150, 200), text, fill="black", font=ImageFont.truetype(DEJAVU, 48))
    return img


def pdf_of_image(img: Image.Image, dpi: int = 200) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PDF", resolution=dpi)
    return buf.getvalue()


def ink_share(image: Image.Image, box) -> float:
    """Share of dark pixels inside a fractional box of ``image``."""
    grey = np.asarray(image.convert("L"))
    h, w = grey.shape
    x0, y0, x1, y1 = box
    crop = grey[int(y0 * h): int(np.ceil(y1 * h)), int(x0 * w): int(np.ceil(x1 * w))]
    return float((crop < 128).mean()) if crop.size else 0.0


@pytest.fixture
def no_tesseract(monkeypatch):
    """Any tesseract call fails the test: text-layer pages must never be OCR'd."""
    def refuse(*args, **kwargs):
        raise AssertionError("tesseract was called")

    for name in ("image_to_data", "image_to_osd", "image_to_string"):
        monkeypatch.setattr(pytesseract, name, refuse)


def test_text_layer_page_gives_words_with_boxes_and_no_ocr(no_tesseract):
    pages = prepare_pages(claim_form_pdf(), "application/pdf")

    assert len(pages) == 1
    layer = pages[0].text_layer
    assert layer is not None and layer.source == "text_layer"
    words = {w.text: w for w in layer.words}
    assert {"Policy", "number:", "PA-2024-00123", "4250.00"} <= set(words)
    assert any("张伟" in w for w in words)
    policy = words["Policy"]
    assert policy.box[0] == pytest.approx(20 / 210, abs=0.01)  # set at x = 20 mm on a 210 mm page
    assert policy.confidence == 1.0
    assert words["PA-2024-00123"].line == policy.line != words["4250.00"].line
    assert layer.lang == "eng+chi_sim"
    # The preview rendering shows the words where the boxes say they are.
    assert pages[0].image.size == pytest.approx((210 / 25.4 * PREVIEW_DPI, 297 / 25.4 * PREVIEW_DPI), abs=1.5)
    assert ink_share(pages[0].image, policy.box) > 0.1
    # The engine passes the text layer through untouched (no_tesseract would fail otherwise).
    read = read_pages(pages)
    assert read[0].text.source == "text_layer" and read[0].clean_image is pages[0].image


def test_boxes_follow_a_rotated_pdf_page(no_tesseract):
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(claim_form_pdf())))
    writer.pages[0].rotate(90)
    buf = io.BytesIO()
    writer.write(buf)

    page = prepare_pages(buf.getvalue(), "application/pdf")[0]

    assert page.width > page.height  # displayed landscape
    policy = next(w for w in page.text_layer.words if w.text == "Policy")
    assert policy.box[3] - policy.box[1] > policy.box[2] - policy.box[0]  # the word now runs down the page
    assert ink_share(page.image, policy.box) > 0.1


def test_image_only_pdf_is_rendered_for_ocr():
    pages = prepare_pages(pdf_of_image(scan_image()), "application/pdf", dpi=150)

    assert pages[0].text_layer is None
    assert pages[0].image.size == pytest.approx((1241, 1754), abs=2)  # A4 at 150 DPI
    assert pages[0].timings["render"] > 0


def test_scan_with_a_stamped_caption_is_still_a_scan():
    pdf = FPDF(format="A4")
    pdf.add_page()
    buf = io.BytesIO()
    scan_image().save(buf, "PNG")
    pdf.image(buf, x=0, y=0, w=210, h=297)
    pdf.set_font("helvetica", size=8)
    pdf.set_xy(5, 290)
    pdf.cell(0, 5, "Scanned with OfficeScan 3.1 on 2024-03-16")

    page = prepare_pages(bytes(pdf.output()), "application/pdf")[0]

    assert page.text_layer is None


def _with_a_mark(image: Image.Image) -> Image.Image:
    """A page with something on it: a blank one is refused (see the blank-page test)."""
    image.paste("black" if image.mode != "RGBA" else (0, 0, 0, 255), (20, 20, 30, 30))
    return image


def test_images_become_pages_upright_in_rgb_or_grey():
    frames = [_with_a_mark(Image.new("L", (200, 100), 255)), _with_a_mark(Image.new("RGB", (100, 200), "white"))]
    tiff = io.BytesIO()
    frames[0].save(tiff, "TIFF", save_all=True, append_images=frames[1:])
    assert [(p.page_no, p.image.size, p.image.mode) for p in prepare_pages(tiff.getvalue(), "image/tiff")] == [
        (1, (200, 100), "L"), (2, (100, 200), "RGB")]

    sideways = _with_a_mark(Image.new("RGB", (300, 100), "white"))
    exif = sideways.getexif()
    exif[0x0112] = 6  # the camera was turned: display rotated 90 degrees clockwise
    jpeg = io.BytesIO()
    sideways.save(jpeg, "JPEG", exif=exif)
    assert prepare_pages(jpeg.getvalue(), "image/jpeg")[0].image.size == (100, 300)

    png = io.BytesIO()
    _with_a_mark(Image.new("RGBA", (40, 40), (0, 0, 0, 0))).save(png, "PNG")
    page = prepare_pages(png.getvalue(), "image/png")[0]
    assert page.image.mode == "RGB" and page.image.getpixel((5, 5)) == (255, 255, 255)


def _faint_receipt(ink: int) -> Image.Image:
    """A receipt whose print is ``ink`` grey levels darker than its paper."""
    image = files.page_image(["TOTAL 12.50", "CASH 20.00", "CHANGE 7.50"], size=(600, 400), px=28).convert("L")
    return Image.eval(image, lambda v: 255 - round((255 - v) * ink / 255))


@pytest.mark.parametrize("make, media_type, pages", [
    (lambda: files.png((800, 1000)), "image/png", 1),  # white
    (lambda: _png(Image.new("L", (800, 1000), 0)), "image/png", 1),  # a covered lens
    (lambda: _png(Image.new("RGBA", (600, 800), (0, 0, 0, 0))), "image/png", 1),  # all transparent
    (lambda: _tiff([Image.new("L", (600, 800), 250)] * 3), "image/tiff", 3),
    (lambda: pdf_of_image(Image.new("RGB", (1240, 1754), "white"), dpi=150), "application/pdf", 1),
])
def test_a_blank_upload_is_refused_as_blank_rather_than_filed_as_a_photo(make, media_type, pages):
    with pytest.raises(PageError) as err:
        prepare_pages(make(), media_type)
    assert err.value.reason == "blank_page"
    assert ("Every page" if pages > 1 else "The page") in err.value.message


def test_a_faint_page_or_one_blank_page_among_others_is_not_blank():
    faint = prepare_pages(_png(_faint_receipt(ink=10)), "image/png")
    assert "12.50" in read_pages(faint)[0].text.text  # OCR still reads print this faint
    pages = _tiff([Image.new("L", (600, 800), 255), _faint_receipt(ink=120)])
    assert len(prepare_pages(pages, "image/tiff")) == 2  # the empty back of a sheet scanned with its front


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def _tiff(frames: list[Image.Image]) -> bytes:
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:])
    return buf.getvalue()


def _encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(claim_form_pdf())))
    writer.encrypt("secret")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _zero_page_pdf() -> bytes:
    buf = io.BytesIO()
    PdfWriter().write(buf)
    return buf.getvalue()


@pytest.mark.parametrize("make, media_type, reason", [
    (_encrypted_pdf, "application/pdf", "encrypted_pdf"),
    (lambda: claim_form_pdf()[:400], "application/pdf", "corrupt_pdf"),
    (lambda: b"this is not a pdf at all", "application/pdf", "corrupt_pdf"),
    (_zero_page_pdf, "application/pdf", "empty_pdf"),
    (lambda: b"", "application/pdf", "empty_file"),
    (lambda: b"\x89PNG\r\n\x1a\n broken", "image/png", "corrupt_image"),
    (lambda: b"hello", "text/plain", "unsupported_type"),
    (lambda: files.png((1, 1)), "image/png", "image_too_small"),  # an icon: nothing a reader could read
    (lambda: files.png((4000, 12)), "image/png", "image_too_small"),  # a one-line strip of pixels
    (lambda: pdf_of_image(scan_image(size=(20, 20)), dpi=200), "application/pdf", "image_too_small"),
    (lambda: pdf_of_image(scan_image(size=(200, 280)), dpi=20) * 1, "application/pdf", None),
])
def test_unreadable_files_raise_page_error_with_a_reason(make, media_type, reason):
    if reason is None:  # the control: a fine file raises nothing
        assert prepare_pages(make(), media_type)
        return
    with pytest.raises(PageError) as err:
        prepare_pages(make(), media_type)
    assert err.value.reason == reason
    assert err.value.message


def test_too_many_pages_is_refused():
    pdf = FPDF()
    for _ in range(3):
        pdf.add_page()
    with pytest.raises(PageError) as err:
        prepare_pages(bytes(pdf.output()), "application/pdf", max_pages=2)
    assert err.value.reason == "too_many_pages"


def test_a_page_the_reader_fails_on_comes_back_empty_with_why_and_the_others_are_read():
    """A one-pixel page (prepare_pages refuses one; here it is handed over as it is) breaks the clean-up."""
    from pipeline.reading.pages import PreparedPage

    def speck(page_no: int) -> PreparedPage:
        return PreparedPage(page_no, Image.new("RGB", (1, 1), "white"), None, 1, 1)

    good = prepare_pages(pdf_of_image(scan_image("Policy number P-123")), "application/pdf")[0]
    good.page_no = 2
    first, second, third = read_pages([speck(1), good, speck(3)])
    assert first.error and first.text.words == [] and first.text.page_no == 1
    assert third.error == first.error and third.text.page_no == 3  # the same pixels fail alike, read once
    assert second.error is None and "Policy" in second.text.text


def test_a_poster_sized_pdf_page_is_drawn_smaller_not_into_gigabytes():
    """200 by 200 inches at 200 dpi would be 1.6 billion pixels; the page is drawn within the pixel limit."""
    poster = FPDF(unit="pt", format=(14400, 14400))
    poster.add_page()
    poster.set_fill_color(0)
    poster.rect(1000, 1000, 4000, 2000, style="F")  # a picture, no text layer
    page = prepare_pages(bytes(poster.output()), "application/pdf", max_pixels=4_000_000)[0]
    assert 3_900_000 <= page.image.width * page.image.height <= 4_000_000
    a4 = prepare_pages(pdf_of_image(scan_image()), "application/pdf", max_pixels=4_000_000)[0]
    assert abs(a4.image.width - 1654) <= 1 and abs(a4.image.height - 2339) <= 1  # an A4 scan at 200 dpi: as it was
