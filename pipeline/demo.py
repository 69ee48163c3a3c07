"""``make demo``: generated claims from upload to review queue, summarised for a person.

A few deliberately bad files (empty, truncated, password-protected, mislabelled) are
uploaded beside the generated documents to show that each is quarantined with its
reason while the rest of its claim goes on.
"""
from __future__ import annotations

import io
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from pipeline.intake.dossiers import import_dossier
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
    return [
        ("empty_scan.pdf", b""),
        ("truncated_invoice.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n%%broken"),
        ("protected_statement.pdf", encrypted.getvalue()),
        ("receipt.pdf", png.getvalue()),  # a PNG that says it is a PDF
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
    for i, d in enumerate(dossiers):
        imported = import_dossier(ctx.intake, d, actor="demo")
        numbers.append((imported.receipt.claim_number, d.name))
        if i < len(bad_files()):
            name, data = bad_files()[i]
            ctx.intake.upload(imported.receipt.claim_number, name, data, actor="demo")

    console.print("[bold]3. Running process_inbox[/] (Prefect flow; one process_claim run per claim)")
    with quiet_prefect():
        process_inbox()

    console.print("[bold]4. Summary[/]")
    table = Table(show_lines=False)
    for col in ("claim", "dossier", "status", "docs", "pages", "quarantined"):
        table.add_column(col)
    for number, name in numbers:
        st = claim_status(ctx, number)
        q = [f"{d['file']}: {d['quarantine_reason']}" for d in st["documents"] if d["status"] == "quarantined"]
        table.add_row(number, name, st["status"] + (f" ({st['status_reason'][:40]})" if st["status_reason"] else ""),
                      str(len(st["documents"])), str(sum(d["pages"] for d in st["documents"])), "\n".join(q) or "-")
    console.print(table)
    console.print(f"done in {time.perf_counter() - t0:.0f}s")
