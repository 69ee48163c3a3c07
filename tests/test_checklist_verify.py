"""Specification of checklist verification, acceptance, the one notice and re-verification.

Dossiers are built from ExtractedField readings, the real input of the checklist stage.
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal

import pytest

from pipeline.checklist import load_checklists, load_settings, render_notice, verify
from pipeline.checklist.conditions import Condition, holds
from pipeline.checklist.ids import cn_resident_check_char
from pipeline.dossier import Dossier, DossierDocument, QuarantinedFile
from pipeline.reading.types import ExtractedField
from pipeline.schemas import AutoDetails, FirstNotice, HealthDetails, PolicyRecord, PropertyDetails

CHECKLISTS = load_checklists()
SETTINGS = load_settings()

ID_BODY = "11010119850312001"
VALID_ID = ID_BODY + cn_resident_check_char(ID_BODY)
OTHER_VALID_ID = "31010419900101002" + cn_resident_check_char("31010419900101002")
BAD_CHECK_ID = VALID_ID[:-1] + ("0" if VALID_ID[-1] != "0" else "1")


# --- builders -------------------------------------------------------------------------

def doc(document_id: str, doc_type: str, *, type_confidence: float = 0.97, low_confidence: bool = False,
        confidence: float = 0.99, page_no: int = 1, **values: str) -> DossierDocument:
    fields = {
        name: ExtractedField(name=name, value=value, raw=value, confidence=confidence, page_no=page_no)
        for name, value in values.items()
    }
    return DossierDocument(
        document_id=document_id,
        file_name=f"{document_id}.pdf",
        doc_type=doc_type,
        type_confidence=type_confidence,
        low_confidence=low_confidence,
        fields=fields,
        sha256=hashlib.sha256(document_id.encode()).hexdigest(),
    )


def with_field(d: DossierDocument, name: str, value: str, confidence: float = 0.99) -> DossierDocument:
    d.fields[name] = ExtractedField(name=name, value=value, raw=value, confidence=confidence, page_no=1)
    return d


def health_claim(incident_type: str = "inpatient", **fnol_changes) -> Dossier:
    fnol = FirstNotice(**{
        "policy_number": "PH-2026-0001",
        "line_of_business": "health",
        "incident_type": incident_type,
        "incident_at": datetime(2026, 3, 10, 9, 0),
        "reported_at": datetime(2026, 3, 16, 10, 0),
        "claimant_name": "张伟",
        "claimant_id_number": VALID_ID,
        "claimed_amount": Decimal("12500.00"),
        "currency": "CNY",
        "language": "zh",
        "health": HealthDetails(hospital="北京协和医院", admission_date=date(2026, 3, 10), discharge_date=date(2026, 3, 15)),
        **fnol_changes,
    })
    policy = PolicyRecord(
        policy_number="PH-2026-0001", line_of_business="health", holder_name="张伟", holder_id_number=VALID_ID,
        start_date=date(2026, 1, 1), end_date=date(2026, 12, 31), covered_incidents=["outpatient", "inpatient"],
        sum_insured=Decimal("100000"), premium=Decimal("1200"), report_deadline_days=30,
    )
    claimed = f"{fnol.claimed_amount:.2f}"
    documents = [
        doc("form", "claim_form", name="张伟", policy_number="PH-2026-0001", id_number=VALID_ID,
            incident_date="2026-03-10", claimed_amount=claimed, currency="CNY"),
        doc("idcard", "id_card", name="张伟", id_number=VALID_ID, date_of_birth="1985-03-12"),
        doc("inv1", "medical_invoice", invoice_number="INV001", name="张伟", issuer="北京协和医院",
            issue_date="2026-03-15", total_amount="8000.00", currency="CNY", page_no=1),
        doc("inv2", "medical_invoice", invoice_number="INV002", name="张伟", issuer="北京协和医院",
            issue_date="2026-03-15", total_amount="4500.00", currency="CNY", page_no=2),
        doc("bill", "itemised_bill", name="张伟", issuer="北京协和医院", issue_date="2026-03-15",
            total_amount="12500.00", currency="CNY"),
        doc("discharge", "discharge_summary", name="张伟", issuer="北京协和医院", admission_date="2026-03-10",
            discharge_date="2026-03-15", diagnosis="急性阑尾炎"),
        doc("bank", "bank_details", name="ZHANG Wei", account_number="6222020200112233445", bank_name="中国工商银行"),
    ]
    documents.append(doc("cert", "diagnosis_certificate", name="张伟", issuer="北京协和医院",
                         issue_date="2026-03-15", diagnosis="急性阑尾炎"))
    if incident_type == "outpatient":
        documents = [d for d in documents if d.doc_type != "discharge_summary"]
    return Dossier(claim_number="CL-H-1", fnol=fnol, policy=policy, documents=documents,
                   received_at=datetime(2026, 3, 16, 10, 5))


def auto_claim(incident_type: str = "collision", **auto_changes) -> Dossier:
    fnol = FirstNotice(
        policy_number="PA-77",
        line_of_business="auto",
        incident_type=incident_type,
        incident_at=datetime(2026, 5, 2, 18, 30),
        reported_at=datetime(2026, 5, 3, 9, 0),
        claimant_name="James Smith",
        claimant_id_number="AB123456C",
        claimed_amount=Decimal("3200.00") if incident_type == "collision" else Decimal("18000.00"),
        currency="GBP",
        language="en",
        auto=AutoDetails(vehicle_make="Honda", vehicle_plate="LS19ABC", **auto_changes),
    )
    policy = PolicyRecord(
        policy_number="PA-77", line_of_business="auto", holder_name="James Smith", start_date=date(2025, 9, 1),
        end_date=date(2026, 8, 31), covered_incidents=["collision", "theft"], sum_insured=Decimal("20000"),
        premium=Decimal("600"), report_deadline_days=30,
    )
    claimed = f"{fnol.claimed_amount:.2f}"
    documents = [
        doc("form", "claim_form", name="James Smith", policy_number="PA-77", id_number="AB123456C",
            incident_date="2026-05-02", claimed_amount=claimed, currency="GBP"),
        doc("idcard", "id_card", name="SMITH James", id_number="AB123456C", date_of_birth="1980-01-31"),
        doc("reg", "vehicle_registration", name="James Smith", vehicle_plate="LS19ABC", vin="JHMCM56557C404453"),
        doc("bank", "bank_details", name="Mr James Smith", account_number="GB29NWBK60161331926819", bank_name="NatWest"),
    ]
    if incident_type == "collision":
        documents += [
            doc("licence", "driving_licence", name="James Smith", licence_number="SMITH801310J99AB", date_of_birth="1980-01-31"),
            doc("repair", "repair_invoice", invoice_number="R-1001", name="James Smith", issuer="Leeds Motors",
                vehicle_plate="LS19ABC", issue_date="2026-05-20", total_amount="3200.00", currency="GBP"),
            doc("photo", "damage_photo"),
        ]
    else:
        documents.append(doc("police", "police_report", report_number="WYP-2026-5521", name="James Smith",
                             incident_date="2026-05-02", issue_date="2026-05-03", issuer="West Yorkshire Police",
                             vehicle_plate="LS19ABC"))
    return Dossier(claim_number="CL-A-1", fnol=fnol, policy=policy, documents=documents,
                   received_at=datetime(2026, 5, 3, 9, 5))


def property_claim(incident_type: str = "fire", cause: str | None = "electrical fault") -> Dossier:
    fnol = FirstNotice(
        policy_number="PP-9", line_of_business="property", incident_type=incident_type,
        incident_at=datetime(2026, 2, 1, 3, 0), reported_at=datetime(2026, 2, 1, 12, 0),
        claimant_name="李娜", claimant_id_number=OTHER_VALID_ID, claimed_amount=Decimal("56000.00"), currency="CNY",
        language="zh", property=PropertyDetails(property_address="上海市徐汇区中山路1号", cause=cause),
    )
    policy = PolicyRecord(
        policy_number="PP-9", line_of_business="property", holder_name="李娜", start_date=date(2025, 6, 1),
        end_date=date(2026, 5, 31), covered_incidents=["fire", "water_damage"], sum_insured=Decimal("900000"),
        premium=Decimal("900"),
    )
    documents = [
        doc("form", "claim_form", name="李娜", policy_number="PP-9", id_number=OTHER_VALID_ID, incident_date="2026-02-01",
            claimed_amount="56000.00", currency="CNY"),
        doc("idcard", "id_card", name="李娜", id_number=OTHER_VALID_ID, date_of_birth="1990-01-01"),
        doc("estimate", "repair_estimate", name="李娜", issuer="上海安居装修公司", issue_date="2026-02-05",
            total_amount="56000.00", currency="CNY"),
        doc("photo1", "damage_photo"),
        doc("bank", "bank_details", name="Li Na", account_number="6217001234567890123", bank_name="中国建设银行"),
    ]
    if incident_type == "fire":
        documents.append(doc("fire", "fire_report", report_number="沪消认字2026-118", name="李娜", incident_date="2026-02-01",
                             issue_date="2026-02-03", issuer="上海市徐汇区消防救援支队"))
    return Dossier(claim_number="CL-P-1", fnol=fnol, policy=policy, documents=documents,
                   received_at=datetime(2026, 2, 1, 12, 1))


def check(dossier: Dossier):
    return verify(dossier, CHECKLISTS.for_claim(dossier.fnol.line_of_business, dossier.fnol.incident_type), SETTINGS)


def without(dossier: Dossier, *document_ids: str) -> Dossier:
    dossier.documents = [d for d in dossier.documents if d.document_id not in document_ids]
    return dossier


def replace(dossier: Dossier, new: DossierDocument) -> Dossier:
    dossier.documents = [new if d.document_id == new.document_id else d for d in dossier.documents]
    return dossier


def get(dossier: Dossier, document_id: str) -> DossierDocument:
    return next(d for d in dossier.documents if d.document_id == document_id)


def reason_codes(item) -> set[str]:
    return {r.code for r in item.reasons}


# --- complete claims ----------------------------------------------------------------------

@pytest.mark.parametrize("build", [
    lambda: health_claim("inpatient"), lambda: health_claim("outpatient"),
    lambda: auto_claim("collision"), lambda: auto_claim("theft"),
    lambda: property_claim("fire"), lambda: property_claim("water_damage"),
])
def test_a_complete_claim_of_every_kind_is_accepted_with_every_item_satisfied(build):
    result = check(build())
    assert {it.code: it.status for it in result.items if it.required and it.status != "satisfied"} == {}
    assert all(it.status in ("satisfied", "missing") for it in result.items if not it.required)
    assert result.acceptance.outcome == "accepted"
    assert result.checklist_version.startswith(f"{result.line_of_business}-{result.incident_type}@")
    assert result.settings_version == SETTINGS.version


def test_satisfied_items_keep_evidence_of_document_field_page_and_value():
    result = check(health_claim())
    invoices = result.item("medical_invoices")
    assert invoices.document_ids == ["inv1", "inv2"]
    numbers = {(e.document_id, e.page_no, e.value) for e in invoices.evidence if e.field == "invoice_number"}
    assert numbers == {("inv1", 1, "INV001"), ("inv2", 2, "INV002")}
    bank_names = [e for e in result.item("bank_details").evidence if e.field == "name"]
    assert bank_names[0].file_name == "bank.pdf" and bank_names[0].value == "ZHANG Wei"


def test_the_same_case_gets_the_same_answer():
    assert check(health_claim()).model_dump() == check(health_claim()).model_dump()


def test_verifying_against_another_claims_checklist_is_refused():
    with pytest.raises(ValueError, match="health/inpatient"):
        verify(health_claim(), CHECKLISTS.for_claim("auto", "theft"), SETTINGS)


# --- missing documents and conditions ----------------------------------------------------

def test_a_missing_required_document_is_missing_and_holds_acceptance():
    result = check(without(health_claim(), "bank"))
    item = result.item("bank_details")
    assert item.status == "missing" and reason_codes(item) == {"document_missing"}
    assert result.acceptance.outcome == "pending_documents"
    assert result.acceptance.waiting_for == ["bank_details"]


def test_collision_police_report_is_not_needed_without_injury_or_police():
    result = check(auto_claim("collision"))
    assert [n.code for n in result.not_applicable] == ["police_report"]
    assert "third_party_injured" in result.not_applicable[0].condition


@pytest.mark.parametrize("flag", ["third_party_injured", "police_report_filed"])
def test_collision_police_report_is_required_when_a_third_party_is_injured_or_police_attended(flag):
    result = check(auto_claim("collision", **{flag: True}))
    assert result.item("police_report").status == "missing"


def test_theft_always_needs_a_police_report():
    result = check(without(auto_claim("theft"), "police"))
    assert result.item("police_report").status == "missing"
    assert not result.item("driving_licence").required  # a theft needs no driving licence


def test_discharge_summary_is_asked_for_inpatient_claims_only():
    inpatient = check(without(health_claim("inpatient"), "discharge"))
    assert inpatient.item("discharge_summary").status == "missing"
    outpatient = check(health_claim("outpatient"))
    assert "discharge_summary" not in outpatient.statuses()


def test_a_numeric_condition_in_a_checklist_decides_whether_an_item_applies():
    outpatient = CHECKLISTS.for_claim("health", "outpatient")
    bill = outpatient.item("itemised_bill").model_copy(update={"when": Condition.model_validate({"field": "claimed_amount", "at_least": 2000})})
    checklist = outpatient.model_copy(update={"items": [bill if i.code == "itemised_bill" else i for i in outpatient.items]})
    for amount, needed in (("1999.99", False), ("2000.00", True)):
        dossier = without(health_claim("outpatient", claimed_amount=Decimal(amount)), "bill", "inv2")
        with_field(get(dossier, "inv1"), "total_amount", amount)
        with_field(get(dossier, "form"), "claimed_amount", amount)
        result = verify(dossier, checklist, SETTINGS)
        assert ("itemised_bill" in result.statuses()) is needed
        assert ("itemised_bill" in [n.code for n in result.not_applicable]) is not needed
        assert result.acceptance.outcome == ("pending_documents" if needed else "accepted")


@pytest.mark.parametrize("cause,needed", [("arson", True), ("electrical fault", False), (None, False)])
def test_fire_needs_a_police_report_only_for_arson(cause, needed):
    result = check(property_claim("fire", cause=cause))
    assert ("police_report" in result.statuses()) is needed


def test_condition_forms_any_all_not_in_and_thresholds():
    fnol = auto_claim("collision", third_party_involved=True, witness_present=False).fnol
    cond = Condition.model_validate
    assert holds(cond({"all": [{"field": "auto.third_party_involved", "equals": True},
                               {"not": {"field": "auto.witness_present", "equals": True}}]}), fnol)
    assert not holds(cond({"any": [{"field": "auto.third_party_injured", "equals": True},
                                   {"field": "claimed_amount", "below": 100}]}), fnol)
    assert holds(cond({"field": "channel", "in": ["app", "web"]}), fnol)
    assert holds(cond({"field": "claimed_amount", "at_least": "3200"}), fnol)
    assert not holds(cond({"field": "health.hospital", "equals": "x"}), fnol)  # absent block reads as null
    assert holds(None, fnol)


# --- alternatives ---------------------------------------------------------------------------

def test_repair_estimate_satisfies_repair_costs_when_there_is_no_invoice():
    dossier = without(auto_claim("collision"), "repair")
    dossier.documents.append(doc("estimate", "repair_estimate", name="James Smith", issuer="Leeds Motors", vehicle_plate="LS19ABC",
                                 issue_date="2026-05-04", total_amount="3200.00", currency="GBP"))
    result = check(dossier)
    assert result.item("repair_costs").status == "satisfied"
    assert result.item("repair_costs").document_ids == ["estimate"]


def test_repair_costs_are_missing_when_neither_alternative_is_there():
    result = check(without(auto_claim("collision"), "repair"))
    assert result.item("repair_costs").status == "missing"


def test_outpatient_diagnosis_can_come_from_a_discharge_summary():
    dossier = without(health_claim("outpatient"), "cert")
    dossier.documents.append(doc("discharge", "discharge_summary", name="张伟", issuer="北京协和医院", admission_date="2026-03-10",
                                 discharge_date="2026-03-11", diagnosis="急性胃炎"))
    assert check(dossier).item("diagnosis").status == "satisfied"


def test_an_optional_item_missing_does_not_hold_the_claim():
    result = check(auto_claim("theft"))
    licence = result.item("driving_licence")
    assert licence.status == "missing" and not licence.required and not licence.is_gap
    assert result.acceptance.outcome == "accepted"


def test_an_optional_document_that_is_wrong_is_still_reported():
    dossier = auto_claim("theft")
    dossier.documents.append(doc("licence", "driving_licence", name="Oliver Brown", licence_number="BROWN801310J99AB"))
    result = check(dossier)
    assert result.item("driving_licence").status == "invalid"
    assert result.acceptance.waiting_for == ["driving_licence"]


def test_a_bank_card_without_a_printed_name_is_enough():
    dossier = health_claim()
    del get(dossier, "bank").fields["name"]
    assert check(dossier).item("bank_details").status == "satisfied"


# --- uncertain readings go to a person, never to 'satisfied' ---------------------------------

def test_a_field_read_below_the_confidence_bar_needs_a_person():
    dossier = health_claim()
    with_field(get(dossier, "bank"), "account_number", "6222020200112233445", confidence=0.41)
    item = check(dossier).item("bank_details")
    assert item.status == "needs_person" and reason_codes(item) == {"field_unreadable"}


def test_a_confidence_just_under_the_bar_is_not_shown_as_the_bar():
    dossier = health_claim()
    with_field(get(dossier, "bank"), "account_number", "6222020200112233445", confidence=0.797)
    (reason,) = check(dossier).item("bank_details").reasons
    assert "(0.79)" in reason.message_en  # rounded to 0.80 it read as the bar it failed


def test_a_document_the_classifier_would_not_commit_to_needs_a_person():
    dossier = health_claim()
    get(dossier, "discharge").low_confidence = True
    result = check(dossier)
    assert result.item("discharge_summary").status == "needs_person"
    assert result.acceptance.outcome == "pending_review"
    assert result.acceptance.awaiting_review == ["discharge_summary"]


def test_a_document_typed_with_low_confidence_needs_a_person():
    dossier = health_claim()
    get(dossier, "idcard").type_confidence = 0.5
    assert check(dossier).item("id_card").status == "needs_person"


def test_a_failed_rule_on_a_document_of_uncertain_type_is_a_persons_call():
    dossier = health_claim()
    get(dossier, "cert").type_confidence = 0.55
    with_field(get(dossier, "cert"), "name", "Wang Fang")  # perhaps not a certificate at all
    item = check(dossier).item("diagnosis_certificate")
    assert item.status == "needs_person"
    assert reason_codes(item) == {"type_uncertain", "name_mismatch"}


def test_a_required_field_not_found_needs_a_person_by_default():
    dossier = health_claim()
    del get(dossier, "inv2").fields["invoice_number"]
    item = check(dossier).item("medical_invoices")
    assert item.status == "needs_person" and reason_codes(item) == {"field_missing"}


def test_a_letter_confidently_sorted_as_other_does_not_stand_in_for_a_missing_document():
    dossier = without(health_claim(), "discharge")
    dossier.documents.append(doc("letter", "other", type_confidence=0.95))
    assert check(dossier).item("discharge_summary").status == "missing"


def test_a_missing_item_with_an_unsorted_file_in_the_claim_goes_to_a_person():
    dossier = without(health_claim(), "discharge")
    dossier.documents.append(doc("scan7", "other", type_confidence=0.3, low_confidence=True))
    item = check(dossier).item("discharge_summary")
    assert item.status == "needs_person" and reason_codes(item) == {"unclassified_document"}


# --- cross-document rules --------------------------------------------------------------------

def test_names_agree_across_case_order_romanisation_and_script():
    dossier = health_claim()
    with_field(get(dossier, "bank"), "name", "Chang Wei")  # Wade-Giles spelling of 张
    with_field(get(dossier, "inv1"), "name", "WEI ZHANG")
    result = check(dossier)
    assert result.item("bank_details").status == "satisfied"
    assert result.item("medical_invoices").status == "satisfied"


def test_a_different_persons_name_on_the_bank_details_is_invalid():
    dossier = health_claim()
    with_field(get(dossier, "bank"), "name", "Wang Fang")
    item = check(dossier).item("bank_details")
    assert item.status == "invalid" and reason_codes(item) == {"name_mismatch"}
    assert "Wang Fang" in item.reasons[0].message_en and "张伟" in item.reasons[0].message_zh


def test_same_sound_but_different_characters_is_a_different_person():
    dossier = health_claim()
    with_field(get(dossier, "idcard"), "name", "张玮")
    assert check(dossier).item("id_card").status == "invalid"


def test_a_one_letter_slip_in_a_name_goes_to_a_person():
    dossier = auto_claim("collision")
    with_field(get(dossier, "licence"), "name", "James Smyth")
    item = check(dossier).item("driving_licence")
    assert item.status == "needs_person" and reason_codes(item) == {"name_unclear"}


def test_an_uncertain_reading_of_a_quite_different_name_is_flagged_for_a_person_as_possibly_someone_else():
    dossier = health_claim()
    with_field(get(dossier, "idcard"), "name", "何梦表", confidence=0.6)
    item = check(dossier).item("id_card")
    assert item.status == "needs_person" and "name_possibly_other_person" in reason_codes(item)
    with_field(get(dossier, "idcard"), "name", "张伟", confidence=0.6)  # uncertain, but the claimant's name
    assert "name_possibly_other_person" not in reason_codes(check(dossier).item("id_card"))


def test_an_id_number_with_a_wrong_check_character_is_invalid():
    dossier = health_claim()
    with_field(get(dossier, "idcard"), "id_number", BAD_CHECK_ID)
    result = check(dossier)
    assert result.item("id_card").status == "invalid"
    assert reason_codes(result.item("id_card")) == {"id_number_invalid"}


def test_the_id_number_must_be_the_same_where_it_appears_twice():
    dossier = health_claim()
    with_field(get(dossier, "form"), "id_number", OTHER_VALID_ID)
    result = check(dossier)
    assert result.item("claim_form").status == "invalid"
    assert reason_codes(result.item("claim_form")) == {"id_number_mismatch"}
    assert result.item("id_card").status == "satisfied"  # card and first notice agree: the form is the odd one


def test_an_id_card_of_somebody_else_is_the_odd_one_out():
    dossier = health_claim()
    with_field(get(dossier, "idcard"), "id_number", OTHER_VALID_ID)
    result = check(dossier)
    assert result.item("id_card").status == "invalid"
    assert result.item("claim_form").status == "satisfied"


def test_the_name_on_a_police_report_must_be_the_claimants():
    dossier = auto_claim("theft")
    with_field(get(dossier, "police"), "name", "Sophie Turner")
    assert reason_codes(check(dossier).item("police_report")) == {"name_mismatch"}


def test_an_invoice_dated_before_the_incident_is_invalid():
    dossier = health_claim()
    with_field(get(dossier, "inv2"), "issue_date", "2026-03-01")
    item = check(dossier).item("medical_invoices")
    assert item.status == "invalid" and reason_codes(item) == {"date_before_incident"}
    assert item.reasons[0].document_id == "inv2"


def test_a_report_dated_after_the_policy_ended_is_invalid():
    dossier = property_claim("fire")
    with_field(get(dossier, "fire"), "issue_date", "2026-09-15")  # policy ended 2026-05-31, grace is 90 days
    item = check(dossier).item("fire_report")
    assert item.status == "invalid" and reason_codes(item) == {"date_outside_policy"}


def test_a_bill_for_an_incident_in_the_period_may_come_within_the_grace_after_the_policy_ends():
    dossier = property_claim("fire")
    with_field(get(dossier, "estimate"), "issue_date", "2026-07-20")
    assert check(dossier).item("repair_costs").status == "satisfied"


def test_a_date_before_the_policy_started_is_invalid():
    dossier = property_claim("fire")
    dossier.policy = dossier.policy.model_copy(update={"start_date": date(2026, 2, 4)})
    dossier.fnol = dossier.fnol.model_copy(update={"incident_at": datetime(2026, 2, 1, 3, 0)})
    with_field(get(dossier, "fire"), "issue_date", "2026-02-03")
    assert "date_outside_policy" in reason_codes(check(dossier).item("fire_report"))


def test_a_discharge_summary_admission_before_the_incident_is_invalid():
    dossier = health_claim()
    with_field(get(dossier, "discharge"), "admission_date", "2026-02-27")
    assert check(dossier).item("discharge_summary").status == "invalid"


def test_invoice_totals_must_add_up_to_the_claimed_amount():
    dossier = health_claim()
    with_field(get(dossier, "inv2"), "total_amount", "3250.00")
    result = check(dossier)
    item = result.item("medical_invoices")
    assert item.status == "invalid" and reason_codes(item) == {"amount_mismatch"}
    assert "11250.00" in item.reasons[0].message_en and "12500.00" in item.reasons[0].message_en
    assert result.acceptance.outcome == "pending_documents"


@pytest.mark.parametrize("total", ["3500.00", "4600.00"])  # 11500 or 12600 for 12500
def test_totals_one_digit_away_from_the_claim_go_to_a_person_not_to_the_customer(total):
    """OCR drops or changes a digit (12647.36 read as 2647.36) far more often than a claim is off by one."""
    dossier = health_claim()
    with_field(get(dossier, "inv2"), "total_amount", total)
    item = check(dossier).item("medical_invoices")
    assert item.status == "needs_person" and "amount_one_digit_off" in reason_codes(item) | {r.code for r in item.review_notes}


@pytest.mark.parametrize("a, b, apart", [
    ("2647.36", "12647.36", True),   # a digit lost
    ("12647.36", "12641.36", True),  # a digit changed
    ("12647.36", "11647.35", False),  # two digits
    ("2647.36", "2647.36", False),   # the same
])
def test_one_digit_apart(a, b, apart):
    from decimal import Decimal

    from pipeline.checklist.cross_checks import one_digit_apart
    assert one_digit_apart(Decimal(a), Decimal(b)) is apart


def test_invoice_totals_within_the_configured_tolerance_pass():
    dossier = health_claim()
    with_field(get(dossier, "inv2"), "total_amount", "4500.80")  # 0.80 off; tolerance is max(1.00, 0.5%)
    assert check(dossier).item("medical_invoices").status == "satisfied"


def test_the_claim_form_amount_must_be_the_amount_filed():
    dossier = health_claim()
    with_field(get(dossier, "form"), "claimed_amount", "15000.00")
    item = check(dossier).item("claim_form")
    assert item.status == "invalid" and reason_codes(item) == {"amount_mismatch"}


def test_an_invoice_in_another_currency_needs_a_person():
    dossier = health_claim()
    with_field(get(dossier, "inv1"), "currency", "USD")
    item = check(dossier).item("medical_invoices")
    assert item.status == "needs_person" and reason_codes(item) == {"currency_differs"}


def test_a_document_reused_from_another_claim_is_invalid():
    dossier = health_claim()
    get(dossier, "inv1").duplicate_of = ["CL-OLD-9"]
    item = check(dossier).item("medical_invoices")
    assert item.status == "invalid" and "document_reused" in reason_codes(item)
    assert "CL-OLD-9" in item.reasons[0].message_en


def test_a_near_identical_image_from_another_claim_needs_a_person():
    dossier = property_claim("water_damage")
    get(dossier, "photo1").near_duplicate_of = ["CL-OLD-2"]
    get(dossier, "photo1").phash = "ffe0c0"
    item = check(dossier).item("damage_photos")
    assert item.status == "needs_person" and reason_codes(item) == {"document_near_duplicate"}


def test_every_reason_against_an_item_is_kept():
    dossier = health_claim()
    with_field(get(dossier, "inv1"), "name", "Wang Fang")
    with_field(get(dossier, "inv2"), "issue_date", "2026-03-01")
    get(dossier, "inv2").duplicate_of = ["CL-OLD-9"]
    item = check(dossier).item("medical_invoices")
    assert item.status == "invalid"
    assert reason_codes(item) == {"name_mismatch", "date_before_incident", "document_reused"}


# --- acceptance --------------------------------------------------------------------------

def test_an_unknown_policy_is_not_accepted():
    dossier = health_claim()
    dossier.policy = None
    result = check(dossier)
    assert result.acceptance.outcome == "not_accepted"
    assert [r.code for r in result.acceptance.reasons] == ["policy_not_found"]


def test_not_accepted_gives_every_reason_at_once():
    dossier = auto_claim("collision")
    dossier.policy = dossier.policy.model_copy(update={
        "end_date": date(2026, 4, 30), "covered_incidents": ["theft"], "report_deadline_days": 1,
        "start_date": date(2025, 5, 1),
    })
    dossier.fnol = dossier.fnol.model_copy(update={"reported_at": datetime(2026, 5, 10, 9, 0)})
    reasons = check(dossier).acceptance.reasons
    assert [r.code for r in reasons] == ["policy_not_in_force", "incident_not_covered", "reported_late"]


def test_a_policy_of_another_line_is_not_accepted():
    dossier = health_claim()
    dossier.policy = dossier.policy.model_copy(update={"line_of_business": "property"})
    assert "policy_other_line" in [r.code for r in check(dossier).acceptance.reasons]


def test_reported_on_the_last_allowed_day_is_in_time():
    dossier = health_claim()
    dossier.fnol = dossier.fnol.model_copy(update={"reported_at": datetime(2026, 4, 9, 9, 0)})  # exactly 30 days
    assert check(dossier).acceptance.outcome == "accepted"


def test_a_file_we_could_not_open_holds_the_claim_and_is_named_in_the_notice():
    dossier = health_claim()
    dossier.quarantined.append(QuarantinedFile("scan.pdf", "encrypted_pdf", "The PDF is password-protected."))
    result = check(dossier)
    assert result.acceptance.outcome == "pending_documents"
    notice = render_notice(result, dossier, "en")
    assert notice.kind == "missing_materials" and "scan.pdf" in notice.body


@pytest.mark.parametrize("quarantine_reason, told", [
    ("encrypted_pdf", "without a password"),
    ("blank_page", "blank: there was nothing on it to read"),
    ("empty_file", "blank: there was nothing on it to read"),
    ("too_many_pages", "larger than we can take"),
    ("image_too_small", "too small to read"),
    ("type_mismatch", "as a PDF or a photo (JPEG, PNG or TIFF)"),
    ("corrupt_pdf", "We could not open"),  # anything else: we could not open it
])
def test_the_customer_is_told_what_was_wrong_with_a_file_and_what_to_send_instead(quarantine_reason, told):
    dossier = health_claim()
    dossier.quarantined.append(QuarantinedFile("scan.pdf", quarantine_reason, "why, for the reviewer"))
    (finding,) = [f for f in check(dossier).findings if f.check == "unreadable_file"]
    assert told in finding.reasons[0].message_en and "scan.pdf" in finding.reasons[0].message_zh
    if quarantine_reason != "encrypted_pdf":
        assert "password" not in finding.reasons[0].message_en  # a blank photo needs no advice on passwords


# --- the one notice ------------------------------------------------------------------------

def gappy_health_claim() -> Dossier:
    dossier = without(health_claim(), "discharge")
    with_field(get(dossier, "bank"), "name", "Wang Fang")
    with_field(get(dossier, "inv2"), "issue_date", "2026-03-01")
    return dossier


def test_the_english_notice_lists_every_gap_at_once_with_what_to_send():
    dossier = gappy_health_claim()
    result = check(dossier)
    notice = render_notice(result, dossier, "en", issued_at=datetime(2026, 3, 16, 12, 0))
    assert notice.kind == "missing_materials" and notice.language == "en"
    assert "3 things" in notice.subject and "CL-H-1" in notice.subject
    body = notice.body
    for text in ("Discharge summary", "Upload the discharge summary", "Bank account for payment", "Wang Fang",
                 "Original medical invoices", "before the incident on 2026-03-10", "15 April 2026"):
        assert text in body, text
    assert notice.reply_by == date(2026, 4, 15)


def test_the_chinese_notice_lists_the_same_gaps_in_chinese():
    dossier = gappy_health_claim()
    notice = render_notice(check(dossier), dossier, issued_at=datetime(2026, 3, 16, 12, 0))  # claim language: zh
    assert notice.language == "zh" and "还需您补充 3 项材料" in notice.subject
    for text in ("出院小结", "请上传出院时医院出具的出院小结", "收款银行账户", "与申请人姓名（张伟）不一致",
                 "早于出险日期 2026-03-10", "2026年4月15日"):
        assert text in notice.body, text


def test_a_complete_claim_gets_an_acknowledgement_in_either_language():
    dossier = health_claim()
    result = check(dossier)
    zh = render_notice(result, dossier)
    en = render_notice(result, dossier, "en")
    assert zh.kind == en.kind == "materials_complete"
    assert "材料已齐全" in zh.subject and "your materials are complete" in en.body
    assert en.reply_by is None


def test_a_claim_not_accepted_gets_the_reasons():
    dossier = health_claim()
    dossier.policy = dossier.policy.model_copy(update={"covered_incidents": ["outpatient"]})
    notice = render_notice(check(dossier), dossier, "en")
    assert notice.kind == "not_accepted"
    assert "does not cover this type of incident (inpatient)" in notice.body


def test_no_notice_goes_out_while_a_person_must_decide():
    dossier = health_claim()
    get(dossier, "discharge").low_confidence = True
    assert render_notice(check(dossier), dossier) is None


# --- re-verification after a late upload -----------------------------------------------------

def test_a_late_upload_turns_missing_into_satisfied_and_the_notice_into_an_acknowledgement():
    dossier = without(health_claim(), "bank")
    first = check(dossier)
    assert first.item("bank_details").status == "missing"
    assert render_notice(first, dossier).kind == "missing_materials"

    dossier.documents.append(doc("bank-late", "bank_details", name="张伟", account_number="6222020200112233445",
                                 bank_name="中国工商银行"))
    again = check(dossier)
    assert again.item("bank_details").status == "satisfied"
    assert again.item("bank_details").document_ids == ["bank-late"]
    assert again.acceptance.outcome == "accepted"
    assert render_notice(again, dossier).kind == "materials_complete"


def test_a_late_corrected_invoice_clears_the_amount_finding():
    dossier = health_claim()
    with_field(get(dossier, "inv2"), "total_amount", "3250.00")
    assert check(dossier).item("medical_invoices").status == "invalid"
    replace(dossier, with_field(get(dossier, "inv2"), "total_amount", "4500.00"))
    assert check(dossier).item("medical_invoices").status == "satisfied"


def test_the_result_reads_as_a_checklist_with_statuses_and_reasons():
    from pipeline.checklist.text import describe_result

    result = check(gappy_health_claim())
    text = describe_result(result, "en")
    assert "[!] invalid      Bank account for payment" in text
    assert "[ ] missing      Discharge summary" in text
    assert "(Wang Fang) is not the claimant's name" in text
    assert text.rstrip().endswith("outcome: pending_documents")
    assert "[!] invalid      收款银行账户" in describe_result(result, "zh")
