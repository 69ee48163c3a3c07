"""A field's reported confidence says how often a value of that field, found that way, was right."""
from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path

import pytest

from pipeline.checklist.yamlfile import ChecklistConfigError
from pipeline.reading.extract import extract_fields
from pipeline.reading.trust import TRUST, TYPICAL_PRINT, TrustTable, load_trust, measured_trust
from tests.test_extract import page_of

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def field_trust_module():
    """benchmarks/field_trust.py, which writes the shipped table."""
    sys.path.insert(0, str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location("field_trust", BENCHMARKS / "field_trust.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("right, read, method, expected", [
    (0, 0, "position", 0.55),  # nothing measured: the fixed trust
    (5, 5, "position", 0.775),  # five right say a little
    (193, 195, "label_right", 0.98875),  # many say a lot
    (56, 100, "position", 0.5595),  # real receipts' letterheads: about half right
    (0, 10, "label_right", 0.3167),
])
def test_measured_trust_is_the_share_right_shrunk_towards_the_methods_fixed_trust(right, read, method, expected):
    assert measured_trust(right, read, method) == pytest.approx(expected, abs=1e-4)


def table(fields: dict) -> TrustTable:
    return TrustTable(version="test", fields=fields)


def test_print_read_as_surely_as_usual_costs_a_value_nothing_and_weaker_print_lowers_it():
    t = table({"name": {"label_below": {"trust": 0.99, "right": 99, "read": 100, "source": "test"}}})
    assert t.confidence("name", "label_below", 1.0, TYPICAL_PRINT) == 0.99
    assert t.confidence("name", "label_below", 1.0, 1.0) == 0.99  # a text layer: no more than measured
    assert t.confidence("name", "label_below", 1.0, 0.3) < 0.7
    # a method not measured for the field keeps its fixed trust; a failed check character lowers it
    assert t.confidence("name", "pattern", 1.0, TYPICAL_PRINT) == TRUST["pattern"]
    assert t.confidence("vin", "label_right", 0.6, TYPICAL_PRINT) == pytest.approx(0.6 * TRUST["label_right"], abs=1e-3)


def test_a_value_is_reported_with_how_it_was_found_and_the_trust_measured_for_its_field():
    page = page_of([(0.1, 0.10, "Account holder"), (0.1, 0.13, "Mary Jones"), (0.1, 0.20, "Bank: HSBC")],
                   confidence=TYPICAL_PRINT)
    name = next(f for f in extract_fields("bank_details", [page]) if f.name == "name")
    assert (name.value, name.method) == ("Mary Jones", "label_below")
    assert name.confidence == load_trust().trust("name", "label_below")
    assert name.confidence > TRUST["label_below"]  # names below their label were right 106 times in 106


def test_the_shipped_table_loads_and_each_trust_follows_from_its_counts():
    shipped = load_trust()
    assert shipped.fields, "config/fields/trust.yaml measures nothing"
    for name, methods in shipped.fields.items():
        for method, m in methods.items():
            assert m.right <= m.read
            assert m.trust == pytest.approx(measured_trust(m.right, m.read, method), abs=1e-3), (name, method)


@pytest.mark.parametrize("body, fault", [
    ("fields:\n  colour:\n    pattern: {trust: 0.9, right: 9, read: 10, source: x}\n", "unknown field 'colour'"),
    ("fields:\n  name:\n    guess: {trust: 0.9, right: 9, read: 10, source: x}\n", "unknown method(s) ['guess']"),
    ("fields:\n  name:\n    pattern: {trust: 1.5, right: 9, read: 10, source: x}\n", "trust"),
])
def test_a_broken_table_is_refused_naming_the_file_and_the_fault(tmp_path, body, fault):
    path = tmp_path / "trust.yaml"
    path.write_text('version: "t"\n' + body, encoding="utf-8")
    with pytest.raises(ChecklistConfigError) as err:
        load_trust(str(path))
    assert "trust.yaml" in str(err.value) and fault in str(err.value)


def test_the_worst_measured_source_sets_a_methods_trust_and_thin_evidence_sets_none():
    ft = field_trust_module()
    # [right, read, right of those printed surely, read of them]
    generated = {("issuer", "position"): [129, 133, 64, 64], ("name", "label_below"): [106, 106, 75, 75],
                 ("vin", "label_below"): [4, 5, 0, 0]}
    receipts = {("issuer", "position"): [56, 100, 32, 38], ("name", "label_below"): [2, 3, 2, 3]}
    got = ft.trust_table({"generated": generated, "receipts": receipts})
    assert got["issuer"]["position"]["source"] == "receipts, print read surely"  # real paper, not our clean letterheads
    assert got["issuer"]["position"]["trust"] == pytest.approx(measured_trust(32, 38, "position"), abs=1e-3)
    assert got["name"]["label_below"]["source"] == "generated, print read surely"  # 3 readings on receipts say nothing
    assert "vin" not in got  # 5 readings anywhere: the fixed trust stays
    written = ft.table_yaml(got, "field-trust@test")
    assert "issuer:\n    position: {trust:" in written


def test_trust_is_measured_on_surely_printed_values_since_weaker_print_lowers_a_confidence_by_itself():
    ft = field_trust_module()
    # a letterhead read surely was right 32 times in 38; all told 56 in 100, the unsure ones dragging it down
    assert ft.counted([56, 100, 32, 38]) == (32, 38)
    assert ft.counted([20, 20, 4, 4]) == (20, 20)  # too few read surely: all of them say more
    shipped = load_trust()
    letterhead = shipped.trust("issuer", "position")
    assert shipped.confidence("issuer", "position", 1.0, 1.0) == letterhead  # off a text layer: as measured
    assert shipped.confidence("issuer", "position", 1.0, 0.5) < letterhead * 0.8  # a smudged letterhead: much less


def test_a_guess_is_trusted_more_than_its_fixed_trust_only_where_real_documents_measured_it():
    ft = field_trust_module()
    generated = {("name", "position"): [13, 13, 13, 13], ("total_amount", "position"): [2, 12, 1, 5],
                 ("issuer", "position"): [129, 133, 64, 64], ("name", "label_below"): [106, 106, 75, 75]}
    receipts = {("issuer", "position"): [56, 100, 32, 38]}
    got = ft.trust_table({ft.GENERATED: generated, ft.RECEIPTS: receipts})
    assert "position" not in got.get("name", {})  # 13 of 13 on our own cards: the fixed trust stays
    assert got["name"]["label_below"]["trust"] > TRUST["label_below"]  # found beside its label: measured as it is
    # lowered it may be: 2 of 12 right
    assert got["total_amount"]["position"]["trust"] == pytest.approx(measured_trust(2, 12, "position"), abs=1e-3)
    assert got["issuer"]["position"]["trust"] == pytest.approx(measured_trust(32, 38, "position"), abs=1e-3)  # real paper


def test_a_table_written_again_the_same_day_gets_the_next_version():
    ft = field_trust_module()
    today = date(2026, 12, 7)
    assert ft.next_version(None, today) == "field-trust@2026-12-07.1"
    assert ft.next_version("field-trust@2026-12-01.3", today) == "field-trust@2026-12-07.1"
    assert ft.next_version("field-trust@2026-12-07.1", today) == "field-trust@2026-12-07.2"


def test_a_receipt_date_stamped_with_its_time_of_sale_is_trusted_as_its_shape_measured_not_as_a_bare_date():
    """A till's "18/03/18 09:03" was right 41 times in 41 on the SROIE development receipts; the first bare
    date on a generated page, 30 in 34. Counted as one way of finding a date, every receipt's date went to a person."""
    from pipeline.checklist.config import load_settings

    timed = page_of([(0.10, 0.05, "PASAR RAYA SDN BHD"), (0.10, 0.40, "VEGETABLES 2.00"),
                     (0.10, 0.60, "18/03/18 09:03 #002-15500408")])
    bare = page_of([(0.10, 0.05, "PASAR RAYA SDN BHD"), (0.10, 0.12, "19/03/18"), (0.10, 0.60, "VEGETABLES 2.00")])
    (stamped,) = [f for f in extract_fields("medical_invoice", [timed]) if f.name == "issue_date"]
    (first,) = [f for f in extract_fields("medical_invoice", [bare]) if f.name == "issue_date"]
    assert (stamped.method, first.method) == ("pattern", "position")
    bar = load_settings().reading.min_field_confidence
    assert stamped.confidence >= bar > first.confidence
    # on a police report a date with a time is the incident's, its label misread: no sale stamped it
    report = page_of([(0.10, 0.05, "METROPOLITAN POLICE"), (0.10, 0.30, "Incident dale/tme 02/03/25 14:20")])
    (guessed,) = [f for f in extract_fields("police_report", [report]) if f.name == "issue_date"]
    assert guessed.method == "position" and guessed.confidence < bar
