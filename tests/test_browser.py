"""The reviewer's journey in headless Chromium: sign in, take the next claim, look at a
document page, approve one claim and deny another, find approval greyed out on a claim
the policy does not cover and send it to the panel, then check the queue, the audit
trail and the outbox. Uses Debian's chromium through Playwright (no browser download)."""
from __future__ import annotations

import shutil
import socket
import threading
import time

import pytest
from sqlalchemy import select

from pipeline.routing.stage import route_and_enqueue
from pipeline.settings import Settings
from pipeline.web.app import create_app
from pipeline.web.users import seed_users
from storage.db import Database
from storage.models import AuditEvent, Claim, OutboxMessage
from storage.objects import LocalStore
from storage.review_models import Decision, DenialLetter
from tests.routing_fixtures import ID_NUMBER, NOW, config, make_claim

pytestmark = pytest.mark.browser
OUTSIDE_PERIOD = "The incident on 2024-02-23 falls outside the policy period 2023-01-09 to 2024-01-08"

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def desk_server(tmp_path, sqlite_url):
    uvicorn = pytest.importorskip("uvicorn")
    settings = Settings(data_dir=tmp_path / "var", database_url=sqlite_url)
    database = Database(sqlite_url)
    store = LocalStore(settings.data_dir / "objects")
    with database.session() as s:
        seed_users(s, rounds=4)
        for number, kw in [("CLM-B1", {"amount": "3200.00"}),
                           ("CLM-B2", {"amount": "12000.00", "language": "zh", "claimant": "张伟"}),
                           ("CLM-B3", {"amount": "9000.00", "status": "not_accepted", "status_reason": OUTSIDE_PERIOD,
                                       "checklist": [("claim_form", "satisfied", []),
                                                     ("check:name_agreement:7", "failed",
                                                      ["the bank account holder LI Na is not the claimant"])]})]:
            made = make_claim(s, store, number, **kw)
            route_and_enqueue(s, s.get(Claim, made.claim_id), config(), now=NOW)
    app = create_app(settings, secret_key="browser-test", database=database, store=store)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 15
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    assert server.started, "the desk did not start"
    yield f"http://127.0.0.1:{port}", database
    server.should_exit = True
    thread.join(10)
    database.engine.dispose()


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (scripts/setup.sh installs it)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def test_reviewer_works_two_claims_from_queue_to_decision(desk_server, browser):
    base, database = desk_server
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.on("dialog", lambda d: d.accept())  # the deny button asks for confirmation
    page.set_default_timeout(10_000)

    page.goto(f"{base}/queues")
    assert "/login" in page.url
    page.fill("input[name=username]", "reviewer")
    page.fill("input[name=password]", "reviewer")
    page.click("button:has-text('Sign in')")
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == 3 and rows.nth(0).get_attribute("data-claim") == "CLM-B1"
    assert "1d 0h" in rows.nth(0).inner_text() or "overdue" in rows.nth(0).inner_text()

    # take the next claim: the fast-track one
    page.click("[data-testid=take-next]")
    assert page.url.endswith("/claims/CLM-B1")
    assert page.inner_text("[data-testid=rule]") == "fast_track"
    assert ID_NUMBER not in page.content()

    # the document page is an image with the extracted fields outlined on it
    img = page.locator("figure.page img").first
    img.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('figure.page img').complete")
    assert img.evaluate("i => i.naturalWidth") == 1240
    boxes = page.locator("figure.page .box")
    assert boxes.count() == 5
    frame, name_box = page.locator(".page-frame").first.bounding_box(), page.locator(".box[data-field=name]").bounding_box()
    assert frame["x"] < name_box["x"] < frame["x"] + frame["width"] and name_box["width"] > 20

    # approve it
    assert page.inner_text("[data-testid=payable]") == "CNY 2,430.00"
    page.click("[data-testid=approve]")
    assert page.url.endswith("/queues")
    assert "CLM-B1: approved, CNY 2,430.00 payable" in page.inner_text(".flash.ok")
    assert [r.get_attribute("data-claim") for r in page.locator("table.queue tbody tr").all()] == ["CLM-B2", "CLM-B3"]

    # take the next one and deny it with a reason; the letter goes out in Chinese
    page.click("[data-testid=take-next]")
    assert page.url.endswith("/claims/CLM-B2")
    page.select_option("[data-testid=reason]", "late_notification")
    page.click("[data-testid=deny]")
    assert "CLM-B2: denied (late_notification)" in page.inner_text(".flash.ok")

    # the policy does not cover the last one: approve is greyed out with the reasons; send it to the panel
    page.click("[data-testid=take-next]")
    assert page.url.endswith("/claims/CLM-B3")
    assert page.locator("[data-testid=approve]").is_disabled()
    assert page.locator("[data-testid=approve-form] input[name=note]").is_disabled()
    refusals = page.inner_text("[data-testid=approve-refusals]")
    assert OUTSIDE_PERIOD in refusals and "LI Na is not the claimant" in refusals
    page.click("form[action$='/send_to_panel'] button")
    assert "CLM-B3: sent to the panel" in page.inner_text(".flash.ok")
    assert "Nothing waiting" in page.inner_text("table.queue")

    # afterwards: the dossier shows the decision, the audit trail and the outbox
    page.goto(f"{base}/claims/CLM-B2")
    assert "denied by reviewer" in page.inner_text("[data-testid=decision]")
    audit = page.inner_text("[data-testid=audit]")
    for action in ("queue.routed", "queue.taken", "claim.denied", "outbox.queued"):
        assert action in audit
    outbox = page.inner_text("[data-testid=outbox]")
    assert "denied [zh]" in outbox and "审核决定" in outbox

    with database.session() as s:
        outcomes = {s.get(Claim, d.claim_id).claim_number: d.outcome for d in s.scalars(select(Decision))}
        assert outcomes == {"CLM-B1": "approved", "CLM-B2": "denied"}  # CLM-B3 waits for the panel
        letter = s.scalar(select(DenialLetter))
        assert letter.language == "zh" and "Section 5.2 Notice of claim" in letter.body
        actors = set(s.scalars(select(AuditEvent.actor).where(AuditEvent.action.in_(("claim.approved", "claim.denied")))))
        assert actors == {"reviewer"}
        assert s.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)).all()[-2:] == ["review_completed", "denied"]
