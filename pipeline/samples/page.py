"""A sheet of paper to draw a document on: fonts, labelled fields, tables, stamps.

Each document draws a fresh ``Style`` (fonts, sizes, margins, colours, table and label
layout) so no two dossiers look alike. Sizes are in points and millimetres and turned
into pixels at the page's DPI, so body text stays OCR-sized at any resolution.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

DEJAVU = "/usr/share/fonts/truetype/dejavu/"
NOTO = "/usr/share/fonts/opentype/noto/"
WQY = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

# (regular, bold, collection index); index 2 of the Noto CJK collections is Simplified Chinese
EN_FAMILIES = [
    (DEJAVU + "DejaVuSans.ttf", DEJAVU + "DejaVuSans-Bold.ttf", 0),
    (DEJAVU + "DejaVuSerif.ttf", DEJAVU + "DejaVuSerif-Bold.ttf", 0),
    (DEJAVU + "DejaVuSansCondensed.ttf", DEJAVU + "DejaVuSansCondensed-Bold.ttf", 0),
    (DEJAVU + "DejaVuSerifCondensed.ttf", DEJAVU + "DejaVuSerifCondensed-Bold.ttf", 0),
]
ZH_FAMILIES = [
    (NOTO + "NotoSansCJK-Regular.ttc", NOTO + "NotoSansCJK-Bold.ttc", 2),
    (NOTO + "NotoSerifCJK-Regular.ttc", NOTO + "NotoSerifCJK-Bold.ttc", 2),
    (WQY, WQY, 0),
]
MONO = DEJAVU + "DejaVuSansMono.ttf"


@lru_cache(maxsize=256)
def font(path: str, px: int, index: int = 0) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, px, index=index)


@dataclass(frozen=True)
class Style:
    family: tuple[str, str, int]
    body_pt: float
    title_pt: float
    margin_mm: float
    accent: tuple[int, int, int]
    table: str  # "grid", "rules" or "zebra"
    labels: str  # "inline" (Label: value), "boxed" (cells) or "stacked" (small label over value)
    title_align: str  # "center" or "left"
    ink: tuple[int, int, int]
    paper: tuple[int, int, int]


ACCENTS = [(20, 60, 130), (150, 20, 30), (10, 100, 80), (60, 60, 60), (110, 40, 120), (0, 90, 160), (170, 90, 0)]


def random_style(rng: random.Random, lang: str) -> Style:
    families = ZH_FAMILIES if lang == "zh" else EN_FAMILIES
    return Style(
        family=rng.choice(families),
        body_pt=rng.uniform(10.5, 12.5),
        title_pt=rng.uniform(17, 23),
        margin_mm=rng.uniform(14, 24),
        accent=rng.choice(ACCENTS),
        table=rng.choice(["grid", "rules", "zebra"]),
        labels=rng.choice(["inline", "boxed", "stacked"]),
        title_align=rng.choice(["center", "center", "left"]),
        ink=rng.choice([(15, 15, 15), (25, 25, 35), (0, 0, 0), (35, 30, 30)]),
        paper=rng.choice([(255, 255, 255), (252, 251, 246), (248, 248, 244), (255, 253, 248)]),
    )


class Page:
    """An A4 (or custom) sheet with a moving cursor; every ``add_*`` call draws below the last."""

    def __init__(self, style: Style, dpi: int, size_mm: tuple[float, float] = (210, 297)) -> None:
        self.style, self.dpi = style, dpi
        self.width, self.height = self.mm(size_mm[0]), self.mm(size_mm[1])
        self.image = Image.new("RGB", (self.width, self.height), style.paper)
        self.draw = ImageDraw.Draw(self.image)
        self.left = self.mm(style.margin_mm)
        self.right = self.width - self.mm(style.margin_mm * 0.9)
        self.y = self.mm(style.margin_mm * 0.8)

    # units and fonts
    def mm(self, value: float) -> int:
        return int(round(value * self.dpi / 25.4))

    def pt(self, value: float) -> int:
        return int(round(value * self.dpi / 72))

    def font(self, pt: float | None = None, bold: bool = False) -> ImageFont.FreeTypeFont:
        regular, bold_path, index = self.style.family
        return font(bold_path if bold else regular, self.pt(pt or self.style.body_pt), index)

    def text_width(self, text: str, fnt: ImageFont.FreeTypeFont) -> int:
        return int(self.draw.textlength(text, font=fnt))

    def line_height(self, pt: float | None = None) -> int:
        return int(self.pt(pt or self.style.body_pt) * 1.45)

    def text(self, x: int, y: int, text: str, pt: float | None = None, bold: bool = False,
             fill: tuple[int, int, int] | None = None, anchor: str = "la") -> None:
        self.draw.text((x, y), text, font=self.font(pt, bold), fill=fill or self.style.ink, anchor=anchor)

    @property
    def content_width(self) -> int:
        return self.right - self.left

    def space(self, mm: float) -> None:
        self.y += self.mm(mm)

    def remaining(self) -> int:
        return self.height - self.mm(self.style.margin_mm) - self.y

    # building blocks
    def add_letterhead(self, org: str, lines: list[str], logo_text: str, rng: random.Random) -> None:
        """Organisation name with a simple logo mark and address lines; the header varies by style."""
        s = self.style
        size = self.mm(rng.uniform(13, 18))
        x = self.left
        if rng.random() < 0.5:
            self.draw.ellipse([x, self.y, x + size, self.y + size], fill=s.accent)
        else:
            self.draw.rounded_rectangle([x, self.y, x + size, self.y + size], radius=size // 5, fill=s.accent)
        self.text(x + size // 2, self.y + size // 2, logo_text, pt=s.body_pt * 1.1, bold=True, fill=(255, 255, 255), anchor="mm")
        tx = x + size + self.mm(4)
        self.text(tx, self.y, org, pt=s.body_pt * 1.35, bold=True, fill=s.accent)
        yy = self.y + self.line_height(s.body_pt * 1.35)
        for line in lines:
            self.text(tx, yy, line, pt=s.body_pt * 0.9)
            yy += self.line_height(s.body_pt * 0.9)
        self.y = max(self.y + size, yy) + self.mm(3)
        self.draw.line([self.left, self.y, self.right, self.y], fill=s.accent, width=max(2, self.pt(1.2)))
        self.y += self.mm(5)

    def add_title(self, title: str, subtitle: str | None = None) -> None:
        s = self.style
        if s.title_align == "center":
            self.text(self.width // 2, self.y, title, pt=s.title_pt, bold=True, anchor="ma")
        else:
            self.text(self.left, self.y, title, pt=s.title_pt, bold=True)
        self.y += self.line_height(s.title_pt)
        if subtitle:
            x, anchor = (self.width // 2, "ma") if s.title_align == "center" else (self.left, "la")
            self.text(x, self.y, subtitle, pt=s.body_pt * 0.95, anchor=anchor)
            self.y += self.line_height()
        self.y += self.mm(3)

    def add_fields(self, pairs: list[tuple[str, str]], columns: int = 2, colon: str = ": ") -> None:
        """Label/value pairs in a grid, drawn in this style's label layout."""
        s = self.style
        col_w = self.content_width // columns
        lh = self.line_height()
        label_font = self.font(bold=s.labels != "stacked")
        for start in range(0, len(pairs), columns):
            row = pairs[start:start + columns]
            row_h = lh * (2 if s.labels == "stacked" else 1) + self.mm(2.5 if s.labels == "boxed" else 1)
            for i, (label, value) in enumerate(row):
                x = self.left + i * col_w
                if s.labels == "boxed":
                    self.draw.rectangle([x, self.y, x + col_w, self.y + row_h], outline=s.ink, width=max(1, self.pt(0.6)))
                    self.text(x + self.mm(2), self.y + self.mm(1.2), label, bold=True)
                    lw = self.text_width(label, label_font) + self.mm(3)
                    self._fit(x + self.mm(2) + lw, self.y + self.mm(1.2), value, col_w - lw - self.mm(4))
                elif s.labels == "stacked":
                    self.text(x, self.y, label, pt=s.body_pt * 0.8, fill=s.accent)
                    self._fit(x, self.y + int(lh * 0.85), value, col_w - self.mm(3))
                else:
                    self.text(x, self.y, label + colon, bold=True)
                    lw = self.text_width(label + colon, label_font)
                    self._fit(x + lw, self.y, value, col_w - lw - self.mm(3))
            self.y += row_h
        self.y += self.mm(3)

    def _fit(self, x: int, y: int, value: str, width: int) -> None:
        """Draw ``value``; shrink it (never below 9 pt) if it would overflow its cell."""
        pt = self.style.body_pt
        while pt > 9 and self.text_width(value, self.font(pt)) > width:
            pt -= 0.5
        self.text(x, y, value, pt=pt)

    def add_section(self, heading: str) -> None:
        s = self.style
        h = self.line_height() + self.mm(1.5)
        if s.table == "zebra":
            self.draw.rectangle([self.left, self.y, self.right, self.y + h], fill=s.accent)
            self.text(self.left + self.mm(2), self.y + self.mm(0.8), heading, bold=True, fill=(255, 255, 255))
        else:
            self.text(self.left, self.y, heading, bold=True, fill=s.accent)
            self.draw.line([self.left, self.y + h - 2, self.right, self.y + h - 2], fill=s.accent, width=max(1, self.pt(0.7)))
        self.y += h + self.mm(2)

    def add_table(self, headers: list[str], rows: list[list[str]], widths: list[float], align: list[str],
                  footer: list[str] | None = None) -> None:
        """A line-item table; widths are fractions of the content width, align is 'l' or 'r' per column."""
        s = self.style
        total = sum(widths)
        xs = [self.left]
        for w in widths:
            xs.append(xs[-1] + int(self.content_width * w / total))
        lh = self.line_height() + self.mm(1.5)
        line_w = max(1, self.pt(0.6))
        header_fill = s.accent if s.table != "rules" else None
        all_rows = [headers] + rows + ([footer] if footer else [])
        top = self.y
        for r, row in enumerate(all_rows):
            is_head, is_foot = r == 0, footer is not None and r == len(all_rows) - 1
            if is_head and header_fill:
                self.draw.rectangle([xs[0], self.y, xs[-1], self.y + lh], fill=header_fill)
            elif s.table == "zebra" and r % 2 == 0 and not is_foot:
                self.draw.rectangle([xs[0], self.y, xs[-1], self.y + lh], fill=(236, 238, 242))
            for c, cell in enumerate(row):
                fill = (255, 255, 255) if is_head and header_fill else s.ink
                pad = self.mm(1.5)
                if align[c] == "r":
                    self.text(xs[c + 1] - pad, self.y + self.mm(0.9), cell, bold=is_head or is_foot, fill=fill, anchor="ra")
                else:
                    self.text(xs[c] + pad, self.y + self.mm(0.9), cell, bold=is_head or is_foot, fill=fill)
            self.y += lh
            if s.table == "grid" or (s.table == "rules" and (is_head or r == len(all_rows) - 2 or is_foot)):
                self.draw.line([xs[0], self.y, xs[-1], self.y], fill=s.ink, width=line_w)
        if s.table == "grid":
            self.draw.line([xs[0], top, xs[-1], top], fill=s.ink, width=line_w)
            for x in xs:
                self.draw.line([x, top, x, self.y], fill=s.ink, width=line_w)
        self.y += self.mm(4)

    def add_paragraph(self, text: str, pt: float | None = None, cjk: bool = False) -> None:
        fnt = self.font(pt)
        for line in wrap(text, lambda t: self.text_width(t, fnt), self.content_width, cjk):
            self.text(self.left, self.y, line, pt=pt)
            self.y += self.line_height(pt)
        self.y += self.mm(2)

    def add_signature(self, label: str, name: str, date_text: str, rng: random.Random) -> None:
        """A signature line with a hand-drawn scribble above it."""
        x0 = self.left + (self.content_width // 2 if rng.random() < 0.6 else 0)
        self.text(x0, self.y, label)
        base = self.y + self.line_height() * 2
        pts, x = [], x0 + self.mm(5)
        for _ in range(rng.randint(14, 24)):
            x += self.mm(rng.uniform(1.5, 4))
            pts.append((x, base - self.mm(rng.uniform(1, 9))))
        self.draw.line(pts, fill=(20, 30, 110), width=max(2, self.pt(1)), joint="curve")
        self.draw.line([x0, base + self.mm(1), x0 + self.mm(70), base + self.mm(1)], fill=self.style.ink, width=1)
        self.text(x0, base + self.mm(2), f"{name}    {date_text}", pt=self.style.body_pt * 0.9)
        self.y = base + self.mm(2) + self.line_height() + self.mm(3)


def wrap(text: str, measure, width: int, cjk: bool) -> list[str]:
    """Greedy line breaking: by character for Chinese, by word otherwise."""
    lines: list[str] = []
    for para in text.split("\n"):
        tokens = list(para) if cjk else para.split(" ")
        sep = "" if cjk else " "
        line = ""
        for tok in tokens:
            trial = tok if not line else line + sep + tok
            if measure(trial) <= width or not line:
                line = trial
            else:
                lines.append(line)
                line = tok
        lines.append(line)
    return lines


def stamp(page: Page, center: tuple[int, int], ring_text: str, middle: str, rng: random.Random,
          round_: bool = True, color: tuple[int, int, int] = (200, 30, 35)) -> None:
    """An ink stamp (round seal with text on the rim, or a rectangular box), blended so text below shows."""
    r = page.mm(rng.uniform(19, 23))
    size = 2 * r + 8
    layer = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(layer)
    c = size // 2
    width = max(3, page.pt(1.8))
    regular, bold_path, index = page.style.family
    if round_:
        d.ellipse([c - r, c - r, c + r, c + r], outline=255, width=width)
        n = max(len(ring_text), 1)
        span = min(260.0, 22.0 * n)
        char_px = int(r * 0.28)
        fnt = font(bold_path, char_px, index)
        for i, ch in enumerate(ring_text):
            ang = -90 - span / 2 + span * (i + 0.5) / n
            rad = math.radians(ang)
            tile = Image.new("L", (char_px * 2, char_px * 2), 0)
            ImageDraw.Draw(tile).text((char_px, char_px), ch, font=fnt, fill=255, anchor="mm")
            tile = tile.rotate(-(ang + 90), resample=Image.BICUBIC)
            px = int(c + (r - width - char_px * 0.75) * math.cos(rad)) - char_px
            py = int(c + (r - width - char_px * 0.75) * math.sin(rad)) - char_px
            layer.paste(255, (px, py), tile)
        star = [(c + r * 0.22 * math.cos(math.radians(-90 + k * 36)) * (1 if k % 2 == 0 else 0.4),
                 c + r * 0.22 * math.sin(math.radians(-90 + k * 36)) * (1 if k % 2 == 0 else 0.4)) for k in range(10)]
        d.polygon(star, fill=255)
        d.text((c, c + r * 0.45), middle, font=font(bold_path, int(r * 0.2), index), fill=255, anchor="mm")
    else:
        d.rectangle([8, c - r // 2, size - 8, c + r // 2], outline=255, width=width)
        d.text((c, c - r // 6), ring_text, font=font(bold_path, int(r * 0.3), index), fill=255, anchor="mm")
        d.text((c, c + r // 5), middle, font=font(bold_path, int(r * 0.2), index), fill=255, anchor="mm")
    layer = layer.rotate(rng.uniform(-20, 20), resample=Image.BICUBIC)
    strength = rng.uniform(0.55, 0.85)
    alpha = layer.point(lambda v: int(v * strength))
    ink = Image.new("RGB", layer.size, color)
    page.image.paste(ink, (center[0] - c, center[1] - c), alpha)
