"""Taking in a dossier folder (fnol.json, policy.json, documents/) as one claim.

This is how the demo and batch imports bring in claims: the same path as the API,
with the folder's name as the idempotency key so a second import changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.intake.service import ClaimReceipt, Intake, UploadResult
from pipeline.schemas import FirstNotice, PolicyRecord


@dataclass
class DossierImport:
    folder: Path
    receipt: ClaimReceipt
    uploads: list[UploadResult]


def import_dossier(intake: Intake, folder: Path, actor: str = "system:import") -> DossierImport:
    policy_file = folder / "policy.json"
    if policy_file.exists():
        intake.register_policy(PolicyRecord.model_validate_json(policy_file.read_text(encoding="utf-8")), actor)
    fnol = FirstNotice.model_validate_json((folder / "fnol.json").read_text(encoding="utf-8"))
    receipt = intake.create_claim(fnol, external_ref=f"dossier:{folder.name}", actor=actor)
    uploads = [intake.upload(receipt.claim_number, f.name, f.read_bytes(), actor)
               for f in sorted((folder / "documents").iterdir()) if f.is_file()]
    return DossierImport(folder, receipt, uploads)
