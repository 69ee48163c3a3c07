"""The intake HTTP API: create a claim, upload its documents, read its status.

Partner systems and the customer app call this; reviewers use the web desk.
Uploads are read fully into memory up to the size limit plus one byte, so an
oversized file is refused without being held whole.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI, File, HTTPException, Request, UploadFile
from pydantic import BaseModel

from pipeline.intake.service import IntakeError
from pipeline.report import claim_status
from pipeline.schemas import FirstNotice, PolicyRecord
from pipeline.stages.context import Context

router = APIRouter(prefix="/api")


class ClaimCreated(BaseModel):
    claim_number: str
    acknowledged_at: str
    status: str
    reason: str | None


class DocumentReceived(BaseModel):
    document_id: int
    file_name: str
    sha256: str
    status: str
    reason: str | None = None
    message: str | None = None
    already_in_claim: bool = False
    duplicate_of: list[str] = []


def get_context(request: Request) -> Context:
    return request.app.state.context


@router.post("/policies", status_code=204)
def register_policy(policy: PolicyRecord, ctx: Context = Depends(get_context)) -> None:
    ctx.intake.register_policy(policy, actor="api")


@router.post("/claims", response_model=ClaimCreated, status_code=201)
def create_claim(fnol: FirstNotice, request: Request, ctx: Context = Depends(get_context)) -> ClaimCreated:
    receipt = ctx.intake.create_claim(fnol, external_ref=request.headers.get("Idempotency-Key"), actor="api")
    return ClaimCreated(claim_number=receipt.claim_number, acknowledged_at=receipt.acknowledged_at.isoformat(),
                        status=receipt.status, reason=receipt.reason)


@router.post("/claims/{claim_number}/documents", response_model=list[DocumentReceived], status_code=201)
async def upload_documents(claim_number: str, files: list[UploadFile] = File(...),
                           ctx: Context = Depends(get_context)) -> list[DocumentReceived]:
    results = []
    for f in files:
        data = await f.read(ctx.settings.max_upload_bytes + 1)
        try:
            up = ctx.intake.upload(claim_number, f.filename or "", data, actor="api")
        except IntakeError as exc:
            raise HTTPException(404, str(exc)) from None
        results.append(DocumentReceived(**up.__dict__))
    return results


@router.get("/claims/{claim_number}")
def get_claim(claim_number: str, ctx: Context = Depends(get_context)) -> dict:
    try:
        return claim_status(ctx, claim_number)
    except KeyError:
        raise HTTPException(404, f"no claim {claim_number}") from None


def create_app(ctx: Context | None = None) -> FastAPI:
    app = FastAPI(title="Claims intake API", version="1")
    app.state.context = ctx or Context.open()
    app.include_router(router)
    return app
