"""Perceptual image hashes: the same photo or scan gives nearly the same hash after
re-compression, resizing or a small crop, so a reused damage photo or invoice is found
even when its bytes differ.

DCT pHash: grey, shrink to 32x32, 2-D DCT, keep the 8x8 lowest frequencies, one bit per
coefficient (above or below their median). 64 bits, written as 16 hex digits.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Union

import cv2
import numpy as np
from PIL import Image

ImageLike = Union[Image.Image, np.ndarray, bytes, str, Path]

_SIZE = 32
_LOW = 8


def _grey_array(image: ImageLike) -> np.ndarray:
    if isinstance(image, (str, Path)):
        with Image.open(image) as im:
            return np.asarray(im.convert("L"), dtype=np.float32)
    if isinstance(image, bytes):
        try:
            with Image.open(io.BytesIO(image)) as im:
                return np.asarray(im.convert("L"), dtype=np.float32)
        except Exception as exc:  # PIL raises several types for undecodable bytes
            raise ValueError(f"cannot decode image bytes: {exc}") from exc
    if isinstance(image, Image.Image):
        return np.asarray(image.convert("L"), dtype=np.float32)
    if isinstance(image, np.ndarray):
        if image.ndim == 3 and image.shape[2] in (3, 4):
            return cv2.cvtColor(image[:, :, :3].astype(np.uint8), cv2.COLOR_RGB2GRAY).astype(np.float32)
        if image.ndim == 2:
            return image.astype(np.float32)
        raise ValueError(f"expected a 2-D grey or 3-D colour image array, got shape {image.shape}")
    raise TypeError(f"cannot hash an object of type {type(image).__name__}")


def _trim_margins(grey: np.ndarray) -> np.ndarray:
    """Cut away plain borders (paper margin, scanner bed) so cropping them off changes nothing."""
    background = np.median(np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]]))
    ink = np.abs(cv2.GaussianBlur(grey, (5, 5), 0) - background) > 24
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size < 8 or cols.size < 8:
        return grey
    return grey[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


def perceptual_hash(image: ImageLike) -> str:
    """64-bit DCT perceptual hash as 16 lower-case hex digits."""
    grey = _grey_array(image)
    if grey.size == 0 or min(grey.shape) < 8:
        raise ValueError(f"image too small to hash: {grey.shape[1]}x{grey.shape[0]} pixels")
    grey = _trim_margins(grey)
    # Light blur first so JPEG blocking and scan noise do not flip low-frequency bits.
    small = cv2.resize(cv2.GaussianBlur(grey, (0, 0), max(grey.shape) / 400 + 0.5), (_SIZE, _SIZE),
                       interpolation=cv2.INTER_AREA)
    low = cv2.dct(small)[:_LOW, :_LOW].flatten()
    median = np.median(low[1:])  # the DC term (overall brightness) would skew the median
    bits = low > median
    return f"{int(''.join('1' if b else '0' for b in bits), 2):016x}"


def hamming(a: str, b: str) -> int:
    """Number of differing bits between two hex hashes of the same length."""
    if len(a) != len(b):
        raise ValueError(f"hashes of different lengths: {len(a)} and {len(b)} hex digits")
    try:
        return (int(a, 16) ^ int(b, 16)).bit_count()
    except ValueError as exc:
        raise ValueError(f"not a hex hash: {a!r} / {b!r}") from exc
