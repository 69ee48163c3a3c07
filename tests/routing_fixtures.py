"""Realistic claims for the routing, queue and desk tests, written straight into the
tables the pipeline fills (claims, policies, documents, pages with a real PNG in a
LocalStore, extracted fields with boxes, checklist items, risk scores).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from pipeline.checklist.ids import cn_resident_check_char
from pipeline.routing.config import RoutingConfig, load_config
from pipeline.schemas import FirstNotice, PolicyRecord
from storage.models import ChecklistItemRow, Claim, Document, ExtractedFieldRow, Page, Policy, RiskScoreRow
from storage.objects import ObjectStore, derived_key, raw_key, sha256_hex

import storage.review_models  # noqa: F401  (the review tables join Base's metadata)

ROOT = Path(__file__).resolve().parents[1]
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
ID_NUMBER = "11010119900307" + "851"
ID_NUMBER += cn_resident_check_char(ID_NUMBER)
ACCOUNT = "6222020200112233445"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def config() -> RoutingConfig:
    return load_config(ROOT / "config")


def form_page(rows: list[tuple[str, str, str | None]], title: str, size=(1240, 1754)) -> tuple[bytes, dict[str, list]]:
    """A white A4 page at 150 dpi with ``label: value`` lines; returns PNG bytes and each
    named value's box as page fractions (x0, y0, x1, y1)."""
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    big, font = ImageFont.truetype(FONT, 52), ImageFont.truetype(FONT, 34)
    draw.text((100, 90), title, fill="black", font=big)
    draw.line([(100, 170), (size[0] - 100, 170)], fill="black", width=3)
    boxes = {}
    for i, (label, value, name) in enumerate(rows):
        y = 230 + i * 80
        draw.text((100, y), f"{label}:", fill="black", font=font)
        draw.text((520, y), value, fill="black", font=font)
        if name:
            x0, y0, x1, y1 = draw.textbbox((520, y), value, font=font)
            boxes[name] = [round(x0 / size[0], 4), round(y0 / size[1], 4), round(x1 / size[0], 4), round(y1 / size[1], 4)]
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue(), boxes


def reason(text: str) -> dict:
    """A checklist reason as the checklist stage stores it (pipeline.checklist.reasons.Reason)."""
    return {"code": "note", "message_en": text, "message_zh": text, "document_id": None}


@dataclass
class Made:
    claim_id: int
    claim_number: str
    page_ids: list[int]


def make_claim(session, store: ObjectStore | None, claim_number: str, *, line: str = "auto",
               amount: str = "3200.00", currency: str = "CNY", language: str = "en", status: str = "accepted",
               risk: int = 12, red_flags: list | None = None, claimant: str = "ZHANG Wei",
               deductible: str = "500", co_payment: str = "10", sum_insured: str = "200000",
               duplicate_of: list[str] | None = None, checklist: list[tuple[str, str, list[str]]] | None = None,
               notice_sent: bool = False, status_reason: str | None = None) -> Made:
    """One claim with a policy, a claim-form document (a real page image in ``store``),
    extracted fields with boxes, checklist items and a risk score.

    ``status``/``status_reason``: the checklist's acceptance outcome and why; ``checklist``:
    (code, status, reasons) rows, a cross-document check when the code starts ``check:``.
    """
    incident = {"auto": "collision", "health": "inpatient", "property": "fire"}[line]
    description = {"auto": "Rear-ended at a junction; rear bumper and boot lid damaged.",
                   "health": "Admitted for three nights with pneumonia.",
                   "property": "Kitchen fire spread to the living room."}[line]
    details = {"auto": {"auto": {"vehicle_make": "Toyota", "vehicle_plate": "京A12345"}},
               "health": {"health": {"hospital": "Peking Union Medical College Hospital"}},
               "property": {"property": {"property_address": "8 Jianguo Road, Beijing"}}}[line]
    policy_number = f"P-{claim_number}"
    fnol = FirstNotice(policy_number=policy_number, line_of_business=line, incident_type=incident,
                       incident_at=NOW - timedelta(days=5), reported_at=NOW - timedelta(days=4),
                       claimant_name=claimant, claimant_id_number=ID_NUMBER, claimed_amount=Decimal(amount),
                       currency=currency, language=language, description=description, **details)
    policy = PolicyRecord(policy_number=policy_number, line_of_business=line, holder_name=claimant,
                          holder_id_number=ID_NUMBER, start_date=date(2026, 1, 1), end_date=date(2026, 12, 31),
                          covered_incidents=[incident], sum_insured=Decimal(sum_insured), premium=Decimal("3000"),
                          deductible=Decimal(deductible), co_payment_pct=Decimal(co_payment))
    session.add(Policy(policy_number=policy_number, line_of_business=line, holder_name=claimant,
                       start_date=policy.start_date, end_date=policy.end_date, record=policy.model_dump(mode="json")))
    claim = Claim(claim_number=claim_number, policy_number=policy_number, line_of_business=line,
                  incident_type=incident, incident_at=fnol.incident_at, reported_at=fnol.reported_at, channel="app",
                  claimant_name=claimant, claimed_amount=Decimal(amount), currency=currency, language=language,
                  fnol=fnol.model_dump(mode="json"), stage="scored", status=status, status_reason=status_reason,
                  notice_at=NOW if notice_sent else None)
    session.add(claim)
    session.flush()
    page_ids = []
    if store is not None:
        png, boxes = form_page([("Name", claimant, "name"), ("ID number", ID_NUMBER, "id_number"),
                                ("Policy number", policy_number, "policy_number"),
                                ("Claimed amount", f"{currency} {Decimal(amount):,.2f}", "claimed_amount"),
                                ("Bank account", ACCOUNT, "account_number")], "CLAIM FORM")
        sha = sha256_hex(png + claim_number.encode())
        store.put(raw_key(sha), png, {"name": "claim_form.png"}, "image/png")
        store.put(derived_key(sha, "page-1.png"), png, {}, "image/png")
        doc = Document(claim_id=claim.id, sha256=sha, object_key=raw_key(sha), original_name="claim_form.png",
                       media_type="image/png", size=len(png), page_count=1, doc_type="claim_form",
                       type_confidence=0.97, low_confidence=False, duplicate_of=duplicate_of)
        session.add(doc)
        session.flush()
        page = Page(document_id=doc.id, page_no=1, source="image", image_key=derived_key(sha, "page-1.png"),
                    clean_image_key=derived_key(sha, "page-1.png"), width=1240, height=1754, lang="eng",
                    rotation=0, mean_confidence=0.93, text="CLAIM FORM")
        session.add(page)
        values = {"name": claimant, "id_number": ID_NUMBER, "policy_number": policy_number,
                  "claimed_amount": f"{Decimal(amount):.2f}", "account_number": ACCOUNT}
        for name, box in boxes.items():
            session.add(ExtractedFieldRow(document_id=doc.id, name=name, value=values[name], raw=values[name],
                                          confidence=0.91, page_no=1, box=box, method="label_right"))
        session.flush()
        page_ids.append(page.id)
    for code, item_status, reasons in checklist or [("claim_form", "satisfied", ["claim form present and signed"]),
                                                   ("id_card", "satisfied", ["ID matches the claimant"])]:
        # named as the checklist stage names them: a check by its kind, an item by its title
        name = code.split(":")[1].replace("_", " ") if code.startswith("check:") else code.replace("_", " ").title()
        session.add(ChecklistItemRow(claim_id=claim.id, code=code, name=name,
                                     status=item_status, reasons=[reason(r) for r in reasons], evidence=[],
                                     checklist_version="test-1"))
    session.add(RiskScoreRow(claim_id=claim.id, model_version="fraud-test-1", probability=risk / 100, score=risk,
                             reasons=[{"text": "claimed amount is typical for this line and incident", "contribution": -0.4},
                                      {"text": "policy is less than three months old", "contribution": 0.3}],
                             red_flags=red_flags or []))
    session.flush()
    return Made(claim.id, claim_number, page_ids)
