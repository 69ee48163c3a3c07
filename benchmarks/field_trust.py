"""Field trust: how often each field, found each way, is right on development documents.

    .venv/bin/python benchmarks/field_trust.py [--seeds 90210 424242 5150 777 8080 1234] [--count 24] [--sroie 100] [--write]

A field's reported confidence starts from the trust of the way it was found (beside its
label, below it, by its shape, by its place on the page). That trust was a guess, the
same for every field; this measures it. Two development sources are read as the reading
benchmark reads them:

1. generated dossiers of the development seeds (never the evaluation seed), scans and
   photos only: a text layer says nothing about reading print;
2. the development half of the SROIE receipts (date and total as an invoice's; the
   merchant as its issuer), where ../shared is present.

Per field and method it prints how many values were read and how many were right on each
source, and that share shrunk towards the method's fixed trust (``trust.measured_trust``:
few values say little). The share counts the values whose print was read at least as
surely as usual (``trust.TYPICAL_PRINT``) where a source has ``MIN_READ`` of them: a
reported confidence is the trust times a factor for weaker print, and a share taken over
weak print as well would count that print twice (a receipt's letterhead read surely was
right 32 times in 38, read unsurely 24 in 62). The trust kept is the worst source's, so
that values our own generator prints cleanly do not vouch for real paper (a letterhead's
issuer read surely: right 64 of 64 times on generated dossiers, 32 of 38 on real
receipts). Fewer than ``MIN_READ`` values on every source: not measured, the method's
fixed trust stays; so does a value found without its label (by its shape or place) that
only generated documents would trust more. ``--write`` puts
the table in config/fields/trust.yaml with a new version; review the change like any
rule change. The evaluation seed and the held-out receipts are never read here, so the
reading benchmark still judges the result fairly.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from reading_benchmark import (  # noqa: E402
    EVAL_SEED,
    SROIE,
    SROIE_DEV,
    read_receipt,
    run_generated,
    same_value,
    sroie_truth,
)

from pipeline.reading.trust import TRUST, TRUST_PATH, TYPICAL_PRINT, load_trust, measured_trust  # noqa: E402
from pipeline.reading.types import ExtractedField  # noqa: E402

MIN_READ = 10  # values of a field found one way, on one source, before its share says anything
GUESSES = ("pattern", "position")  # ways of finding a value without its label
GENERATED = "generated dev seeds (scans, photos)"
RECEIPTS = "SROIE development receipts"
Tally = dict[tuple[str, str], list[int]]  # (field, method) -> [right, read, right of surely printed, read of them]


def tally_one(tally: Tally, f: ExtractedField, truth: str | None) -> None:
    """One value read, right or not, under its field and method (agreed with the claim: not counted)."""
    if f.method in TRUST:
        t = tally[(f.name, f.method)]
        right = same_value(f.name, f.value, truth)
        t[0] += right
        t[1] += 1
        if f.print_confidence is not None and f.print_confidence >= TYPICAL_PRINT:
            t[2] += right
            t[3] += 1


def counted(t: list[int], min_read: int = MIN_READ) -> tuple[int, int]:
    """(right, read) the trust is measured on: the surely printed values where there are enough."""
    return (t[2], t[3]) if t[3] >= min_read else (t[0], t[1])


def tally_generated(seeds: list[int], count: int, work: Path) -> Tally:
    tally: Tally = defaultdict(lambda: [0, 0, 0, 0])
    for seed in seeds:
        if seed == EVAL_SEED:
            raise SystemExit(f"seed {seed} is the evaluation seed: measuring on it would tune on it")
        for r in run_generated(count, work, seed):
            if r.kind == "text_pdf":
                continue
            for f in r.found.values():
                tally_one(tally, f, r.truth_fields.get(f.name))
    return tally


def tally_receipts(limit: int) -> Tally:
    tally: Tally = defaultdict(lambda: [0, 0, 0, 0])
    if not SROIE.exists() or limit <= 0:
        print(f"SROIE receipts absent or --sroie 0: {RECEIPTS} not read")
        return tally
    stems = sorted(p.stem for p in (SROIE / "img").glob("*.jpg"))[:min(limit, SROIE_DEV)]
    for stem in stems:
        truth = sroie_truth(stem)
        for f in read_receipt(stem)[1]:
            if f.name in truth:
                tally_one(tally, f, truth[f.name])
    return tally


def trust_table(sources: dict[str, Tally], min_read: int = MIN_READ,
                generated: frozenset[str] = frozenset({GENERATED})) -> dict[str, dict[str, dict]]:
    """Per field and method, the worst measured source's trust (see the module's docstring).

    A guess (a value found by its shape or its place, ``GUESSES``) measured on ``generated``
    documents alone keeps its fixed trust where they would raise it: our generator puts a
    card's name and a letter's currency where the reader looks for them, real paper may not.
    """
    table: dict[str, dict[str, dict]] = {}
    for key in sorted({k for tally in sources.values() for k in tally}):
        measured = []
        for name, tally in sources.items():
            if key in tally and tally[key][1] >= min_read:
                right, read = counted(tally[key], min_read)
                measured.append((measured_trust(right, read, key[1]), name, right, read))
        if key[1] in GUESSES and all(name in generated for _, name, *_ in measured):
            measured = [m for m in measured if m[0] < TRUST[key[1]]]
        if measured:
            trust, source, right, read = min(measured)
            if read != sources[source][key][1]:
                source += ", print read surely"
            table.setdefault(key[0], {})[key[1]] = {"trust": round(trust, 3), "right": right, "read": read, "source": source}
    return table


def table_yaml(table: dict[str, dict[str, dict]], version: str) -> str:
    """The table with one line per field and method, for a reviewer to read in a diff."""
    lines = [f'version: "{version}"', "fields:"]
    for name, methods in sorted(table.items()):
        lines.append(f"  {name}:")
        for method, m in sorted(methods.items()):
            lines.append(f"    {method}: {{trust: {m['trust']}, right: {m['right']}, read: {m['read']}, "
                         f"source: {json.dumps(m['source'])}}}")
    return "\n".join(lines) + "\n"


def next_version(previous: str | None, today: date) -> str:
    """``field-trust@DATE.N``: a table written again the same day is the next N, so no two tables share a version."""
    stem = f"field-trust@{today.isoformat()}."
    n = int(previous[len(stem):]) + 1 if previous and previous.startswith(stem) and previous[len(stem):].isdigit() else 1
    return f"{stem}{n}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[90210, 424242, 5150, 777, 8080, 1234])
    ap.add_argument("--count", type=int, default=24, help="dossiers per seed")
    ap.add_argument("--sroie", type=int, default=SROIE_DEV, help="development receipts to read (0: none)")
    ap.add_argument("--work-dir", type=Path, default=Path(tempfile.gettempdir()) / "claims-reading-benchmark")
    ap.add_argument("--write", action="store_true", help=f"write the table to {TRUST_PATH}")
    args = ap.parse_args(argv)
    sources = {GENERATED: tally_generated(args.seeds, args.count, args.work_dir), RECEIPTS: tally_receipts(args.sroie)}
    print(f"\n{'field':<16} {'method':<12} " + "  ".join(f"{name[:44]:>44}" for name in sources))
    print(f"{'':<30}" + "  ".join(f"{'right/read  printed surely  trust':>44}" for _ in sources))
    for key in sorted({k for tally in sources.values() for k in tally}):
        cells = []
        for tally in sources.values():
            t = tally.get(key, [0, 0, 0, 0])
            trust = measured_trust(*counted(t), key[1])
            cells.append(f"{t[0]:>4}/{t[1]:<4} {t[2]:>6}/{t[3]:<6} {trust:.3f}".rjust(44) if t[1] else " " * 44)
        print(f"{key[0]:<16} {key[1]:<12} " + "  ".join(cells))
    table = trust_table(sources)
    print(f"\nmeasured (at least {MIN_READ} values on one source or more): "
          f"{sum(len(m) for m in table.values())} field-method pairs")
    if args.write:
        header = ("# How often each field found each way was right (pipeline/reading/trust.py).\n"
                  f"# Written by benchmarks/field_trust.py (seeds {' '.join(map(str, args.seeds))}, {args.count} dossiers each; "
                  f"{min(args.sroie, SROIE_DEV)} SROIE development receipts).\n"
                  f"# trust: right / read (of the values whose print was read surely, where {MIN_READ} or more), shrunk towards the\n"
                  "# method's fixed trust (trust.PRIOR_READS), on the worst source.\n")
        version = next_version(load_trust(str(TRUST_PATH)).version if TRUST_PATH.exists() else None, date.today())
        TRUST_PATH.write_text(header + table_yaml(table, version), encoding="utf-8")
        print(f"written to {TRUST_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
