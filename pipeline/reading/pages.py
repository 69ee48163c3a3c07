"""Turn an uploaded file into pages: a text layer where the PDF has one, an image otherwise.

A PDF page whose text layer is usable is never OCR'd: its words and their boxes come
straight from PDFium's character boxes. We group characters into words ourselves rather
than calling pdfplumber's ``extract_words`` because pdfplumber (pdfminer underneath)
reads about 7 dense pages a second here and the target is 20; PDFium gives the same
words with positions at well over 50 pages a second. Every page, text layer or not,
also gets an image: scans at ``dpi`` for OCR, text-layer pages at ``PREVIEW_DPI`` so a
reviewer can see them.

Errors a person must hear about (corrupt or encrypted PDF, no pages, not a page at all)
raise ``PageError`` with a machine-readable ``reason`` the intake quarantines on.
"""
from __future__ import annotations

import ctypes
import io
import logging
import math
import re
import time
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pypdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageOps, UnidentifiedImageError

from pipeline.reading.types import PageText, Word, is_cjk

PREVIEW_DPI = 100  # rendering of text-layer pages, for people only
MIN_TEXT_CHARS = 20  # fewer printable characters than this: not a usable text layer
MIN_GOOD_CHAR_RATIO = 0.9  # share of characters that must be real letters, digits, marks
STAMP_TEXT_CHARS = 150  # a page-filling image with less text than this is a scan with a stamp
PAGE_FILLING_IMAGE = 0.5  # share of the page area an image must cover to count as a scan
MAX_RENDER_PIXELS = 60_000_000  # a PDF page drawn larger than this is drawn smaller (settings.max_image_pixels)
MIN_PAGE_SIDE = 32  # pixels: a narrower image (an icon, a one-pixel strip) holds no print to read
# A page is blank when hardly a pixel of it (on a copy at most BLANK_SIDE pixels long) is
# BLANK_CONTRAST grey levels off its paper: one flat colour, a covered lens, the empty back of
# a sheet. OCR still reads print 12 levels off its paper (SROIE development receipts faded so);
# faded to under 8 they read no word. A word on a page is hundreds of pixels.
BLANK_SIDE = 1000
BLANK_CONTRAST = 8
BLANK_MARKS = 0.0001  # share of the copy's pixels

IMAGE_TYPES = {"image/jpeg", "image/jpg", "image/png", "image/tiff", "image/tif"}
PDF_TYPES = {"application/pdf", "application/x-pdf"}


class PageError(ValueError):
    """The file cannot be turned into pages; ``reason`` is a short code for the intake."""

    def __init__(self, reason: str, message: str):
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message


@dataclass
class PreparedPage:
    """One page ready to read.

    ``image`` is what a reviewer sees and what OCR reads (RGB or L). ``width``/``height``
    are the pixel size of ``image``. ``text_layer`` is set when the PDF page carried a
    usable text layer; such a page needs no OCR. ``timings`` holds seconds per
    preparation stage (``render``, ``text_layer``, ``decode``).
    """

    page_no: int  # 1-based
    image: Image.Image | None
    text_layer: PageText | None
    width: int
    height: int
    timings: dict[str, float] = field(default_factory=dict)
    sha256: str | None = None  # of the pixels, once someone needs it (engine.page_sha256)


def prepare_pages(data: bytes, media_type: str, dpi: int = 200, max_pages: int = 50,
                  max_pixels: int = MAX_RENDER_PIXELS) -> list[PreparedPage]:
    """Split an uploaded PDF or image into pages, reading text layers on the way; a PDF page is drawn at
    ``dpi``, or smaller where that would take more than ``max_pixels`` (a poster-sized page)."""
    if not data:
        raise PageError("empty_file", "The file is empty.")
    kind = media_type.split(";")[0].strip().lower()
    if kind in PDF_TYPES:
        pages = _prepare_pdf(data, dpi, max_pages, max_pixels)
    elif kind in IMAGE_TYPES:
        pages = _prepare_image(data, max_pages)
    else:
        raise PageError("unsupported_type", f"Cannot read pages from a file of type {media_type!r}.")
    if pages and all(page.text_layer is None and page.image is not None and is_blank(page.image) for page in pages):
        # filed as it is, a blank upload would pass for a photo of damage (little text, no words)
        many = len(pages) > 1
        raise PageError("blank_page", f"{'Every page' if many else 'The page'} is blank: nothing on "
                                      f"{'them' if many else 'it'} stands out from the paper (the empty side of a "
                                      "sheet, or a covered lens).")
    return pages


def is_blank(image: Image.Image) -> bool:
    """Nothing on the page: hardly a pixel stands out from its paper."""
    factor = math.ceil(max(image.size) / BLANK_SIDE)
    pixels = np.asarray((image.reduce(factor) if factor > 1 else image).convert("L"), dtype=np.int16)
    marks = np.count_nonzero(np.abs(pixels - int(np.median(pixels))) >= BLANK_CONTRAST)
    return marks < BLANK_MARKS * pixels.size


# --------------------------------------------------------------------------- PDF


def _open_pdf(data: bytes) -> pdfium.PdfDocument:
    if b"%PDF" not in data[:1024]:
        raise PageError("corrupt_pdf", "The file does not start like a PDF.")
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise PageError("encrypted_pdf", "The PDF is protected by a password and cannot be opened.") from exc
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise PageError("encrypted_pdf", "The PDF uses an unsupported security handler.") from exc
        if _has_no_pages(data):
            raise PageError("empty_pdf", "The PDF has no pages.") from exc
        raise PageError("corrupt_pdf", f"The PDF cannot be opened ({exc}).") from exc


def _has_no_pages(data: bytes) -> bool:
    """PDFium refuses a well-formed PDF with zero pages as if it were broken; pypdf tells them apart."""
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a broken file is reported once, by the caller
    try:
        return len(pypdf.PdfReader(io.BytesIO(data)).pages) == 0
    except Exception:  # pypdf raises many types on broken files; broken is the answer then
        return False


def _prepare_pdf(data: bytes, dpi: int, max_pages: int, max_pixels: int) -> list[PreparedPage]:
    doc = _open_pdf(data)
    try:
        n = len(doc)
        if n == 0:
            raise PageError("empty_pdf", "The PDF has no pages.")
        if n > max_pages:
            raise PageError("too_many_pages", f"The PDF has {n} pages; at most {max_pages} are read per document.")
        pages = []
        for i in range(n):
            try:
                pages.append(_prepare_pdf_page(doc[i], i + 1, dpi, max_pixels))
            except pdfium.PdfiumError as exc:
                raise PageError("corrupt_pdf", f"Page {i + 1} of the PDF cannot be read ({exc}).") from exc
        return pages
    finally:
        doc.close()


def _prepare_pdf_page(page: pdfium.PdfPage, page_no: int, dpi: int, max_pixels: int) -> PreparedPage:
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    text_layer = _read_text_layer(page, page_no)
    timings["text_layer"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    scale = (PREVIEW_DPI if text_layer is not None else dpi) / 72.0
    width, height = page.get_size()  # points
    scale = min(scale, math.sqrt(max_pixels / max(1.0, width * height)))
    image = page.render(scale=scale, rev_byteorder=True).to_pil()
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    timings["render"] = time.perf_counter() - t0
    page.close()
    if text_layer is None:
        _check_size(image, f"Page {page_no} of the PDF")
    else:
        text_layer.timings.update(timings)
    return PreparedPage(page_no, image, text_layer, image.width, image.height, timings)


def _read_text_layer(page: pdfium.PdfPage, page_no: int) -> PageText | None:
    """Words of the page's text layer, or None when the layer is absent or garbage."""
    textpage = page.get_textpage()
    try:
        text = _page_text(textpage)
        printable = [ch for ch in text if not ch.isspace()]
        if len(printable) < MIN_TEXT_CHARS:
            return None
        good = sum(1 for ch in printable if _is_good_char(ch))
        if good / len(printable) < MIN_GOOD_CHAR_RATIO:
            return None
        if len(printable) < STAMP_TEXT_CHARS and _has_page_filling_image(page):
            return None
        raw_words = _words_with_rects(textpage, text)
    finally:
        textpage.close()

    # Rects are in unrotated PDF user space; the boxes we hand on are fractions of the
    # page as displayed (its /Rotate applied, origin top-left).
    left, bottom, right, top = page.get_bbox()
    pw, ph = right - left, top - bottom
    rotation = page.get_rotation() % 360

    def to_fraction(l: float, t: float, r: float, b: float) -> tuple[float, float, float, float]:
        u0, u1 = (l - left) / pw, (r - left) / pw
        v0, v1 = (top - t) / ph, (top - b) / ph
        if rotation == 90:
            u0, v0, u1, v1 = 1 - v1, u0, 1 - v0, u1
        elif rotation == 180:
            u0, v0, u1, v1 = 1 - u1, 1 - v1, 1 - u0, 1 - v0
        elif rotation == 270:
            u0, v0, u1, v1 = v0, 1 - u1, v1, 1 - u0
        return (_clip(u0), _clip(v0), _clip(u1), _clip(v1))

    words = [Word(w, to_fraction(*box), 1.0, line, block) for w, box, line, block in _lines_and_blocks(raw_words)]
    width, height = (ph, pw) if rotation in (90, 270) else (pw, ph)
    return PageText(page_no, "text_layer", words, round(width), round(height), lang=_lang_of(text))


def _page_text(textpage: pdfium.PdfTextPage) -> str:
    """The page's characters, one per PDFium character index (spaces and line breaks included)."""
    n = pdfium_c.FPDFText_CountChars(textpage)
    if n <= 0:
        return ""
    buf = ctypes.create_string_buffer(2 * (n + 1))
    pdfium_c.FPDFText_GetText(textpage, 0, n, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
    text = buf.raw[: 2 * n].decode("utf-16-le", errors="replace")
    if len(text) != n or "\ufffd" in text:
        # Characters outside the BMP (or broken ones) shift UTF-16 units against the
        # character indices: fall back to one call per character to keep them aligned.
        text = "".join(_chr(pdfium_c.FPDFText_GetUnicode(textpage, i)) for i in range(n))
    return text


_WORD = re.compile(r"\S+")


def _words_with_rects(textpage: pdfium.PdfTextPage, text: str):
    """(word, (left, top, right, bottom), starts_line) for each run of non-space characters.

    PDFium inserts spaces for visual gaps and "\\r\\n" at line ends, so splitting its text on
    white space gives the words; their boxes are the union of the rectangles PDFium
    reports for the character range.
    """
    l, t, r, b = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    out = []
    prev_end = 0
    for m in _WORD.finditer(text):
        start, end = m.span()
        k = pdfium_c.FPDFText_CountRects(textpage, start, end - start)
        box = None
        for j in range(k):
            if not pdfium_c.FPDFText_GetRect(textpage, j, l, t, r, b):
                continue
            rect = (l.value, t.value, r.value, b.value)
            box = rect if box is None else (min(box[0], rect[0]), max(box[1], rect[1]),
                                            max(box[2], rect[2]), min(box[3], rect[3]))
        if box is not None:
            breaks_line = "\n" in text[prev_end:start] or "\r" in text[prev_end:start]
            out.append((m.group(), box, breaks_line))
        prev_end = end
    return out


def _lines_and_blocks(raw_words):
    """Number lines (PDFium's line breaks, or a jump in height) and blocks (a gap taller than a line)."""
    line = block = 0
    prev = None  # box of the previous word
    line_top = line_bottom = None
    for word, box, breaks_line in raw_words:
        _, t, _, b = box
        if prev is not None:
            overlaps = b < prev[1] and t > prev[3]  # PDF y grows upwards: top > bottom
            if breaks_line or not overlaps:
                height = line_top - line_bottom
                if height > 0 and line_bottom - t > height:
                    block += 1
                line += 1
                line_top = line_bottom = None
        line_top = t if line_top is None else max(line_top, t)
        line_bottom = b if line_bottom is None else min(line_bottom, b)
        yield word, box, line, block
        prev = box


def _chr(code: int) -> str:
    if code in (0, 0xFFFE, 0xFFFF) or 0xD800 <= code <= 0xDFFF:
        return "\ufffd" if code else ""
    try:
        return chr(code)
    except ValueError:
        return "\ufffd"


def _is_good_char(ch: str) -> bool:
    if ch == "\ufffd":
        return False
    cat = unicodedata.category(ch)
    return cat[0] in "LNPSM" and cat != "Co"


def _lang_of(text: str) -> str:
    cjk = sum(1 for ch in text if is_cjk(ch))
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    if cjk and latin:
        return "eng+chi_sim"
    return "chi_sim" if cjk else "eng"


def _has_page_filling_image(page: pdfium.PdfPage) -> bool:
    left, bottom, right, top = page.get_bbox()
    area = max((right - left) * (top - bottom), 1e-6)
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        l, b, r, t = obj.get_pos()
        if (r - l) * (t - b) >= PAGE_FILLING_IMAGE * area:
            return True
    return False


def _clip(v: float) -> float:
    return 0.0 if v < 0 else 1.0 if v > 1 else v


# --------------------------------------------------------------------------- images


def _prepare_image(data: bytes, max_pages: int) -> list[PreparedPage]:
    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except Image.DecompressionBombError as exc:
        raise PageError("image_too_large", f"The image is too large to read safely ({exc}).") from exc
    except UnidentifiedImageError as exc:
        raise PageError("corrupt_image", "The file is no image in a format we read (JPEG, PNG, TIFF).") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise PageError("corrupt_image", f"The image cannot be decoded ({exc}).") from exc
    n = getattr(img, "n_frames", 1)
    if n > max_pages:
        raise PageError("too_many_pages", f"The image has {n} frames; at most {max_pages} are read per document.")
    pages = []
    for i in range(n):
        t0 = time.perf_counter()
        try:
            img.seek(i)
            frame = _upright_rgb_or_l(img)
        except (OSError, ValueError, EOFError) as exc:
            raise PageError("corrupt_image", f"Frame {i + 1} of the image cannot be decoded ({exc}).") from exc
        _check_size(frame, f"Frame {i + 1} of the image" if n > 1 else "The image")
        pages.append(PreparedPage(i + 1, frame, None, frame.width, frame.height, {"decode": time.perf_counter() - t0}))
    return pages


def _check_size(image: Image.Image, what: str) -> None:
    """Refuse a page too small to hold print: OCR and the clean-up's measures have nothing to work on."""
    if min(image.size) < MIN_PAGE_SIDE:
        raise PageError("image_too_small", f"{what} is {image.width}x{image.height} pixels: too small to hold "
                                           f"a readable document (at least {MIN_PAGE_SIDE} pixels each way).")


def _upright_rgb_or_l(img: Image.Image) -> Image.Image:
    """Apply the camera's EXIF orientation and reduce to 8-bit RGB or grey."""
    frame = ImageOps.exif_transpose(img)
    if frame is None:  # older Pillow returns None for in-place
        frame = img
    mode = frame.mode
    if mode in ("RGB", "L"):
        return frame.copy() if frame is img else frame
    if mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in frame.info):
        rgba = frame.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    if mode in ("1", "I;16", "I;16B", "I;16L", "I", "F"):
        if mode.startswith("I") or mode == "F":
            import numpy as np

            arr = np.asarray(frame, dtype=np.float64)
            lo, hi = float(arr.min()), float(arr.max())
            arr = (arr - lo) * (255.0 / (hi - lo)) if hi > lo else arr * 0
            return Image.fromarray(arr.astype("uint8"), "L")
        return frame.convert("L")
    return frame.convert("RGB")
