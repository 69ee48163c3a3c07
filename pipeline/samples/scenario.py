"""What happened in each sample claim: the story, the documents it produces, and the planted defects.

Planning is pure and cheap (no images): a seed gives a list of ``DossierPlan`` whose
documents carry the data to print and the normalised truth. Rendering comes later and
may run in parallel, because every document has its own seed.
"""
from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from pipeline.samples.identity import (
    BankAccount, Person, make_bank_account, make_person, make_plate, make_vin, other_person)
from pipeline.samples.text import norm_amount, norm_id
from pipeline.schemas import AutoDetails, Contact, FirstNotice, HealthDetails, PolicyRecord, PropertyDetails
from pipeline.vocabulary import DEFECT_KINDS, FIELDS, LINES_OF_BUSINESS

INVOICE_TYPES = ("medical_invoice", "repair_invoice")
COMBOS = [(lob, inc, lang) for lob, incs in LINES_OF_BUSINESS.items() for inc in incs for lang in ("en", "zh")]


@dataclass
class DocPlan:
    doc_type: str
    kind: str  # "text_pdf", "scan_pdf", "scan_jpg" or "photo"
    file_name: str
    data: dict
    seed: int
    rotation: int = 0
    copy_of: "DocPlan | None" = None  # render this plan instead (a reused invoice)
    near: bool = False  # the copy is re-compressed and cropped, not byte-identical
    owner_key: str = ""

    def truth_fields(self) -> dict[str, str]:
        source = self.copy_of.data if self.copy_of else self.data
        return {k: v for k, v in source["fields"].items() if k in FIELDS[self.doc_type]}


@dataclass
class DossierPlan:
    key: str
    lob: str
    incident: str
    lang: str
    fnol: FirstNotice
    policy: PolicyRecord
    docs: list[DocPlan]
    defects: list[dict]
    fraud_label: int
    signals: dict
    context: dict = field(repr=False, default_factory=dict)


# --- catalogues ----------------------------------------------------------------------

VEHICLES = {
    "en": [("Toyota Corolla", "JTD", "Sedan"), ("Ford Focus", "WF0", "Sedan"), ("Volkswagen Golf", "WVW", "Sedan"),
           ("Honda CR-V", "JHL", "Utility"), ("Tesla Model 3", "5YJ", "Sedan"), ("Nissan Qashqai", "SJN", "Utility"),
           ("Mazda MX-5", "JMZ", "Sport"), ("BMW 330i", "WBA", "Sedan")],
    "zh": [("大众朗逸", "LSV", "Sedan"), ("丰田卡罗拉", "LFM", "Sedan"), ("比亚迪秦PLUS", "LGX", "Sedan"),
           ("本田CR-V", "LVH", "Utility"), ("吉利帝豪", "L6T", "Sedan"), ("特斯拉Model 3", "LRW", "Sedan"),
           ("哈弗H6", "LGW", "Utility"), ("宝马3系", "LBV", "Sport")],
}
INSURERS = {
    "en": ["Northgate Insurance plc", "Harbor Mutual Insurance Co.", "Bluestone General Insurance", "Meridian Assurance Ltd"],
    "zh": ["华信财产保险股份有限公司", "众联财产保险股份有限公司", "安泰保险股份有限公司", "鼎和人寿保险股份有限公司"],
}
HOSPITAL_PATTERNS = {
    "en": ["{city} General Hospital", "St Mary's Hospital {city}", "{city} Royal Infirmary", "Riverside Medical Centre, {city}",
           "Mercy Regional Medical Center"],
    "zh": ["{city}第一人民医院", "{city}第三人民医院", "{city}{district}人民医院", "{city}中心医院", "{city}中医医院"],
}
GARAGES = {
    "en": ["Kingsway Motors Body Shop", "Precision Auto Repair", "{city} Collision Center", "Hartley & Sons Coachworks",
           "QuickFix Auto Services"],
    "zh": ["{city}安驰汽车维修服务有限公司", "{city}{district}顺达汽车修理厂", "{city}永信汽车服务有限公司", "{city}车之家汽车维修中心"],
}
CONTRACTORS = {
    "en": ["Apex Building & Restoration Ltd", "Halden Property Repairs", "BrightHome Renovations", "{city} Restoration Services"],
    "zh": ["{city}安居装饰工程有限公司", "{city}{district}恒信建筑修缮有限公司", "{city}美家房屋维修服务有限公司"],
}
DIAGNOSES = {
    ("en", "outpatient"): ["Acute gastroenteritis", "Upper respiratory tract infection", "Sprained left ankle",
                           "Acute bronchitis", "Migraine without aura", "Contusion of right knee"],
    ("en", "inpatient"): ["Acute appendicitis", "Community-acquired pneumonia", "Fracture of distal radius",
                          "Lumbar disc herniation", "Acute cholecystitis", "Kidney stones (ureteric calculus)"],
    ("zh", "outpatient"): ["急性胃肠炎", "上呼吸道感染", "左踝关节扭伤", "急性支气管炎", "偏头痛", "右膝关节挫伤"],
    ("zh", "inpatient"): ["急性阑尾炎", "社区获得性肺炎", "左桡骨远端骨折", "腰椎间盘突出症", "急性胆囊炎", "输尿管结石"],
}
MEDICAL_ITEMS = {
    ("en", "outpatient"): [("Consultation", 60, 180), ("Laboratory tests", 40, 260), ("X-ray / imaging", 90, 420),
                           ("Medication", 15, 120), ("Treatment room", 30, 150), ("Dressings & supplies", 8, 60)],
    ("en", "inpatient"): [("Ward accommodation", 350, 900), ("Nursing care", 120, 400), ("Surgical procedure", 900, 4800),
                          ("Theatre & anaesthesia", 400, 1600), ("Laboratory tests", 60, 380), ("Imaging (CT / X-ray)", 150, 900),
                          ("Medication", 40, 420), ("Consumables", 20, 160)],
    ("zh", "outpatient"): [("诊察费", 10, 50), ("西药费", 20, 400), ("中成药费", 15, 220), ("检查费", 60, 480),
                           ("化验费", 40, 320), ("治疗费", 20, 260)],
    ("zh", "inpatient"): [("床位费", 120, 900), ("护理费", 60, 480), ("手术费", 1500, 9000), ("麻醉费", 300, 1800),
                          ("西药费", 200, 3200), ("检查费", 200, 1600), ("化验费", 150, 1200), ("卫生材料费", 100, 2600)],
}
REPAIR_ITEMS = {
    ("en", "collision"): [("Front bumper cover", 180, 650), ("Headlamp assembly (LH)", 220, 900), ("Bonnet / hood panel", 300, 1100),
                          ("Radiator support", 150, 500), ("Wing / fender (RH)", 160, 520), ("Paint & materials", 200, 800),
                          ("Body labour", 250, 1200), ("Wheel alignment", 60, 140)],
    ("zh", "collision"): [("前保险杠", 600, 2600), ("左前大灯总成", 800, 4200), ("发动机盖", 1200, 4800), ("水箱框架", 500, 2000),
                          ("右前翼子板", 600, 2100), ("喷漆", 800, 3600), ("钣金工时", 600, 3000), ("四轮定位", 150, 400)],
    ("en", "fire"): [("Fire-damaged kitchen units, replace", 1800, 6500), ("Smoke & soot cleaning", 400, 1800),
                     ("Electrical rewiring (kitchen circuit)", 600, 2400), ("Plaster and redecoration", 700, 2600),
                     ("Ceiling replacement", 500, 1900), ("Debris removal", 150, 600)],
    ("zh", "fire"): [("厨房橱柜更换", 6000, 24000), ("墙面烟熏清理及粉刷", 1500, 6800), ("电路改造", 2000, 8000),
                     ("吊顶更换", 1800, 6000), ("门窗更换", 2500, 9000), ("垃圾清运", 400, 1500)],
    ("en", "water_damage"): [("Leak detection and repair", 180, 650), ("Drying equipment hire", 250, 900),
                             ("Replace laminate flooring", 900, 3200), ("Plaster repair", 300, 1200), ("Repaint ceiling and walls", 400, 1500)],
    ("zh", "water_damage"): [("漏水检测及维修", 400, 1600), ("除湿设备租赁", 300, 1200), ("木地板更换", 3000, 12000),
                             ("墙面防水处理", 1200, 4800), ("吊顶修复", 900, 3600)],
}
LETTERS = {
    "en": "I am writing regarding my claim under policy {policy}. Please find enclosed the supporting documents "
          "requested by your office. I confirm that the information provided is true to the best of my knowledge "
          "and I authorise you to obtain further information from the parties named in my claim where necessary. "
          "Please contact me on {phone} if anything else is required.",
    "zh": "本人{name}，保单号{policy}。现就本次事故向贵公司提出理赔申请，随函附上相关证明材料。本人承诺所提供的资料真实有效，"
          "如有虚假愿承担相应法律责任。如需补充材料，请致电{phone}与本人联系。特此说明。",
}


def _amount(rng: random.Random, lo: float, hi: float) -> Decimal:
    return Decimal(str(round(rng.uniform(lo, hi), rng.choice([0, 0, 1, 2])))).quantize(Decimal("0.01"))


def _items(rng: random.Random, catalogue: list[tuple[str, int, int]], k: tuple[int, int], scale: float = 1.0) -> list[dict]:
    chosen = rng.sample(catalogue, min(len(catalogue), rng.randint(*k)))
    out = []
    for name, lo, hi in chosen:
        qty = rng.choice([1, 1, 1, 2, 3]) if scale == 1.0 else 1
        unit = _amount(rng, lo / qty, hi / qty)
        out.append({"name": name, "qty": qty, "unit": unit, "amount": unit * qty})
    return out


def _fields(**values: object) -> dict[str, str]:
    """Normalise values the way pipeline.vocabulary says (dates ISO, amounts 2 places, ids upper case)."""
    out = {}
    for k, v in values.items():
        if v is None:
            continue
        if isinstance(v, datetime):
            out[k] = v.date().isoformat()
        elif isinstance(v, date):
            out[k] = v.isoformat()
        elif isinstance(v, Decimal):
            out[k] = norm_amount(v)
        elif k in ("id_number", "policy_number", "invoice_number", "report_number", "licence_number",
                   "vehicle_plate", "vin", "account_number"):
            out[k] = norm_id(str(v))
        else:
            out[k] = str(v)
    return out


# --- set planning --------------------------------------------------------------------

def _compatible(kind: str, combo: tuple[str, str, str]) -> bool:
    if kind in ("amount_mismatch", "invoice_before_incident", "reused_invoice"):
        return combo[1] != "theft"
    return True


def assign_defects(combos: list[tuple[str, str, str]], rng: random.Random) -> list[list[str]]:
    """About 40% clean; the rest one or two defects, each kind at least once when the set is big enough."""
    n = len(combos)
    order = list(range(n))
    rng.shuffle(order)
    n_clean = round(0.4 * n)
    pending = list(DEFECT_KINDS)
    rng.shuffle(pending)
    out: list[list[str]] = [[] for _ in range(n)]
    for i in order[n_clean:]:
        fitting = [k for k in pending if _compatible(k, combos[i])]
        kind = fitting[0] if fitting else rng.choice([k for k in DEFECT_KINDS if _compatible(k, combos[i])])
        if kind in pending:
            pending.remove(kind)
        out[i].append(kind)
        if rng.random() < 0.35:
            extra = [k for k in DEFECT_KINDS if k != kind and _compatible(k, combos[i]) and k != "reused_invoice"]
            out[i].append(rng.choice(extra))
    return out


def plan_set(count: int, seed: int) -> list[DossierPlan]:
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    rng = random.Random(f"samples-{seed}")
    combos: list[tuple[str, str, str]] = []
    while len(combos) < count:
        block = COMBOS[:]
        rng.shuffle(block)
        combos.extend(block)
    combos = combos[:count]
    defects = assign_defects(combos, rng)
    plans: list[DossierPlan | None] = [None] * count
    for i in range(count):
        if "reused_invoice" not in defects[i]:
            plans[i] = build_dossier(i, combos[i], defects[i], seed)
    used_sources: set[int] = set()
    for i in range(count):
        if plans[i] is not None:
            continue
        candidates = [j for j in range(count) if plans[j] is not None and j not in used_sources
                      and _can_be_source(plans[j])]
        same = [j for j in candidates if combos[j] == combos[i]]
        if not candidates:  # nothing to copy from: plant something else instead
            plans[i] = build_dossier(i, combos[i], [k if k != "reused_invoice" else "missing_document" for k in defects[i]], seed)
            continue
        j = (same or candidates)[0]
        first_copy = not used_sources  # the first copy in a set is always byte-identical
        used_sources.add(j)
        plans[i] = build_dossier(i, combos[j], defects[i], seed, twin=plans[j], exact_copy=first_copy)
        _mark_original(plans[j], plans[i])
    return [p for p in plans if p is not None]


def _can_be_source(plan: DossierPlan) -> bool:
    invoices = [d for d in plan.docs if d.doc_type in INVOICE_TYPES]
    touched = {d["document"] for d in plan.defects if d["kind"] in ("name_mismatch", "invoice_before_incident", "rotated_document")}
    return len(invoices) == 1 and f"documents/{invoices[0].file_name}" not in touched and invoices[0].copy_of is None \
        and not any(d["kind"] == "reused_invoice" for d in plan.defects)


def _mark_original(source: DossierPlan, copy_plan: DossierPlan) -> None:
    """The first claim that used the invoice also carries the finding: the same bytes sit in two claims."""
    copy_doc = next(d for d in copy_plan.docs if d.copy_of is not None)
    original = copy_doc.copy_of
    source.defects.append({"kind": "reused_invoice", "document": f"documents/{original.file_name}",
                           "detail": {"role": "original", "also_in": f"{copy_plan.key}/documents/{copy_doc.file_name}",
                                      "near": copy_doc.near}})


# --- one dossier ---------------------------------------------------------------------

def build_dossier(index: int, combo: tuple[str, str, str], defects: list[str], seed: int,
                  twin: DossierPlan | None = None, exact_copy: bool = False) -> DossierPlan:
    lob, incident, lang = combo
    rng = random.Random(f"dossier-{seed}-{index}")
    key = f"S{index + 1:04d}-{lob}-{incident.replace('_', '-')}-{lang}"
    ctx = copy.deepcopy(twin.context) if twin else _story(rng, lob, incident, lang)
    if twin:  # same person and event, claimed again under a second policy a little later
        ctx["reported_at"] = ctx["incident_at"] + timedelta(days=rng.randint(8, 40), hours=rng.randint(0, 9))
        ctx["channel"] = rng.choice(["app", "web", "hotline"])
    signals = _policy_story(rng, ctx)
    policy = _policy(rng, ctx, lob, incident, index, seed)
    docs = _documents(rng, ctx, lob, incident, lang, policy.policy_number, twin, exact_copy)
    for d in docs:
        d.owner_key = key
    claimed = sum((Decimal(d.truth_fields()["total_amount"]) for d in docs if d.doc_type in INVOICE_TYPES), Decimal("0"))
    if not any(d.doc_type in INVOICE_TYPES for d in docs):
        claimed = sum((Decimal(d.data["fields"]["total_amount"]) for d in docs if d.doc_type == "repair_estimate"), Decimal("0"))
    if claimed == 0:
        claimed = ctx["claim_value"]
    planted = _plant(rng, ctx, docs, defects, claimed)
    if "amount_mismatch" in defects:
        claimed = next(p["detail"]["claimed_amount"] for p in planted if p["kind"] == "amount_mismatch")
        claimed = Decimal(claimed)
    for d in docs:
        if d.doc_type == "claim_form":
            d.data["claimed_amount"] = claimed
            d.data["fields"] = _fields(name=d.data["person"].name, policy_number=policy.policy_number,
                                       id_number=d.data["person"].id_number, incident_date=ctx["incident_at"],
                                       claimed_amount=claimed, currency=ctx["currency"])
    fnol = _fnol(ctx, lob, incident, lang, policy.policy_number, claimed)
    score = 0.04 + sum({"reused_invoice": 0.5, "invoice_before_incident": 0.45, "amount_mismatch": 0.35,
                        "name_mismatch": 0.3, "missing_document": 0.05}.get(p["kind"], 0.0) for p in planted)
    score += 0.3 * signals["recent_policy"] + 0.2 * signals["late_report"] + 0.3 * (not signals["incident_in_period"])
    fraud = int(rng.random() < min(score, 0.95))
    return DossierPlan(key, lob, incident, lang, fnol, policy, docs, planted, fraud, signals, ctx)


def _story(rng: random.Random, lob: str, incident: str, lang: str) -> dict:
    region = "cn" if lang == "zh" else rng.choice(["uk", "us"])
    currency = {"cn": "CNY", "uk": "GBP", "us": "USD"}[region]
    incident_day = date(2023, 6, 1) + timedelta(days=rng.randint(0, 700))
    incident_at = datetime.combine(incident_day, time(rng.randint(6, 22), rng.choice([0, 5, 10, 15, 20, 30, 40, 45, 50])))
    person = make_person(rng, region, incident_day)
    ctx: dict = {"region": region, "currency": currency, "lang": lang, "person": person, "incident_at": incident_at,
                 "reported_at": incident_at + timedelta(days=rng.choice([0, 0, 1, 1, 2, 3, 5, 7]), hours=rng.randint(1, 12)),
                 "channel": rng.choice(["app", "app", "web", "hotline", "branch", "partner"]),
                 "insurer": rng.choice(INSURERS[lang]), "bank": make_bank_account(rng, person)}
    city, district = person.city, person.district
    if lob == "auto":
        make, wmi, category = rng.choice(VEHICLES[lang])
        ctx["vehicle"] = {"make": make, "category": category, "plate": make_plate(rng, person), "vin": make_vin(rng, wmi),
                          "age": rng.randint(0, 12), "price": Decimal(rng.randrange(8000, 60000, 500)) * (7 if region == "cn" else 1),
                          "registered": incident_day - timedelta(days=rng.randint(200, 4000))}
        ctx["place"] = (f"{city}{district}{rng.choice(['建国路与青年路交叉口', '中山路', '环城高速出口', '人民广场停车场'])}"
                        if lang == "zh" else f"{rng.choice(['Junction of Station Road and Mill Lane', 'A64 near exit 3', 'Tesco car park', 'Main Street'])}, {city}")
        ctx["third_party"] = incident == "collision" and rng.random() < 0.6
        ctx["injured"] = ctx["third_party"] and rng.random() < 0.3
        ctx["police_filed"] = incident == "theft" or ctx["injured"] or rng.random() < 0.4
        ctx["claim_value"] = ctx["vehicle"]["price"] * Decimal("0.8") if incident == "theft" else Decimal("0")
        if incident == "collision":
            ctx["repair_items"] = _items(rng, REPAIR_ITEMS[(lang, "collision")], (3, 6))
            ctx["issuer_repair"] = rng.choice(GARAGES[lang]).format(city=city, district=district)
            ctx["repair_docs"] = rng.choice([("repair_invoice",), ("repair_estimate",), ("repair_estimate", "repair_invoice")])
        ctx["description"] = _auto_description(rng, lang, incident, ctx)
    elif lob == "health":
        ctx["hospital"] = rng.choice(HOSPITAL_PATTERNS[lang]).format(city=city, district=district)
        ctx["department"] = rng.choice(["内科", "外科", "骨科", "急诊科", "消化内科"] if lang == "zh" else
                                       ["General Medicine", "Surgery", "Orthopaedics", "Emergency", "Gastroenterology"])
        ctx["doctor"] = make_person(rng, region, incident_day).name
        ctx["diagnosis"] = rng.choice(DIAGNOSES[(lang, incident)])
        ctx["admission"] = incident_day
        ctx["discharge"] = incident_day + timedelta(days=rng.randint(2, 12)) if incident == "inpatient" else None
        visits = 2 if incident == "outpatient" and rng.random() < 0.25 else 1
        ctx["bills"] = []
        for v in range(visits):
            bill_day = (ctx["discharge"] if incident == "inpatient" else incident_day + timedelta(days=0 if v == 0 else rng.randint(3, 14)))
            ctx["bills"].append({"date": bill_day, "items": _items(rng, MEDICAL_ITEMS[(lang, incident)], (3, 6))})
        ctx["claim_value"] = Decimal("0")
        ctx["description"] = (f"因{ctx['diagnosis']}于{ctx['hospital']}就诊" + ("住院治疗。" if incident == "inpatient" else "。")
                              if lang == "zh" else f"Treated at {ctx['hospital']} for {ctx['diagnosis'].lower()}"
                              + (" (admitted)." if incident == "inpatient" else "."))
    else:
        ctx["property_type"] = rng.choice(["apartment", "apartment", "house", "shop"])
        ctx["property_address"] = person.address
        ctx["repair_items"] = _items(rng, REPAIR_ITEMS[(lang, incident)], (3, 5))
        ctx["issuer_repair"] = rng.choice(CONTRACTORS[lang]).format(city=city, district=district)
        ctx["repair_docs"] = (rng.choice([("repair_invoice",), ("repair_estimate",), ("repair_estimate", "repair_invoice")])
                              if incident == "fire" else ("repair_invoice",))
        cause = {("en", "fire"): rng.choice(["Kitchen fire (unattended pan)", "Electrical fault in extension lead", "Tumble dryer fire"]),
                 ("zh", "fire"): rng.choice(["厨房油锅起火", "电动车充电起火", "电线短路引发火灾"]),
                 ("en", "water_damage"): rng.choice(["Burst pipe under kitchen sink", "Leak from upstairs flat", "Failed washing machine hose"]),
                 ("zh", "water_damage"): rng.choice(["厨房水管爆裂", "楼上住户漏水", "洗衣机进水管脱落"])}[(lang, incident)]
        ctx["cause"] = cause
        ctx["claim_value"] = Decimal("0")
        ctx["description"] = (f"{cause}，造成房屋及室内财产损失。" if lang == "zh" else f"{cause}; damage to the property and contents.")
    return ctx


def _auto_description(rng: random.Random, lang: str, incident: str, ctx: dict) -> str:
    if incident == "theft":
        return ("车辆停放于小区地面停车位，次日早晨发现车辆被盗，已向公安机关报案。" if lang == "zh"
                else "Vehicle was parked outside my home overnight and was missing in the morning. Reported to police.")
    if ctx["third_party"]:
        return ("在路口等红灯时被后方车辆追尾，车辆后部及前部受损。" if lang == "zh"
                else "Stopped at traffic lights when another vehicle collided with the rear of my car, pushing it forward.")
    return ("倒车时不慎撞到停车场立柱，车辆前部受损。" if lang == "zh"
            else "Lost control on a wet road and struck a kerb and lamp post; front of the vehicle damaged.")


def _policy_story(rng: random.Random, ctx: dict) -> dict:
    """Most claims are ordinary; a few start days after the policy did, arrive late, or fall outside cover."""
    roll = rng.random()
    incident_day = ctx["incident_at"].date()
    ctx["report_deadline"] = rng.choice([10, 14, 30, 30])
    if roll < 0.08:
        start = incident_day - timedelta(days=rng.randint(2, 25))
    elif roll < 0.13:  # expired before the incident
        start = incident_day - timedelta(days=365 + rng.randint(5, 60))
    else:
        start = incident_day - timedelta(days=rng.randint(40, 340))
    if 0.13 <= roll < 0.22:
        ctx["reported_at"] = ctx["incident_at"] + timedelta(days=ctx["report_deadline"] + rng.randint(5, 60), hours=3)
    ctx["policy_start"], ctx["policy_end"] = start, start + timedelta(days=364)
    delay = (ctx["reported_at"].date() - incident_day).days
    return {"policy_age_days": (incident_day - start).days, "report_delay_days": delay,
            "recent_policy": (incident_day - start).days < 30,
            "late_report": delay > ctx["report_deadline"],
            "incident_in_period": start <= incident_day <= ctx["policy_end"]}


def _policy(rng: random.Random, ctx: dict, lob: str, incident: str, index: int, seed: int) -> PolicyRecord:
    start = ctx["policy_start"]
    if ctx["lang"] == "zh":
        prefix = {"auto": "PDAA", "health": "PJKA", "property": "PQCA"}[lob]
        number = f"{prefix}{start.year}{ctx['person'].id_number[:6]}{seed % 1000:03d}{index:05d}"
    else:
        prefix = {"auto": "MTR", "health": "HLT", "property": "HOM"}[lob]
        number = f"{prefix}-{start.year}-{seed % 1000:03d}{index:05d}-{rng.choice('ABCDEFGHJK')}{rng.choice('LMNPRSTUVW')}"
    ctx["policy_number"] = number
    scale = 7 if ctx["currency"] == "CNY" else 1
    sum_insured = {"auto": ctx.get("vehicle", {}).get("price", Decimal("20000")), "health": Decimal(50000 * scale),
                   "property": Decimal(rng.choice([150000, 250000, 400000]) * scale)}[lob]
    return PolicyRecord(
        policy_number=number, line_of_business=lob, holder_name=ctx["person"].name, holder_id_number=ctx["person"].id_number,
        start_date=start, end_date=ctx["policy_end"], covered_incidents=list(LINES_OF_BUSINESS[lob]),
        sum_insured=sum_insured, premium=Decimal(rng.randrange(300, 2400, 10) * scale),
        deductible=Decimal(rng.choice([0, 100, 250, 500]) * scale),
        co_payment_pct=Decimal(rng.choice([0, 10, 20])) if lob == "health" else Decimal("0"),
        report_deadline_days=ctx["report_deadline"], prior_claims=rng.choice([0, 0, 0, 1, 2]),
        base_policy=rng.choice(["Collision", "All Perils"]) if lob == "auto" else None)


def _fnol(ctx: dict, lob: str, incident: str, lang: str, policy_number: str, claimed: Decimal) -> FirstNotice:
    p: Person = ctx["person"]
    incident_day = ctx["incident_at"].date()
    age = incident_day.year - p.birth.year - ((incident_day.month, incident_day.day) < (p.birth.month, p.birth.day))
    rng = random.Random(f"fnol-{policy_number}")
    blocks: dict = {}
    if lob == "auto":
        v = ctx["vehicle"]
        blocks["auto"] = AutoDetails(
            vehicle_make=v["make"], vehicle_plate=norm_id(v["plate"]), vehicle_category=v["category"], vehicle_price=v["price"],
            vehicle_age_years=v["age"], accident_area=rng.choice(["Urban", "Urban", "Rural"]),
            fault="Third Party" if ctx["third_party"] else "Policy Holder", police_report_filed=ctx["police_filed"],
            witness_present=rng.random() < 0.2, third_party_involved=ctx["third_party"], third_party_injured=ctx["injured"],
            driver_rating=rng.randint(1, 4), number_of_supplements=rng.choice([0, 0, 1, 2]),
            address_change_months=rng.choice([None, 6, 24, 60]), number_of_cars=rng.choice([1, 1, 2]),
            agent_type=rng.choice(["External", "Internal"]), rep_number=rng.randint(1, 16))
    elif lob == "health":
        blocks["health"] = HealthDetails(hospital=ctx["hospital"], diagnosis=ctx["diagnosis"],
                                         admission_date=ctx["admission"], discharge_date=ctx["discharge"])
    else:
        blocks["property"] = PropertyDetails(property_address=ctx["property_address"], property_type=ctx["property_type"],
                                             cause=ctx["cause"])
    return FirstNotice(
        policy_number=policy_number, line_of_business=lob, incident_type=incident, incident_at=ctx["incident_at"],
        reported_at=ctx["reported_at"], channel=ctx["channel"], claimant_name=p.name, claimant_id_number=p.id_number,
        claimant_sex=p.sex, claimant_age=age, claimant_marital_status=rng.choice(["Single", "Married", "Married", "Divorced"]),
        contact=Contact(phone=p.phone, email=p.email, address=p.address), claimed_amount=claimed,
        currency=ctx["currency"], description=ctx["description"], language=lang, **blocks)


# --- documents ------------------------------------------------------------------------

FILE_NAMES = {
    "en": {"claim_form": ["claim_form.pdf", "Claim Form - {surname}.pdf", "{surname}_claim_form_signed.pdf"],
           "id_card": ["id_card.jpg", "ID front.jpg"], "driving_licence": ["driving_licence.jpg", "licence.jpg"],
           "vehicle_registration": ["V5C.jpg", "registration.pdf", "vehicle_registration.pdf"],
           "police_report": ["police_report.pdf", "crime_reference.pdf"], "fire_report": ["fire_report.pdf", "fire brigade report.pdf"],
           "medical_invoice": ["invoice_{n4}.pdf", "hospital_invoice.pdf", "receipt_{n4}.jpg"],
           "itemised_bill": ["itemised_bill.pdf", "statement_of_charges.pdf"],
           "discharge_summary": ["discharge summary.pdf", "discharge_letter.pdf"],
           "diagnosis_certificate": ["medical_certificate.pdf", "doctors_note.pdf"],
           "repair_estimate": ["estimate_{n4}.pdf", "repair quote.pdf"], "repair_invoice": ["invoice_{n4}.pdf", "repair_invoice.pdf"],
           "bank_details": ["bank_details.pdf", "bank letter.pdf"], "damage_photo": ["damage_{n}.jpg"],
           "other": ["cover_letter.pdf", "letter.pdf"]},
    "zh": {"claim_form": ["理赔申请书.pdf", "索赔申请书_{surname}.pdf"], "id_card": ["身份证.jpg", "身份证正面.jpg"],
           "driving_licence": ["驾驶证.jpg"], "vehicle_registration": ["行驶证.jpg", "行驶证.pdf"],
           "police_report": ["事故认定书.pdf", "报案回执.pdf"], "fire_report": ["火灾事故认定书.pdf"],
           "medical_invoice": ["扫描件_发票.pdf", "医疗发票{n}.pdf", "发票.jpg"], "itemised_bill": ["费用清单.pdf", "住院费用明细.pdf"],
           "discharge_summary": ["出院小结.pdf", "出院记录.pdf"], "diagnosis_certificate": ["诊断证明.pdf", "诊断书.jpg"],
           "repair_estimate": ["维修估价单.pdf", "定损单.pdf"], "repair_invoice": ["维修发票.pdf", "扫描件_发票.pdf"],
           "bank_details": ["银行卡信息.pdf", "银行卡.jpg"], "damage_photo": ["现场照片{n}.jpg"], "other": ["情况说明.pdf"]},
}


def _file_name(rng: random.Random, lang: str, doc_type: str, kind: str, ctx: dict, taken: set[str]) -> str:
    stamp_day = ctx["reported_at"] + timedelta(minutes=rng.randint(0, 60 * 24 * 5))
    generic = {"photo": [f"IMG_{rng.randint(1000, 9999)}.jpg", f"IMG_{stamp_day:%Y%m%d_%H%M%S}.jpg",
                         f"微信图片_{stamp_day:%Y%m%d%H%M%S}.jpg" if lang == "zh" else f"PXL_{stamp_day:%Y%m%d_%H%M%S}.jpg"],
               "scan_pdf": [f"Scan_{stamp_day:%Y%m%d_%H%M%S}.pdf", f"doc{rng.randint(100, 99999)}.pdf",
                            f"扫描全能王 {stamp_day:%Y-%m-%d %H.%M}.pdf" if lang == "zh" else f"CamScanner {stamp_day:%m-%d-%Y %H.%M}.pdf"],
               "scan_jpg": [f"IMG_{rng.randint(1000, 9999)}.jpg", f"scan_{stamp_day:%Y%m%d}_{rng.randint(1, 99):02d}.jpg"]}
    names = FILE_NAMES[lang][doc_type]
    if doc_type not in ("claim_form", "damage_photo") and kind in generic and rng.random() < 0.45:
        name = rng.choice(generic[kind])
    else:
        name = rng.choice(names).format(surname=ctx["person"].name.split()[-1] if lang == "en" else ctx["person"].name,
                                        n4=f"{rng.randint(1, 9999):04d}", n=len(taken) + 1)
    ext = ".jpg" if kind in ("photo", "scan_jpg") else ".pdf"
    name = name.rsplit(".", 1)[0] + ext
    base, n = name.rsplit(".", 1)[0], 2
    while name in taken:
        name = f"{base} ({n}){ext}" if lang == "en" else f"{base}({n}){ext}"
        n += 1
    taken.add(name)
    return name


def _required_types(ctx: dict, lob: str, incident: str) -> list[str]:
    if lob == "auto":
        if incident == "theft":
            return ["claim_form", "id_card", "vehicle_registration", "police_report", "bank_details"]
        types = ["claim_form", "id_card", "driving_licence", "vehicle_registration", *ctx["repair_docs"], "damage_photo", "bank_details"]
        return types + (["police_report"] if ctx["police_filed"] else [])
    if lob == "health":
        types = ["claim_form", "id_card", "medical_invoice", "itemised_bill", "diagnosis_certificate", "bank_details"]
        return types + (["discharge_summary"] if incident == "inpatient" else [])
    if incident == "fire":
        return ["claim_form", "id_card", "fire_report", *ctx["repair_docs"], "damage_photo", "bank_details"]
    return ["claim_form", "id_card", *ctx["repair_docs"], "damage_photo", "bank_details"]


def _kind(rng: random.Random, doc_type: str, lang: str) -> str:
    if doc_type == "claim_form":
        return "text_pdf"
    if doc_type in ("id_card", "driving_licence", "damage_photo"):
        return "photo"
    if doc_type == "vehicle_registration":
        return rng.choice(["photo", "photo", "scan_jpg", "scan_pdf"])
    if doc_type == "bank_details" and lang == "zh" and rng.random() < 0.35:
        return "photo"  # a photo of the bank card
    return "scan_pdf" if rng.random() < 0.72 else "scan_jpg"


def _documents(rng: random.Random, ctx: dict, lob: str, incident: str, lang: str, policy_number: str,
               twin: DossierPlan | None, exact_copy: bool = False) -> list[DocPlan]:
    p: Person = ctx["person"]
    taken: set[str] = set()
    docs: list[DocPlan] = []
    report_no = rng.randint(100000, 999999)
    incident_day = ctx["incident_at"].date()

    def add(doc_type: str, data: dict, kind: str | None = None) -> DocPlan:
        kind = kind or _kind(rng, doc_type, lang)
        data.setdefault("person", p)
        data.update(ctx=ctx, lang=lang, region=ctx["region"], currency=ctx["currency"])
        doc = DocPlan(doc_type, kind, _file_name(rng, lang, doc_type, kind, ctx, taken), data, rng.getrandbits(48))
        docs.append(doc)
        return doc

    for doc_type in _required_types(ctx, lob, incident):
        if doc_type == "claim_form":
            add(doc_type, {"policy_number": policy_number, "fields": {}})
        elif doc_type == "id_card":
            add(doc_type, {"fields": _fields(name=_card_name(p), id_number=p.id_number, date_of_birth=p.birth)})
        elif doc_type == "driving_licence":
            number = p.id_number if lang == "zh" else _uk_licence(rng, p)
            add(doc_type, {"licence_number": number, "issued": incident_day - timedelta(days=rng.randint(400, 5000)),
                           "fields": _fields(name=_card_name(p), licence_number=number, date_of_birth=p.birth)})
        elif doc_type == "vehicle_registration":
            v = ctx["vehicle"]
            add(doc_type, {"vehicle": v, "fields": _fields(name=p.name, vehicle_plate=v["plate"], vin=v["vin"])})
        elif doc_type == "police_report":
            issue = incident_day + timedelta(days=rng.randint(0, 8))
            number = (f"{p.id_number[:6]}{incident_day.year}{report_no:06d}" if lang == "zh"
                      else f"{rng.choice(['CR', 'PR', 'INC'])}-{incident_day.year}-{report_no:06d}")
            issuer = (f"{p.city}公安局交通警察支队{p.district}大队" if incident == "collision" else f"{p.city}公安局{p.district}分局")
            issuer = issuer if lang == "zh" else f"{p.city} {'Police' if p.region == 'uk' else 'Police Department'}"
            add(doc_type, {"report_number": number, "issue_date": issue, "issuer": issuer, "incident": incident,
                           "fields": _fields(report_number=number, name=p.name, incident_date=ctx["incident_at"], issue_date=issue,
                                             issuer=issuer, vehicle_plate=ctx["vehicle"]["plate"])})
        elif doc_type == "fire_report":
            issue = incident_day + timedelta(days=rng.randint(2, 15))
            number = f"{p.city[:1]}消火认字〔{incident_day.year}〕第{report_no % 10000:04d}号" if lang == "zh" else f"FIR-{incident_day.year}-{report_no:06d}"
            issuer = f"{p.city}消防救援支队{p.district}大队" if lang == "zh" else f"{p.city} Fire and Rescue Service"
            add(doc_type, {"report_number": number, "issue_date": issue, "issuer": issuer,
                           "fields": _fields(report_number=number, name=p.name, incident_date=ctx["incident_at"],
                                             issue_date=issue, issuer=issuer)})
        elif doc_type == "medical_invoice":
            if twin:
                source = next(d for d in twin.docs if d.doc_type == "medical_invoice")
                _add_copy(rng, docs, source, lang, ctx, taken, exact_copy)
                continue
            for k, bill in enumerate(ctx["bills"]):
                total = sum((i["amount"] for i in bill["items"]), Decimal("0"))
                number = f"{rng.randint(10000000, 99999999)}" if lang == "zh" else f"{rng.choice(['INV', 'HB', 'M'])}{rng.randint(100000, 999999)}"
                add(doc_type, {"invoice_number": number, "invoice_code": f"{rng.randint(10**11, 10**12 - 1)}",
                               "issue_date": bill["date"], "issuer": ctx["hospital"], "items": bill["items"], "total": total,
                               "fields": _fields(invoice_number=number, name=p.name, issuer=ctx["hospital"], issue_date=bill["date"],
                                                 total_amount=total, currency=ctx["currency"])})
        elif doc_type == "itemised_bill":
            items = [i for bill in ctx["bills"] for i in bill["items"]]
            total = sum((i["amount"] for i in items), Decimal("0"))
            day = ctx["bills"][-1]["date"]
            add(doc_type, {"items": items, "issue_date": day, "issuer": ctx["hospital"], "total": total,
                           "fields": _fields(name=p.name, issuer=ctx["hospital"], issue_date=day, total_amount=total,
                                             currency=ctx["currency"])})
        elif doc_type == "discharge_summary":
            add(doc_type, {"issuer": ctx["hospital"], "fields": _fields(
                name=p.name, issuer=ctx["hospital"], admission_date=ctx["admission"], discharge_date=ctx["discharge"],
                diagnosis=ctx["diagnosis"])})
        elif doc_type == "diagnosis_certificate":
            day = ctx["discharge"] or ctx["admission"]
            add(doc_type, {"issuer": ctx["hospital"], "issue_date": day,
                           "fields": _fields(name=p.name, issuer=ctx["hospital"], issue_date=day, diagnosis=ctx["diagnosis"])})
        elif doc_type in ("repair_estimate", "repair_invoice"):
            if doc_type == "repair_invoice" and twin:
                source = next(d for d in twin.docs if d.doc_type == "repair_invoice")
                _add_copy(rng, docs, source, lang, ctx, taken, exact_copy)
                continue
            _add_repair(rng, add, doc_type, ctx, lob)
        elif doc_type == "bank_details":
            acct: BankAccount = ctx["bank"]
            doc = add(doc_type, {"account": acct, "fields": {}})
            card = doc.kind == "photo"
            doc.data["fields"] = _fields(name=None if card else p.name, account_number=acct.account_number, bank_name=acct.bank_name)
        elif doc_type == "damage_photo":
            for _ in range(rng.randint(1, 3)):
                add(doc_type, {"scene": incident if lob != "auto" else "car", "fields": {}})
    if rng.random() < 0.2:
        add("other", {"text": LETTERS[lang].format(name=p.name, policy=policy_number, phone=p.phone),
                      "issue_date": ctx["reported_at"].date(), "fields": {}}, kind=rng.choice(["scan_pdf", "scan_jpg"]))
    return docs


def _card_name(p: Person) -> str:
    return p.name if p.region == "cn" else p.name.upper()


def _uk_licence(rng: random.Random, p: Person) -> str:
    surname = "".join(ch for ch in p.name.split()[-1].upper() if ch.isalpha())[:5].ljust(5, "9")
    month = p.birth.month + (50 if p.sex == "Female" else 0)
    return f"{surname}{str(p.birth.year)[2]}{month:02d}{p.birth.day:02d}{str(p.birth.year)[3]}{p.name[0]}9{rng.choice('ABCDEFGHJK')}{rng.randint(10, 99)}"


def _add_repair(rng: random.Random, add, doc_type: str, ctx: dict, lob: str) -> None:
    p: Person = ctx["person"]
    items = ctx["repair_items"]
    lang = ctx["lang"]
    if doc_type == "repair_estimate" and "repair_invoice" in ctx["repair_docs"] and rng.random() < 0.4:
        items = [dict(i, unit=(i["unit"] * Decimal(str(round(rng.uniform(0.9, 1.1), 2)))).quantize(Decimal("0.01"))) for i in items]
        items = [dict(i, amount=i["unit"] * i["qty"]) for i in items]
    subtotal = sum((i["amount"] for i in items), Decimal("0"))
    tax_rate = Decimal("0.20") if ctx["region"] == "uk" else Decimal("0.13") if lang == "zh" else Decimal("0")
    tax = (subtotal * tax_rate).quantize(Decimal("0.01"))
    total = subtotal + tax
    incident_day = ctx["incident_at"].date()
    if doc_type == "repair_estimate":
        day = incident_day + timedelta(days=rng.randint(1, 4))
    else:
        day = incident_day + timedelta(days=rng.randint(6, 25))
    plate = ctx["vehicle"]["plate"] if lob == "auto" else None
    number = (f"{rng.randint(10**19, 10**20 - 1)}" if lang == "zh" else f"INV-{rng.randint(1000, 99999):05d}") if doc_type == "repair_invoice" \
        else (f"GS{rng.randint(100000, 999999)}" if lang == "zh" else f"EST-{rng.randint(1000, 9999)}")
    values = dict(name=p.name, issuer=ctx["issuer_repair"], vehicle_plate=plate, issue_date=day, total_amount=total, currency=ctx["currency"])
    if doc_type == "repair_invoice":
        values["invoice_number"] = number
    add(doc_type, {"number": number, "issue_date": day, "issuer": ctx["issuer_repair"], "items": items, "subtotal": subtotal,
                   "tax": tax, "tax_rate": tax_rate, "total": total, "plate": plate, "vehicle": ctx.get("vehicle"),
                   "address": ctx.get("property_address"), "fields": _fields(**values)})


def _add_copy(rng: random.Random, docs: list[DocPlan], source: DocPlan, lang: str, ctx: dict, taken: set[str],
              exact: bool) -> None:
    near = not exact and rng.random() < 0.5
    kind = "scan_jpg" if near else source.kind
    name = source.file_name if (not near and rng.random() < 0.4 and source.file_name not in taken) else \
        _file_name(rng, lang, source.doc_type, kind, ctx, taken)
    taken.add(name)
    docs.append(DocPlan(source.doc_type, kind, name, source.data, rng.getrandbits(48), copy_of=source, near=near))


# --- planted defects -------------------------------------------------------------------

def _plant(rng: random.Random, ctx: dict, docs: list[DocPlan], kinds: list[str], claimed: Decimal) -> list[dict]:
    planted: list[dict] = []
    touched: set[str] = set()
    copy_doc = next((d for d in docs if d.copy_of is not None), None)
    if copy_doc is not None:
        touched.add(copy_doc.file_name)
        planted.append({"kind": "reused_invoice", "document": f"documents/{copy_doc.file_name}",
                        "detail": {"role": "copy", "same_as": f"{copy_doc.copy_of.owner_key}/documents/{copy_doc.copy_of.file_name}",
                                   "near": copy_doc.near}})
    incident_day = ctx["incident_at"].date()
    for kind in kinds:
        if kind == "reused_invoice":
            continue
        if kind == "amount_mismatch":
            factor = Decimal(str(round(rng.choice([rng.uniform(1.12, 1.8), rng.uniform(0.55, 0.88)]), 3)))
            inflated = (claimed * factor).quantize(Decimal("1") if rng.random() < 0.5 else Decimal("0.01"))
            planted.append({"kind": kind, "document": None,
                            "detail": {"claimed_amount": norm_amount(inflated), "invoice_total": norm_amount(claimed)}})
        elif kind == "invoice_before_incident":
            invoices = [d for d in docs if d.doc_type in INVOICE_TYPES and d.file_name not in touched]
            if not invoices:
                continue
            doc = rng.choice(invoices)
            day = incident_day - timedelta(days=rng.randint(3, 60))
            doc.data = dict(doc.data, issue_date=day, fields=dict(doc.data["fields"], issue_date=day.isoformat()))
            touched.add(doc.file_name)
            planted.append({"kind": kind, "document": f"documents/{doc.file_name}",
                            "detail": {"issue_date": day.isoformat(), "incident_date": incident_day.isoformat()}})
        elif kind == "name_mismatch":
            choices = [d for d in docs if "name" in d.data["fields"] and d.doc_type != "claim_form" and d.file_name not in touched]
            if not choices:
                continue
            doc = rng.choice(choices)
            other = other_person(rng, ctx["person"], incident_day)
            doc.data = dict(doc.data, person=other)
            printed = _card_name(other) if doc.doc_type in ("id_card", "driving_licence") else other.name
            new_fields = dict(doc.data["fields"], name=printed)
            if "id_number" in new_fields:
                new_fields["id_number"] = other.id_number
                new_fields["date_of_birth"] = other.birth.isoformat()
            if doc.doc_type == "driving_licence":
                number = other.id_number if ctx["lang"] == "zh" else _uk_licence(rng, other)
                doc.data["licence_number"] = number
                new_fields.update(licence_number=norm_id(number), date_of_birth=other.birth.isoformat())
            if doc.doc_type == "bank_details":
                acct = make_bank_account(rng, other)
                doc.data["account"] = acct
                new_fields.update(account_number=acct.account_number, bank_name=acct.bank_name)
            doc.data["fields"] = new_fields
            touched.add(doc.file_name)
            planted.append({"kind": kind, "document": f"documents/{doc.file_name}",
                            "detail": {"expected": ctx["person"].name, "printed": printed}})
        elif kind == "rotated_document":
            choices = [d for d in docs if d.kind in ("scan_pdf", "scan_jpg") and d.file_name not in touched]
            if not choices:
                continue
            doc = rng.choice(choices)
            doc.rotation = rng.choice([90, 180, 180, 270])
            touched.add(doc.file_name)
            planted.append({"kind": kind, "document": f"documents/{doc.file_name}", "detail": {"degrees": doc.rotation}})
        elif kind == "missing_document":
            invoice_defect = any(k in kinds for k in ("amount_mismatch", "invoice_before_incident", "reused_invoice"))
            choices = sorted({d.doc_type for d in docs if d.doc_type not in ("claim_form", "other")
                              and d.file_name not in touched and not (invoice_defect and d.doc_type in INVOICE_TYPES)
                              and d.doc_type != "repair_estimate"})
            if not choices:
                continue
            gone = rng.choice(choices)
            docs[:] = [d for d in docs if d.doc_type != gone]
            planted.append({"kind": kind, "document": None, "detail": {"doc_type": gone}})
    return planted
