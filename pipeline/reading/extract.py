"""Finding a document's key fields on its pages: labels first, patterns second, position last.

A claims document prints most values next to a label ("Policy No: P-123", "合计 ¥1,200").
So the reader works in three passes, from the most to the least trustworthy:

1. **Label**: find the printed labels of config/fields/labels.yaml with a spaCy Matcher
   (case-insensitive; longer English words tolerate one OCR slip), and read the value to
   the label's right on the same line, else on the line below.
2. **Pattern**: values that identify themselves (a resident ID with a valid check
   character, a VIN, a Chinese plate, a Luhn-valid card number, a date) found anywhere.
3. **Position**: the issuer is the letterhead at the top of the first page; a receipt's
   total is the largest amount in its lower part.

Each field's confidence is the pass's trust times the OCR confidence of the value's words,
so a value read off a clean text layer by its label scores near 1, and a guess scores
low. The box is the union of the value's words on the page.

This module runs the passes field by field and keeps the best candidate. The parts live
beside it: ``layout`` (a page's words as lines), ``labels`` (finding the labels),
``values`` (reading a value beside a label), ``fallbacks`` (patterns, shapes, position)
and ``receipt_totals`` (a receipt's other figures mending its total).
"""
from __future__ import annotations

from datetime import date

from pipeline.reading.diagnoses import known_diagnosis
from pipeline.reading.fallbacks import (
    NAME_BY_SHAPE,
    bank_by_card_number,
    birth_date_on_a_card,
    card_number_by_shape,
    check_birth_date,
    clean_issuer,
    date_by_position,
    issuer_candidates,
    known_bank,
    largest_amount,
    latin_name_by_shape,
    letterhead_bank,
    mend_account_number,
    mend_iban,
    name_by_shape,
    pattern_candidates,
    tidy_names,
)
from pipeline.reading.labels import (
    LabelHit,
    field_specs,
    find_labels,
    load_label_config,
)
from pipeline.reading.layout import Row, page_rows
from pipeline.reading.normalize import (
    CN_ID_SHAPE,
    ClaimHints,
    account_check,
    currency_from_place,
    infer_date_order,
    licence_check,
    valid_cn_id,
    vin_check,
)
from pipeline.reading.person_names import known_name
from pipeline.reading.receipt_totals import (
    cash_rounded,
    paid_less_change,
    vouched_by_figures,
)
from pipeline.reading.types import ExtractedField, PageText
from pipeline.reading.values import (
    ID_DIGIT_SLIPS,
    Candidate,
    Context,
    candidates_from_label,
    check_bonus,
    has_cents,
)
from pipeline.vocabulary import DOC_TYPES, FIELDS

SURE_NAME_WORD = 0.93  # OCR confidence from which a word of a name is taken as read, listed or not


def _first_row_matching(rows: list[Row], phrases: list[str]) -> int:
    """Index of the first row containing one of ``phrases`` (case-insensitive); past the end if none."""
    for r in rows:
        low = r.text.lower()
        if any(p in low for p in phrases):
            return r.index
    return len(rows) + 10**6


def extract_fields(doc_type: str, pages: list[PageText], lang_hint: str | None = None,
                   claim: ClaimHints | None = None) -> list[ExtractedField]:
    """The key fields of ``doc_type`` (pipeline.vocabulary.FIELDS) found on ``pages``.

    At most one reading per field: the most trusted candidate. A field that is not
    found is left out rather than guessed. ``lang_hint`` ("en"/"zh") is only used to
    pick a currency when the page prints an amount without a currency mark.
    ``claim`` (``normalize.claim_hints``) is what the claim's documents settle together:
    its date order reads 01/04/2024 on a document whose own dates and place say nothing
    (otherwise day first), and its currency is taken when the document shows none.
    """
    if doc_type not in DOC_TYPES:
        raise ValueError(f"unknown document type {doc_type!r}; expected one of {', '.join(DOC_TYPES)}")
    wanted = FIELDS[doc_type]
    if not wanted:
        return []
    cfg = load_label_config()
    specs = field_specs()
    rows: list[Row] = []
    labels: list[LabelHit] = []
    for page in pages:
        page_r = page_rows(page)
        offset = len(rows)
        for r in page_r:
            r.index += offset
        rows.extend(page_r)
        labels.extend(find_labels(page_r))

    claim = claim or ClaimHints()
    text = "\n".join(r.text for r in rows)
    ctx = Context(date_order=infer_date_order(text, default=claim.date_order or "DMY"))
    found: list[ExtractedField] = []
    for name in wanted:
        spec = specs[name]
        field_cfg = cfg["fields"][name]
        section_start = _first_row_matching(rows, field_cfg.get("sections_after", []))
        cands: list[Candidate] = []
        for hit in labels:
            if hit.field == name:
                for c in candidates_from_label(hit, spec.kind, rows, labels, ctx):
                    if c.row.index > section_start:
                        c.priority -= 2
                    if spec.kind == "amount" and not has_cents(c.raw):
                        c.priority -= 1  # a whole number beside TOTAL is more often a count
                    cands.append(c)
        if field_cfg.get("past_only"):
            cands = _not_ahead(cands)
        if name == "id_number":
            for c in cands:
                mended = c.value.translate(ID_DIGIT_SLIPS)  # "J10105199304133683": a one read as a letter
                if not valid_cn_id(c.value) and len(mended) == 18 and valid_cn_id(mended):
                    c.value = mended
                c.bonus = 1.3 if valid_cn_id(c.value) else (0.6 if CN_ID_SHAPE.fullmatch(c.value) else 1.0)
        if name == "vin":
            for c in cands:  # "1VHZ..." for LVHZ...: a slip the check character catches, shown as unsure
                c.bonus = check_bonus(vin_check(c.value))
        if name == "licence_number":
            for c in cands:  # its holder's surname and birth date, or its ID check character
                c.bonus = check_bonus(licence_check(c.value, text.replace(c.raw, " "), ctx.date_order))
        if name == "account_number":
            for c in cands:
                c.value = c.value.replace("-", "")
                mended = mend_account_number(c) or mend_iban(c, cfg["fields"]["account_number"]["digit_slips"])
                c.bonus = check_bonus(account_check(c.value)) * (0.75 if mended else 1.0)
        if name == "bank_name":
            banks = [b for bs in cfg.get("known_banks", {}).values() for b in bs]
            for c in cands:  # 开户行 names the branch: 中国工商银行上海分行 -> 中国工商银行
                known = known_bank(c.value, banks)
                if known:
                    if not c.value.casefold().startswith(known.casefold()):
                        c.bonus = min(c.bonus, 0.85)  # corrected: a person sees it was read otherwise
                    c.value = known
                elif "银行" in c.value:
                    c.value = c.value[: c.value.index("银行") + 2]
            if not cands:
                cands = letterhead_bank(rows, banks) or bank_by_card_number(rows, cfg.get("card_bins", {}))
        if name == "diagnosis":
            for c in cands:  # "Comminnty-acquired pneumonia" is the listed name OCR slipped on
                known = known_diagnosis(c.value)
                if known and known != c.value:
                    c.value, c.bonus = known, min(c.bonus, 0.85)
        if name == "date_of_birth":
            cands = check_birth_date(cands, rows)
        if not cands:
            cands = pattern_candidates(name, rows)
        if not cands and name == "issuer":
            cands = issuer_candidates(rows, cfg, labels)
        if spec.kind == "amount":  # "TOTAL 0.00" is a misread figure (or a void), never what is owed
            cands = [c for c in cands if c.value != "0.00"]
        if name == "total_amount" and not any(has_cents(c.raw) and c.row.index <= section_start for c in cands):
            # a bare "2" or "7" beside 合计 is an OCR'd fragment more often than a total, and a tax
            # summary's "Total" column totals one tax code, not the bill
            extra = largest_amount(rows, field_cfg.get("fallback_skip", []))
            for c in cands:
                c.priority = min(c.priority, -1)
            cands += extra
        if not cands and name == "name" and doc_type in NAME_BY_SHAPE:
            cands = name_by_shape(rows) or latin_name_by_shape(rows, field_cfg.get("card_title_words", []))
        if not cands and doc_type in NAME_BY_SHAPE and "card_pattern" in field_cfg:
            cands = card_number_by_shape(name, rows, field_cfg["card_pattern"])
        if not cands and name == "date_of_birth" and doc_type in NAME_BY_SHAPE:
            cands = birth_date_on_a_card(rows, ctx)
        if not cands and name == "issue_date":
            # a date another label claims (a birth, an admission) is not the document's own
            dated = {h.row.index for h in labels if h.field != name and specs[h.field].kind == "date"}
            undated = [r for r in rows if r.index not in dated]
            if doc_type in field_cfg.get("dated_at_the_end", []):  # on the last page, by the signature
                cands = date_by_position(name, [r for r in undated if r.page_no == rows[-1].page_no], ctx, last=True)
            else:
                cands = date_by_position(name, undated, ctx, till=doc_type in field_cfg.get("sale_stamped", []))
        if not cands and name == "currency" and rows:  # no mark printed: where the document is from
            code = (currency_from_place(text) or claim.currency
                    or {"zh": "CNY"}.get(lang_hint or ""))
            if code:
                cands = [Candidate(name, code, "", rows[0], 0, 0, "position", 0, bonus=0.8)]
        if name == "name":
            cands = tidy_names(cands, [w.lower() for ws in field_cfg.get("not_values", {}).values() for w in ws])
            for c in cands:
                _mend_person_name(c)
        if name == "issuer":
            for c in cands:
                c.value = clean_issuer(c.value, cfg)
            cands = [c for c in cands if len(c.value) >= 2]
        if field_cfg.get("past_only"):
            cands = _not_ahead(cands)
        if not cands:
            continue
        later_is_better = name == "total_amount"  # a receipt's last total is what was paid
        best = max(
            cands,
            key=lambda c: (c.priority, round(c.confidence, 1), c.row.index if later_is_better else -c.row.index),
        )
        if name == "total_amount" and "cash_rounding" in field_cfg:
            best = cash_rounded(best, rows, field_cfg["cash_rounding"])
        if name == "total_amount" and "paid_less_change" in field_cfg:
            best = paid_less_change(best, rows, field_cfg["paid_less_change"])
        if name == "total_amount" and "vouched_by_figures" in field_cfg:
            best = vouched_by_figures(best, rows, field_cfg)
        found.append(best.to_field())
    return found


def _mend_person_name(cand: Candidate) -> None:
    """"Heriry Johnsori" is Henry Johnson: a first name or surname OCR was not sure of, one slip from a
    common one (see person_names), is given that name."""
    parts = cand.value.split(" ")
    if len(parts) < 2:
        return
    read = [cand.row.words[i] for i in cand.row.words_in(cand.start, cand.end)]
    mended = list(parts)
    for at, part in ((0, "given"), (len(parts) - 1, "surnames")):
        word = next((w for w in read if parts[at] in w.text), None)
        if word is not None and word.confidence < SURE_NAME_WORD:
            mended[at] = known_name(parts[at], part) or parts[at]  # type: ignore[arg-type]
    if mended != parts:
        cand.value, cand.bonus = " ".join(mended), min(cand.bonus, 0.85)


def _not_ahead(cands: list[Candidate]) -> list[Candidate]:
    """The dates not after today: a receipt dated 2035 was dated 2025 and misread (an expiry may lie ahead, these may not)."""
    today = date.today().isoformat()
    return [c for c in cands if c.value <= today]
