"""A generated claim goes through every stage of process_claim, and a late upload is
verified again with only the new document read."""
import json
import shutil

import pytest
from sqlalchemy import func, select

from pipeline.intake.dossiers import import_dossier
from storage.models import AuditEvent, ChecklistItemRow, Claim, Document, OutboxMessage, QueueItem, RiskScoreRow

pytestmark = pytest.mark.slow


def _held_back_copy(dossier, tmp_path, doc_type):
    """A copy of a dossier without its document of ``doc_type``; returns (copy, held-back file)."""
    truth = json.loads((dossier / "truth.json").read_text())
    held = next(d["file"] for d in truth["documents"] if d["doc_type"] == doc_type)
    copy = tmp_path / dossier.name
    shutil.copytree(dossier, copy)
    late = tmp_path / "late" / held.split("/")[-1]
    late.parent.mkdir()
    shutil.move(copy / held, late)
    return copy, late


def _status(s, claim_id, code):
    return s.scalar(select(ChecklistItemRow.status).where(ChecklistItemRow.claim_id == claim_id,
                                                          ChecklistItemRow.code == code))


def test_a_claim_goes_from_upload_to_a_queue_and_a_late_upload_is_reverified(flow_ctx, sample_dossiers, tmp_path):
    from flows.process_claim import process_claim

    ctx = flow_ctx
    dossier = next(d for d in sample_dossiers
                   if any(x["doc_type"] == "bank_details" for x in json.loads((d / "truth.json").read_text())["documents"]))
    copy, late = _held_back_copy(dossier, tmp_path, "bank_details")
    claim_number = import_dossier(ctx.intake, copy).receipt.claim_number

    result = process_claim(claim_number)
    assert result["routing"]["queue"]
    with ctx.db.session() as s:
        claim = s.scalar(select(Claim).where(Claim.claim_number == claim_number))
        docs = s.scalars(select(Document).where(Document.claim_id == claim.id)).all()
        assert docs and all(d.read_at is not None and d.doc_type for d in docs)
        first_reads = {d.id: d.read_at for d in docs}
        assert claim.checklist_version and claim.stage == "routed"
        bank_items = s.scalars(select(ChecklistItemRow).where(ChecklistItemRow.claim_id == claim.id,
                                                             ChecklistItemRow.code.like("bank%"))).all()
        assert [i.status for i in bank_items] == ["missing"]
        bank_code = bank_items[0].code
        assert claim.status == "pending_documents"
        assert s.scalar(select(func.count()).select_from(RiskScoreRow).where(RiskScoreRow.claim_id == claim.id)) == 1
        assert s.scalar(select(QueueItem.queue).where(QueueItem.claim_id == claim.id)) == "waiting_for_documents"
        notice = s.scalar(select(OutboxMessage).where(OutboxMessage.claim_id == claim.id))
        assert notice.kind == "missing_materials"
        counts = [s.scalar(select(func.count()).select_from(t)) for t in (ChecklistItemRow, RiskScoreRow, QueueItem,
                                                                          OutboxMessage)]

    process_claim(claim_number)  # unchanged claim: nothing new
    with ctx.db.session() as s:
        assert counts == [s.scalar(select(func.count()).select_from(t)) for t in (ChecklistItemRow, RiskScoreRow,
                                                                                   QueueItem, OutboxMessage)]

    ctx.intake.upload(claim_number, late.name, late.read_bytes(), actor="customer")
    process_claim(claim_number)
    with ctx.db.session() as s:
        claim = s.scalar(select(Claim).where(Claim.claim_number == claim_number))
        docs = s.scalars(select(Document).where(Document.claim_id == claim.id)).all()
        assert {d.id: d.read_at for d in docs if d.id in first_reads} == first_reads  # nothing re-read
        assert [d.doc_type for d in docs if d.id not in first_reads] == ["bank_details"]
        assert _status(s, claim.id, bank_code) != "missing"
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.claim_id == claim.id)).all()
        assert {"claim_created", "document_uploaded", "pages_prepared", "document_read", "checklist_verified",
                "risk_scored"} <= set(actions)
