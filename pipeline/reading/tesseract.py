"""Tesseract inside this process: the engine loaded once, not once per reading.

Each run of the ``tesseract`` program (what pytesseract does) starts a process and loads
the language model before it reads a pixel: about 70 ms for English and 100 ms for
Chinese on this project's machines. With the files it reads and writes, that is over a
third of bare tesseract's time per page (``benchmarks/ocr_speed.py``: 0.46 CPU s per page
as a program, 0.29 in the process) and most of a small strip's second look. So pages are read through tesseract's own C API (``libtesseract``, the
library the Debian program runs on, the same version with the same language files),
called with ``ctypes``: the engines stay loaded in a small pool, one per language for
each reading in flight, handed from thread to thread (a thread pool comes and goes
per claim). The words, boxes and confidences are those the program gives (``image_to_data``
checks that in the tests): confidences are cut to whole numbers as pytesseract does.

Where the library cannot be loaded (another system, another version) the program is run
through pytesseract instead, with the same results, only slower. The program is also the
choice (``CLAIMS_TESSERACT=program``) where a crash inside tesseract on some strange image
must cost one page rather than the worker process it runs in.
"""
from __future__ import annotations

import atexit
import ctypes
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import cv2
import numpy as np
import pytesseract

from pipeline.settings import get_settings

LIBRARY = "libtesseract.so.5"
LEPTONICA = "liblept.so.5"  # tesseract's image library
LEPTONICA_QUIET = 6  # L_SEVERITY_NONE: its messages ("box outside rectangle") went to the program's stderr, unread
# Idle engines kept per language: one per core serves the reader's workers (an English engine
# holds about 15 MB, a Chinese one 40 MB); more readings at once load more, freed when done.
KEEP_IDLE = os.cpu_count() or 2
COLUMNS = ("level", "page_num", "block_num", "par_num", "line_num", "word_num",
           "left", "top", "width", "height", "conf", "text")

_SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


@contextmanager
def tesseract_input(grey: np.ndarray) -> Iterator[str]:
    """The image as an uncompressed file in shared memory, named for the tesseract program.

    Given an array, pytesseract encodes a PNG first: ~50 ms for a 200 DPI page.
    """
    with tempfile.NamedTemporaryFile(suffix=".bmp", dir=_SCRATCH) as f:
        cv2.imwrite(f.name, grey)
        yield f.name


def image_to_data(grey: np.ndarray, lang: str, psm: int, via: str = "auto") -> dict[str, list[Any]]:
    """Tesseract's words of an 8-bit grey image, as pytesseract's ``image_to_data`` dict.

    ``via``: "library" (in this process), "program" (pytesseract), or "auto": the library
    where it loads, unless the setting ``CLAIMS_TESSERACT=program`` asks for the program.
    """
    if grey.ndim != 2:
        raise ValueError(f"tesseract is given grey images (one channel), not shape {grey.shape}")
    grey = np.ascontiguousarray(grey, dtype=np.uint8)
    if via == "auto":
        via = "library" if get_settings().tesseract == "library" and library_loads() else "program"
    if via == "library":
        return _parse_tsv(_library_tsv(grey, lang, psm))
    with tesseract_input(grey) as name:
        return pytesseract.image_to_data(name, lang=lang, config=f"--psm {psm}", output_type=pytesseract.Output.DICT)


def library_loads() -> bool:
    """Whether readings run in this process (otherwise each starts the tesseract program)."""
    return _library() is not None


def _parse_tsv(tsv: str) -> dict[str, list[Any]]:
    data: dict[str, list[Any]] = {c: [] for c in COLUMNS}
    for row in tsv.split("\n"):
        cells = row.split("\t")
        if len(cells) < len(COLUMNS) - 1:
            continue
        cells += [""] * (len(COLUMNS) - len(cells))  # a word-less row may end without its text cell
        for name, cell in zip(COLUMNS[:-1], cells):
            data[name].append(int(float(cell)))
        data["text"].append(cells[-1].strip())  # as the program's output reads: no word is only spaces
    return data


# --------------------------------------------------------------------------- the library


_lib: ctypes.CDLL | None = None
_lib_tried = False
_lib_lock = threading.Lock()
_idle: dict[str, list[int]] = {}  # language -> engines loaded and not in use
_every: list[int] = []  # every engine made and not yet ended


def _library() -> ctypes.CDLL | None:
    """libtesseract with the C API's signatures, or None where it does not load."""
    global _lib, _lib_tried
    with _lib_lock:
        if not _lib_tried:
            _lib_tried = True
            # the library's OpenMP reads its thread limit when it loads: one thread per reading
            # (several readings run at once, one per core; see engine.py)
            os.environ.setdefault("OMP_THREAD_LIMIT", "1")
            try:
                _lib = _declare(ctypes.CDLL(LIBRARY))
            except (OSError, AttributeError):
                return None
            try:
                ctypes.CDLL(LEPTONICA).setMsgSeverity(LEPTONICA_QUIET)
            except (OSError, AttributeError):
                pass  # only its messages are lost
    return _lib


def _declare(lib: ctypes.CDLL) -> ctypes.CDLL:
    handle, text = ctypes.c_void_p, ctypes.c_char_p
    lib.TessBaseAPICreate.restype = handle
    lib.TessBaseAPIInit3.argtypes = [handle, text, text]
    lib.TessBaseAPISetVariable.argtypes = [handle, text, text]
    lib.TessBaseAPISetPageSegMode.argtypes = [handle, ctypes.c_int]
    lib.TessBaseAPISetImage.argtypes = [handle, ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.TessBaseAPIRecognize.argtypes = [handle, ctypes.c_void_p]
    lib.TessBaseAPIGetTsvText.argtypes = [handle, ctypes.c_int]
    lib.TessBaseAPIGetTsvText.restype = ctypes.c_void_p  # freed with TessDeleteText, so not c_char_p
    lib.TessDeleteText.argtypes = [ctypes.c_void_p]
    for name in ("TessBaseAPIClear", "TessBaseAPIEnd", "TessBaseAPIDelete"):
        getattr(lib, name).argtypes = [handle]
    return lib


def _library_tsv(grey: np.ndarray, lang: str, psm: int) -> str:
    lib = _library()
    if lib is None:
        raise RuntimeError(f"{LIBRARY} could not be loaded")
    engine = _take(lib, lang)
    try:
        lib.TessBaseAPISetPageSegMode(engine, psm)
        lib.TessBaseAPISetImage(engine, grey.ctypes.data, grey.shape[1], grey.shape[0], 1, grey.strides[0])
        if lib.TessBaseAPIRecognize(engine, None) != 0:
            raise RuntimeError(f"tesseract could not read the image ({lang}, psm {psm})")
        out = lib.TessBaseAPIGetTsvText(engine, 0)
        try:
            return ctypes.string_at(out).decode("utf-8", errors="replace") if out else ""
        finally:
            lib.TessDeleteText(out)
    finally:
        lib.TessBaseAPIClear(engine)
        _give_back(lib, lang, engine)


def _take(lib: ctypes.CDLL, lang: str) -> int:
    """An idle engine for ``lang``, or a new one (loading a language takes most of a small reading)."""
    with _lib_lock:
        if _idle.get(lang):
            return _idle[lang].pop()
    engine = lib.TessBaseAPICreate()
    if lib.TessBaseAPIInit3(engine, None, lang.encode()) != 0:
        lib.TessBaseAPIDelete(engine)
        raise RuntimeError(f"tesseract could not load the language {lang!r}")
    lib.TessBaseAPISetVariable(engine, b"debug_file", os.devnull.encode())  # "Estimating resolution as ..."
    with _lib_lock:
        _every.append(engine)
    return engine


def _give_back(lib: ctypes.CDLL, lang: str, engine: int) -> None:
    with _lib_lock:
        idle = _idle.setdefault(lang, [])
        if len(idle) < KEEP_IDLE:
            idle.append(engine)
            return
        _every.remove(engine)
    _end(lib, engine)


def _end(lib: ctypes.CDLL, engine: int) -> None:
    """Free an engine and the language it loaded."""
    lib.TessBaseAPIEnd(engine)
    lib.TessBaseAPIDelete(engine)


def _forget_in_child() -> None:
    """A forked worker starts with no engines and a free lock (another thread may have held it)."""
    global _lib_lock, _idle, _every
    _lib_lock, _idle, _every = threading.Lock(), {}, []


os.register_at_fork(after_in_child=_forget_in_child)


@atexit.register
def _end_engines() -> None:
    """Free the idle engines (tesseract reports the ones left as leaks); one a daemon thread may
    still be reading with is left alone, and a lock such a thread holds is not waited on for long."""
    if _lib is None or not _lib_lock.acquire(timeout=1.0):
        return
    try:
        for engines in _idle.values():
            for engine in engines:
                _end(_lib, engine)
                _every.remove(engine)
            engines.clear()
    finally:
        _lib_lock.release()
