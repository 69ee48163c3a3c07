"""Drawing each kind of document: scanned pages, ID cards, bank cards and the claim form's text layer.

A renderer takes a ``DocPlan`` (what to print) and returns the file's bytes and its page
count. Layout choices come from the plan's own seed, so the same plan always gives the
same bytes (which is what makes a reused invoice byte-identical in two claims).
"""
from __future__ import annotations

import io
import random
from datetime import date, datetime
from decimal import Decimal

import numpy as np
from fpdf import FPDF
from PIL import Image, ImageDraw

from pipeline.samples import photos
from pipeline.samples.noise import NoiseSettings, background, jpeg_bytes, phone_photo, scan
from pipeline.samples.page import DEJAVU, NOTO, WQY, Page, font, random_style, stamp, wrap
from pipeline.samples.scenario import DocPlan
from pipeline.samples.text import cn_capital_amount, format_date, format_money, pick_date_style

L = {
    "en": {"name": "Name", "patient": "Patient", "customer": "Customer", "date": "Date", "invoice_no": "Invoice No.",
           "total": "Total", "qty": "Qty", "unit": "Unit price", "amount": "Amount", "desc": "Description",
           "subtotal": "Subtotal", "dob": "Date of birth", "id_no": "ID No.", "sex": "Sex", "address": "Address"},
    "zh": {"name": "姓名", "patient": "患者姓名", "customer": "客户名称", "date": "日期", "invoice_no": "发票号码",
           "total": "金额合计", "qty": "数量", "unit": "单价", "amount": "金额", "desc": "项目名称",
           "subtotal": "小计", "dob": "出生日期", "id_no": "身份证号", "sex": "性别", "address": "住址"},
}
SEX_ZH = {"Male": "男", "Female": "女"}


class Fmt:
    """One document's printing habits: its date style and money style."""

    def __init__(self, rng: random.Random, data: dict) -> None:
        self.lang, self.currency = data["lang"], data["currency"]
        self.date_style = pick_date_style(rng, data["lang"], data["region"])
        self.money_style = rng.choice([0, 0, 1, 2]) if data["lang"] == "en" else rng.choice([0, 2, 3])

    def d(self, value: date | datetime) -> str:
        return format_date(value.date() if isinstance(value, datetime) else value, self.date_style)

    def m(self, value: Decimal, bare: bool = False) -> str:
        return format_money(value, self.currency, 2 if bare else self.money_style)

    def dt(self, value: datetime) -> str:
        return f"{self.d(value)} {value:%H:%M}"


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


# --- scanned A4 pages ---------------------------------------------------------------------

def _letterhead(page: Page, org: str, data: dict, rng: random.Random, kind: str = "org") -> None:
    ctx, lang = data["ctx"], data["lang"]
    person = ctx["person"]
    if lang == "zh":
        lines = [f"地址：{person.city}{person.district}{rng.choice(['健康路', '工业大道', '解放路', '光明街'])}{rng.randint(1, 400)}号",
                 f"电话：0{rng.randint(10, 99)}-{rng.randint(10000000, 99999999)}"]
        logo = org[len(person.city):len(person.city) + 1] if org.startswith(person.city) else org[:1]
    else:
        lines = [f"{rng.randint(1, 300)} {rng.choice(['High Street', 'Hospital Road', 'Commerce Way', 'Market Place'])}, {person.city}",
                 f"Tel {rng.randint(100, 999)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"]
        logo = "".join(w[0] for w in org.replace("&", "").split()[:2]).upper()
    page.add_letterhead(org, lines, logo, rng)


def _stamp_issuer(page: Page, org: str, rng: random.Random, lang: str, middle: str) -> None:
    x = page.right - page.mm(rng.uniform(35, 55))
    y = min(page.y + page.mm(rng.uniform(8, 16)), page.height - page.mm(30))
    if lang == "zh":
        stamp(page, (x, y), org, middle, rng)
    else:
        stamp(page, (x, y), org.upper()[:22], middle, rng, round_=rng.random() < 0.4,
              color=rng.choice([(200, 30, 35), (30, 50, 160), (40, 110, 60)]))


def _items_table(page: Page, items: list[dict], f: Fmt, lang: str, footer_total: Decimal | None, rng: random.Random,
                 numbered: bool = False) -> None:
    lab = L[lang]
    headers = ([("No." if lang == "en" else "序号")] if numbered else []) + [lab["desc"], lab["qty"], lab["unit"], lab["amount"]]
    rows = []
    for k, it in enumerate(items, 1):
        rows.append(([str(k)] if numbered else []) + [it["name"], str(it["qty"]), f.m(it["unit"], bare=True), f.m(it["amount"], bare=True)])
    widths = ([0.07] if numbered else []) + [0.5, 0.1, 0.17, 0.18]
    align = (["l"] if numbered else []) + ["l", "r", "r", "r"]
    footer = None
    if footer_total is not None:
        footer = ([""] if numbered else []) + [lab["total"], "", "", f.m(footer_total)]
    page.add_table(headers, rows, widths, align, footer)


def page_medical_invoice(data: dict, rng: random.Random, page: Page, f: Fmt) -> None:
    lang, p = data["lang"], data["person"]
    ctx = data["ctx"]
    if lang == "zh":
        inpatient = ctx.get("discharge") is not None
        province = ctx["person"].address[:3]
        page.add_title(f"{province}医疗{'住院' if inpatient else '门诊'}收费票据", rng.choice(["（电子）", "", "（电子票据）"]))
        page.add_fields([("票据代码", data["invoice_code"]), (rng.choice(["发票号码", "票据号码"]), data["invoice_number"]),
                         ("交款人" if rng.random() < 0.5 else "姓名", p.name), ("开票日期", f.d(data["issue_date"])),
                         ("医疗机构类型", rng.choice(["综合医院", "中医医院", "专科医院"])), ("性别", SEX_ZH[p.sex])], columns=2)
        _items_table(page, data["items"], f, lang, None, rng)
        total = data["total"]
        big = cn_capital_amount(total)
        page.add_fields([("金额合计（大写）", big), ("（小写）", f"¥{total:,.2f}" if rng.random() < 0.6 else f"{total:.2f}")], columns=2)
        page.add_fields([("收款单位（章）", data["issuer"]), ("收款人", rng.choice(["收费员01", "王丽", "李娟", "自助机"]))], columns=2)
        _stamp_issuer(page, data["issuer"], rng, lang, "财务专用章")
    else:
        _letterhead(page, data["issuer"], data, rng)
        page.add_title(rng.choice(["INVOICE", "Patient Invoice", "Tax Invoice / Receipt"]))
        page.add_fields([(L[lang]["invoice_no"], data["invoice_number"]), ("Invoice date", f.d(data["issue_date"])),
                         ("Patient", p.name), ("Date of birth", f.d(p.birth)),
                         ("Hospital no.", f"H{rng.randint(100000, 999999)}"), ("Department", ctx.get("department", ""))], columns=2)
        _items_table(page, data["items"], f, lang, data["total"], rng)
        page.add_fields([("Total due", f.m(data["total"])), ("Status", rng.choice(["PAID", "Paid by card", "Paid in full"]))], columns=2)
        page.add_paragraph("Thank you for choosing our hospital. Please keep this invoice for your insurance claim. "
                           "Queries: accounts department, quoting the invoice number.", pt=page.style.body_pt * 0.9)
        _stamp_issuer(page, data["issuer"], rng, lang, "PAID")


def page_itemised_bill(data: dict, rng: random.Random, page: Page, f: Fmt) -> None:
    lang, p, ctx = data["lang"], data["person"], data["ctx"]
    inpatient = ctx.get("discharge") is not None
    _letterhead(page, data["issuer"], data, rng)
    if lang == "zh":
        page.add_title("住院费用清单" if inpatient else "门诊费用明细清单")
        pairs = [("姓名", p.name), ("科室", ctx["department"]), ("打印日期", f.d(data["issue_date"])),
                 ("病案号", str(rng.randint(100000, 999999)))]
        if inpatient:
            pairs += [("入院日期", f.d(ctx["admission"])), ("出院日期", f.d(ctx["discharge"]))]
    else:
        page.add_title("Itemised Statement of Charges" if inpatient else "Itemised Bill")
        pairs = [("Patient", p.name), ("Department", ctx["department"]), ("Statement date", f.d(data["issue_date"])),
                 ("Account no.", f"A{rng.randint(1000000, 9999999)}")]
        if inpatient:
            pairs += [("Admitted", f.d(ctx["admission"])), ("Discharged", f.d(ctx["discharge"]))]
    page.add_fields(pairs, columns=2)
    _items_table(page, data["items"], f, lang, data["total"], rng, numbered=True)
    if lang == "zh":
        page.add_paragraph(f"合计金额：{f.m(data['total'])}    大写：{cn_capital_amount(data['total'])}", cjk=True)
        _stamp_issuer(page, data["issuer"], rng, lang, "收费专用章")
    else:
        page.add_paragraph(f"Total charges: {f.m(data['total'])}. This statement lists the services billed for the period shown.")


def page_discharge_summary(data: dict, rng: random.Random, page: Page, f: Fmt) -> None:
    lang, p, ctx = data["lang"], data["person"], data["ctx"]
    _letterhead(page, data["issuer"], data, rng)
    days = (ctx["discharge"] - ctx["admission"]).days
    doctor = ctx["doctor"]
    if lang == "zh":
        page.add_title(rng.choice(["出院小结", "出院记录"]))
        page.add_fields([("姓名", p.name), ("性别", SEX_ZH[p.sex]), ("年龄", f"{_age(p.birth, ctx['admission'])}岁"),
                         ("科室", ctx["department"]), ("入院日期", f.d(ctx["admission"])), ("出院日期", f.d(ctx["discharge"])),
                         ("住院天数", f"{days}天"), ("住院号", str(rng.randint(100000, 999999)))], columns=2)
        page.add_fields([("出院诊断", ctx["diagnosis"])], columns=1)
        page.add_section("诊疗经过")
        page.add_paragraph(f"患者因{ctx['diagnosis']}入院，入院后完善相关检查，予以对症治疗，病情好转，准予出院。", cjk=True)
        page.add_section("出院医嘱")
        page.add_paragraph(f"1. 注意休息，避免劳累。2. 按时服药，{rng.choice(['一周', '两周', '一个月'])}后门诊复查。3. 如有不适，及时就诊。", cjk=True)
        page.add_signature("主治医师：", doctor, f.d(ctx["discharge"]), rng)
        _stamp_issuer(page, data["issuer"], rng, lang, "医务处")
    else:
        page.add_title("Discharge Summary")
        page.add_fields([("Patient", p.name), ("Date of birth", f.d(p.birth)), ("Admission date", f.d(ctx["admission"])),
                         ("Discharge date", f.d(ctx["discharge"])), ("Ward / specialty", ctx["department"]),
                         ("Length of stay", f"{days} days")], columns=2)
        page.add_fields([("Principal diagnosis", ctx["diagnosis"])], columns=1)
        page.add_section("Clinical course")
        page.add_paragraph(f"The patient was admitted with {ctx['diagnosis'].lower()}. Investigations were completed and "
                           "appropriate treatment given. The patient made a satisfactory recovery and was discharged home.")
        page.add_section("Follow-up")
        page.add_paragraph(f"Review in outpatient clinic in {rng.choice(['one week', 'two weeks', 'six weeks'])}. "
                           "Return to the emergency department if symptoms recur.")
        page.add_signature("Discharging clinician:", f"Dr {doctor}", f.d(ctx["discharge"]), rng)


def page_diagnosis_certificate(data: dict, rng: random.Random, page: Page, f: Fmt) -> None:
    lang, p, ctx = data["lang"], data["person"], data["ctx"]
    _letterhead(page, data["issuer"], data, rng)
    rest = rng.choice([3, 5, 7, 14])
    if lang == "zh":
        page.add_title("诊断证明书")
        page.add_fields([("姓名", p.name), ("性别", SEX_ZH[p.sex]), ("年龄", f"{_age(p.birth, data['issue_date'])}岁"),
                         ("科别", ctx["department"]), ("就诊日期", f.d(ctx["admission"])), ("门诊号", str(rng.randint(1000000, 9999999)))], columns=2)
        page.add_fields([("诊断", ctx["diagnosis"])], columns=1)
        page.add_paragraph(f"建议：休息{rest}天，定期复查。", cjk=True)
        page.add_signature("医师签名：", ctx["doctor"], f.d(data["issue_date"]), rng)
        _stamp_issuer(page, data["issuer"], rng, lang, "诊断证明专用章")
    else:
        page.add_title(rng.choice(["Medical Certificate", "Certificate of Diagnosis"]))
        page.add_fields([("Patient", p.name), ("Date of birth", f.d(p.birth)), ("Seen on", f.d(ctx["admission"])),
                         ("Date issued", f.d(data["issue_date"]))], columns=2)
        page.add_fields([("Diagnosis", ctx["diagnosis"])], columns=1)
        page.add_paragraph(f"I certify that I examined the above patient, who is unfit for work for {rest} days from the date of "
                           "examination. This certificate is issued at the patient's request for insurance purposes.")
        page.add_signature("Signed:", f"Dr {ctx['doctor']}", f.d(data["issue_date"]), rng)


def page_police_report(data: dict, rng: random.Random, page: Page, f: Fmt) -> None:
    lang, p, ctx = data["lang"], data["person"], data["ctx"]
    v = ctx["vehicle"]
    theft = data["incident"] == "theft"
    if lang == "zh":
        page.add_title(data["issuer"], None)
        page.add_title("受案回执" if theft else rng.choice(["道路交通事故认定书（简易程序）", "道路交通事故认定书"]))
        page.add_fields([("编号", data["report_number"]), ("当事人", p.name), ("身份证号", p.id_number),
                         ("联系电话", p.phone), ("事故时间" if not theft else "案发时间", f.dt(ctx["incident_at"])),
                         ("号牌号码", v["plate"]), ("地点", ctx["place"])], columns=1)
        page.add_section("案情摘要" if theft else "事故经过")
        page.add_paragraph(ctx["description"], cjk=True)
        page.add_paragraph("我局已受理该案件，现依法予以受理。" if theft else
                           f"认定：{'对方车辆' if ctx['third_party'] else '当事人'}承担此次事故{'全部' if rng.random() < 0.7 else '主要'}责任。", cjk=True)
        page.add_fields([("出具日期", f.d(data["issue_date"])), ("办案民警", f"{rng.choice('王李张刘陈')}警官 警号{rng.randint(100000, 999999)}")], columns=1)
        _stamp_issuer(page, data["issuer"], rng, lang, "")
    else:
        _letterhead(page, data["issuer"], data, rng)
        page.add_title("Crime Report Acknowledgement" if theft else "Road Traffic Collision Report")
        page.add_fields([("Report no.", data["report_number"]), ("Date issued", f.d(data["issue_date"])),
                         ("Reported by", p.name), ("Incident date/time", f.dt(ctx["incident_at"])),
                         ("Vehicle registration", v["plate"]), ("Vehicle", v["make"])], columns=2)
        page.add_fields([("Location", ctx["place"])], columns=1)
        page.add_section("Summary")
        page.add_paragraph(ctx["description"])
        page.add_paragraph("This acknowledgement confirms that the incident has been recorded. Quote the report number in all "
                           "correspondence with your insurer.", pt=page.style.body_pt * 0.9)
        page.add_signature("Officer:", f"PC {rng.randint(1000, 9999)}", f.d(data["issue_date"]), rng)
        _stamp_issuer(page, data["issuer"], rng, lang, "RECORDED")


def page_fire_report(data: dict, rng: random.Random, page: Page, f: Fmt) -> None:
    lang, p, ctx = data["lang"], data["person"], data["ctx"]
    if lang == "zh":
        page.add_title(data["issuer"])
        page.add_title(rng.choice(["火灾事故认定书", "火灾事故简易调查认定书"]))
        page.add_fields([("文号", data["report_number"]), ("当事人", p.name), ("起火时间", f.dt(ctx["incident_at"])),
                         ("起火地点", ctx["property_address"]), ("出具日期", f.d(data["issue_date"]))], columns=1)
        page.add_section("火灾基本情况")
        page.add_paragraph(f"经调查，起火原因认定为：{ctx['cause']}。火灾造成房屋装修及部分室内财产损毁，无人员伤亡。", cjk=True)
        _stamp_issuer(page, data["issuer"], rng, lang, "")
    else:
        _letterhead(page, data["issuer"], data, rng)
        page.add_title("Fire Incident Report")
        page.add_fields([("Report no.", data["report_number"]), ("Date of report", f.d(data["issue_date"])),
                         ("Occupier", p.name), ("Date/time of call", f.dt(ctx["incident_at"]))], columns=2)
        page.add_fields([("Address", ctx["property_address"])], columns=1)
        page.add_section("Findings")
        page.add_paragraph(f"Cause of fire: {ctx['cause']}. Crews extinguished the fire; damage to the room of origin and smoke "
                           "damage to adjoining rooms. No casualties.")
        page.add_signature("Fire investigation officer:", f"Watch Manager {rng.choice(['Reid', 'Okafor', 'Lewis', 'Grant'])}",
                           f.d(data["issue_date"]), rng)


def page_repair(data: dict, rng: random.Random, page: Page, f: Fmt, invoice: bool) -> None:
    lang, p = data["lang"], data["person"]
    v = data.get("vehicle")
    if lang == "zh" and invoice:
        page.add_title(rng.choice(["增值税普通发票", "电子发票（普通发票）"]))
        page.add_fields([("发票号码", data["number"]), ("开票日期", f.d(data["issue_date"]))], columns=2)
        page.add_fields([("购买方名称", p.name), ("销售方名称", data["issuer"])], columns=1)
        rows = [[it["name"], str(it["qty"]), f"{it['unit']:.2f}", f"{it['amount']:.2f}"] for it in data["items"]]
        page.add_table(["项目名称", "数量", "单价", "金额"], rows, [0.5, 0.12, 0.18, 0.2], ["l", "r", "r", "r"],
                       ["合计", "", "", f"{data['subtotal']:.2f}"])
        page.add_fields([("税率", f"{int(data['tax_rate'] * 100)}%"), ("税额", f"{data['tax']:.2f}")], columns=2)
        page.add_fields([("价税合计（大写）", cn_capital_amount(data["total"])), ("（小写）", f"¥{data['total']:.2f}")], columns=2)
        remark = f"车牌号：{data['plate']}" if data.get("plate") else f"维修地址：{data.get('address') or ''}"
        page.add_fields([("备注", remark)], columns=1)
        _stamp_issuer(page, data["issuer"], rng, lang, "发票专用章")
        return
    _letterhead(page, data["issuer"], data, rng)
    if lang == "zh":
        page.add_title("维修估价单" if data.get("plate") is None else rng.choice(["机动车维修估价单", "车辆定损单"]))
        pairs = [("单号", data["number"]), ("日期", f.d(data["issue_date"])), ("客户名称", p.name)]
        pairs += [("车牌号码", data["plate"]), ("车型", v["make"])] if data.get("plate") else [("维修地址", data.get("address") or "")]
    else:
        title = ("Repair Invoice" if invoice else "Repair Estimate") if data.get("plate") else ("Invoice" if invoice else "Quotation")
        page.add_title(title)
        pairs = [("Invoice no." if invoice else "Estimate no.", data["number"]), ("Date", f.d(data["issue_date"])),
                 ("Customer", p.name)]
        pairs += [("Vehicle reg.", data["plate"]), ("Make / model", v["make"])] if data.get("plate") else [("Site address", data.get("address") or "")]
    page.add_fields(pairs, columns=2 if data.get("plate") else 1)
    _items_table(page, data["items"], f, lang, None, rng)
    tax_label = {"uk": "VAT 20%", "us": "Sales tax", "cn": f"税额 {int(data['tax_rate'] * 100)}%"}[data["region"]]
    totals = [(L[lang]["subtotal"], f.m(data["subtotal"]))]
    if data["tax"]:
        totals.append((tax_label, f.m(data["tax"])))
    totals.append(("Total" if lang == "en" else "合计", f.m(data["total"])))
    for label, value in totals:
        page.text(page.right - page.mm(75), page.y, label, bold=True)
        page.text(page.right - page.mm(2), page.y, value, bold=label.startswith(("Total", "合计")), anchor="ra")
        page.y += page.line_height()
    page.space(4)
    if not invoice:
        page.add_paragraph("本估价单有效期30天，实际费用以维修结算为准。" if lang == "zh" else
                           "This estimate is valid for 30 days. Hidden damage found during repair will be quoted separately.",
                           cjk=lang == "zh")
    _stamp_issuer(page, data["issuer"], rng, lang, "业务专用章" if lang == "zh" else ("PAID" if invoice else "ESTIMATE"))


def page_bank_details(data: dict, rng: random.Random, page: Page, f: Fmt) -> None:
    lang, p = data["lang"], data["person"]
    acct = data["account"]
    _letterhead(page, acct.bank_name, data, rng)
    if lang == "zh":
        page.add_title(rng.choice(["银行账户信息确认书", "借记卡账户信息", "开户证明"]))
        page.add_fields([("户名", p.name), ("账号", acct.printed_number), ("开户行", acct.extra["branch"]),
                         ("币种", "人民币"), ("账户状态", "正常")], columns=1)
        page.add_paragraph("兹证明上述账户信息真实有效，仅用于保险理赔款项划转。", cjk=True)
        _stamp_issuer(page, acct.bank_name, rng, lang, "业务专用章")
    else:
        page.add_title(rng.choice(["Account Details Confirmation", "Confirmation of Bank Details"]))
        page.add_paragraph("We confirm that the account below is held with us in the name shown.")
        pairs = [("Account holder", p.name), ("Bank", acct.bank_name)]
        if "sort_code" in acct.extra:
            pairs += [("Sort code", acct.extra["sort_code"]), ("Account number", acct.extra["account"]),
                      ("IBAN", acct.printed_number), ("BIC / SWIFT", acct.extra["swift"])]
        else:
            pairs += [("Routing number (ABA)", acct.extra["routing"]), ("Account number", acct.printed_number),
                      ("Account type", rng.choice(["Checking", "Savings"]))]
        page.add_fields(pairs, columns=1)
        page.add_signature("Authorised signatory:", acct.bank_name, f.d(data["ctx"]["reported_at"]), rng)


def page_letter(data: dict, rng: random.Random, page: Page, f: Fmt) -> None:
    lang, p, ctx = data["lang"], data["person"], data["ctx"]
    page.space(10)
    for line in [p.name, *p.address.split(", ")] if lang == "en" else [p.name, p.address]:
        page.text(page.left, page.y, line)
        page.y += page.line_height()
    page.space(6)
    page.text(page.left, page.y, f.d(data["issue_date"]))
    page.y += page.line_height() * 2
    page.add_title("情况说明" if lang == "zh" else f"Re: claim under policy {ctx['policy_number']}")
    page.add_paragraph(("致" + ctx["insurer"] + "：") if lang == "zh" else "Dear Sir or Madam,", cjk=lang == "zh")
    page.add_paragraph(data["text"], cjk=lang == "zh")
    page.add_signature("此致 敬礼" if lang == "zh" else "Yours faithfully,", p.name, f.d(data["issue_date"]), rng)


def page_vehicle_registration(data: dict, rng: random.Random, page: Page, f: Fmt) -> None:
    lang, p = data["lang"], data["person"]
    v = data["vehicle"]
    if lang == "zh":
        page.add_title("中华人民共和国机动车行驶证")
        page.add_fields([("号牌号码", v["plate"]), ("车辆类型", "小型轿车" if v["category"] != "Utility" else "小型越野客车"),
                         ("所有人", p.name), ("住址", p.address), ("使用性质", "非营运"), ("品牌型号", v["make"]),
                         ("车辆识别代号", v["vin"]), ("注册日期", f.d(v["registered"]))], columns=1)
    else:
        page.add_title("Vehicle Registration Certificate")
        page.add_fields([("Registration number", v["plate"]), ("Registered keeper", p.name), ("Address", p.address),
                         ("Make / model", v["make"]), ("VIN / chassis no.", v["vin"]),
                         ("Date of first registration", f.d(v["registered"]))], columns=1)


SCAN_PAGES = {
    "medical_invoice": page_medical_invoice, "itemised_bill": page_itemised_bill,
    "discharge_summary": page_discharge_summary, "diagnosis_certificate": page_diagnosis_certificate,
    "police_report": page_police_report, "fire_report": page_fire_report,
    "repair_estimate": lambda d, r, p, f: page_repair(d, r, p, f, invoice=False),
    "repair_invoice": lambda d, r, p, f: page_repair(d, r, p, f, invoice=True),
    "bank_details": page_bank_details, "other": page_letter, "vehicle_registration": page_vehicle_registration,
}


# --- cards photographed with a phone --------------------------------------------------------

CARD = (1100, 694)


def _card_fonts(lang: str, rng: random.Random) -> tuple[tuple[str, int], tuple[str, int]]:
    if lang == "zh":
        return rng.choice([((NOTO + "NotoSansCJK-Regular.ttc", 2), (NOTO + "NotoSansCJK-Bold.ttc", 2)),
                           ((NOTO + "NotoSerifCJK-Regular.ttc", 2), (NOTO + "NotoSerifCJK-Bold.ttc", 2)), ((WQY, 0), (WQY, 0))])
    return rng.choice([((DEJAVU + "DejaVuSans.ttf", 0), (DEJAVU + "DejaVuSans-Bold.ttf", 0)),
                       ((DEJAVU + "DejaVuSansCondensed.ttf", 0), (DEJAVU + "DejaVuSansCondensed-Bold.ttf", 0))])


def _card_base(rng: random.Random, tint: tuple[int, int, int]) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    w, h = CARD
    arr = np.zeros((h, w, 3), dtype=np.float32) + np.array(tint, dtype=np.float32)
    xx = np.linspace(0, 1, w, dtype=np.float32)[None, :, None]
    arr = arr * (0.93 + 0.07 * xx) + 6 * np.sin(np.linspace(0, rng.uniform(20, 40), w, dtype=np.float32))[None, :, None]
    card = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).convert("RGBA")
    mask = Image.new("L", CARD, 0)
    ImageDraw.Draw(mask).rounded_rectangle([0, 0, w - 1, h - 1], radius=38, fill=255)
    card.putalpha(mask)
    return card, ImageDraw.Draw(card)


def _portrait(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], rng: random.Random) -> None:
    x0, y0, x1, y1 = box
    draw.rectangle(box, fill=(rng.randint(200, 235), rng.randint(210, 240), rng.randint(225, 250)))
    cx, w = (x0 + x1) // 2, x1 - x0
    skin = rng.choice([(232, 200, 175), (210, 170, 140), (180, 135, 100), (245, 215, 190)])
    draw.ellipse([cx - w * 0.45, y1 - (y1 - y0) * 0.32, cx + w * 0.45, y1 + (y1 - y0) * 0.3], fill=rng.choice([(40, 40, 60), (90, 90, 100), (30, 60, 90)]))
    draw.ellipse([cx - w * 0.22, y0 + (y1 - y0) * 0.16, cx + w * 0.22, y0 + (y1 - y0) * 0.62], fill=skin)
    draw.chord([cx - w * 0.24, y0 + (y1 - y0) * 0.1, cx + w * 0.24, y0 + (y1 - y0) * 0.45], 180, 360,
               fill=rng.choice([(20, 20, 20), (60, 40, 30), (110, 80, 50)]))


def card_id(data: dict, rng: random.Random, licence: bool) -> Image.Image:
    lang, p = data["lang"], data["person"]
    (reg, ri), (bold, bi) = _card_fonts(lang, rng)
    lab, val, big = font(reg, 27, ri), font(reg, 33, ri), font(bold, 38, bi)
    card, d = _card_base(rng, rng.choice([(226, 236, 240), (236, 232, 220), (222, 232, 222), (240, 226, 230)]))
    f = Fmt(rng, data)
    ink = (20, 20, 30)
    if lang == "zh":
        if licence:
            d.text((550, 40), "中华人民共和国机动车驾驶证", font=big, fill=(30, 40, 110), anchor="ma")
            rows = [("证号", data["licence_number"]), ("姓名", p.name), ("性别", SEX_ZH[p.sex]), ("国籍", "中国"),
                    ("住址", p.address[:18]), ("出生日期", format_date(p.birth, "iso")),
                    ("初次领证日期", format_date(data["issued"], "iso")), ("准驾车型", rng.choice(["C1", "C2", "B2"]))]
            y = 110
            for k, (a, b) in enumerate(rows):
                d.text((50, y), a, font=lab, fill=(70, 70, 90))
                d.text((230, y - 3), b, font=val, fill=ink)
                y += 63
            _portrait(d, (820, 130, 1050, 430), rng)
        else:
            y = 60
            d.text((60, y), "姓名", font=lab, fill=(60, 90, 140))
            d.text((170, y - 4), p.name, font=big, fill=ink)
            y += 75
            d.text((60, y), "性别", font=lab, fill=(60, 90, 140))
            d.text((170, y - 3), SEX_ZH[p.sex], font=val, fill=ink)
            d.text((300, y), "民族", font=lab, fill=(60, 90, 140))
            d.text((400, y - 3), rng.choice(["汉", "汉", "汉", "回", "满"]), font=val, fill=ink)
            y += 70
            d.text((60, y), "出生", font=lab, fill=(60, 90, 140))
            d.text((170, y - 3), f"{p.birth.year} 年 {p.birth.month} 月 {p.birth.day} 日", font=val, fill=ink)
            y += 70
            d.text((60, y), "住址", font=lab, fill=(60, 90, 140))
            for line in wrap(p.address, lambda t: d.textlength(t, font=val), 520, cjk=True)[:3]:
                d.text((170, y - 3), line, font=val, fill=ink)
                y += 46
            d.text((60, 600), "公民身份号码", font=lab, fill=(60, 90, 140))
            d.text((290, 594), p.id_number, font=font(bold, 40, bi) if rng.random() < 0.5 else val, fill=ink)
            _portrait(d, (760, 90, 1030, 430), rng)
    else:
        title = ("DRIVING LICENCE" if licence else rng.choice(["IDENTITY CARD", "NATIONAL IDENTITY CARD", "RESIDENT IDENTITY CARD"]))
        d.rectangle([0, 0, CARD[0], 90], fill=rng.choice([(30, 60, 130), (120, 30, 50), (20, 100, 90)]))
        d.text((40, 22), title, font=big, fill=(255, 255, 255))
        _portrait(d, (40, 130, 300, 470), rng)
        rows = [("Name", p.name.upper()), ("Date of birth", f.d(p.birth)), ("Sex", p.sex[0])]
        rows.append(("Licence No.", data["licence_number"]) if licence else ("ID No.", p.id_number))
        rows.append(("Expires", f.d(date(p.birth.year + rng.randint(60, 75) if licence else 2030 + rng.randint(0, 8), p.birth.month, 1))))
        y = 125
        for a, b in rows:
            d.text((340, y), a, font=lab, fill=(70, 70, 90))
            d.text((340, y + 30), b, font=val, fill=ink)
            y += 88
        if licence:
            d.text((40, 600), "Categories: B, AM", font=lab, fill=ink)
        d.text((40, 640), p.address[:40], font=font(reg, 24, ri), fill=(60, 60, 70))
    return card


def card_bank(data: dict, rng: random.Random) -> Image.Image:
    acct = data["account"]
    card, d = _card_base(rng, rng.choice([(170, 20, 30), (20, 60, 140), (30, 110, 80), (180, 140, 60), (40, 40, 50)]))
    (reg, ri), (bold, bi) = _card_fonts("zh", rng)
    d.text((60, 50), acct.bank_name, font=font(bold, 52, bi), fill=(255, 255, 255))
    d.text((60, 120), rng.choice(["借记卡", "储蓄卡", "DEBIT"]), font=font(reg, 32, ri), fill=(240, 240, 240))
    d.rounded_rectangle([80, 220, 220, 320], radius=14, fill=(215, 185, 110))
    d.text((70, 420), acct.printed_number, font=font(DEJAVU + "DejaVuSansMono-Bold.ttf", 56), fill=(245, 245, 245))
    d.text((70, 520), rng.choice(["银联", "UnionPay"]), font=font(bold, 40, bi), fill=(255, 255, 255))
    return card


# --- the claim form: a real text layer ------------------------------------------------------

FORM_TITLES = {
    ("en", "auto"): "Motor Insurance Claim Form", ("en", "health"): "Medical Expenses Claim Form",
    ("en", "property"): "Home Insurance Claim Form", ("zh", "auto"): "机动车辆保险索赔申请书",
    ("zh", "health"): "医疗保险理赔申请书", ("zh", "property"): "家庭财产保险索赔申请书",
}


def claim_form_pdf(data: dict, rng: random.Random) -> tuple[bytes, int]:
    lang, p, ctx = data["lang"], data["person"], data["ctx"]
    f = Fmt(rng, data)
    lob = "auto" if "vehicle" in ctx else "health" if "hospital" in ctx else "property"
    pdf = FPDF(format="A4")
    pdf.set_creation_date(datetime.combine(ctx["reported_at"].date(), datetime.min.time()))
    pdf.set_creator(rng.choice(["Claims Portal", "Microsoft Word", "eForms 4.2"]))
    if lang == "zh":
        pdf.add_font("body", "", WQY)
        pdf.add_font("body", "B", WQY)
    else:
        family = rng.choice([("DejaVuSans", "DejaVuSans-Bold"), ("DejaVuSerif", "DejaVuSerif-Bold"),
                             ("DejaVuSansCondensed", "DejaVuSansCondensed-Bold")])
        pdf.add_font("body", "", DEJAVU + family[0] + ".ttf")
        pdf.add_font("body", "B", DEJAVU + family[1] + ".ttf")
    margin = rng.uniform(12, 22)
    pdf.set_margins(margin, margin, margin)
    pdf.set_auto_page_break(True, margin)
    pdf.add_page()
    size = rng.uniform(9.5, 11)
    accent = rng.choice([(20, 60, 130), (150, 20, 30), (10, 100, 80), (60, 60, 60), (0, 90, 160)])
    pdf.set_fill_color(*accent)
    pdf.set_text_color(255, 255, 255)
    pdf.set_font("body", "B", size + 4)
    pdf.cell(0, 12, "  " + ctx["insurer"], fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(20, 20, 20)
    pdf.set_fill_color(255, 255, 255)
    pdf.ln(4)
    pdf.set_font("body", "B", size + 6)
    pdf.cell(0, 10, FORM_TITLES[(lang, lob)], align=rng.choice(["C", "L"]), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("body", "", size - 1)
    pdf.cell(0, 6, ("请用正楷填写，带*项为必填" if lang == "zh" else "Please complete in BLOCK CAPITALS. Fields marked * are required."),
             new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    zh = lang == "zh"
    sections: list[tuple[str, list[tuple[str, str]]]] = [
        ("一、被保险人信息" if zh else "1. Policyholder / claimant", [
            ("*姓名" if zh else "*Full name", p.name), ("*身份证号" if zh else "*ID number", p.id_number),
            ("*保单号" if zh else "*Policy number", data["policy_number"]), ("联系电话" if zh else "Telephone", p.phone),
            ("电子邮箱" if zh else "Email", p.email), ("联系地址" if zh else "Address", p.address)]),
        ("二、出险信息" if zh else "2. Incident", [
            ("*出险日期" if zh else "*Date of incident", f.d(ctx["incident_at"])),
            ("出险时间" if zh else "Time", f"{ctx['incident_at']:%H:%M}"),
            ("出险地点" if zh else "Place", ctx.get("place") or ctx.get("hospital") or ctx.get("property_address", ""))]),
    ]
    if lob == "auto":
        v = ctx["vehicle"]
        sections[1][1].extend([("车牌号码" if zh else "Vehicle registration", v["plate"]), ("厂牌型号" if zh else "Make / model", v["make"])])
    if lob == "health":
        sections[1][1].extend([("就诊医院" if zh else "Hospital", ctx["hospital"]), ("诊断" if zh else "Diagnosis", ctx["diagnosis"])])
    acct = ctx["bank"]
    sections.append(("三、索赔金额及收款账户" if zh else "3. Amount claimed and payment", [
        ("*索赔金额" if zh else "*Amount claimed", f.m(data["claimed_amount"])), ("币种" if zh else "Currency", data["currency"]),
        ("开户银行" if zh else "Bank", acct.bank_name), ("账号" if zh else "Account number", acct.printed_number)]))
    if zh:
        sections[-1][1].insert(1, ("大写金额", cn_capital_amount(data["claimed_amount"])))
    boxed = rng.random() < 0.5
    label_w = rng.uniform(42, 55)
    width = pdf.w - 2 * margin
    for heading, rows in sections:
        pdf.set_font("body", "B", size + 1)
        pdf.set_text_color(*accent)
        pdf.cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(20, 20, 20)
        if boxed:
            with pdf.table(col_widths=(label_w, width - label_w), first_row_as_headings=False, line_height=size * 0.6,
                           borders_layout="ALL") as table:
                for label, value in rows:
                    row = table.row()
                    pdf.set_font("body", "B", size)
                    row.cell(label)
                    pdf.set_font("body", "", size)
                    row.cell(value)
        else:
            for label, value in rows:
                pdf.set_font("body", "B", size)
                pdf.cell(label_w, size * 0.65, label + ("：" if zh else ":"))
                pdf.set_font("body", "", size)
                pdf.multi_cell(width - label_w, size * 0.65, value, border="B", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    pdf.set_font("body", "B", size + 1)
    pdf.set_text_color(*accent)
    pdf.cell(0, 8, "四、事故经过" if zh else "4. What happened", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(20, 20, 20)
    pdf.set_font("body", "", size)
    pdf.multi_cell(0, size * 0.6, ctx["description"], border=1, new_x="LMARGIN", new_y="NEXT")
    if rng.random() < 0.35:
        pdf.add_page()
    pdf.ln(5)
    pdf.set_font("body", "", size - 0.5)
    pdf.multi_cell(0, size * 0.55, ("声明：本人保证以上所填内容真实、完整，如有隐瞒或虚假，愿承担由此产生的一切法律责任。"
                                    if zh else "Declaration: I declare that the information given on this form is true and complete. "
                                    "I understand that giving false information may invalidate my claim and policy."),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.cell(0, 7, f"{'申请人签名' if zh else 'Signature'}: {p.name}        {'日期' if zh else 'Date'}: {f.d(ctx['reported_at'])}",
             new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output()), pdf.pages_count


# --- assembling files --------------------------------------------------------------------------

def images_to_pdf(pages: list[Image.Image], dpi: int, quality: int, when: datetime) -> bytes:
    """An image-only PDF (no text layer), like a scanner or scanning app produces."""
    buf = io.BytesIO()
    first, rest = pages[0], pages[1:]
    first.save(buf, "PDF", resolution=float(dpi), quality=quality, save_all=True, append_images=rest,
               creationDate=when.utctimetuple(), modDate=when.utctimetuple(),
               producer="ScanSnap Manager" if quality > 75 else "CamScanner", title="scan")
    return buf.getvalue()


def render_document(doc: DocPlan, noise: NoiseSettings) -> tuple[bytes, int]:
    """File bytes and page count for one document. A reused invoice renders its source's plan."""
    plan = doc.copy_of or doc
    rng = random.Random(plan.seed)
    data = plan.data
    if plan.kind == "text_pdf":
        return claim_form_pdf(data, rng)
    if plan.doc_type == "damage_photo":
        img = photos.damage_photo(data["scene"], rng)
        return jpeg_bytes(Image.fromarray(photos.camera(np.asarray(img), rng, noise)), rng.randint(*noise.jpeg_quality)), 1
    if plan.kind == "photo":
        if plan.doc_type == "bank_details":
            card = card_bank(data, rng)
        elif plan.doc_type == "vehicle_registration":
            card = _small_document(data, rng, noise)
        else:
            card = card_id(data, rng, licence=plan.doc_type == "driving_licence")
        size = (1600, 1200) if rng.random() < 0.7 else (1200, 1600)
        photo = phone_photo(card, background(rng, size), rng, noise)
        return jpeg_bytes(photo, rng.randint(*noise.jpeg_quality)), 1
    dpi = rng.randint(*noise.dpi)
    style = random_style(rng, data["lang"])
    size = (148, 210) if plan.doc_type == "vehicle_registration" else (210, 297)
    page = Page(style, dpi, size)
    SCAN_PAGES[plan.doc_type](data, rng, page, Fmt(rng, data))
    grayscale = rng.random() < 0.35
    quality = rng.randint(*noise.jpeg_quality)
    when = datetime.combine(data.get("issue_date") or data["ctx"]["reported_at"].date(), datetime.min.time())
    scanned = scan(page.image, rng, noise, grayscale=grayscale, rotation=doc.rotation if doc.copy_of is None else 0)
    if doc.copy_of is not None and doc.near:  # the same scan, cropped a little and saved again
        w, h = scanned.size
        cut = random.Random(doc.seed)
        box = (int(w * cut.uniform(0.01, 0.04)), int(h * cut.uniform(0.01, 0.04)),
               int(w * (1 - cut.uniform(0.01, 0.04))), int(h * (1 - cut.uniform(0.01, 0.04))))
        return jpeg_bytes(scanned.crop(box), cut.randint(55, 80), dpi), 1
    if plan.kind == "scan_jpg":
        return jpeg_bytes(scanned, quality, dpi), 1
    return images_to_pdf([scanned], dpi, quality, when), 1


def _small_document(data: dict, rng: random.Random, noise: NoiseSettings) -> Image.Image:
    """A folded registration document photographed on a table: an A5 page rendered at card-friendly size."""
    page = Page(random_style(rng, data["lang"]), 220, (148, 105))
    page.style = page.style.__class__(**{**page.style.__dict__, "body_pt": 10.5, "title_pt": 15, "margin_mm": 8, "labels": "inline"})
    page.left, page.y = page.mm(8), page.mm(6)
    page_vehicle_registration(data, rng, page, Fmt(rng, data))
    return page.image.convert("RGBA")
