"""What a scanner or a phone camera does to a clean page: the degradation knobs and their effects.

Evaluation sets should differ from development data not only in seed but in how
rough the images are, so every knob lives in ``NoiseSettings``.
"""
from __future__ import annotations

import io
import random
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image


@dataclass(frozen=True)
class NoiseSettings:
    """Degradation applied to scans and phone photos; ranges are (low, high)."""

    max_skew_deg: float = 5.0  # scanned pages are turned by up to this many degrees either way
    blur_sigma: tuple[float, float] = (0.0, 0.9)  # Gaussian blur, in pixels at scan resolution
    speckle: float = 0.00025  # fraction of pixels hit by dust specks (scans)
    jpeg_quality: tuple[int, int] = (62, 90)  # for scans embedded in PDFs and for photos
    dpi: tuple[int, int] = (200, 300)  # scan resolution
    perspective: float = 0.07  # photo corner displacement, as a fraction of the card size
    shadow: float = 0.35  # strongest darkening of a photo by a shadow gradient (0..1)

    def __post_init__(self) -> None:
        if not 0 <= self.max_skew_deg <= 45:
            raise ValueError(f"max_skew_deg must be within 0..45, got {self.max_skew_deg}")
        for name, (lo, hi), bounds in (("blur_sigma", self.blur_sigma, (0, 10)),
                                       ("jpeg_quality", self.jpeg_quality, (5, 100)),
                                       ("dpi", self.dpi, (72, 600))):
            if not (bounds[0] <= lo <= hi <= bounds[1]):
                raise ValueError(f"{name} must be an ordered range within {bounds}, got {(lo, hi)}")
        if not 0 <= self.speckle <= 0.05:
            raise ValueError(f"speckle must be within 0..0.05, got {self.speckle}")
        if not 0 <= self.perspective <= 0.3:
            raise ValueError(f"perspective must be within 0..0.3, got {self.perspective}")
        if not 0 <= self.shadow < 1:
            raise ValueError(f"shadow must be within 0..1, got {self.shadow}")


def _np_rng(rng: random.Random) -> np.random.Generator:
    return np.random.default_rng(rng.getrandbits(64))


def scan(page: Image.Image, rng: random.Random, noise: NoiseSettings, *, grayscale: bool, rotation: int = 0) -> Image.Image:
    """A flat-bed or sheet-feed scan of ``page``: skew, uneven exposure, dust, blur; then turned by ``rotation``.

    ``rotation`` is counter-clockwise degrees (a page fed sideways); turning the result
    clockwise by the same amount makes it upright again.
    """
    nrng = _np_rng(rng)
    arr = np.asarray(page.convert("L") if grayscale else page.convert("RGB"), dtype=np.uint8)
    h, w = arr.shape[:2]
    angle = rng.uniform(-noise.max_skew_deg, noise.max_skew_deg)
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    matrix[:, 2] += (rng.uniform(-0.01, 0.01) * w, rng.uniform(-0.01, 0.01) * h)
    bed = int(rng.uniform(215, 250))
    border = bed if grayscale else (bed, bed, bed - 4)
    arr = cv2.warpAffine(arr, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=border)
    # exposure: a gentle light falloff from one edge, and a little grain (uint8 arithmetic keeps this fast)
    along_x = rng.random() < 0.5
    ramp = np.linspace(rng.uniform(0.93, 1.0), rng.uniform(0.96, 1.0), w if along_x else h, dtype=np.float32)
    ramp = np.ascontiguousarray(np.broadcast_to(ramp[None, :] if along_x else ramp[:, None], (h, w)))
    ramp8 = (ramp * 255).astype(np.uint8)
    out = cv2.multiply(arr, cv2.merge([ramp8] * 3) if arr.ndim == 3 else ramp8, scale=1 / 255)
    tile = nrng.normal(0, rng.uniform(2.0, 6.0), (256, 256)).astype(np.int16)
    grain = np.tile(tile, (h // 256 + 1, w // 256 + 1))[:h, :w]
    out = np.clip(out.astype(np.int16) + (grain if out.ndim == 2 else grain[..., None]), 0, 255).astype(np.uint8)
    sigma = rng.uniform(*noise.blur_sigma)
    if sigma > 0.05:
        out = cv2.GaussianBlur(out, (0, 0), sigma)
    count = int(noise.speckle * h * w)
    if count:
        ys, xs = nrng.integers(0, h, count), nrng.integers(0, w, count)
        radius = nrng.integers(1, 3, count)
        dark = nrng.integers(10, 90, count)
        for y, x, r, v in zip(ys[: count // 4], xs[: count // 4], radius, dark):  # a few larger dust blobs
            cv2.circle(out, (int(x), int(y)), int(r), int(v) if out.ndim == 2 else (int(v),) * 3, -1)
        out[ys[count // 4:], xs[count // 4:]] = dark[count // 4:, None] if out.ndim == 3 else dark[count // 4:]
    img = Image.fromarray(out)
    if rotation:
        img = img.rotate(rotation, expand=True)
    return img


def shadow_and_grain(img: np.ndarray, rng: random.Random, noise: NoiseSettings) -> np.ndarray:
    """Phone-camera look: a soft shadow across part of the frame, vignetting and sensor noise."""
    nrng = _np_rng(rng)
    h, w = img.shape[:2]
    sh, sw = max(h // 8, 2), max(w // 8, 2)  # the shading is smooth: compute it small, then scale up
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    theta = rng.uniform(0, 2 * np.pi)
    proj = (xx / sw - 0.5) * np.cos(theta) + (yy / sh - 0.5) * np.sin(theta)
    edge = rng.uniform(-0.25, 0.25)
    softness = rng.uniform(0.04, 0.2)
    strength = rng.uniform(0.3, 1.0) * noise.shadow
    shade = 1.0 - strength / (1.0 + np.exp(-(proj - edge) / softness))
    radius = np.sqrt((xx / sw - 0.5) ** 2 + (yy / sh - 0.5) ** 2)
    shade *= 1.0 - rng.uniform(0.1, 0.3) * radius ** 2
    shade = cv2.resize(shade.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    tint = np.array([rng.uniform(0.95, 1.05), 1.0, rng.uniform(0.92, 1.05)], dtype=np.float32)
    gain = [np.clip(shade * t * 200, 0, 255).astype(np.uint8) for t in tint]
    out = cv2.multiply(img, cv2.merge(gain), scale=1 / 200)
    tile = nrng.normal(0, rng.uniform(2.0, 7.0), (256, 256, 1)).astype(np.int16)
    grain = np.tile(tile, (h // 256 + 1, w // 256 + 1, 1))[:h, :w]
    out = np.clip(out.astype(np.int16) + grain, 0, 255).astype(np.uint8)
    sigma = rng.uniform(0.3, 0.6 + noise.blur_sigma[1])
    return cv2.GaussianBlur(out, (0, 0), sigma)


def phone_photo(card: Image.Image, background: np.ndarray, rng: random.Random, noise: NoiseSettings) -> Image.Image:
    """``card`` lying on ``background``, photographed at an angle: perspective warp, shadow, noise."""
    h, w = background.shape[:2]
    cw, ch = card.size
    scale = rng.uniform(0.6, 0.74) * w / cw
    tw, th = cw * scale, ch * scale
    cx, cy = w / 2 + rng.uniform(-0.04, 0.04) * w, h / 2 + rng.uniform(-0.04, 0.04) * h
    angle = np.deg2rad(rng.uniform(-8, 8))
    corners = np.array([[-tw / 2, -th / 2], [tw / 2, -th / 2], [tw / 2, th / 2], [-tw / 2, th / 2]], dtype=np.float32)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]], dtype=np.float32)
    dst = corners @ rot.T + np.array([cx, cy], dtype=np.float32)
    jitter = noise.perspective * max(tw, th)
    dst += np.array([[rng.uniform(-jitter, jitter), rng.uniform(-jitter, jitter)] for _ in range(4)], dtype=np.float32)
    src = np.array([[0, 0], [cw, 0], [cw, ch], [0, ch]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    rgba = np.asarray(card.convert("RGBA"))
    warped = cv2.warpPerspective(rgba, matrix, (w, h), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0))
    alpha = warped[..., 3:4].astype(np.float32) / 255.0
    # a faint drop shadow under the card lifts it off the table
    drop = cv2.GaussianBlur(alpha[..., 0], (0, 0), 9)
    drop = np.roll(drop, (int(h * 0.01), int(w * 0.008)), axis=(0, 1))[..., None]
    base = background.astype(np.float32) * (1 - 0.35 * drop)
    out = base * (1 - alpha) + warped[..., :3].astype(np.float32) * alpha
    return Image.fromarray(shadow_and_grain(np.clip(out, 0, 255).astype(np.uint8), rng, noise))


def background(rng: random.Random, size: tuple[int, int]) -> np.ndarray:
    """A table top, desk mat or fabric: low-frequency colour with grain."""
    w, h = size
    nrng = _np_rng(rng)
    palettes = [(150, 110, 75), (190, 160, 120), (90, 90, 95), (200, 200, 195), (60, 70, 90), (120, 85, 60), (230, 225, 215)]
    base = np.array(rng.choice(palettes), dtype=np.float32)
    low = cv2.resize(nrng.standard_normal((6, 8)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    img = base[None, None, :] * (1 + 0.08 * low[..., None])
    if rng.random() < 0.5:  # wood grain
        yy = np.arange(h, dtype=np.float32)[:, None]
        grain = np.sin(yy / rng.uniform(6, 14) + 3 * cv2.resize(nrng.standard_normal((4, 16)).astype(np.float32), (w, h)))
        img *= (1 + 0.05 * grain[..., None])
    img += nrng.standard_normal((h, w, 1), dtype=np.float32) * 4
    return np.clip(img, 0, 255).astype(np.uint8)


def jpeg_bytes(img: Image.Image, quality: int, dpi: int | None = None) -> bytes:
    buf = io.BytesIO()
    kwargs = {"quality": quality, "optimize": False}
    if dpi:
        kwargs["dpi"] = (dpi, dpi)
    img.convert("RGB" if img.mode not in ("L", "RGB") else img.mode).save(buf, "JPEG", **kwargs)
    return buf.getvalue()
