"""Black out sensitive numbers on a page image for users who may not see them.

Masking the text beside the image is not enough: the number is printed on the page.
We cover the box the reader extracted the field from, and every word on the page whose
text is part of the same number (a number OCR split in two is covered whole).
"""
from __future__ import annotations

import io
import re

from PIL import Image, ImageDraw

Box = tuple[float, float, float, float]
_PAD = 0.004  # page fraction added around each box


def _norm(text: str) -> str:
    return re.sub(r"[\s\-]", "", text).upper()


def boxes_to_cover(field_boxes: list[Box], words: list[tuple[str, Box]], secrets: list[str]) -> list[Box]:
    wanted = [_norm(s) for s in secrets if len(_norm(s)) >= 4]
    boxes = list(field_boxes)
    for text, box in words:
        t = _norm(text)
        if len(t) >= 4 and any(t in s or s in t for s in wanted):
            boxes.append(box)
    return boxes


def redact_png(image_bytes: bytes, boxes: list[Box]) -> bytes:
    with Image.open(io.BytesIO(image_bytes)) as img:
        img = img.convert("RGB")
        w, h = img.size
        draw = ImageDraw.Draw(img)
        for x0, y0, x1, y1 in boxes:
            draw.rectangle([(max(x0 - _PAD, 0) * w, max(y0 - _PAD, 0) * h),
                            (min(x1 + _PAD, 1) * w, min(y1 + _PAD, 1) * h)], fill="black")
        out = io.BytesIO()
        img.save(out, "PNG", optimize=False, compress_level=3)
        return out.getvalue()
