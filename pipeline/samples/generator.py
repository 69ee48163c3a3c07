"""Writing a sample set to disk: one folder per claim with fnol.json, policy.json, documents/ and truth.json."""
from __future__ import annotations

import json
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from pipeline.samples.noise import NoiseSettings
from pipeline.samples.render import render_document
from pipeline.samples.scenario import DossierPlan, plan_set


def generate_dossiers(out_dir: Path, count: int, seed: int, noise: NoiseSettings | None = None,
                      workers: int | None = None) -> list[Path]:
    """Write ``count`` claim dossiers under ``out_dir``; the same seed and noise give the same files."""
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    noise = noise or NoiseSettings()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plans = plan_set(count, seed)
    workers = workers if workers is not None else min(os.cpu_count() or 1, 4, len(plans))
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(_write_dossier, plans, [out_dir] * len(plans), [noise] * len(plans)))
    return [_write_dossier(plan, out_dir, noise) for plan in plans]


def _write_dossier(plan: DossierPlan, out_dir: Path, noise: NoiseSettings) -> Path:
    folder = out_dir / plan.key
    documents = folder / "documents"
    documents.mkdir(parents=True, exist_ok=True)
    for stale in documents.iterdir():  # a rerun into the same folder must not leave old uploads behind
        if stale.is_file():
            stale.unlink()
    (folder / "fnol.json").write_text(plan.fnol.model_dump_json(indent=2), encoding="utf-8")
    (folder / "policy.json").write_text(plan.policy.model_dump_json(indent=2), encoding="utf-8")
    entries = []
    for doc in plan.docs:
        content, pages = render_document(doc, noise)
        (documents / doc.file_name).write_bytes(content)
        entries.append({"file": f"documents/{doc.file_name}", "doc_type": doc.doc_type, "kind": doc.kind, "pages": pages,
                        "rotation": doc.rotation, "fields": doc.truth_fields()})
    truth = {"claim_key": plan.key, "line_of_business": plan.lob, "incident_type": plan.incident, "language": plan.lang,
             "fraud_label": plan.fraud_label, "documents": entries, "defects": plan.defects, "signals": plan.signals,
             "synthetic": True}
    (folder / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=2), encoding="utf-8")
    return folder
