"""How dates and amounts are printed, and how the truth file normalises them.

Real uploads print the same date five different ways; the reader must cope, so the
generator varies the printed form while the truth keeps the one normal form from
``pipeline.vocabulary``.
"""
from __future__ import annotations

import random
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CURRENCY_SYMBOL = {"CNY": "¥", "USD": "$", "GBP": "£", "EUR": "€"}


def norm_amount(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def norm_id(value: str) -> str:
    return value.upper().replace(" ", "").replace("·", "")


def date_styles(lang: str, region: str) -> list[str]:
    if lang == "zh":
        return ["zh_full", "zh_full", "zh_padded", "iso", "dotted"]
    numeric = "dmy_slash" if region == "uk" else "mdy_slash"
    return [numeric, numeric, "d_month_y", "mon_d_y", "iso", "d_mon_y"]


def format_date(d: date, style: str) -> str:
    if style == "zh_full":
        return f"{d.year}年{d.month}月{d.day}日"
    if style == "zh_padded":
        return f"{d.year}年{d.month:02d}月{d.day:02d}日"
    if style == "iso":
        return d.isoformat()
    if style == "dotted":
        return f"{d.year}.{d.month:02d}.{d.day:02d}"
    if style == "dmy_slash":
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    if style == "mdy_slash":
        return f"{d.month:02d}/{d.day:02d}/{d.year}"
    if style == "d_month_y":
        return f"{d.day} {d:%B} {d.year}"
    if style == "mon_d_y":
        return f"{d:%b} {d.day}, {d.year}"
    if style == "d_mon_y":
        return f"{d.day:02d}-{d:%b}-{d.year}"
    raise ValueError(f"unknown date style {style!r}")


def pick_date_style(rng: random.Random, lang: str, region: str) -> str:
    return rng.choice(date_styles(lang, region))


def format_money(amount: Decimal, currency: str, style: int) -> str:
    """Style 0: symbol + separators, 1: code + separators, 2: bare figure with separators, 3: bare, no separators."""
    figure = f"{amount:,.2f}"
    if style == 0:
        return f"{CURRENCY_SYMBOL.get(currency, currency + ' ')}{figure}"
    if style == 1:
        return f"{currency} {figure}"
    if style == 2:
        return figure
    return f"{amount:.2f}"


_CN_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_CN_SMALL_UNITS = ["", "拾", "佰", "仟"]
_CN_BIG_UNITS = ["", "万", "亿"]


def _cn_group(n: int) -> str:
    """Four digits in capital numerals, with 零 only between non-zero digits."""
    out, zero = "", False
    for pos in range(3, -1, -1):
        d = n // 10 ** pos % 10
        if d == 0:
            zero = bool(out)
        else:
            if zero:
                out += "零"
                zero = False
            out += _CN_DIGITS[d] + _CN_SMALL_UNITS[pos]
    return out


def cn_capital_amount(amount: Decimal) -> str:
    """壹仟贰佰元整-style amount in words, as printed on Chinese invoices (大写)."""
    if amount < 0 or amount >= Decimal("1000000000000"):
        raise ValueError(f"amount {amount} is out of range for capital numerals")
    cents = int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    parts, need_zero = [], False
    groups = [(yuan // 10000 ** i) % 10000 for i in range(3)]
    for i in range(2, -1, -1):
        g = groups[i]
        if g == 0:
            need_zero = bool(parts)
            continue
        if parts and (need_zero or g < 1000):
            parts.append("零")
        parts.append(_cn_group(g) + _CN_BIG_UNITS[i])
        need_zero = False
    text = "".join(parts)
    if yuan:
        text += "元"
    if jiao == 0 and fen == 0:
        return (text or "零元") + "整"
    if jiao:
        text += _CN_DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen:
        text += _CN_DIGITS[fen] + "分"
    else:
        text += "整"
    return text
