"""Real files for tests: PDFs with and without a text layer, photos, and broken uploads."""
from __future__ import annotations

import io

import pypdf
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
WQY = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"  # Chinese


def text_pdf(lines: list[str], pages: int = 1, font: str = DEJAVU) -> bytes:
    pdf = FPDF()
    pdf.add_font("body", "", font)
    for _ in range(pages):
        pdf.add_page()
        pdf.set_font("body", size=12)
        for line in lines:
            pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def page_image(lines: list[str], size=(1240, 1754), font_file: str = DEJAVU, px: int = 34,
               origin: tuple[int, int] = (100, 120), line_step: int = 60) -> Image.Image:
    """A white grey page with ``lines`` printed from ``origin``, one every ``line_step`` pixels."""
    img = Image.new("L", size, 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(font_file, px)
    for i, line in enumerate(lines):
        draw.text((origin[0], origin[1] + i * line_step), line, fill=0, font=font)
    return img


def scanned_pdf(lines: list[str]) -> bytes:
    buf = io.BytesIO()
    page_image(lines).save(buf, "PDF", resolution=150)
    return buf.getvalue()


def jpeg(lines: list[str] = ("PHOTO",), size=(800, 600)) -> bytes:
    buf = io.BytesIO()
    page_image(list(lines), size).convert("RGB").save(buf, "JPEG", quality=85)
    return buf.getvalue()


def png(size=(64, 64)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, "white").save(buf, "PNG")
    return buf.getvalue()


def encrypted_pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt("secret")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def truncated_pdf() -> bytes:
    return text_pdf(["Invoice"])[:300]


def huge_png(width: int, height: int) -> bytes:
    """Few bytes, many pixels: the shape of a decompression bomb."""
    buf = io.BytesIO()
    Image.new("1", (width, height), 1).save(buf, "PNG", optimize=True)
    return buf.getvalue()
