"""The reviewer's desk: sign in, see the queues, take the next claim, read its dossier,
act on it. Server-rendered pages (FastAPI + Jinja2), a little JavaScript for clocks.

``create_app(settings)`` builds the app; ``serve_web(host, port)`` runs it (``claims web``).
Every action re-checks the user's role and authority in ``pipeline.routing.actions``.
"""
from __future__ import annotations

import io
import os
import secrets
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from starlette.middleware.sessions import SessionMiddleware

from pipeline.routing import actions as desk
from pipeline.routing.authority import NotAllowed, role_rule
from pipeline.routing.config import RoutingConfig, load_config
from pipeline.settings import Settings, get_settings
from pipeline.web import views
from pipeline.web.redact import boxes_to_cover, redact_png
from pipeline.web.users import authenticate
from storage.db import Database, open_database
from storage.models import Claim, Document, Page, QueueItem
from storage.objects import ObjectNotFound, ObjectStore, open_store
from storage.queues import QueueConflict, take_next
from storage.review_models import User

HERE = Path(__file__).resolve().parent


class SignInRequired(Exception):
    pass


def create_app(settings: Settings, *, secret_key: str | None = None, config: RoutingConfig | None = None,
               database: Database | None = None, store: ObjectStore | None = None,
               approval: desk.ApprovalRules | None = None) -> FastAPI:
    config = config or load_config(settings.config_dir)
    approval = approval or desk.load_approval_rules(settings.config_dir)
    database = database or open_database(settings)
    store = store or open_store(settings)
    secret_key = secret_key or os.environ.get("CLAIMS_WEB_SECRET") or secrets.token_hex(32)

    app = FastAPI(title="Claims reviewer's desk", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(SessionMiddleware, secret_key=secret_key, session_cookie="claims_desk",
                       same_site="strict", https_only=False, max_age=12 * 3600)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters["money"] = lambda v: f"{Decimal(v):,.2f}" if v is not None else ""
    templates.env.filters["label"] = lambda v: str(v).replace("_", " ")
    templates.env.filters["pct"] = lambda v: f"{100 * float(v):.1f}%"
    app.state.config, app.state.database, app.state.store = config, database, store

    def csrf_token(request: Request) -> str:
        if "csrf" not in request.session:
            request.session["csrf"] = secrets.token_urlsafe(24)
        return request.session["csrf"]

    def flash(request: Request, text: str, kind: str = "info") -> None:
        request.session.setdefault("flash", []).append([kind, text])

    def page(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
        user = context.get("user")
        base = {"csrf": csrf_token(request), "flashes": request.session.pop("flash", []), "user": user,
                "role_label": role_rule(config, user.role).label if user else ""}
        return templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)

    def current_user(request: Request, session) -> views.DeskUser:
        username = request.session.get("user")
        user = session.scalar(select(User).where(User.username == username)) if username else None
        if user is None or not user.active:
            raise SignInRequired()
        return views.DeskUser.of(user)

    async def checked_form(request: Request) -> dict[str, Any]:
        form = await request.form()
        sent = form.get("csrf", "")
        if not isinstance(sent, str) or not secrets.compare_digest(sent, request.session.get("csrf", "")):
            raise HTTPException(403, "The form expired; reload the page and try again.")
        return {k: form.getlist(k) if k == "doc_types" else form.get(k) for k in form.keys()}

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired):
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException):
        return page(request, "error.html", {"status": exc.status_code, "message": exc.detail,
                                            "user": None}, status_code=exc.status_code)

    @app.get("/", include_in_schema=False)
    def home():
        return RedirectResponse("/queues", status_code=303)

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/queues"):
        return page(request, "login.html", {"next": next, "error": None})

    @app.post("/login", response_class=HTMLResponse)
    async def login(request: Request):
        form = await checked_form(request)
        target = form.get("next") or "/queues"
        if not target.startswith("/") or target.startswith("//"):
            target = "/queues"
        with database.session() as session:
            user = authenticate(session, form.get("username") or "", form.get("password") or "")
        if user is None:
            return page(request, "login.html", {"next": target, "error": "Wrong username or password."},
                        status_code=401)
        request.session.clear()
        request.session["user"] = user.username
        return RedirectResponse(target, status_code=303)

    @app.post("/logout")
    async def logout(request: Request):
        await checked_form(request)
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    @app.get("/queues", response_class=HTMLResponse)
    def queue_page(request: Request):
        with database.session() as session:
            user = current_user(request, session)
            rows = views.queue_rows(session, config, user)
            return page(request, "queues.html", {"user": user, "rows": rows,
                                                 "queues": role_rule(config, user.role).queues,
                                                 "labels": config.rules.queues})

    @app.post("/queues/take-next")
    async def take_next_item(request: Request):
        await checked_form(request)
        with database.session() as session:
            user = current_user(request, session)
            item = take_next(session, user.username, role_rule(config, user.role).queues)
            if item is None:
                flash(request, "Nothing is waiting in your queues.")
                return RedirectResponse("/queues", status_code=303)
            claim_number = session.get(Claim, item.claim_id).claim_number
        return RedirectResponse(f"/claims/{claim_number}", status_code=303)

    def load_claim(session, claim_number: str, user: views.DeskUser) -> Claim:
        claim = session.scalar(select(Claim).where(Claim.claim_number == claim_number))
        if claim is None:
            raise HTTPException(404, f"No claim {claim_number}.")
        if not views.may_view(session, config, user, claim):
            raise HTTPException(403, f"Claim {claim_number} is in a queue your role does not work.")
        return claim

    @app.get("/claims/{claim_number}", response_class=HTMLResponse)
    def dossier_page(request: Request, claim_number: str):
        with database.session() as session:
            user = current_user(request, session)
            claim = load_claim(session, claim_number, user)
            return page(request, "dossier.html", {"user": user, **views.dossier(session, config, user, claim,
                                                                                approval)})

    @app.get("/claims/{claim_number}/pages/{page_id}.png")
    def page_image(request: Request, claim_number: str, page_id: int):
        with database.session() as session:
            user = current_user(request, session)
            claim = load_claim(session, claim_number, user)
            pg = session.get(Page, page_id)
            if pg is None or session.get(Document, pg.document_id).claim_id != claim.id:
                raise HTTPException(404, "No such page in this claim.")
            key = pg.clean_image_key or pg.image_key
            if not key:
                raise HTTPException(404, "This page has no image.")
            boxes, values = views.page_secrets(session, config, user, pg)
            words_key = pg.words_key
        try:
            data = store.get(key)
        except ObjectNotFound:
            raise HTTPException(404, "The page image is missing from the object store.") from None
        words = _words(store, words_key) if values else []
        cover = boxes_to_cover(boxes, words, values)
        if cover:
            data = redact_png(data, cover)
        elif not data.startswith(b"\x89PNG"):
            from PIL import Image
            with Image.open(io.BytesIO(data)) as img:
                out = io.BytesIO()
                img.save(out, "PNG")
                data = out.getvalue()
        return Response(data, media_type="image/png", headers={"Cache-Control": "private, no-store"})

    @app.post("/claims/{claim_number}/actions/{action}")
    async def act(request: Request, claim_number: str, action: str):
        form = await checked_form(request)
        with database.session() as session:
            user = current_user(request, session)
            claim = load_claim(session, claim_number, user)
            try:
                item_id = int(form.get("item_id") or 0)
            except ValueError:
                item_id = 0
            item = session.get(QueueItem, item_id)
            if item is None or item.claim_id != claim.id:
                raise HTTPException(400, f"That queue item is not claim {claim.claim_number}'s.")
        actor = desk.Actor(user.username, user.role, user.display_name)
        try:
            with database.session() as session:
                message = _perform(session, config, approval, action, item_id, actor, form)
        except NotAllowed as exc:
            flash(request, f"Not allowed: {exc}", "error")
        except QueueConflict as exc:
            flash(request, f"Someone else changed this claim first: {exc}", "error")
        except (ValueError, LookupError) as exc:
            flash(request, str(exc), "error")
        else:
            flash(request, f"{claim.claim_number}: {message}", "ok")
            return RedirectResponse("/queues", status_code=303)
        return RedirectResponse(f"/claims/{claim.claim_number}", status_code=303)

    return app


def _perform(session, config: RoutingConfig, approval: desk.ApprovalRules, action: str, item_id: int,
             actor: desk.Actor, form: dict[str, Any]) -> str:
    note = form.get("note") or ""
    if action == "approve":
        d = desk.approve(session, config, item_id, actor, assessed_amount=desk.parse_amount(form.get("assessed_amount")),
                         note=note, confirmed_needs_person=form.get("confirm_needs_person") == "yes", rules=approval)
        return f"approved, {d.currency} {d.payable_amount:,.2f} payable"
    if action == "deny":
        d, _ = desk.deny(session, config, item_id, actor, reason_code=form.get("reason_code") or "",
                         clause=form.get("clause"), note=note)
        return f"denied ({d.reason_code}); the letter is in the outbox"
    if action == "request_documents":
        desk.request_documents(session, config, item_id, actor, doc_types=form.get("doc_types") or [], note=note)
        return "documents requested; waiting for the customer"
    if action == "refer_investigation":
        desk.refer_investigation(session, config, item_id, actor, reason=form.get("reason") or "")
        return "referred to special investigations"
    if action == "send_to_panel":
        desk.send_to_panel(session, config, item_id, actor, note=note)
        return "sent to the panel"
    if action == "close_investigation":
        item = desk.close_investigation(session, config, item_id, actor, outcome=form.get("outcome") or "",
                                        report=form.get("report") or "")
        return f"investigation closed; now in {item.queue.replace('_', ' ')}"
    if action == "release":
        desk.release(session, config, item_id, actor)
        return "released back to the queue"
    raise ValueError(f"unknown action {action!r}")


def _words(store: ObjectStore, words_key: str | None) -> list[tuple[str, tuple]]:
    if not words_key:
        return []
    import json
    try:
        data = json.loads(store.get(words_key))
    except (ObjectNotFound, ValueError):
        return []
    return [(w["text"], tuple(w["box"])) for w in data.get("words", [])]


def serve_web(host: str = "127.0.0.1", port: int = 8080) -> None:
    """Run the desk (``claims web``)."""
    import uvicorn

    uvicorn.run(create_app(get_settings()), host=host, port=port)
