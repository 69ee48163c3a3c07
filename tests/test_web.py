"""The reviewer's desk over HTTP: sign-in, queues, the dossier with masking, page images
(redacted for roles that may not see ID and bank numbers), and actions with their checks,
including what the checklist lets a reviewer approve."""
from __future__ import annotations

import html as htmllib
import io
import re

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from pipeline.routing.stage import route_and_enqueue
from pipeline.settings import Settings
from pipeline.web.app import create_app
from pipeline.web.users import check_password, create_user, hash_password, seed_users
from storage import queues
from storage.db import Database
from storage.models import AuditEvent, Claim, OutboxMessage, QueueItem
from storage.objects import LocalStore
from storage.review_models import Decision, User
from tests.routing_fixtures import ACCOUNT, ID_NUMBER, NOW, config, make_claim

CFG = config()


@pytest.fixture
def desk(tmp_path, sqlite_url):
    settings = Settings(data_dir=tmp_path / "var", database_url=sqlite_url)
    database = Database(sqlite_url)
    store = LocalStore(settings.data_dir / "objects")
    with database.session() as s:
        seed_users(s, rounds=4)
        for number, kw in [("CLM-W1", {"amount": "3200.00"}), ("CLM-W2", {"amount": "20000", "language": "zh"}),
                           ("CLM-W3", {"amount": "80000"})]:
            made = make_claim(s, store, number, **kw)
            route_and_enqueue(s, s.get(Claim, made.claim_id), CFG, now=NOW)
    app = create_app(settings, secret_key="test-secret", database=database, store=store)
    yield app, database
    database.engine.dispose()


def csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def signed_in(app, username: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    token = csrf(client.get("/login").text)
    r = client.post("/login", data={"username": username, "password": username, "csrf": token, "next": "/queues"})
    assert r.status_code == 303, r.text
    return client


def take_next(client) -> str:
    token = csrf(client.get("/queues").text)
    r = client.post("/queues/take-next", data={"csrf": token})
    assert r.status_code == 303
    return r.headers["location"]


def test_passwords_are_bcrypt_hashed_and_checked():
    h = hash_password("correct horse", rounds=4)
    assert h.startswith("$2b$04$") and "correct" not in h
    assert check_password("correct horse", h) and not check_password("wrong", h)
    with pytest.raises(ValueError, match="72 bytes"):
        hash_password("x" * 73, rounds=4)


def test_unknown_role_and_duplicate_user_are_refused(desk):
    _, database = desk
    with database.session() as s, pytest.raises(ValueError, match="unknown role 'admin'"):
        create_user(s, "root", "pw", "admin", rounds=4)
    with database.session() as s, pytest.raises(ValueError, match="already exists"):
        create_user(s, "reviewer", "pw", "reviewer", rounds=4)
    with database.session() as s:
        assert all(u.password_hash.startswith("$2b$") for u in s.scalars(select(User)))


def test_pages_need_sign_in_and_a_wrong_password_is_refused(desk):
    app, _ = desk
    client = TestClient(app, follow_redirects=False)
    r = client.get("/queues")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert client.get("/claims/CLM-W1/pages/1.png").status_code == 303
    token = csrf(client.get("/login").text)
    r = client.post("/login", data={"username": "reviewer", "password": "nope", "csrf": token})
    assert r.status_code == 401 and "Wrong username or password" in r.text


def test_a_form_without_the_sessions_token_is_refused(desk):
    app, _ = desk
    client = signed_in(app, "reviewer")
    r = client.post("/queues/take-next", data={"csrf": "forged"})
    assert r.status_code == 403


def test_queue_page_lists_the_roles_queues_by_deadline_with_time_left(desk):
    app, _ = desk
    html = signed_in(app, "reviewer").get("/queues").text
    order = re.findall(r'data-claim="(CLM-W\d)"', html)
    assert order == ["CLM-W1", "CLM-W2"]  # fast track 24h, then standard 72h; the senior claim is not shown
    assert "Time left" in html and "fast_track" in html
    assert re.findall(r'data-claim="(CLM-W\d)"', signed_in(app, "senior").get("/queues").text) == [
        "CLM-W1", "CLM-W2", "CLM-W3"]


def test_dossier_masks_id_and_bank_numbers_for_a_reviewer_but_not_for_an_investigator(desk):
    app, _ = desk
    reviewer = signed_in(app, "reviewer")
    html = reviewer.get("/claims/CLM-W1").text
    assert ID_NUMBER not in html and ACCOUNT not in html and "8515" in html
    assert "Rule <code data-testid=\"rule\">fast_track</code>" in html and "Checklist" in html
    investigator = signed_in(app, "investigator")
    r = investigator.get("/claims/CLM-W1")  # not in the investigator's queues
    assert r.status_code == 403
    senior = signed_in(app, "senior")
    html = senior.get("/claims/CLM-W1").text
    assert ID_NUMBER in html and ACCOUNT not in html  # seniors see IDs, not bank accounts


def test_sensitive_numbers_in_the_audit_trail_are_masked_too(desk):
    from storage import audit

    app, database = desk
    with database.session() as s:
        claim = s.scalar(select(Claim).where(Claim.claim_number == "CLM-W1"))
        audit.record(s, claim.id, "intake", "claim.received", None,
                     {"fnol": {"claimant_id_number": ID_NUMBER, "claimant_name": "ZHANG Wei"}})
    html = signed_in(app, "reviewer").get("/claims/CLM-W1").text
    assert "claim.received" in html and ID_NUMBER not in html and "ZHANG Wei" in html
    assert ID_NUMBER in signed_in(app, "senior").get("/claims/CLM-W1").text


def test_page_image_is_served_and_redacted_where_the_role_may_not_see_numbers(desk):
    app, database = desk
    reviewer = signed_in(app, "reviewer")
    html = reviewer.get("/claims/CLM-W1").text
    src = re.search(r'src="(/claims/CLM-W1/pages/\d+\.png)"', html).group(1)
    boxes = re.findall(r'class="box" title="([^"]+)"', html)
    assert any(b.startswith("id number") for b in boxes) and len(boxes) == 5
    assert 'title="found label right"' in html  # how sure, and why: the value stood beside its label
    r = reviewer.get(src)
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert "no-store" in r.headers["cache-control"]
    box = re.search(r'data-field="id_number"\s+style="left: ([\d.]+)%; top: ([\d.]+)%; '
                    r'width: ([\d.]+)%; height: ([\d.]+)%', html)
    x, y, w, h = (float(v) / 100 for v in box.groups())

    def id_area(png: bytes) -> tuple[int, int]:
        img = Image.open(io.BytesIO(png)).convert("L")
        W, H = img.size
        return img.crop((int(x * W) + 2, int(y * H) + 2, int((x + w) * W) - 2, int((y + h) * H) - 2)).getextrema()

    assert id_area(r.content) == (0, 0)  # solid black over the ID number
    assert id_area(signed_in(app, "ops").get(src).content) == (0, 0)  # operations see bank numbers, not IDs
    assert id_area(signed_in(app, "senior").get(src).content) == (0, 255)  # seniors see the printed ID
    other = reviewer.get("/claims/CLM-W1/pages/999.png")
    assert other.status_code == 404


def test_reviewer_takes_the_next_claim_and_approves_it(desk):
    app, database = desk
    client = signed_in(app, "reviewer")
    assert take_next(client) == "/claims/CLM-W1"
    html = client.get("/claims/CLM-W1").text
    assert 'data-testid="payable">CNY 2,430.00' in html
    item_id = re.search(r'name="item_id" value="(\d+)"', html).group(1)
    r = client.post("/claims/CLM-W1/actions/approve", data={"csrf": csrf(html), "item_id": item_id})
    assert r.status_code == 303 and r.headers["location"] == "/queues"
    assert "approved, CNY 2,430.00 payable" in client.get("/queues").text
    with database.session() as s:
        d = s.scalar(select(Decision))
        assert (d.outcome, str(d.payable_amount), d.decided_by) == ("approved", "2430.00", "reviewer")
        assert s.scalars(select(OutboxMessage.kind).where(OutboxMessage.claim_id == d.claim_id)).all()[-1] == \
            "payment_approved"


def test_a_refused_action_shows_why_and_changes_nothing(desk):
    app, database = desk
    client = signed_in(app, "reviewer")
    take_next(client)
    html = client.get("/claims/CLM-W1").text
    item_id = re.search(r'name="item_id" value="(\d+)"', html).group(1)
    r = client.post("/claims/CLM-W1/actions/close_investigation",
                    data={"csrf": csrf(html), "item_id": item_id, "outcome": "no_fraud", "report": "x"})
    assert r.headers["location"] == "/claims/CLM-W1"
    assert "Not allowed: a reviewer may not close investigation" in client.get("/claims/CLM-W1").text
    r = client.post("/claims/CLM-W1/actions/deny", data={"csrf": csrf(html), "item_id": item_id,
                                                          "reason_code": "made_up"})
    assert "unknown denial reason" in client.get(r.headers["location"]).text
    with database.session() as s:
        assert s.scalar(select(Decision)) is None


def test_an_action_naming_another_claims_item_is_refused(desk):
    app, database = desk
    client = signed_in(app, "senior")
    take_next(client)
    with database.session() as s:
        other = s.scalar(select(QueueItem).join(Claim).where(Claim.claim_number == "CLM-W2")).id
    html = client.get("/claims/CLM-W1").text
    r = client.post("/claims/CLM-W1/actions/approve", data={"csrf": csrf(html), "item_id": str(other)})
    assert r.status_code == 400


def test_senior_sees_approve_on_a_large_claim_and_a_reviewer_never_receives_it(desk):
    app, _ = desk
    reviewer = signed_in(app, "reviewer")
    took = [take_next(reviewer) for _ in range(3)]
    assert took == ["/claims/CLM-W1", "/claims/CLM-W2", "/queues"]  # CLM-W3 is senior review
    senior = signed_in(app, "senior")
    assert take_next(senior) == "/claims/CLM-W3"
    html = senior.get("/claims/CLM-W3").text
    assert 'data-testid="approve"' in html and "decisions up to CNY 500,000.00" in html


def test_the_dossier_shows_the_audit_trail_and_outbox(desk):
    app, _ = desk
    client = signed_in(app, "reviewer")
    take_next(client)
    take_next(client)
    html = client.get("/claims/CLM-W2").text
    assert "queue.routed" in html and "queue.taken" in html
    assert "材料已齐全" in html  # the zh claim's materials-complete message


# --- what the checklist lets a reviewer approve ---------------------------------------

OUTSIDE_PERIOD = "The incident on 2024-02-23 falls outside the policy period 2023-01-09 to 2024-01-08"
HOLDER_IS_SOMEONE_ELSE = ("check:name_agreement:7", "failed", ["the bank account holder LI Na is not the claimant"])


def held_by(database, username: str, number: str, **claim) -> str:
    """A claim routed and taken by ``username``; its queue item id."""
    with database.session() as s:
        made = make_claim(s, None, number, **claim)
        _, item = route_and_enqueue(s, s.get(Claim, made.claim_id), CFG, now=NOW)
        queues.take(s, item.id, username)
        return str(item.id)


def text_of(response) -> str:
    return htmllib.unescape(response.text)


def test_approve_is_greyed_out_with_the_reasons_and_refused_when_posted_anyway(desk):
    app, database = desk
    item_id = held_by(database, "senior", "CLM-W4", amount="80000", status="not_accepted",
                      status_reason=OUTSIDE_PERIOD,
                      checklist=[("claim_form", "satisfied", []), ("police_report", "missing", ["not sent"]),
                                 HOLDER_IS_SOMEONE_ELSE])
    client = signed_in(app, "senior")
    page = client.get("/claims/CLM-W4")
    form = re.search(r'<form[^>]*data-testid="approve-form".*?</form>', page.text, re.S).group(0)
    assert re.search(r'<fieldset disabled>', form) and re.search(r'data-testid="approve" disabled', form)
    reasons = htmllib.unescape(re.search(r'data-testid="approve-refusals">(.*?)</div>', form, re.S).group(1))
    assert OUTSIDE_PERIOD in reasons and "deny it with the reason or send it to the panel" in reasons
    assert "cross-document check 'name agreement' (the bank account holder LI Na is not the claimant)" in reasons
    assert 'data-testid="payable"' not in form and 'data-testid="deny-form"' in page.text
    r = client.post("/claims/CLM-W4/actions/approve", data={"csrf": csrf(page.text), "item_id": item_id,
                                                            "confirm_needs_person": "yes", "note": "approve anyway please"})
    assert r.headers["location"] == "/claims/CLM-W4"
    assert "Not allowed: CLM-W4 cannot be approved: the checklist outcome is not accepted" in text_of(
        client.get("/claims/CLM-W4"))
    with database.session() as s:
        assert s.scalar(select(Decision)) is None and s.get(QueueItem, int(item_id)).status == "taken"


@pytest.mark.parametrize("claim, refusal", [
    (dict(status="pending_documents", checklist=[("claim_form", "satisfied", []), ("police_report", "missing", [])]),
     "the checklist outcome is pending documents: documents are still missing or unreadable; request them or wait"),
    (dict(status="accepted", checklist=[("claim_form", "satisfied", []),
                                        ("bank_card", "invalid", ["the card has expired"])]),
     "checklist item 'Bank Card' (the card has expired) is invalid"),
    (dict(status="accepted", checklist=[("claim_form", "satisfied", []), HOLDER_IS_SOMEONE_ELSE]),
     "cross-document check 'name agreement' (the bank account holder LI Na is not the claimant) is failed"),
], ids=["pending_documents", "invalid_item", "failed_check"])
def test_the_desk_refuses_approval_and_names_why(desk, claim, refusal):
    app, database = desk
    item_id = held_by(database, "reviewer", "CLM-W5", amount="9000", **claim)
    client = signed_in(app, "reviewer")
    page = client.get("/claims/CLM-W5")
    assert refusal in text_of(page) and re.search(r'data-testid="approve" disabled', page.text)
    client.post("/claims/CLM-W5/actions/approve", data={"csrf": csrf(page.text), "item_id": item_id})
    assert f"Not allowed: CLM-W5 cannot be approved: {refusal}" in text_of(client.get("/claims/CLM-W5"))
    with database.session() as s:
        assert s.scalar(select(Decision)) is None


def test_pending_review_is_approved_once_the_reviewer_confirms_and_notes_what_they_checked(desk):
    app, database = desk
    item_id = held_by(database, "reviewer", "CLM-W6", amount="3200", status="pending_review",
                      checklist=[("claim_form", "satisfied", []),
                                 ("check:amount_total:7", "needs_person", ["the invoice total is read at 61%"])])
    client = signed_in(app, "reviewer")
    page = client.get("/claims/CLM-W6")
    form = re.search(r'<form[^>]*data-testid="approve-form".*?</form>', page.text, re.S).group(0)
    assert "<fieldset>" in form and 'data-testid="approve">' in form  # not disabled
    assert re.search(r'name="confirm_needs_person" value="yes" required', form)
    assert re.search(r'name="note" required minlength="15"', form)
    assert "cross-document check 'amount total' (the invoice total is read at 61%)" in htmllib.unescape(form)

    r = client.post("/claims/CLM-W6/actions/approve", data={"csrf": csrf(page.text), "item_id": item_id,
                                                            "note": "Checked the invoice total."})
    assert r.headers["location"] == "/claims/CLM-W6"
    assert "Not allowed: confirm that you looked at everything a person must decide" in text_of(
        client.get("/claims/CLM-W6"))
    r = client.post("/claims/CLM-W6/actions/approve", data={"csrf": csrf(page.text), "item_id": item_id,
                                                            "confirm_needs_person": "yes", "note": "fine"})
    assert "at least 15 characters" in text_of(client.get("/claims/CLM-W6"))

    r = client.post("/claims/CLM-W6/actions/approve", data={"csrf": csrf(page.text), "item_id": item_id,
                                                            "confirm_needs_person": "yes",
                                                            "note": "Invoice total 3,200.00 checked on the scan."})
    assert r.status_code == 303 and r.headers["location"] == "/queues"
    assert "CLM-W6: approved, CNY 2,430.00 payable" in client.get("/queues").text
    with database.session() as s:
        d = s.scalar(select(Decision))
        assert d.outcome == "approved" and d.note == (
            "Confirmed I looked at every item a person must decide (check:amount_total:7). "
            "Invoice total 3,200.00 checked on the scan.")
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "claim.approved"))
        assert event.actor == "reviewer" and event.after["approval"]["confirmed_items"] == ["check:amount_total:7"]
