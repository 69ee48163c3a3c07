"""Is an identity number well formed? The check digit catches most misreadings and most inventions."""
from __future__ import annotations

import re
from datetime import date

_CN_RESIDENT = re.compile(r"^\d{17}[\dX]$")
_CN_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CN_CHECK = "10X98765432"


def normalise_id(number: str) -> str:
    return re.sub(r"[\s\-]", "", number).upper()


def cn_resident_id_problem(number: str) -> str | None:
    """Why an 18-character PRC resident identity number is not valid, or None when it is.

    GB 11643-1999: six digits of region, eight of birth date, three of sequence and an
    ISO 7064 MOD 11-2 check character.
    """
    n = normalise_id(number)
    if not _CN_RESIDENT.match(n):
        return "must be 17 digits followed by a digit or X"
    try:
        date(int(n[6:10]), int(n[10:12]), int(n[12:14]))
    except ValueError:
        return f"the birth date {n[6:14]} in it is not a calendar date"
    expected = _CN_CHECK[sum(int(d) * w for d, w in zip(n[:17], _CN_WEIGHTS)) % 11]
    if n[17] != expected:
        return f"the check character is {n[17]}, the digits give {expected}"
    return None


def id_number_problem(number: str, rule: str) -> str | None:
    """Why an identity number is not valid under the configured rule, or None.

    ``cn_resident``: every number must be a valid PRC resident number.
    ``cn_resident_where_numeric``: numbers made of digits (a resident number, perhaps
    misread) must be valid; other forms (passport, national insurance) cannot be
    checked by arithmetic and pass on shape alone.
    ``any``: no check.
    """
    n = normalise_id(number)
    if rule == "any":
        return None
    if rule == "cn_resident" or re.fullmatch(r"\d{14,19}X?", n):
        return cn_resident_id_problem(n)
    if not re.fullmatch(r"[A-Z0-9]{5,20}", n):
        return "must be 5 to 20 letters and digits"
    return None


def cn_resident_check_char(first17: str) -> str:
    """The check character for 17 digits (used to build valid test numbers)."""
    return _CN_CHECK[sum(int(d) * w for d, w in zip(first17, _CN_WEIGHTS)) % 11]
