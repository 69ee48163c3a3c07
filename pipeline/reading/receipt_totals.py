"""The bill a receipt's other figures agree on, where the total read cannot be right.

A till prints the bill more than once: rounded to the cash step, as cash less change,
as a tax summary's net plus tax. These figures mend a total OCR misread or lost.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal
from functools import lru_cache
from typing import Any

from pipeline.reading.labels import has_word
from pipeline.reading.layout import Row, holds
from pipeline.reading.normalize import (
    find_amounts,
    format_amount,
)
from pipeline.reading.values import UNREAD_WORD, Candidate, has_cents, inside_date


def cash_rounded(total: Candidate, rows: list[Row], rule: dict[str, Any]) -> Candidate:
    """The rounded figure a customer paid, where the receipt prints a rounding line.

    In order: the nearest multiple of the step printed under the total; the total with the
    rounding line's adjustment (its sign is often lost: the side that lands on a multiple);
    a payment close to the total that is a multiple (the total itself was misread). A
    receipt without a rounding line, or whose total is already a multiple, keeps its total.
    """
    step, within = Decimal(rule["step"]), Decimal(rule["within"])
    value = Decimal(total.value)
    if value % step == 0:
        return total
    page = [r for r in rows if r.page_no == total.row.page_no]
    rounding = [r for r in page if holds(r, rule["lines"]) and r is not total.row]
    if not rounding:
        return total
    below = [r for r in page if total.row.index < r.index <= total.row.index + rule["rows_below"]]
    nearest = (value / step).quantize(Decimal(1), rounding="ROUND_HALF_UP") * step

    def printed(r: Row) -> list[tuple[int, int, Decimal]]:
        return [(s, e, abs(v)) for s, e, v in find_amounts(r.text) if not inside_date(r.text, s, e)]

    def moved(r: Row, s: int, e: int, v: Decimal, bonus: float) -> Candidate:
        return replace(total, value=format_amount(v), raw=r.text[s:e], row=r, start=s, end=e, bonus=total.bonus * bonus)

    for r in below:
        for s, e, v in printed(r):
            if v == nearest:
                return moved(r, s, e, v, 1.0)
    for r in rounding:
        for s, e, adj in printed(r):
            if 0 < adj < step:
                for v in (value + adj, value - adj):
                    if v % step == 0:
                        return replace(total, value=format_amount(v), raw=f"{total.raw} ± {r.text[s:e]}",
                                       bonus=total.bonus * 0.9)
    for r in below:
        for s, e, v in printed(r):
            if v % step == 0 and 0 < abs(v - value) <= within:
                return moved(r, s, e, v, 0.8)
    return total


def paid_less_change(total: Candidate, rows: list[Row], rule: dict[str, Any]) -> Candidate:
    """What was paid less the change given back, where the total read cannot be right.

    "CASH 101.00 / CHANGE 0.10" says the bill was 100.90: two labelled figures on their own
    lines. That replaces a total larger than the cash handed over (misread: "400,96") and
    one not read beside its label with cents (a guess from the line below or the largest
    amount on the page); a total within the rounding step of it stands. Without change
    (exact money, a card) it says nothing.
    """
    paid, change = _amount_after(rows, rule["paid"]), _amount_after(rows, rule["change"])
    if not paid or not change or not 0 < change[1] < paid[1]:
        return total
    owed = paid[1] - change[1]
    value = Decimal(total.value)
    beside_label = total.method == "label_right" and has_cents(total.raw)
    if abs(value - owed) <= Decimal(rule["within"]) or (beside_label and value <= paid[1]):
        return total
    row = change[0]
    return replace(total, value=format_amount(owed), raw=f"{paid[0].text} − {row.text}", row=row, start=0,
                   end=len(row.text), method="position", bonus=0.9)


def _amount_after(rows: list[Row], words: list[str], cjk: bool = False) -> tuple[Row, Decimal] | None:
    """The last figure on the first line that begins with one of ``words`` ("CASH 101.00"); ``cjk``: a
    Chinese word may run on into OCR's noise ("合计让 19682.28")."""
    starts = _line_start_re(tuple(words), cjk)
    return _last_figure(next((r for r in rows if starts.match(r.text)), None))


@lru_cache(maxsize=64)
def _line_start_re(words: tuple[str, ...], cjk: bool) -> re.Pattern[str]:
    end = r"(?:\b|(?<=[\u3400-\u9fff]))" if cjk else r"\b"
    return re.compile(r"\W*(?:" + "|".join(map(re.escape, words)) + ")" + end, re.I)


def _amount_on(rows: list[Row], words: list[str]) -> tuple[Row, Decimal] | None:
    """The last figure on the first line that holds one of ``words`` and a figure ("税率 13% ，税额 758.49")."""
    for r in rows:
        if holds(r, words) and (found := _last_figure(r)):
            return found
    return None


def _last_figure(row: Row | None) -> tuple[Row, Decimal] | None:
    if row is None or not (found := _figures(row)):
        return None
    return row, found[-1][1]


def _figures(row: Row) -> list[tuple[int, Decimal, float]]:
    """(start, value, OCR confidence) of each figure on the line printed with cents, as tills print
    them ("50 200" is no sum). A word OCR did not read at all is no part of one: "西药费 90 100.35",
    its 90 a guess at a smudge, is no 90,100.35."""
    text = row.text
    for w, (s, e) in zip(row.words, row.spans):
        if w.confidence < UNREAD_WORD:
            text = text[:s] + " " * (e - s) + text[e:]
    return [(s, v, row.confidence_of(s, e)) for s, e, v in find_amounts(text)
            if not inside_date(text, s, e) and has_cents(text[s:e])]


def vouched_by_figures(total: Candidate, rows: list[Row], cfg: dict[str, Any]) -> Candidate:
    """The bill the rest of the receipt agrees on, where the total read is one OCR slip from it.

    A till prints the bill more than once: again as the card charge or a summary's total,
    as a tax summary's net plus its tax ("SR 6.00 16.98 1.02"), as cash less change; an
    invoice as its net line plus its tax line (合计 + 税额); and the items add up to it
    (``_items_sum``, a witness to a slip only). When these agree on a figure
    one misread digit from the total read (18.00 read 48.00), or that the total read lost
    its first digits of (42.40 read 2.40), and outweigh the total, the figure they agree
    on is the bill. Each sum counts one; each copy counts its OCR confidence, times
    ``copy_weight``: a summary prints the net before tax more than once, and a net one
    digit from the total is no misreading of it. A tax line's figure is the tax, never a
    copy of the bill (42.40 read 2.40 beside "Total GST Amt : 2.40"). The total counts its
    own reading's confidence, and its copies and sums count for it too. A total read without cents or
    hardly read at all gives way to a sum of labelled figures whatever it reads.
    """
    rule = cfg["vouched_by_figures"]
    page = [r for r in rows if r.page_no == total.row.page_no]
    weight: defaultdict[Decimal, float] = defaultdict(float)
    for r in page:
        figures = _figures(r)
        taxed = holds(r, rule["tax_lines"])  # "Total GST Amt : 2.40" is no copy of the bill
        for s, v, conf in figures:
            if not (r is total.row and s == total.start) and not taxed:
                weight[v] += conf * float(rule["copy_weight"])
        for (_, a, _), (_, b, _) in zip(figures, figures[1:]):  # a net and its tax, side by side
            if 0 < b <= a * Decimal(rule["tax_share"]):
                weight[a + b] += 1.0
    cash = cfg["paid_less_change"]
    paid, change = _amount_after(page, cash["paid"]), _amount_after(page, cash["change"])
    net, tax = _amount_after(page, rule["net_lines"], cjk=True), _amount_on(page, rule["tax_lines"])
    labelled = []  # sums of labelled figures: cash less change, net + tax (合计 5834.52 / 税额 758.49)
    if paid and change and 0 < change[1] < paid[1]:
        labelled.append(paid[1] - change[1])
    if net and tax and 0 < tax[1] <= net[1] * Decimal(rule["tax_share"]):
        labelled.append(net[1] + tax[1])
    for v in labelled:
        weight[v] += 1.0
    items = _items_sum(page, total.row, rule)
    if items:  # a witness to a slip only: the items may stop short of the bill (tax, fees), as no labelled sum does
        weight[items] += 1.0
    read = Decimal(total.value)
    own = weight.get(read, 0.0) + total.row.confidence_of(total.start, total.end)
    # a figure within the rounding step is the bill before or after cash rounding, not a misreading
    step = Decimal(cfg["cash_rounding"]["step"])
    # a total read without its cents, or hardly read at all ("(小写) 90"), may be any labelled sum
    guessed = not has_cents(total.raw) or own < float(rule["guessed_below"])
    slips = [v for v in weight if abs(v - read) >= step
             and (_one_slip(format_amount(read), format_amount(v)) or (guessed and v in labelled))]
    if not slips:
        return total
    best = max(slips, key=lambda v: weight[v])
    if weight[best] <= own + float(rule["margin"]):
        return total
    return replace(total, value=format_amount(best), raw=f"{total.raw} (agreed: {format_amount(best)})",
                   bonus=total.bonus * 0.9)


def _items_sum(page: list[Row], total_row: Row, rule: dict[str, Any]) -> Decimal | None:
    """The line items' amounts added up: the last figure of each line from the table's head
    (a line with two of ``item_heads``: 项目 数量 单价 金额) down to the first sub-total,
    tax, discount or total line."""
    heads = [i for i, r in enumerate(page) if r.index < total_row.index
             and sum(has_word(r.text.lower(), [w]) for w in rule["item_heads"]) >= 2]
    if not heads:
        return None
    stops = rule["net_lines"] + rule["tax_lines"] + rule["item_stops"]
    figures = []
    for r in page[heads[-1] + 1:]:
        if r.index >= total_row.index or holds(r, stops):
            break
        if found := _figures(r):
            figures.append(found[-1][1])
    return sum(figures, Decimal(0)) if len(figures) >= 2 else None


def _one_slip(read: str, figure: str) -> bool:
    """``read`` is ``figure`` with one digit misread, or with its first one or two digits lost."""
    if len(read) == len(figure):
        return sum(a != b for a, b in zip(read, figure)) == 1
    return 0 < len(figure) - len(read) <= 2 and figure.endswith(read)
