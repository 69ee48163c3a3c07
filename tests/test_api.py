"""The intake API: a partner creates a claim, uploads files as multipart, and reads the status."""
import pytest
from fastapi.testclient import TestClient

from pipeline.api import create_app
from tests import files
from tests.test_intake import fnol, policy


@pytest.fixture
def client(ctx):
    return TestClient(create_app(ctx))


def test_create_upload_and_read_status(client):
    assert client.post("/api/policies", json=policy().model_dump(mode="json")).status_code == 204
    r = client.post("/api/claims", json=fnol().model_dump(mode="json"), headers={"Idempotency-Key": "app-77"})
    assert r.status_code == 201, r.text
    number = r.json()["claim_number"]
    assert r.json()["status"] == "pending" and r.json()["acknowledged_at"]
    again = client.post("/api/claims", json=fnol().model_dump(mode="json"), headers={"Idempotency-Key": "app-77"})
    assert again.json()["claim_number"] == number

    up = client.post(f"/api/claims/{number}/documents", files=[
        ("files", ("claim_form.pdf", files.text_pdf(["Claim form"]), "application/pdf")),
        ("files", ("locked.pdf", files.encrypted_pdf(), "application/pdf")),
    ])
    assert up.status_code == 201
    assert [(d["status"], d["reason"]) for d in up.json()] == [("stored", None), ("quarantined", "encrypted_pdf")]

    status = client.get(f"/api/claims/{number}").json()
    assert [d["status"] for d in status["documents"]] == ["stored", "quarantined"]
    assert status["documents"][1]["quarantine_message"]


def test_invalid_first_notice_is_refused_with_the_field_named(client):
    bad = fnol().model_dump(mode="json") | {"incident_type": "fire"}
    r = client.post("/api/claims", json=bad)
    assert r.status_code == 422 and "incident_type" in r.text


def test_unknown_claim_is_404(client):
    assert client.get("/api/claims/CLM-0000-000000").status_code == 404
    r = client.post("/api/claims/CLM-0000-000000/documents", files=[("files", ("a.pdf", b"%PDF-", "application/pdf"))])
    assert r.status_code == 404
