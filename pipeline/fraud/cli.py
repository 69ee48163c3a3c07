"""``claims fraud``: score a table, train a line's model, list the registry."""
from __future__ import annotations

import getpass
from pathlib import Path

import pandas as pd
import typer

from models.registry import Registry, RegistryError

app = typer.Typer(help="Fraud risk models: score, train, list.", no_args_is_help=True)

LINES = ("auto", "health", "property")


def _line(value: str) -> str:
    if value not in LINES:
        raise typer.BadParameter(f"expected one of {', '.join(LINES)}")
    return value


@app.command()
def score(
    csv: Path = typer.Option(..., "--csv", exists=True, dir_okay=False, help="Table in the public vehicle table's columns"),
    out: Path = typer.Option(..., "--out", dir_okay=False, help="Where to write PolicyNumber, probability, score"),
    line: str = typer.Option("auto", "--line", callback=_line, help="Only auto has a table format"),
) -> None:
    """Score every row of a vehicle-format table with the promoted model, keeping row order."""
    from pipeline.fraud.scoring import promoted_model, score_vehicle_table

    if line != "auto":
        raise typer.BadParameter("only the auto line has a table format (the public vehicle table's)", param_hint="--line")
    try:
        table = pd.read_csv(csv)
        model = promoted_model(line)
        scored = score_vehicle_table(table, model)
    except (ValueError, RegistryError, pd.errors.ParserError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    scored.to_csv(out, index=False)
    typer.echo(f"scored {len(scored)} claims with {model.version} -> {out}")


@app.command()
def train(
    line: str = typer.Option(..., "--line", callback=_line),
    promote: bool = typer.Option(False, "--promote/--no-promote", help="Make the new model the one that scores"),
    sample: int = typer.Option(0, "--sample", help="Train on a sample of this many claims (0 = all)"),
    by: str = typer.Option("", "--by", help="Who promotes (default: the current user)"),
    reason: str = typer.Option("trained and promoted from the command line", "--reason"),
) -> None:
    """Train, evaluate (time split and CV), write a model card and register; optionally promote."""
    from pipeline.fraud.model_building import register, train_and_evaluate, training_table

    try:
        table = training_table(line, sample=sample or None)
    except FileNotFoundError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    trained = train_and_evaluate(line, table)
    entry = register(trained, table, Registry(), promote=promote, by=by or getpass.getuser(), reason=reason)
    for name, m in trained.metrics.items():
        typer.echo(f"{name:22s} ROC-AUC {m['roc_auc']:.3f}  PR-AUC {m['pr_auc']:.3f}  recall@10% {m['recall_at_10pct']:.3f}")
    typer.echo(f"registered {entry['version']}{' (promoted)' if promote else ''}")


@app.command("models")
def list_models() -> None:
    """Every registered model; the promoted one per line is marked with *."""
    registry = Registry()
    for entry in registry.entries():
        mark = "*" if registry.promoted_version(entry["line"]) == entry["version"] else " "
        m = entry["metrics"].get("time_split", {})
        typer.echo(f"{mark} {entry['line']:9s} {entry['version']:26s} {entry['kind']:9s} "
                   f"time-split ROC-AUC {m.get('roc_auc', float('nan')):.3f}  "
                   f"promoted by {entry['promoted_by'] or '-'}: {entry['promotion_reason'] or '-'}")
