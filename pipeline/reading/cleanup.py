"""Make a page image easy for tesseract: upright, straight, flat, clean, with good contrast.

Each step is a pure function on a numpy image (grey ``uint8`` or RGB) so it can be tested
and reused alone. ``clean_page`` applies only the steps a page needs: every step costs
time on the way to tesseract, and the reading stage must stay within 15% of bare
tesseract's speed, so the checks that decide are cheap measurements on a small copy.

Rotation is expressed as the degrees the image is turned *clockwise* to read upright
(tesseract OSD's ``Rotate`` value): a page photographed lying on its left side needs 90.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
import pytesseract
from PIL import Image

from pipeline.reading.tesseract import image_to_data, tesseract_input

# Sizes of the small copies the decisions are taken on (long side, pixels).
ANALYSIS_SIDE = 1000
QUAD_SIDE = 600
MIN_FLAT_SIDE = 1800  # a flattened photo smaller than this is enlarged so tesseract sees its print
COLOUR_MIN_AREA = 0.08  # share of the frame a card found by its colour alone must cover

MAX_SKEW = 10.0  # degrees searched either way
MIN_SKEW = 0.3  # below this the page is left alone: resampling costs more than it helps
VERTICAL_TEXT_RATIO = 2.0  # closing down the image leaves this many times fewer pieces: lines run up the page
MARKS_HALVE_ABOVE = 3200  # pixels: a page with a longer side is measured at half size
SPECK_SIZE = 0.25  # text heights: a dot no larger than this may be dust
SPECK_ISOLATION = 0.5  # text heights (grid cells; a dot up to two cells from other marks stays)
# A dot smaller than DUST_SIZE text heights (and DUST_AREA text heights squared) is dust even
# beside letters: a full stop's or a colon's dot is 0.12-0.2 of the text height.
DUST_SIZE = 0.1
DUST_AREA = 0.01
SMALL_TEXT = 20  # pixels: letters shorter than this are enlarged for tesseract (ocr.fit_for_tesseract)
DUST_MIN_TEXT = SMALL_TEXT  # print smaller than this (OCR enlarges it too) is left to the isolated-speck rule
SOLID_PRINT = 0.6  # share of ink in letter-like marks under which print is dot-matrix (SROIE: 0.4 vs 0.6-0.8)
MIN_SPECKS = 20  # fewer isolated dots than this: leave the page alone
RULE_TEXT_HEIGHTS = 5.0  # a straight run of ink this many text heights long is a table rule, not a letter
RULE_TEXT_HEIGHTS_DOWN = 2.0  # upright runs this long are a table's cell walls where they meet a rule across
RULE_MAX_THICKNESS = 0.4  # text heights: a thicker "rule" is a filled band (a header bar), left alone
RULES_HALVE_ABOVE = 16  # pixels of text height from which rules are looked for at half size
DARK_PAPER = 100  # median grey below which the "paper" is a dark card with light print
LOW_CONTRAST_SPREAD = 120  # grey levels between paper and ink below which we stretch
UNEVEN_BACKGROUND = 40  # grey levels the paper varies across the page before we flatten it
MIN_PRINT_MARKS = 20  # marks (letters) fewer than this once the light is evened: no print was under the shading
TINT_BELOW_PAPER = 50  # grey levels under the paper from which a mark is print, however light
TINT_CLEAR_OF_INK = 5  # pixels (1000 px copy) a light mark keeps from dark ink: not the grey rim of a dark letter
MIN_TINTED_LETTERS = 10  # light letter-sized marks from which a page has tinted print (a card's labels)...
# ...when they are this many times the dark ones: a card's labels are a good part of its print (0.25-0.5
# on generated cards), a worn receipt's faded letters a few (SROIE development receipts: 0.02-0.10)
TINTED_SHARE = 0.15
DARKEN_GAMMA = 2.0  # grey levels raised to this power: 150 (a tinted label) -> 88, 245 (paper) -> 235
SHADED_INK = 0.2  # share of a page that Otsu calls ink above which it is shading (a table, a shadow), not print
OSD_SIDE = 1400  # OSD reads a copy this size: as sure as full size, in half the time
OSD_MIN_CONFIDENCE = 2.0  # tesseract OSD orientation confidence we trust


@dataclass
class Orientation:
    rotation: int  # degrees clockwise to turn the image upright
    script: str | None  # tesseract's script name ("Latin", "Han", ...) when OSD ran
    confidence: float  # OSD's orientation confidence, or the OCR confidence gap of the fallback
    method: str  # "osd" or "ocr_confidence"


@dataclass
class CleanResult:
    image: Image.Image  # grey ("L") page, ready for OCR and for storage
    rotation: int = 0
    skew: float = 0.0  # degrees of skew removed (positive: the text rose to the right)
    perspective_corrected: bool = False
    steps: list[str] = field(default_factory=list)  # what was applied, in order
    timings: dict[str, float] = field(default_factory=dict)  # step -> seconds
    marks: "Marks | None" = None  # text height, text box and specks, in pixels of ``image``
    grey: np.ndarray | None = None  # ``image``'s pixels, for readers that work on arrays (no second copy)


# --------------------------------------------------------------------------- helpers


def to_grey(image: Image.Image | np.ndarray) -> np.ndarray:
    arr = np.asarray(image)
    if arr.ndim == 2:
        return arr if arr.dtype == np.uint8 else arr.astype(np.uint8)
    if arr.shape[2] == 4:
        arr = arr[:, :, :3]
    return cv2.cvtColor(np.ascontiguousarray(arr), cv2.COLOR_RGB2GRAY)


def percentile(a: np.ndarray, q: float | tuple[float, ...]) -> Any:
    """``np.percentile`` (linear) of an 8-bit image, from its histogram: the same values, without
    sorting the pixels (every page asks for a dozen of these)."""
    if a.dtype != np.uint8 or a.size == 0:
        return np.percentile(a, q)
    cum = np.cumsum(np.bincount(a.ravel(), minlength=256))
    n = int(cum[-1])

    def one(qq: float) -> float:
        at = qq / 100 * (n - 1)
        lo = int(np.floor(at))
        hi = min(lo + 1, n - 1)
        a_, b_ = (float(np.searchsorted(cum, k, side="right")) for k in (lo, hi))
        t = at - lo
        return b_ - (b_ - a_) * (1 - t) if t >= 0.5 else a_ + (b_ - a_) * t  # numpy's _lerp

    return np.array([one(x) for x in q]) if isinstance(q, tuple) else np.float64(one(q))


def _small(grey: np.ndarray, side: int, rough: bool = False) -> tuple[np.ndarray, float]:
    """A copy whose long side is at most ``side``, and the factor it was shrunk by.

    Area averaging keeps thin strokes for the layout measurements; ``rough`` (nearest
    pixel, ten times faster) is enough for brightness statistics.
    """
    scale = min(1.0, side / max(grey.shape[:2]))
    if scale >= 1.0:
        return grey, 1.0
    size = (max(1, round(grey.shape[1] * scale)), max(1, round(grey.shape[0] * scale)))
    return cv2.resize(grey, size, interpolation=cv2.INTER_NEAREST if rough else cv2.INTER_AREA), scale


def mark_stats(mask: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """Connected marks (8-connected) of a 0/1 mask: count (background included), labels, stats.

    Grana's block-based labelling, asked for by name: OpenCV's default algorithm takes
    three to four times as long once it also gathers each mark's box and area, and
    every OCR'd page is measured this way.
    """
    n, labels, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(mask, 8, cv2.CV_32S, cv2.CCL_GRANA)
    return n, labels, stats


def _ink(grey: np.ndarray) -> np.ndarray:
    """Boolean mask of dark marks (Otsu), the raw material of every layout measurement."""
    _, mask = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return mask > 0


# --------------------------------------------------------------------------- orientation


def rotate(image: np.ndarray, degrees: int) -> np.ndarray:
    """Turn the image clockwise by a multiple of 90 degrees (lossless)."""
    degrees %= 360
    if degrees == 0:
        return image
    code = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}[degrees]
    return cv2.rotate(image, code)


def text_runs_vertically(grey: np.ndarray) -> bool:
    """True when the text lines run up/down the image: the page lies on its side.

    Closing the ink with a short bar along the lines' direction joins the characters of
    a line into one piece; across the lines it joins almost nothing. So whichever
    direction leaves far fewer pieces is the direction the text runs. This holds for
    Chinese too, whose square characters sit on a grid and fool projection profiles.
    Cheap (a small copy, two closings) and spares a full OCR pass on sideways pages.
    """
    small, _ = _small(grey, ANALYSIS_SIDE)
    mask = _ink(small).astype(np.uint8)
    if mask.mean() < 0.002 or mask.mean() > 0.5:  # blank, or no paper found
        return False
    n, labels, stats = mark_stats(mask)
    marks = np.zeros(n, bool)
    marks[1:] = stats[1:, 4] >= 5  # specks of scanner dust would count the same both ways
    mask = marks[labels].astype(np.uint8)
    sizes = np.maximum(stats[1:, 2], stats[1:, 3])[marks[1:]]
    if len(sizes) < 20:
        return False
    k = max(2, int(round(float(np.median(sizes)) * 0.6)))  # a little over a character gap
    across = cv2.connectedComponents(cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((1, k), np.uint8)))[0] - 1
    down = cv2.connectedComponents(cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((k, 1), np.uint8)))[0] - 1
    return down * VERTICAL_TEXT_RATIO < across


def detect_orientation(grey: np.ndarray, lang: str = "eng", fallback: tuple[int, ...] = (0, 180)) -> Orientation:
    """Which way up the page is: tesseract OSD, or OCR confidence when OSD cannot tell.

    OSD needs a few dozen characters; on sparse pages (an ID card, a photo caption) it
    fails or is unsure. Then a central crop is OCR'd at each ``fallback`` rotation and the
    one tesseract is most confident about wins.
    """
    small, _ = _small(grey, OSD_SIDE)
    script = None
    try:
        with tesseract_input(small) as name:
            osd = pytesseract.image_to_osd(name, output_type=pytesseract.Output.DICT, config="--psm 0")
        script = osd.get("script")
        if float(osd["orientation_conf"]) >= OSD_MIN_CONFIDENCE:
            return Orientation(int(osd["rotate"]) % 360, script, float(osd["orientation_conf"]), "osd")
    except pytesseract.TesseractError:
        pass
    scores = {r: _ocr_confidence(rotate(small, r), lang) for r in fallback}
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    gap = ranked[0][1] - (ranked[1][1] if len(ranked) > 1 else 0.0)
    return Orientation(ranked[0][0], script, gap, "ocr_confidence")


def _ocr_confidence(grey: np.ndarray, lang: str) -> float:
    """Mean word confidence (0..1) x share of the text that is real words, on a crop."""
    h, w = grey.shape[:2]
    crop = grey[h // 6: h - h // 6, w // 10: w - w // 10] if min(h, w) > 600 else grey
    data = image_to_data(crop, lang, psm=3)
    confs = [float(c) for c, t in zip(data["conf"], data["text"]) if str(t).strip() and float(c) >= 0]
    if not confs:
        return 0.0
    return (sum(confs) / len(confs) / 100.0) * min(1.0, len(confs) / 10.0)


# --------------------------------------------------------------------------- skew


def estimate_skew(grey: np.ndarray, max_angle: float = MAX_SKEW, shaded: bool = False) -> float:
    """Skew in degrees (positive: lines rise to the right) by projection-profile search.

    Ink pixel coordinates are projected at each trial angle; the angle at which text
    lines pile up into the sharpest profile is the skew. Points, not images, are
    rotated, so the search costs a few tens of milliseconds. ``shaded``: a whole page
    (scanned or photographed, not a strip of one), whose table (its dark half, its
    texture) or shadows may pass for ink and outweigh the print; then, where Otsu calls
    more than ``SHADED_INK`` of it ink, the light is evened out first.
    """
    small, _ = _small(grey, ANALYSIS_SIDE)
    mask = _ink(small)
    if shaded and mask.mean() > SHADED_INK:  # the table's shading passed for ink: even the light out
        evened = _ink(normalise_contrast(small))
        if mark_stats(evened.astype(np.uint8))[0] - 1 >= MIN_PRINT_MARKS:
            mask = evened  # (no print under the shading, a photo of a stain: measured as it is)
    ys, xs = np.nonzero(mask)
    if len(xs) < 200 or mask.mean() > 0.5:  # blank, or no paper found
        return 0.0
    if len(xs) > 40000:
        pick = np.random.default_rng(0).choice(len(xs), 40000, replace=False)
        xs, ys = xs[pick], ys[pick]
    xs = xs.astype(np.float64) - small.shape[1] / 2
    ys = ys.astype(np.float64) - small.shape[0] / 2

    def score(deg: float) -> float:
        t = np.deg2rad(deg)
        proj = ys * np.cos(t) + xs * np.sin(t)  # undo a rise of ``deg`` to the right
        hist = np.bincount((proj - proj.min()).astype(np.int64)).astype(np.float64)
        return float(np.square(np.diff(hist)).sum())

    coarse = np.arange(-max_angle, max_angle + 1e-9, 1.0)
    best = max(coarse, key=score)
    fine = np.arange(best - 1.0, best + 1.0 + 1e-9, 0.1)
    return round(float(max(fine, key=score)), 2)


def deskew(image: np.ndarray, angle: float) -> np.ndarray:
    """Rotate by ``angle`` degrees (positive: counter-clockwise) about the centre, white fill."""
    if abs(angle) < 1e-3:
        return image
    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
    border = 255 if image.ndim == 2 else (255, 255, 255)
    return cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                          borderValue=border)


# --------------------------------------------------------------------------- perspective


def looks_like_photo(image: np.ndarray) -> bool:
    """A photo of a document shows a background around the paper; a scan is paper to the edge.

    The outer band of a scan is near-white paper (or a uniform scanner lid); a photo's
    band is darker than the middle of the page or varies in colour and brightness.
    """
    arr = np.asarray(image)
    small, _ = _small(arr if arr.ndim == 2 else arr[:, :, :3], 400, rough=True)
    h, w = small.shape[:2]
    b = max(2, min(h, w) // 25)
    band = np.concatenate([small[:b].reshape(-1, *small.shape[2:]), small[-b:].reshape(-1, *small.shape[2:]),
                           small[:, :b].reshape(-1, *small.shape[2:]), small[:, -b:].reshape(-1, *small.shape[2:])])
    centre = small[h // 4: 3 * h // 4, w // 4: 3 * w // 4]
    band_grey = band.mean(axis=-1) if band.ndim == 2 else band
    centre_paper = percentile(centre if centre.ndim == 2 else centre.mean(axis=-1), 90)
    darker = centre_paper - np.median(band_grey) > 40
    textured = band_grey.std() > 35
    coloured = band.ndim == 2 and float(np.abs(band - band.mean(axis=1, keepdims=True)).mean()) > 12
    return bool(darker or textured or coloured)


def find_document_quad(image: np.ndarray, min_area: float = 0.2, max_area: float = 0.9) -> np.ndarray | None:
    """Corners (tl, tr, br, bl; full-size pixels) of the paper in a photo, or None when unsure.

    The paper is the brightest large region (or the darkest, for a dark card on a light
    table): Otsu on a blurred small copy separates it from the background, and the
    strongest edges outline it; of the quads these give the largest wins. Failing that its colour (a card far from the
    lens, on a table of similar brightness, differs from the frame's border in colour).
    The largest outline is simplified to a polygon and must come out as a convex
    four-corner shape that fills its own outline and covers ``min_area``-``max_area`` of
    the frame (``COLOUR_MIN_AREA`` for the colour outline). An outline as large as the
    frame is the table itself, seen around a card. Anything else (a scan, a close-up, a
    cluttered table) returns None.
    """
    grey = to_grey(image)
    small, scale = _small(grey, QUAD_SIDE)
    blur = cv2.GaussianBlur(small, (5, 5), 0)
    area_total = small.shape[0] * small.shape[1]
    _, bright = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    candidates = [
        (bright, min_area),
        (cv2.morphologyEx(255 - bright, cv2.MORPH_OPEN, np.ones((9, 9), np.uint8)), min_area),  # a dark card
        (cv2.dilate(cv2.Canny(cv2.GaussianBlur(small, (9, 9), 0), 30, 90), np.ones((3, 3), np.uint8)), min_area),
    ]
    quads = [q for mask, smallest in candidates if (q := _quad_in(mask, scale, area_total, smallest, max_area)) is not None]
    if quads:
        # Light falling across the paper can make brightness find only its lit part: the
        # outline that encloses the most is the whole sheet.
        return max(quads, key=lambda q: cv2.contourArea(q.reshape(-1, 1, 2)))
    arr = np.asarray(image)
    if arr.ndim == 3:
        return _quad_in(_unlike_border(arr, scale), scale, area_total, COLOUR_MIN_AREA, max_area)
    return None


def _quad_in(mask: np.ndarray, scale: float, area_total: int, min_area: float,
             max_area: float) -> np.ndarray | None:
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    for c in sorted(contours, key=cv2.contourArea, reverse=True)[:3]:
        area = cv2.contourArea(c)
        if not (min_area * area_total <= area <= max_area * area_total):
            continue
        hull = cv2.convexHull(c)
        approx = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
        if len(approx) != 4 or not cv2.isContourConvex(approx):
            continue
        if cv2.contourArea(approx) > 0 and area / cv2.contourArea(approx) < 0.85:
            continue
        quad = _order_corners(approx.reshape(4, 2).astype(np.float32) / scale)
        if _min_corner_angle(quad) < 45 or not _a_sheet(quad, mask.shape, scale):
            continue
        return quad
    return None


MIN_SIDE = 0.15  # of the frame's shorter side: a shorter side is two corners found at one place
FRAME_EDGE = 0.01  # of the frame: a corner this close to the edge lies on it


def _a_sheet(quad: np.ndarray, small_shape: tuple[int, ...], scale: float) -> bool:
    """A quad that can be a sheet or card lying in the frame, not a patch of the table.

    A shaded table splits into bright and dark regions whose outlines are quads too:
    they run along the frame's edges (corners on two of them, or three corners on the
    frame) or fold to a triangle (two corners at one place). Warping either cuts the card
    apart (a Chinese ID card on a graded background came out sheared, half its print gone).
    """
    h, w = small_shape[0] / scale, small_shape[1] / scale
    sides = np.linalg.norm(quad - np.roll(quad, -1, axis=0), axis=1)
    if sides.min() < MIN_SIDE * min(h, w):
        return False
    edges = np.stack([quad[:, 0] <= FRAME_EDGE * w, quad[:, 0] >= (1 - FRAME_EDGE) * w - 1,
                      quad[:, 1] <= FRAME_EDGE * h, quad[:, 1] >= (1 - FRAME_EDGE) * h - 1], axis=1)
    corners_on_edge = int(edges.any(axis=1).sum())
    # a long receipt running off the bottom of the frame has two corners on that one edge
    return corners_on_edge <= 1 or (corners_on_edge == 2 and int(edges.any(axis=0).sum()) == 1)


def _unlike_border(rgb: np.ndarray, scale: float) -> np.ndarray:
    """Mask of what differs in colour (Lab distance, Otsu) from the median of the frame's border."""
    size = (max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale)))
    small = cv2.resize(np.ascontiguousarray(rgb[:, :, :3]), size, interpolation=cv2.INTER_AREA)
    lab = cv2.cvtColor(cv2.GaussianBlur(small, (7, 7), 0), cv2.COLOR_RGB2LAB).astype(np.float32)
    h, w = lab.shape[:2]
    b = max(2, min(h, w) // 30)
    band = np.concatenate([lab[:b].reshape(-1, 3), lab[-b:].reshape(-1, 3),
                           lab[:, :b].reshape(-1, 3), lab[:, -b:].reshape(-1, 3)])
    dist = np.linalg.norm(lab - np.median(band, axis=0), axis=2)
    dist = (dist * (255.0 / max(1.0, float(dist.max())))).astype(np.uint8)
    _, mask = cv2.threshold(dist, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    return cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((9, 9), np.uint8))


def _order_corners(pts: np.ndarray) -> np.ndarray:
    s, d = pts.sum(axis=1), np.diff(pts, axis=1).ravel()
    return np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]], dtype=np.float32)


def _min_corner_angle(quad: np.ndarray) -> float:
    angles = []
    for i in range(4):
        a, b, c = quad[i - 1], quad[i], quad[(i + 1) % 4]
        v1, v2 = a - b, c - b
        cos = float(np.dot(v1, v2) / (np.linalg.norm(v1) * np.linalg.norm(v2) + 1e-9))
        angles.append(np.degrees(np.arccos(np.clip(cos, -1, 1))))
    return min(angles)


def _enlarge(image: np.ndarray, side: int) -> np.ndarray:
    scale = side / max(image.shape[:2])
    return cv2.resize(image, (round(image.shape[1] * scale), round(image.shape[0] * scale)),
                      interpolation=cv2.INTER_CUBIC)


def correct_perspective(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Warp the four corners to an upright rectangle as long as the quad's longer sides."""
    tl, tr, br, bl = quad
    width = int(round(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))))
    height = int(round(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))))
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(quad.astype(np.float32), target)
    flat = cv2.warpPerspective(image, m, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    trim = max(1, min(width, height) // 200)  # the corners are found on a small copy: drop the sliver of table
    return flat[trim:height - trim, trim:width - trim]


# --------------------------------------------------------------------------- pixels


@dataclass
class Marks:
    """What the marks on a page say: how tall its text is, where it lies, which dots are dust.

    Measured once on the page (halved when it is large: the measurements do not need full
    resolution) and used by the speck removal here and by OCR's rescaling.
    """

    text_height: float  # median height of letter-like marks, full-size pixels (0: no text found)
    letter_share: float  # share of the ink in letter-like marks (low: dot-matrix print, or no text)
    text_box: tuple[int, int, int, int] | None  # x0, y0, x1, y1 around the letter-like marks
    specks: np.ndarray  # rows of x, y, w, h (full-size pixels) of isolated dots far from any text
    letters: int = 0  # letter-like marks: about how many characters a reading should find


def measure_marks(grey: np.ndarray) -> Marks:
    """Connected marks of ink: letters give the text height, tiny marks far from letters are specks.

    A dot counts as a speck when it is small (at most ``SPECK_SIZE`` text heights)
    and no larger mark lies within ``SPECK_ISOLATION`` text heights: the dot of an i, a
    decimal point or a colon sits beside its letters and stays. Dust smaller than any
    of those (``DUST_SIZE``) goes wherever it lies, except on dot-matrix pages.
    """
    f = 2 if max(grey.shape[:2]) > MARKS_HALVE_ABOVE else 1
    small = grey if f == 1 else cv2.resize(grey, (grey.shape[1] // f, grey.shape[0] // f),
                                           interpolation=cv2.INTER_AREA)
    mask = _ink(small).astype(np.uint8)
    empty = np.zeros((0, 4), np.int64)
    if mask.mean() > 0.5:  # no paper found
        return Marks(0.0, 0.0, None, empty)
    _, _, stats = mark_stats(mask)
    x, y, w, h, area = (stats[1:, i] for i in range(5))
    letters = (h * f >= 7) & (area * f * f >= 20) & (w <= 3 * h) & (h <= small.shape[0] / 8)
    if letters.sum() < 10:
        return Marks(0.0, 0.0, None, empty)
    height = float(np.median(h[letters])) * f
    box = (int(x[letters].min()) * f, int(y[letters].min()) * f,
           int((x[letters] + w[letters]).max()) * f, int((y[letters] + h[letters]).max()) * f)
    dot = np.maximum(w, h) * f <= max(2.0, SPECK_SIZE * height)
    # Marks that are not dots, grown by the isolation distance, on a coarse grid.
    cell = max(1, int(SPECK_ISOLATION * height / f))
    grid = np.zeros((small.shape[0] // cell + 2, small.shape[1] // cell + 2), np.uint8)
    for bx, by, bw, bh in zip(x[~dot], y[~dot], w[~dot], h[~dot]):
        grid[by // cell: (by + bh) // cell + 1, bx // cell: (bx + bw) // cell + 1] = 1
    grid = cv2.dilate(grid, np.ones((3, 3), np.uint8))
    cx, cy = x + w // 2, y + h // 2
    isolated = dot & (grid[cy // cell, cx // cell] == 0)
    letter_share = float(area[letters].sum() / max(1, area.sum()))
    # Dot-matrix print is made of such dots, and small faint print (receipts) breaks into
    # pieces as small as dust: there, only isolated dots go.
    if letter_share >= SOLID_PRINT and height >= DUST_MIN_TEXT:
        isolated |= (np.maximum(w, h) * f < DUST_SIZE * height) & (area * f * f <= DUST_AREA * height * height)
    specks = np.stack([x[isolated] * f, y[isolated] * f, w[isolated] * f, h[isolated] * f], axis=1)
    return Marks(height, letter_share, box, specks.astype(np.int64), int(letters.sum()))


def remove_specks(grey: np.ndarray, specks: np.ndarray) -> np.ndarray:
    """Paint each speck (and the blur around it) the colour of the paper."""
    if not len(specks):
        return grey
    out = grey.copy()
    paper = int(percentile(_small(grey, 400, rough=True)[0], 90))
    for x, y, w, h in specks:
        out[max(0, y - 2): y + h + 2, max(0, x - 2): x + w + 2] = paper
    return out


def tinted_letters(small: np.ndarray, text_height: float) -> tuple[int, int]:
    """(letter-sized marks printed light, letter-sized marks in the page's ink): light marks are
    grey, well under the paper, yet lighter than the ink (Otsu) and clear of it.

    Cards print their labels in a light tint (姓名, 性别 in pale blue beside names in black);
    tesseract's global threshold drops that print whole, and the labels with it (generated
    ID cards: the name, the sex and the birth date lost with their labels). ``text_height``
    is in pixels of ``small``.
    """
    t, _ = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    paper = float(percentile(small, 90))
    dark = (small < t).astype(np.uint8)
    rim = cv2.dilate(dark, np.ones((TINT_CLEAR_OF_INK, TINT_CLEAR_OF_INK), np.uint8))
    light = ((small >= t) & (small < paper - TINT_BELOW_PAPER) & (rim == 0)).astype(np.uint8)

    def letters(mask: np.ndarray) -> int:
        _, _, stats = mark_stats(mask)
        w, h, area = stats[1:, 2], stats[1:, 3], stats[1:, 4]
        return int(((h >= 0.4 * text_height) & (h <= 1.5 * text_height) & (w <= 3 * text_height)
                    & (area >= 0.1 * text_height ** 2)).sum())

    return letters(light), letters(dark)


_DARKER = (255 * (np.arange(256) / 255.0) ** DARKEN_GAMMA).astype(np.uint8)  # one table for 256 grey levels


def darken(grey: np.ndarray) -> np.ndarray:
    """Mid greys made dark, paper kept light, so that tinted print passes tesseract's threshold."""
    return cv2.LUT(grey, _DARKER)


def find_rules(grey: np.ndarray, text_height: float) -> np.ndarray:
    """Mask of thin straight rules (table borders, boxes, underlines), grown by a pixel.

    Tesseract's page layout treats a ruled table as pictures: on generated claim forms the
    cells "姓名 朱磊" and "打印日期" inside a bordered table were not read at all until
    the borders were taken out. Across the page a rule is ``RULE_TEXT_HEIGHTS`` text
    heights long (一 is about one). Upright, a heading's strokes can be three text heights
    tall, so a short upright run is a rule only where it meets one running across (a
    table's cell walls); longer ones (``RULE_TEXT_HEIGHTS``) anywhere. The edges of filled
    shapes (a logo's disc, a header bar), thin runs beside solid ink, stay.

    Rules are looked for at half size when the print is large enough (``RULES_HALVE_ABOVE``):
    the search is the dearest step of the clean-up at full size. The half-size ink mask
    keeps every pixel any of its four full-size pixels had (a rule one pixel thin stays
    whole), and what is found there is mapped back onto the full-size ink.
    """
    mask = _ink(grey).astype(np.uint8)
    if text_height < RULES_HALVE_ABOVE:
        return cv2.dilate(_rules_in(mask, text_height, 1), np.ones((3, 3), np.uint8))
    h, w = mask.shape
    pooled = cv2.resize(mask * np.uint8(255), (w // 2, h // 2), interpolation=cv2.INTER_AREA) > 0  # any of 2x2
    rules = _rules_in(pooled.astype(np.uint8), text_height / 2, 2)
    full = np.zeros_like(mask)
    if not rules.any():
        return full
    full[: h // 2 * 2, : w // 2 * 2] = cv2.resize(rules, (w // 2 * 2, h // 2 * 2), interpolation=cv2.INTER_NEAREST)
    return cv2.dilate(full & mask, np.ones((3, 3), np.uint8))


def _rules_in(mask: np.ndarray, text_height: float, shrunk: int) -> np.ndarray:
    """``find_rules`` on an ink mask ``shrunk`` times smaller than the page (not grown)."""
    def px(full_size: int) -> int:  # a length in full-size pixels, at this size (rounded up)
        return -(-full_size // shrunk)

    least = px(15)  # shorter runs are never rules
    long_run = max(least, int(RULE_TEXT_HEIGHTS * text_height))
    line_across, line_down = np.ones((1, long_run), np.uint8), np.ones((long_run, 1), np.uint8)
    # an opening is an erosion then a dilation: where the erosion leaves nothing, no rule runs
    # that way, and most pages of running text have none either way (the rest is then skipped)
    run_across, run_down = cv2.erode(mask, line_across), cv2.erode(mask, line_down)
    if not run_across.any() and not run_down.any():
        return np.zeros_like(mask)
    thick = max(px(3), int(RULE_MAX_THICKNESS * text_height))
    solid = cv2.dilate(cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((thick, thick), np.uint8)),
                       np.ones((2 * thick + 1, 2 * thick + 1), np.uint8))
    away_from_solid = 1 - solid
    across = cv2.dilate(run_across, line_across) & away_from_solid
    down = cv2.dilate(run_down, line_down) & away_from_solid
    if across.any():  # cell walls: short upright runs that meet a rule across
        short_run = max(least, int(RULE_TEXT_HEIGHTS_DOWN * text_height))
        down_short = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((short_run, 1), np.uint8)) & away_from_solid
        n, pieces = cv2.connectedComponents(down_short, connectivity=8)
        meets = np.unique(pieces[(cv2.dilate(across, np.ones((px(5), px(5)), np.uint8)) > 0) & (down_short > 0)])
        meeting = np.zeros(n, np.uint8)
        meeting[meets[meets > 0]] = 1
        down |= meeting[pieces] if n > 1 else down_short  # walls already lie away from solid ink
    return across | down


def remove_rules(grey: np.ndarray, rules: np.ndarray) -> np.ndarray:
    paper = int(percentile(_small(grey, 400, rough=True)[0], 90))
    return cv2.max(grey, rules * np.uint8(paper))  # rule pixels become paper, the rest stay


def paper_and_ink(grey: np.ndarray) -> tuple[float, float]:
    # The darkest 0.1%, not 1%: a page with two lines of print has less ink than 1% of
    # its pixels, and would otherwise measure as paper on paper (no contrast at all).
    small, _ = _small(grey, ANALYSIS_SIDE, rough=True)
    return float(percentile(small, 90)), float(percentile(small, 0.1))


def background_unevenness(grey: np.ndarray) -> float:
    """Grey levels the paper varies across the page (shadows, a phone's vignetting)."""
    small, _ = _small(grey, 200, rough=True)
    background = cv2.dilate(small, np.ones((15, 15), np.uint8))  # ink removed: the paper's own brightness
    return float(percentile(background, 95) - percentile(background, 5))


MIN_STRETCH_RANGE = 96.0  # grey levels: the stretch never multiplies contrast by more than 255/96


def normalise_contrast(grey: np.ndarray) -> np.ndarray:
    """Flatten uneven lighting (divide by the blurred paper) and stretch ink to black, paper to white."""
    small, scale = _small(grey, 400, rough=True)
    k = max(3, int(min(small.shape) / 20) | 1)
    background_small = cv2.medianBlur(cv2.dilate(small, np.ones((k, k), np.uint8)), k)
    background = cv2.resize(background_small, (grey.shape[1], grey.shape[0]), interpolation=cv2.INTER_LINEAR)
    flat = cv2.divide(grey, np.maximum(background, 1), scale=255)
    lo, hi = percentile(_small(flat, ANALYSIS_SIDE, rough=True)[0], (0.5, 99))
    # On a sparse page the 0.5% darkest pixels are still paper; stretching paper grain to
    # full range turns the edges of every letter into speckle. Keep the gain modest.
    lo = min(lo, hi - MIN_STRETCH_RANGE)
    if hi - lo < 1:
        return flat
    levels = (np.arange(256, dtype=np.float32) - lo) * (255.0 / (hi - lo))
    return cv2.LUT(flat, np.clip(levels, 0, 255).astype(np.uint8))  # one table for 256 grey levels


# --------------------------------------------------------------------------- the whole page


def clean_page(image: Image.Image | np.ndarray, kind_hint: str | None = None,
               orientation: bool = True) -> CleanResult:
    """Apply what the page needs, in the order that makes each next step reliable.

    ``kind_hint``: "photo" or "scan" when the caller knows; otherwise decided from the
    border. Photos: paper found and flattened (small cards enlarged, dark cards
    inverted), lighting evened. Scans: only the steps their measurements ask for. No
    page is binarised here: tesseract's own threshold reads a flattened grey page better
    than a local (adaptive) one, which hollows out tinted print on cards and breaks the
    faint strokes of thermal receipts (SROIE development receipts that were binarised:
    word recall 0.65 binarised, 0.74 grey). Pages whose lines run vertically are turned
    with OSD here (``orientation=False`` skips that check); a page upside down is caught
    later by its weak OCR reading (``ocr.ocr_page``'s second look). ``marks`` (text
    height and box) goes on to OCR, which enlarges small print. A page with print in a
    light tint (a card's labels) has its mid greys darkened (``tinted_letters``, ``darken``).
    Last, thin table rules are painted over (``find_rules``): tesseract does not read text
    boxed in by them.
    """
    timings: dict[str, float] = {}
    steps: list[str] = []

    def timed(name: str, fn, *args):
        t0 = time.perf_counter()
        out = fn(*args)
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - t0
        return out

    arr = np.asarray(image)
    photo = kind_hint == "photo" or (kind_hint is None and timed("classify", looks_like_photo, arr))
    perspective = False
    if photo:
        quad = timed("perspective", find_document_quad, arr)
        if quad is not None:
            arr = timed("perspective", correct_perspective, arr, quad)
            perspective = True
            steps.append("perspective")
            if max(arr.shape[:2]) < MIN_FLAT_SIDE:  # a card far from the lens: its print is tiny
                arr = timed("perspective", _enlarge, arr, MIN_FLAT_SIDE)
                steps.append("enlarge")
    grey = timed("grey", to_grey, arr)

    # One small copy serves every measurement; skew and specks barely change its statistics.
    small = timed("analysis_copy", lambda: _small(grey, ANALYSIS_SIDE)[0])
    rotation = 0
    if orientation and timed("orientation", text_runs_vertically, small):
        found = timed("osd", detect_orientation, grey, "eng", (90, 270))
        rotation = found.rotation
        grey, small = rotate(grey, rotation), rotate(small, rotation)
        steps.append(f"rotate_{rotation}")
    # on any page shading may pass for ink and hide the print's lines: a photo whose paper was not
    # found (or paper on a pale table taken for a scan), a card flattened with one half in shadow
    skew = timed("deskew", estimate_skew, small, MAX_SKEW, True)
    if abs(skew) >= MIN_SKEW:
        grey = timed("deskew", deskew, grey, skew)
        steps.append("deskew")
    else:
        skew = 0.0

    # A median filter would also clear specks, and with them the thin strokes of small
    # print (receipts); specks are found as marks instead, and only they are painted over.
    # Photos have no scanner dust, and on them faint print breaks into dots that look like it.
    marks = timed("despeckle", measure_marks, grey)
    if not photo and len(marks.specks) >= MIN_SPECKS:
        grey = timed("despeckle", remove_specks, grey, marks.specks)
        steps.append("despeckle")

    if float(np.median(small)) < DARK_PAPER:  # light print on a dark card: make it dark on light
        grey, small = 255 - grey, 255 - small
        steps.append("invert")
    paper, ink = timed("contrast", paper_and_ink, small)
    uneven = timed("contrast", background_unevenness, small)
    if photo or uneven > UNEVEN_BACKGROUND or paper - ink < LOW_CONTRAST_SPREAD:
        grey = timed("contrast", normalise_contrast, grey)
        small = timed("contrast", normalise_contrast, small)  # the small copy as the page now is, for the tint
        steps.append("contrast")
        if not marks.text_height:  # print too faint to tell from the paper until the light was evened:
            evened = timed("despeckle", measure_marks, grey)
            if evened.text_height < SMALL_TEXT:  # a card small in the frame, its print to be enlarged
                marks = evened

    if marks.text_height:
        light, dark = timed("tint", tinted_letters, small, marks.text_height * small.shape[0] / grey.shape[0])
        if light >= MIN_TINTED_LETTERS and light >= TINTED_SHARE * dark:
            grey = timed("tint", darken, grey)
            steps.append("darken")
        rules = timed("rules", find_rules, grey, marks.text_height)
        if rules.any():
            grey = timed("rules", remove_rules, grey, rules)
            steps.append("rules")

    return CleanResult(Image.fromarray(grey), rotation, skew, perspective, steps, timings, marks, grey)
