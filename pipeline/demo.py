"""``make demo``: generated claims from upload to review queue, summarised for a person.

A few deliberately bad files (empty, truncated, password-protected, mislabelled, blank) are
uploaded beside the generated documents to show that each is quarantined with its
reason while the rest of its claim goes on.
"""
from __future__ import annotations

import io
import time
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.intake.dossiers import import_dossier
from pipeline.reading.types import shown_confidence
from pipeline.report import claim_status
from pipeline.stages.context import Context


def bad_files() -> list[tuple[str, bytes]]:
    """Uploads a real customer sends by mistake, each refused for a different reason."""
    import pypdf
    from PIL import Image

    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt("secret")
    encrypted = io.BytesIO()
    writer.write(encrypted)
    png = io.BytesIO()
    Image.new("RGB", (40, 40), "white").save(png, "PNG")
    dark = io.BytesIO()
    Image.new("RGB", (1600, 1200), (12, 12, 14)).save(dark, "JPEG")  # the lens was covered
    return [
        ("empty_scan.pdf", b""),
        ("truncated_invoice.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n%%broken"),
        ("protected_statement.pdf", encrypted.getvalue()),
        ("receipt.pdf", png.getvalue()),  # a PNG that says it is a PDF
        ("damage_front.jpg", dark.getvalue()),
    ]


def run_demo(console: Console, count: int, seed: int, out: Path) -> None:
    from flows.process_claim import process_inbox
    from flows.quiet import quiet_prefect
    from pipeline.samples import generate_dossiers

    t0 = time.perf_counter()
    folder = out / f"seed{seed}-n{count}"
    if not folder.exists() or len(list(folder.iterdir())) < count:
        console.print(f"[bold]1. Generating {count} sample claims[/] into {folder}")
        generate_dossiers(folder, count, seed)
    else:
        console.print(f"[bold]1. Reusing {count} sample claims[/] in {folder}")
    dossiers = sorted(p for p in folder.iterdir() if (p / "fnol.json").exists())[:count]

    ctx = Context.open()
    console.print(f"[bold]2. Taking in {len(dossiers)} claims[/] (database {ctx.settings.db_url}, "
                  f"{ctx.settings.store} object store)")
    numbers: list[tuple[str, str]] = []
    mistakes = bad_files()
    for i, d in enumerate(dossiers):
        imported = import_dossier(ctx.intake, d, actor="demo")
        numbers.append((imported.receipt.claim_number, d.name))
        if i < len(mistakes) and imported.receipt.created:  # a re-run sends nothing twice
            name, data = mistakes[i]
            ctx.intake.upload(imported.receipt.claim_number, name, data, actor="demo")

    console.print("[bold]3. Running process_inbox[/] (Prefect flow; one process_claim run per claim)")
    with quiet_prefect():
        results = process_inbox()
    for failed in (r for r in results if "failed" in r):
        console.print(f"[red]{failed['claim_number']} could not be processed:[/] {escape(str(failed['failed']))}")

    console.print("[bold]4. Summary[/]")
    table = Table(show_lines=False)
    for col in ("claim", "docs", "pages", "acceptance", "risk", "queue"):
        table.add_column(col, no_wrap=True)
    statuses = [claim_status(ctx, number) for number, _ in numbers]
    for (number, name), st in zip(numbers, statuses):
        risk = st["risk"] or {}
        queue = st["queue"] or {}
        table.add_row(number, str(len(st["documents"])), str(sum(d["pages"] for d in st["documents"])),
                      st["status"], str(risk.get("score", "-")), queue.get("queue", "-"))
    console.print(table)
    for (_, name), st in zip(numbers, statuses):
        print_claim(console, ctx, st, name)
    print_queues(console, ctx)
    console.print(f"done in {time.perf_counter() - t0:.0f}s")


STATUS_MARK = {"satisfied": "[green]ok[/]", "missing": "[red]missing[/]", "invalid": "[red]invalid[/]",
               "needs_person": "[yellow]needs person[/]", "passed": "[green]ok[/]", "failed": "[red]failed[/]"}


def print_claim(console: Console, ctx: Context, st: dict, dossier: str) -> None:
    """One claim as a reviewer would first see it: documents, checklist, notice, risk, queue."""
    lang = st["language"]
    console.rule(f"[bold]{st['claim_number']}[/] {st['line_of_business']}/{st['incident_type']} ({lang}), "
                 f"claimed {st['claimed_amount']}, from {dossier}")
    for d in st["documents"]:
        if d["status"] == "quarantined":
            console.print(f"  [red]quarantined[/] {escape(d['file'])}: {escape('[' + d['quarantine_reason'] + ']')} "
                          f"{escape(d['quarantine_message'])}")
            continue
        conf = shown_confidence(d["type_confidence"]) if d["type_confidence"] is not None else "-"
        low = " [yellow](low confidence)[/]" if d["low_confidence"] else ""
        fields = ", ".join(f"{f['name']}={f['value']} ({shown_confidence(f['confidence'])})" for f in d["fields"]) or "no fields"
        console.print(f"  {d['file']} -> [cyan]{d['doc_type']}[/] {conf}{low}: {fields}", highlight=False)
    if st["checklist"]:
        console.print(f"  checklist {st['checklist_version']}:")
        for item in st["checklist"]:
            if item["code"].startswith("check:") and item["status"] == "passed":
                continue
            reasons = "; ".join(r.get(f"message_{lang}") or r.get("message_en", "") for r in item["reasons"])
            console.print(f"    {STATUS_MARK.get(item['status'], item['status'])} {item['name']}"
                          + (f" - {reasons}" if reasons else ""), highlight=False)
    console.print(f"  acceptance: [bold]{st['status']}[/]" + (f" ({st['status_reason']})" if st["status_reason"] else ""))
    notice = _latest_notice(ctx, st["claim_number"])
    if notice is not None:
        console.print(f"  notice to the customer ({notice.kind}): [italic]{notice.subject}[/]")
        for line in notice.body.splitlines():
            console.print(f"    | {line}", highlight=False, markup=False)
    if st["risk"]:
        r = st["risk"]
        console.print(f"  risk {r['score']}/100 (p={r['probability']:.3f}, {r['model_version']}): "
                      + "; ".join(r["reasons"][:3]), highlight=False)
    if st["queue"]:
        q = st["queue"]
        console.print(f"  queue: [bold]{q['queue']}[/] by rule {q['rule']}, due {q['deadline_at']:%Y-%m-%d %H:%M} UTC")


def _latest_notice(ctx: Context, claim_number: str):
    from sqlalchemy import select

    from storage.models import Claim, OutboxMessage

    with ctx.db.session() as s:
        return s.scalars(select(OutboxMessage).join(Claim, Claim.id == OutboxMessage.claim_id)
                         .where(Claim.claim_number == claim_number,
                                OutboxMessage.kind.in_(("missing_materials", "not_accepted")))
                         .order_by(OutboxMessage.id.desc())).first()


def print_queues(console: Console, ctx: Context) -> None:
    from pipeline.routing.config import cached_config
    from pipeline.routing.report import desk_instructions, format_queues
    from pipeline.web.users import seed_users

    console.rule("[bold]Review queues[/]")
    with ctx.db.session() as s:
        seed_users(s)
        console.print(format_queues(s, cached_config(ctx.settings.config_dir)), highlight=False, markup=False)
    console.print(desk_instructions())
