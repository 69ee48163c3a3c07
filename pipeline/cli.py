"""The ``claims`` command: what operations staff, reviewers and engineers type."""
from __future__ import annotations

import faulthandler
import json
import os
import sys
import time
from pathlib import Path

# A crash in native code (PDFium, OpenCV, tesseract's bindings) prints every thread's Python
# stack instead of a bare "Segmentation fault": the one seen in `make demo` left nothing to go on.
faulthandler.enable()

# Prefect reads its settings once, on first import, and hands them to its temporary
# server: these must be set before anything imports prefect.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # no route to the telemetry host
if len(sys.argv) > 1 and sys.argv[1] in ("demo", "process"):
    # one-off runs from a terminal: run logs stay in the Prefect UI, the summary on screen
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

import typer
from rich.console import Console

app = typer.Typer(help="Claims intake: take in, read, check, score and route insurance claims.",
                  no_args_is_help=True, add_completion=False)
# Piped or captured output (CI logs, `| less`) is not squeezed into rich's 80 columns.
console = Console(width=None if sys.stdout.isatty() else 110)


@app.command()
def samples(out: Path = typer.Option(..., help="Folder to write the dossiers into"),
            count: int = typer.Option(20, min=1, help="How many claim dossiers"),
            seed: int = typer.Option(7, help="Random seed: the same seed writes the same dossiers")) -> None:
    """Write generated sample claim dossiers (with ground truth and planted defects)."""
    from pipeline.samples import generate_dossiers

    t0 = time.perf_counter()
    paths = generate_dossiers(out, count, seed)
    console.print(f"wrote {len(paths)} dossiers to {out} in {time.perf_counter() - t0:.1f}s")


@app.command("import")
def import_(folders: list[Path] = typer.Argument(..., help="Dossier folders (fnol.json, policy.json, documents/) "
                                                          "or a folder of such folders")) -> None:
    """Take in claim dossiers: create each claim and upload its documents."""
    from pipeline.intake.dossiers import import_dossier
    from pipeline.stages.context import Context

    ctx = Context.open()
    for folder in _dossier_folders(folders):
        result = import_dossier(ctx.intake, folder)
        bad = [u for u in result.uploads if u.status == "quarantined"]
        console.print(f"{result.receipt.claim_number}  {folder.name}: {len(result.uploads)} files"
                      + (f", {len(bad)} quarantined" if bad else "")
                      + ("" if result.receipt.created else " (already imported)"))


def _dossier_folders(folders: list[Path]) -> list[Path]:
    found: list[Path] = []
    for f in folders:
        if (f / "fnol.json").exists():
            found.append(f)
        elif f.is_dir():
            found.extend(sorted(p for p in f.iterdir() if (p / "fnol.json").exists()))
        else:
            raise typer.BadParameter(f"{f} is not a dossier folder")
    return found


@app.command()
def submit(fnol: Path = typer.Argument(..., help="First notice of loss as JSON"),
           files: list[Path] = typer.Argument(None, help="Documents to upload with it"),
           policy: Path = typer.Option(None, help="Policy record JSON to register first")) -> None:
    """Create one claim from a first-notice JSON file and upload its documents."""
    from pipeline.schemas import FirstNotice, PolicyRecord
    from pipeline.stages.context import Context

    ctx = Context.open()
    if policy:
        ctx.intake.register_policy(PolicyRecord.model_validate_json(policy.read_text(encoding="utf-8")))
    receipt = ctx.intake.create_claim(FirstNotice.model_validate_json(fnol.read_text(encoding="utf-8")))
    console.print(f"{receipt.claim_number} acknowledged at {receipt.acknowledged_at:%Y-%m-%d %H:%M:%S %Z}: "
                  f"{receipt.status}" + (f" ({receipt.reason})" if receipt.reason else ""))
    for f in files or []:
        up = ctx.intake.upload(receipt.claim_number, f.name, f.read_bytes(), actor="cli")
        console.print(f"  {f.name}: {up.status}" + (f" [{up.reason}] {up.message}" if up.reason else ""))


@app.command()
def process(claim: str = typer.Option(None, help="One claim number; default: every claim waiting")) -> None:
    """Run the process_claim flow on one claim, or process_inbox on all waiting claims."""
    from flows.process_claim import process_claim, process_inbox
    from flows.quiet import quiet_prefect

    with quiet_prefect():
        results = [process_claim(claim)] if claim else process_inbox()
    console.print(f"processed {len(results)} claim(s)")


@app.command()
def status(claim: str = typer.Argument(..., help="Claim number")) -> None:
    """Show a claim's stage, status, documents and pages."""
    from pipeline.stages.context import Context
    from pipeline.report import claim_status

    console.print_json(json.dumps(claim_status(Context.open(), claim), default=str, ensure_ascii=False))


@app.command()
def demo(count: int = typer.Option(20, min=1), seed: int = typer.Option(7),
         out: Path = typer.Option(Path("var/samples"), help="Where to write the sample dossiers")) -> None:
    """Generate sample claims, take them in, run the pipeline on them and print a summary."""
    from pipeline.demo import run_demo

    run_demo(console, count=count, seed=seed, out=out)


@app.command()
def serve(interval_minutes: int = typer.Option(5, min=1, help="How often process_inbox runs")) -> None:
    """Serve process_inbox (and the maintenance flows) on a schedule; watch them in the Prefect UI."""
    from flows.serve import serve_all

    serve_all(interval_minutes)


@app.command()
def api(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the intake HTTP API (create claims, upload documents, read status)."""
    import uvicorn

    from pipeline.api import create_app

    uvicorn.run(create_app(), host=host, port=port)


@app.command()
def web(host: str = "127.0.0.1", port: int = typer.Option(8080, help="Port of the reviewer's desk")) -> None:
    """Serve the reviewer's desk (queues, dossiers, decisions) in the browser."""
    from pipeline.web.app import serve_web

    serve_web(host, port)


def _mount() -> None:
    """Commands that live beside the code they drive."""
    from pipeline.fraud.cli import app as fraud_app
    from pipeline.reading.cli import read
    from pipeline.reading.train_classifier import main as train_classifier

    app.command("read")(read)
    app.command("train-classifier")(train_classifier)
    app.add_typer(fraud_app, name="fraud", help="Fraud risk models: score a table, train, list the registry.")


_mount()

if __name__ == "__main__":
    app()
