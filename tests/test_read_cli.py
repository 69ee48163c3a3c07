"""``claims read FILE... [--json]``: any file a user names, read without a claim around it."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.reading.cli import app
from pipeline.samples.noise import NoiseSettings
from pipeline.samples.render import render_document
from pipeline.samples.scenario import plan_set

runner = CliRunner()


def _write(plan_doc, folder: Path) -> tuple[Path, dict[str, str]]:
    content, _ = render_document(plan_doc, NoiseSettings())
    path = folder / Path(plan_doc.file_name).name
    path.write_bytes(content)
    return path, plan_doc.truth_fields()


@pytest.fixture(scope="module")
def claim_forms(tmp_path_factory) -> list[tuple[Path, dict[str, str]]]:
    """Generated claim forms (text-layer PDFs, so no OCR), English and Chinese, with their truth."""
    folder = tmp_path_factory.mktemp("forms")
    out = []
    for plan in plan_set(2, seed=4242):
        (doc,) = [d for d in plan.docs if d.doc_type == "claim_form"]
        sub = folder / plan.key
        sub.mkdir()
        out.append(_write(doc, sub))
    return out


def test_json_prints_one_object_per_file_with_type_confidence_and_every_field(claim_forms):
    result = runner.invoke(app, [*(str(p) for p, _ in claim_forms), "--json"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == len(claim_forms)
    for line, (path, truth) in zip(lines, claim_forms):
        obj = json.loads(line)
        assert obj["file"] == str(path)
        assert obj["doc_type"] == "claim_form" and not obj["low_confidence"]
        assert 0.5 <= obj["type_confidence"] <= 1.0
        got = {f["name"]: f for f in obj["fields"]}
        for name in ("policy_number", "incident_date", "claimed_amount"):
            assert got[name]["value"] == truth[name], (name, got[name], truth[name])
        for f in obj["fields"]:
            assert set(f) == {"name", "value", "raw", "confidence", "found_by", "page", "box"}
            assert f["page"] == 1 and 0 < f["confidence"] <= 1
            assert f["found_by"] in ("label_right", "label_below", "pattern", "position", "claim")
            x0, y0, x1, y1 = f["box"]
            assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1


def test_plain_output_names_the_type_and_lists_fields_with_page_and_box(claim_forms):
    path, truth = claim_forms[0]
    result = runner.invoke(app, [str(path)])
    assert result.exit_code == 0, result.output
    first, *rest = result.output.splitlines()
    assert first.startswith(f"{path}: claim_form (")
    policy = next(line for line in rest if line.split()[0] == "policy_number")
    assert truth["policy_number"] in policy and "page 1" in policy and "box (" in policy


def test_unreadable_files_are_reported_and_the_rest_still_read(claim_forms, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a document")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"this is not a pdf")
    good, _ = claim_forms[0]
    result = runner.invoke(app, [str(notes), str(tmp_path / "missing.png"), str(broken), str(good), "--json"])
    assert result.exit_code == 1
    objs = [json.loads(line) for line in result.output.strip().splitlines()]
    assert "cannot read" in objs[0]["error"] and ".txt" in objs[0]["error"]
    assert "no such file" in objs[1]["error"]
    assert objs[2]["error"].startswith("corrupt_pdf")
    assert objs[3]["doc_type"] == "claim_form"


def test_a_pdf_cut_short_is_reported_in_one_line_without_the_pdf_librarys_own_warnings(tmp_path):
    from tests.files import truncated_pdf

    broken = tmp_path / "cut_short.pdf"
    broken.write_bytes(truncated_pdf())
    # as a user runs it, in a process of its own: what every library prints reaches the terminal
    result = subprocess.run([sys.executable, "-m", "pipeline.cli", "read", str(broken)], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()  # pypdf once added "EOF marker not found"
    assert line.startswith(f"{broken}: cannot read: corrupt_pdf")


@pytest.mark.slow
def test_a_scanned_police_report_is_read_through_ocr(tmp_path):
    plans = plan_set(12, seed=4242)
    doc = next(d for p in plans for d in p.docs if d.doc_type == "police_report" and d.kind == "scan_jpg" and not d.rotation)
    path, truth = _write(doc, tmp_path)
    result = runner.invoke(app, [str(path), "--json"])
    assert result.exit_code == 0, result.output
    obj = json.loads(result.output)
    assert obj["doc_type"] == "police_report"
    got = {f["name"]: f["value"] for f in obj["fields"]}
    assert got.get("report_number") == truth["report_number"]
