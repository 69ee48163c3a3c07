"""``claims read FILE... [--json]``: read files by hand, without a claim around them.

The lead mounts ``read`` on the root CLI (``root.command("read")(read)``); ``app`` runs
it alone (``python -m pipeline.reading.cli FILE...``). A file that cannot be read gets
a message on stderr and the exit code is 1, but the other files are still read.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Optional

import typer

from pipeline.reading.pages import PageError
from pipeline.reading.read_file import read_path
from pipeline.reading.types import ReadDocument, shown_confidence

app = typer.Typer(add_completion=False, help="Read documents by hand: type, confidence and key fields.")


def document_json(file_name: str, doc: ReadDocument) -> dict[str, Any]:
    """What ``--json`` prints for one file: type, confidence and every field with its place."""
    return {
        "file": file_name,
        "doc_type": doc.doc_type,
        "type_confidence": round(doc.type_confidence, 4),
        "low_confidence": doc.low_confidence,
        "pages": len(doc.pages),
        "fields": [
            {
                "name": f.name,
                "value": f.value,
                "raw": f.raw,
                "confidence": round(f.confidence, 3),
                "found_by": f.method,
                "page": f.page_no,
                "box": [round(v, 4) for v in f.box] if f.box else None,
            }
            for f in doc.fields
        ],
    }


def document_text(file_name: str, doc: ReadDocument) -> str:
    """The human-readable form: one header line, then one line per field."""
    flag = "  (low confidence: a person must look)" if doc.low_confidence else ""
    lines = [f"{file_name}: {doc.doc_type} ({shown_confidence(doc.type_confidence)}){flag}, {len(doc.pages)} page(s)"]
    if not doc.fields:
        lines.append("  no key fields")
    for f in doc.fields:
        box = "(" + ", ".join(f"{v:.3f}" for v in f.box) + ")" if f.box else "-"
        found_by = f" ({f.method.replace('_', ' ')})" if f.method else ""
        lines.append(f"  {f.name:<16} {f.value:<32} conf {shown_confidence(f.confidence)}{found_by:<14} page {f.page_no}  box {box}")
    return "\n".join(lines)


@app.command()
def read(
    files: list[Path] = typer.Argument(..., help="PDF, JPEG, PNG or TIFF files to read."),
    json_: bool = typer.Option(False, "--json", help="Print one JSON object per file, one per line."),
    classifier_version: Optional[str] = typer.Option(None, "--classifier-version", help="Saved classifier version to use."),
) -> None:
    """Print each file's document type with its confidence and every key field."""
    failed = False
    for path in files:
        try:
            doc = read_path(path, classifier_version=classifier_version)
        except (FileNotFoundError, ValueError, PageError) as exc:
            failed = True
            message = str(exc)
            if json_:
                print(json.dumps({"file": str(path), "error": message}, ensure_ascii=False))
            else:
                print(f"{path}: cannot read: {message}", file=sys.stderr)
            continue
        if json_:
            print(json.dumps(document_json(str(path), doc), ensure_ascii=False))
        else:
            print(document_text(str(path), doc))
    if failed:
        raise typer.Exit(code=1)


if __name__ == "__main__":
    app()
