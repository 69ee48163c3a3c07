"""Checking an upload before anything trusts it.

The type comes from the file's first bytes, never from its name. A file that fails a
check is not thrown away: the caller quarantines it with the ``reason`` (a code for
machines) and ``message`` (words for the customer and the reviewer).
"""
from __future__ import annotations

import io
import re
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from PIL import Image

from pipeline.reading.pages import PageError, prepare_pages

MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)
EXTENSIONS: dict[str, str] = {
    ".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
    ".tif": "image/tiff", ".tiff": "image/tiff",
}
MAX_NAME_LENGTH = 200


@dataclass(frozen=True)
class UploadCheck:
    ok: bool
    media_type: str | None
    reason: str | None = None  # machine-readable code
    message: str | None = None  # plain words
    page_count: int | None = None

    @classmethod
    def refuse(cls, reason: str, message: str, media_type: str | None = None) -> "UploadCheck":
        return cls(False, media_type, reason, message)


def sniff_media_type(data: bytes) -> str | None:
    head = data[:1024]
    for magic, media_type in MAGIC:
        if head.startswith(magic):
            return media_type
    # Some PDF writers put junk before the header; readers accept it within the first KB.
    if b"%PDF-" in head:
        return "application/pdf"
    return None


def unsafe_name_reason(name: str) -> str | None:
    """Why a file name cannot be trusted as given, or None when it is fine."""
    if not name or not name.strip():
        return "the file has no name"
    if len(name) > MAX_NAME_LENGTH:
        return f"the file name is longer than {MAX_NAME_LENGTH} characters"
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in name):
        return "the file name contains control characters"
    if PurePosixPath(name).name != name or PureWindowsPath(name).name != name or name in (".", ".."):
        return "the file name contains a folder path"
    if name.startswith("."):
        return "the file name starts with a dot (hidden file)"
    return None


def check_upload(data: bytes, file_name: str, max_bytes: int, max_pages: int,
                 max_image_pixels: int) -> UploadCheck:
    if (why := unsafe_name_reason(file_name)) is not None:
        return UploadCheck.refuse("unsafe_file_name", f"Refused the file name: {why}.")
    if not data:
        return UploadCheck.refuse("empty_file", "The file is empty (0 bytes).")
    if len(data) > max_bytes:
        return UploadCheck.refuse(
            "too_large", f"The file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB.")
    media_type = sniff_media_type(data)
    if media_type is None:
        return UploadCheck.refuse(
            "unsupported_type", "The file is not a PDF, JPEG, PNG or TIFF (checked from its content).")
    ext = re.search(r"\.[A-Za-z0-9]+$", file_name)
    claimed = EXTENSIONS.get(ext.group(0).lower()) if ext else None
    if ext and claimed is None:
        return UploadCheck.refuse(
            "unsupported_type", f"Files ending in {ext.group(0)} are not accepted; send a PDF, JPEG, PNG or TIFF.",
            media_type)
    if claimed is not None and claimed != media_type:
        return UploadCheck.refuse(
            "type_mismatch", f"The name says {claimed} but the content is {media_type}.", media_type)
    if media_type == "application/pdf":
        return _check_pdf(data, max_pages)
    return _check_image(data, media_type, max_pages, max_image_pixels)


def _check_pdf(data: bytes, max_pages: int) -> UploadCheck:
    import logging

    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a broken file is reported once, by us

    media_type = "application/pdf"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                return UploadCheck.refuse(
                    "encrypted_pdf", "The PDF is password-protected; please send it without a password.", media_type)
            pages = len(reader.pages)
    except Exception as exc:  # pypdf raises many kinds for broken files
        return UploadCheck.refuse("corrupt_pdf", f"The PDF cannot be opened ({type(exc).__name__}).", media_type)
    if pages == 0:
        return UploadCheck.refuse("corrupt_pdf", "The PDF has no pages.", media_type)
    if pages > max_pages:
        return UploadCheck.refuse("too_many_pages", f"The PDF has {pages} pages; the limit is {max_pages}.", media_type)
    return UploadCheck(True, media_type, page_count=pages)


def _check_image(data: bytes, media_type: str, max_pages: int, max_image_pixels: int) -> UploadCheck:
    try:
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size  # header only: nothing decoded yet
    except Image.DecompressionBombError:
        return UploadCheck.refuse("image_too_large", "The image is too large to open safely.", media_type)
    except Exception as exc:
        return UploadCheck.refuse("corrupt_image", f"The image cannot be decoded ({type(exc).__name__}).", media_type)
    if width * height > max_image_pixels:
        return UploadCheck.refuse(
            "image_too_large",
            f"The image is {width}x{height} pixels; the limit is {max_image_pixels / 1e6:.0f} megapixels.", media_type)
    try:  # decoded as the reader will: too many frames, one too small, a truncated file or a blank picture is told now
        pages = prepare_pages(data, media_type, max_pages=max_pages)
    except PageError as exc:
        return UploadCheck.refuse(exc.reason, exc.message, media_type)
    return UploadCheck(True, media_type, page_count=len(pages))
