"""Specification: checklist config loads, covers every case, and a malformed file stops start-up
with the file, the line and what is wrong."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.checklist import ChecklistConfigError, load_checklists, load_deadlines, load_notice_templates, load_settings
from pipeline.vocabulary import LINES_OF_BUSINESS

CONFIG = Path(__file__).resolve().parent.parent / "config"


@pytest.fixture()
def config(tmp_path: Path) -> Path:
    """A private copy of the shipped config to break."""
    shutil.copytree(CONFIG, tmp_path / "config")
    return tmp_path / "config"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_number(path: Path, snippet: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if snippet in line)


def load_error(folder: Path) -> str:
    with pytest.raises(ChecklistConfigError) as err:
        load_checklists(folder)
    return str(err.value)


def test_the_shipped_config_has_one_versioned_checklist_per_line_and_incident_type():
    checklists = load_checklists(CONFIG / "checklists")
    for line, incidents in LINES_OF_BUSINESS.items():
        for incident in incidents:
            checklist = checklists.for_claim(line, incident)
            assert checklist.version.startswith(f"{line}-{incident}@")
            for item in checklist.items:
                assert item.name.en and item.name.zh and item.instruction.en and item.instruction.zh
    assert len(checklists) == sum(len(v) for v in LINES_OF_BUSINESS.values())
    load_settings(CONFIG)
    load_notice_templates(CONFIG / "notices" / "notices.yaml")
    load_deadlines(CONFIG / "deadlines.yaml")


def test_an_unknown_case_is_a_clear_error():
    with pytest.raises(KeyError, match="no checklist for auto/flood"):
        load_checklists(CONFIG / "checklists").for_claim("auto", "flood")


def test_bad_yaml_syntax_names_file_and_line(config: Path):
    path = config / "checklists" / "health-inpatient.yaml"
    edit(path, "  - code: itemised_bill\n", "  - code: itemised_bill\n   bad: [unclosed\n")
    message = load_error(config / "checklists")
    assert f"health-inpatient.yaml:{line_number(path, 'bad: [unclosed')}: YAML syntax:" in message


def test_a_misspelt_key_names_its_line(config: Path):
    path = config / "checklists" / "auto-theft.yaml"
    edit(path, "  - code: police_report\n", "  - code: police_report\n    requird: true\n")
    message = load_error(config / "checklists")
    assert f"auto-theft.yaml:{line_number(path, 'requird')}: items.3.requird: Extra inputs are not permitted" in message


def test_a_wrong_type_names_its_line(config: Path):
    path = config / "checklists" / "auto-theft.yaml"
    edit(path, "  - code: driving_licence\n    # Not needed for a theft, but checked (name, reuse) when the customer sends it.\n    required: false",
         "  - code: driving_licence\n    required: sometimes")
    message = load_error(config / "checklists")
    assert f"auto-theft.yaml:{line_number(path, 'required: sometimes')}: items.4.required" in message


def test_an_unknown_document_type_names_its_line(config: Path):
    path = config / "checklists" / "property-fire.yaml"
    edit(path, "      - doc_types: [fire_report]", "      - doc_types: [fire_certificate]")
    message = load_error(config / "checklists")
    assert f"property-fire.yaml:{line_number(path, 'fire_certificate')}:" in message
    assert "unknown document type 'fire_certificate'" in message


def test_a_field_the_document_does_not_carry_names_its_line(config: Path):
    path = config / "checklists" / "health-outpatient.yaml"
    edit(path, "        fields: [invoice_number, issuer, issue_date, total_amount]",
         "        fields: [invoice_number, issuer, issue_date, total_amount,\n                 vin]")
    message = load_error(config / "checklists")
    assert f"health-outpatient.yaml:{line_number(path, 'vin]')}:" in message
    assert "'vin' is not a field of medical_invoice" in message


def test_a_condition_on_an_unknown_field_names_its_line(config: Path):
    path = config / "checklists" / "auto-collision.yaml"
    edit(path, "{field: auto.third_party_injured, equals: true}", "{field: auto.third_party_hurt, equals: true}")
    message = load_error(config / "checklists")
    assert f"auto-collision.yaml:{line_number(path, 'third_party_hurt')}:" in message
    assert "'third_party_hurt' is not a field of auto" in message


def test_a_condition_with_two_tests_is_rejected(config: Path):
    path = config / "checklists" / "auto-collision.yaml"
    edit(path, "{field: auto.police_report_filed, equals: true}", "{field: auto.police_report_filed, equals: true, in: [true]}")
    message = load_error(config / "checklists")
    assert f"auto-collision.yaml:{line_number(path, 'in: [true]')}:" in message
    assert "exactly one of" in message


def test_a_number_test_on_a_text_field_is_rejected(config: Path):
    path = config / "checklists" / "property-fire.yaml"
    edit(path, "when: {field: property.cause, in: [arson, suspected arson]}", "when: {field: property.cause, at_least: 3}")
    assert "'property.cause' is not a number" in load_error(config / "checklists")


def test_a_repeated_key_is_rejected_with_both_lines(config: Path):
    path = config / "checklists" / "auto-theft.yaml"
    edit(path, "incident_type: theft\n", "incident_type: theft\nincident_type: collision\n")
    message = load_error(config / "checklists")
    assert f"auto-theft.yaml:{line_number(path, 'incident_type: collision')}: key 'incident_type' repeats" in message


def test_a_repeated_item_code_is_rejected(config: Path):
    path = config / "checklists" / "property-water_damage.yaml"
    edit(path, "  - code: damage_photos", "  - code: repair_costs")
    assert "code 'repair_costs' is already used" in load_error(config / "checklists")


def test_a_version_that_names_another_case_is_rejected(config: Path):
    path = config / "checklists" / "health-outpatient.yaml"
    edit(path, 'version: "health-outpatient@', 'version: "health-inpatient@')
    message = load_error(config / "checklists")
    assert f"health-outpatient.yaml:{line_number(path, 'version:')}: version: names health-inpatient" in message


def test_a_missing_checklist_for_a_case_stops_start_up(config: Path):
    (config / "checklists" / "property-water_damage.yaml").unlink()
    assert "no checklist for property/water_damage" in load_error(config / "checklists")


def test_every_bad_file_is_reported_at_once(config: Path):
    edit(config / "checklists" / "auto-theft.yaml", "line_of_business: auto", "line_of_business: marine")
    edit(config / "checklists" / "health-inpatient.yaml", "incident_type: inpatient", "incident_type: dental")
    message = load_error(config / "checklists")
    assert "auto-theft.yaml" in message and "health-inpatient.yaml" in message


def test_settings_with_a_bad_tolerance_name_the_line(config: Path):
    path = config / "checklist.yaml"
    edit(path, 'relative_tolerance: "0.005"', 'relative_tolerance: "half a percent"')
    with pytest.raises(ChecklistConfigError) as err:
        load_settings(config)
    assert f"checklist.yaml:{line_number(path, 'half a percent')}: amounts.relative_tolerance" in str(err.value)


def test_a_reason_message_using_an_unknown_fact_is_rejected(config: Path):
    path = config / "notices" / "reasons.yaml"
    edit(path, 'en: "We have not received your {item}."', 'en: "We have not received your {itme}."')
    with pytest.raises(ChecklistConfigError) as err:
        load_settings(config)
    assert f"reasons.yaml:{line_number(path, '{itme}')}: reasons.document_missing.en: uses ['itme']" in str(err.value)


def test_a_reason_without_a_message_is_rejected(config: Path):
    path = config / "notices" / "reasons.yaml"
    edit(path, "  reported_late:\n", "  reported_too_late:\n")
    with pytest.raises(ChecklistConfigError) as err:
        load_settings(config)
    assert "reason 'reported_late' has no message" in str(err.value)


def test_a_quarantine_reason_told_with_no_reason_about_a_file_is_rejected(config: Path):
    path = config / "notices" / "reasons.yaml"
    edit(path, "  blank_page: file_blank\n", "  blank_page: document_missing\n")
    with pytest.raises(ChecklistConfigError) as err:
        load_settings(config)
    assert f"reasons.yaml:{line_number(path, 'blank_page: document_missing')}: file_reasons.blank_page" in str(err.value)


def test_a_notice_template_that_does_not_compile_is_rejected(config: Path):
    path = config / "notices" / "notices.yaml"
    edit(path, "{% for item in gaps %}", "{% for item in gaps %", )
    with pytest.raises(ChecklistConfigError) as err:
        load_notice_templates(path)
    assert "notices.yaml:" in str(err.value) and "en.missing_materials.body: template line" in str(err.value)


def test_a_notice_template_using_an_unknown_variable_is_rejected(config: Path):
    path = config / "notices" / "notices.yaml"
    edit(path, "Dear {{ claimant }},", "Dear {{ customer_name }},")
    with pytest.raises(ChecklistConfigError, match="'customer_name' is undefined"):
        load_notice_templates(path)


def test_deadlines_must_cover_every_line(config: Path):
    path = config / "deadlines.yaml"
    edit(path, "  property:\n", "  marine:\n")
    with pytest.raises(ChecklistConfigError) as err:
        load_deadlines(path)
    message = str(err.value)
    assert f"deadlines.yaml:{line_number(path, 'marine:')}: limits.marine: 'marine' is not a line of business" in message
    assert "no limits for property" in message


def test_an_unreadable_config_folder_is_a_clear_error(tmp_path: Path):
    with pytest.raises(ChecklistConfigError, match="no checklist files"):
        load_checklists(tmp_path)
