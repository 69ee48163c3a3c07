"""How well does the checklist find planted defects, and is 'satisfied' ever wrong?

Generates an evaluation set with ``pipeline.samples.generate_dossiers`` (seed 3033 by
default; development studied seeds 2026 and 2027, whose figures flatter the checklist), builds each claim's Dossier, verifies it, and
compares with the planted defects in ``truth.json``:

- per defect kind: recall (share found, i.e. flagged invalid/missing), the share sent to a
  person instead, and precision (share of flags of that kind that were real);
- precision of 'satisfied' (target 1.0: never tick an item that is in fact missing or wrong);
- item statuses, 'needs a person' counts, acceptance outcomes against the policy signals.

Two ways of reading the documents:

- ``--truth-reading``: documents built from truth.json (type and fields, confidence 1.0):
  measures the checklist logic on its own;
- reader (default when the reader and its classifier are installed): every file goes
  through ``pipeline.reading.read_file.read_document`` (pages and type cached by sha256),
  then each claim's documents are settled together as the reading stage settles them:
  fields extracted again with the date order and currency the claim's pages agree on, and
  agreed with the values its documents read surely and the amount the claim was filed for
  (``claim_values.settle``).

Run: ``.venv/bin/python benchmarks/checklist_benchmark.py --count 96 --mode both``
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
import traceback
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.checklist import load_checklists, load_settings, verify  # noqa: E402
from pipeline.checklist.config import ChecklistSet  # noqa: E402
from pipeline.checklist.result import ChecklistResult  # noqa: E402
from pipeline.dossier import Dossier, DossierDocument  # noqa: E402
from pipeline.reading.claim_values import settle  # noqa: E402
from pipeline.reading.extract import extract_fields  # noqa: E402
from pipeline.reading.normalize import ClaimHints, claim_hints  # noqa: E402
from pipeline.reading.read_file import lang_hint  # noqa: E402
from pipeline.reading.types import ExtractedField, PageText, ReadDocument  # noqa: E402
from pipeline.schemas import FirstNotice, PolicyRecord  # noqa: E402
from pipeline.vocabulary import DEFECT_KINDS  # noqa: E402

# Which reason codes count as a flag of which planted defect kind.
REASON_KIND = {
    "name_mismatch": "name_mismatch",
    "amount_mismatch": "amount_mismatch",
    "document_reused": "reused_invoice",
    "date_before_incident": "invoice_before_incident",
    "document_near_duplicate": "reused_invoice",  # when config makes a near copy invalid
}
PERSON_REASON_KIND = {"name_unclear": "name_mismatch", "name_possibly_other_person": "name_mismatch",
                      "document_near_duplicate": "reused_invoice"}
# A person asked to read a field the reader could not (missing, unsure, unparseable) sees the
# planted defect in that field: the name on a document, or a date on an invoice or report.
UNREAD_FIELD_CODES = {"field_missing", "field_unreadable", "date_unparseable"}
UNREAD_FIELD_KIND = {"name": "name_mismatch", "issue_date": "invoice_before_incident",
                     "admission_date": "invoice_before_incident", "discharge_date": "invoice_before_incident"}


# --- building dossiers -------------------------------------------------------------------

@dataclass
class Claim:
    key: str
    folder: Path
    fnol: FirstNotice
    policy: PolicyRecord
    truth: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)  # "documents/x.pdf" -> bytes


def load_claims(root: Path) -> list[Claim]:
    claims = []
    for folder in sorted(p for p in root.iterdir() if (p / "truth.json").is_file()):
        truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
        claim = Claim(
            key=folder.name,
            folder=folder,
            fnol=FirstNotice.model_validate_json((folder / "fnol.json").read_text(encoding="utf-8")),
            policy=PolicyRecord.model_validate_json((folder / "policy.json").read_text(encoding="utf-8")),
            truth=truth,
        )
        claim.files = {d["file"]: (folder / d["file"]).read_bytes() for d in truth["documents"]}
        claims.append(claim)
    return claims


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def truth_document(claim: Claim, entry: dict[str, Any]) -> DossierDocument:
    """A document as a perfect reader would report it: the true type and fields, fully confident."""
    fields = {name: ExtractedField(name=name, value=value, raw=value, confidence=1.0, page_no=1) for name, value in entry["fields"].items()}
    return DossierDocument(
        document_id=f"{claim.key}/{entry['file']}",
        file_name=Path(entry["file"]).name,
        doc_type=entry["doc_type"],
        type_confidence=1.0,
        low_confidence=False,
        fields=fields,
        sha256=sha256(claim.files[entry["file"]]),
        rotation=entry.get("rotation", 0),
    )


def _read_one(args: tuple[str, bytes, str]) -> dict[str, Any]:
    """Read one file with the project reader (in a worker process); a plain dict comes back."""
    name, data, digest = args
    from pipeline.reading.read_file import media_type_of, read_document

    started = time.perf_counter()
    try:
        doc = read_document(data, media_type_of(name), name)
    except Exception as exc:  # a reader failure is a result to count, not a crash of the benchmark
        return {"sha256": digest, "error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc(limit=3)}
    return {
        "sha256": digest,
        "doc_type": doc.doc_type,
        "type_confidence": doc.type_confidence,
        "low_confidence": doc.low_confidence,
        "pages": [p.to_dict() for p in doc.pages],
        "seconds": time.perf_counter() - started,
    }


def read_all(claims: list[Claim], cache_file: Path, workers: int) -> dict[str, dict[str, Any]]:
    """Reader output per sha256, cached on disk so a rerun only reads new files."""
    cache: dict[str, dict[str, Any]] = {}
    if cache_file.is_file():
        cache = json.loads(cache_file.read_text(encoding="utf-8"))
    todo: dict[str, tuple[str, bytes, str]] = {}
    for claim in claims:
        for path, data in claim.files.items():
            digest = sha256(data)
            if digest not in cache or "error" in cache[digest] or "pages" not in cache[digest]:  # or read by an older benchmark
                todo.setdefault(digest, (Path(path).name, data, digest))
    if todo:
        print(f"reading {len(todo)} files with {workers} worker(s)...", file=sys.stderr)
        started = time.perf_counter()
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for i, out in enumerate(pool.map(_read_one, todo.values()), 1):
                cache[out["sha256"]] = out
                if i % 20 == 0 or i == len(todo):
                    print(f"  {i}/{len(todo)} read, {time.perf_counter() - started:.0f}s", file=sys.stderr)
                    cache_file.write_text(json.dumps(cache), encoding="utf-8")
    return cache


def _interpreted(read: dict[str, Any], pages: list[PageText], hints: ClaimHints) -> ReadDocument:
    """A cached reading's fields, extracted as ``read_file.interpret_pages`` does with the claim's hints."""
    fields = [] if read["low_confidence"] else extract_fields(read["doc_type"], pages, lang_hint(pages), hints)
    return ReadDocument(read["doc_type"], read["type_confidence"], read["low_confidence"], pages, fields)


def reader_documents(claim: Claim, reads: dict[str, dict[str, Any]]) -> list[DossierDocument]:
    """The claim's documents as the reading stage leaves them: read one by one, settled together."""
    digests = {e["file"]: sha256(claim.files[e["file"]]) for e in claim.truth["documents"]}
    entries = [(e, reads[digests[e["file"]]]) for e in claim.truth["documents"]]
    readable = [(e, read) for e, read in entries if "error" not in read]
    pages = {e["file"]: [PageText.from_dict(p) for p in read["pages"]] for e, read in readable}
    hints = claim_hints(p.text for ps in pages.values() for p in ps)
    settled = settle([_interpreted(read, pages[e["file"]], hints) for e, read in readable],
                     filed_amount=claim.fnol.claimed_amount)
    by_file = {e["file"]: doc for (e, _), doc in zip(readable, settled)}
    documents = []
    for e, _ in entries:
        digest = digests[e["file"]]
        doc = by_file.get(e["file"])
        if doc is None:  # the reader could not read it: nothing trusted, a person must look
            documents.append(DossierDocument(f"{claim.key}/{e['file']}", Path(e["file"]).name, "other", 0.0, True, {}, digest))
            continue
        best = {name: doc.field(name) for name in {f.name for f in doc.fields}}  # its surest reading of each
        documents.append(DossierDocument(
            document_id=f"{claim.key}/{e['file']}",
            file_name=Path(e["file"]).name,
            doc_type=doc.doc_type,
            type_confidence=doc.type_confidence,
            low_confidence=doc.low_confidence,
            fields=best,
            sha256=digest,
            rotation=doc.pages[0].rotation if doc.pages else 0,
        ))
    return documents


def link_reuse(dossiers: list[Dossier]) -> None:
    """Cross-claim reuse over the whole set, as the pipeline finds it: the same bytes, or the
    same document identity (number, or issuer + date + total) re-scanned."""
    by_hash: dict[str, set[str]] = defaultdict(set)
    by_identity: dict[tuple, set[str]] = defaultdict(set)
    for dossier in dossiers:
        for d in dossier.documents:
            by_hash[d.sha256].add(dossier.claim_number)
            for identity in d.identities():
                by_identity[identity].add(dossier.claim_number)
    for dossier in dossiers:
        for d in dossier.documents:
            d.duplicate_of = sorted(by_hash[d.sha256] - {dossier.claim_number})
            near = set().union(*(by_identity[i] for i in d.identities())) - {dossier.claim_number}
            d.near_duplicate_of = sorted(near - set(d.duplicate_of))


def build_dossiers(claims: list[Claim], reads: dict[str, dict[str, Any]] | None) -> list[Dossier]:
    dossiers = []
    for claim in claims:
        if reads is None:
            documents = [truth_document(claim, e) for e in claim.truth["documents"]]
        else:
            documents = reader_documents(claim, reads)
        dossiers.append(Dossier(claim_number=claim.key, fnol=claim.fnol, policy=claim.policy, documents=documents,
                                received_at=claim.fnol.reported_at))
    link_reuse(dossiers)
    return dossiers


# --- scoring -----------------------------------------------------------------------------

@dataclass
class Tally:
    planted: int = 0
    found: int = 0
    to_person: int = 0
    to_person_unread: int = 0  # of to_person: sent because the defective field itself could not be read
    flags: int = 0
    real_flags: int = 0
    misses: list[str] = field(default_factory=list)
    false_flags: list[str] = field(default_factory=list)


def _doc_id(claim: Claim, file: str | None) -> str | None:
    return f"{claim.key}/{file}" if file else None


def score(claims: list[Claim], dossiers: list[Dossier], results: list[ChecklistResult], checklists: ChecklistSet,
          measure_rotation: bool) -> dict[str, Any]:
    tallies = {kind: Tally() for kind in DEFECT_KINDS if measure_rotation or kind != "rotated_document"}
    satisfied = wrong_satisfied = 0
    wrong_satisfied_cases: list[str] = []
    covered: list[str] = []  # planted missing documents an accepted alternative in the claim stands in for
    statuses: Counter[str] = Counter()
    outcome_vs_policy: Counter[tuple[str, str]] = Counter()
    person_items: Counter[str] = Counter()
    other_flags: Counter[tuple[str, str]] = Counter()
    other_flag_cases: list[str] = []

    for claim, dossier, result in zip(claims, dossiers, results):
        checklist = checklists.for_claim(claim.fnol.line_of_business, claim.fnol.incident_type)
        defects = claim.truth["defects"]
        defect_docs: dict[str, set[str]] = defaultdict(set)  # kind -> document ids
        for d in defects:
            if d["document"]:
                defect_docs[d["kind"]].add(_doc_id(claim, d["document"]))
        missing_types = {d["detail"]["doc_type"] for d in defects if d["kind"] == "missing_document"}
        has_amount_defect = any(d["kind"] == "amount_mismatch" for d in defects)
        truth_types = Counter(e["doc_type"] for e in claim.truth["documents"])
        bad_docs = set().union(*(defect_docs[k] for k in ("name_mismatch", "invoice_before_incident", "reused_invoice")))
        all_defect_docs = set().union(*defect_docs.values())

        # reasons per (kind, document) and per kind at claim level
        flagged: dict[str, set[str | None]] = defaultdict(set)
        sent: dict[str, set[str | None]] = defaultdict(set)
        unread: dict[str, set[str | None]] = defaultdict(set)
        for item in result.items:
            for r in item.reasons if item.status == "invalid" else []:
                if r.code in REASON_KIND:
                    flagged[REASON_KIND[r.code]].add(r.document_id)
                else:
                    # A flag no planted kind names: real if it sits on a document with a planted defect.
                    on_bad = r.document_id in all_defect_docs or (r.document_id is None and bool(defects))
                    other_flags[(r.code, "on a defective document" if on_bad else "on a clean document")] += 1
                    if not on_bad:
                        other_flag_cases.append(f"{claim.key}: {item.code}: {r.message_en}")
            person_reasons = item.review_notes + (item.reasons if item.status == "needs_person" else [])
            for r in person_reasons:
                if r.code in PERSON_REASON_KIND:
                    sent[PERSON_REASON_KIND[r.code]].add(r.document_id)
                elif r.code in UNREAD_FIELD_CODES and r.field in UNREAD_FIELD_KIND:
                    unread[UNREAD_FIELD_KIND[r.field]].add(r.document_id)

        # --- document-level kinds
        for kind in ("name_mismatch", "invoice_before_incident", "reused_invoice"):
            t = tallies[kind]
            for doc_id in defect_docs[kind]:
                t.planted += 1
                if doc_id in flagged[kind]:
                    t.found += 1
                elif doc_id in sent[kind]:
                    t.to_person += 1
                elif doc_id in unread[kind]:
                    t.to_person += 1
                    t.to_person_unread += 1
                else:
                    t.misses.append(doc_id or claim.key)
            for doc_id in flagged[kind]:
                t.flags += 1
                if doc_id in defect_docs[kind]:
                    t.real_flags += 1
                else:
                    t.false_flags.append(f"{doc_id}")

        # --- claim-level: amounts
        t = tallies["amount_mismatch"]
        amount_flag = bool(flagged["amount_mismatch"])
        if has_amount_defect:
            t.planted += 1
            if amount_flag:
                t.found += 1
            elif any(f.check == "amount_total" and f.status == "needs_person" for f in result.findings):
                t.to_person += 1
            else:
                t.misses.append(claim.key)
        if amount_flag:
            t.flags += 1
            t.real_flags += has_amount_defect
            if not has_amount_defect:
                t.false_flags.append(claim.key)

        # --- missing documents: the item that asks for the removed type
        t = tallies["missing_document"]
        for gone in missing_types:
            items = [it for it in result.items if gone in checklist.item(it.code).doc_types and it.required]
            if items and all(any(truth_types[t_] > 0 for t_ in checklist.item(it.code).doc_types) for it in items):
                # another accepted type is in the claim (a repair estimate for a removed invoice):
                # under the checklist nothing is missing, so this planted gap is no defect
                covered.append(f"{claim.key}: {gone} ({', '.join(it.code for it in items)})")
                continue
            t.planted += 1
            if any(it.status == "missing" for it in items):
                t.found += 1
            elif any(it.status == "needs_person" for it in items):
                t.to_person += 1
            else:
                why = "not asked for" if not items else ",".join(f"{it.code}={it.status}" for it in items)
                t.misses.append(f"{claim.key}: {gone} ({why})")
        for it in result.items:
            if it.status == "missing" and it.required:
                t.flags += 1
                if any(gone in checklist.item(it.code).doc_types for gone in missing_types):
                    t.real_flags += 1
                else:
                    t.false_flags.append(f"{claim.key}: {it.code}")

        # --- rotated documents: a reading matter; the reader must detect the turn
        t = tallies.get("rotated_document", Tally())
        rotated = {_doc_id(claim, d["document"]): d["detail"]["degrees"] for d in defects if d["kind"] == "rotated_document"}
        for doc in dossier.documents if measure_rotation else []:
            if doc.document_id in rotated:
                t.planted += 1
                if doc.rotation:
                    t.found += 1
                else:
                    t.misses.append(doc.document_id)
            if doc.rotation:
                t.flags += 1
                t.real_flags += doc.document_id in rotated
                if doc.document_id not in rotated:
                    t.false_flags.append(doc.document_id)

        # --- 'satisfied' must be true: a real document of an accepted type, nothing wrong with it
        for it in result.items:
            statuses[it.status] += 1
            if it.status == "needs_person":
                person_items[it.code] += 1
            if it.status != "satisfied":
                continue
            satisfied += 1
            accepted_types = set(checklist.item(it.code).doc_types)
            present = any(truth_types[t_] > 0 for t_ in accepted_types)
            truth_ids = {f"{claim.key}/{e['file']}" for e in claim.truth["documents"] if e["doc_type"] in accepted_types}
            wrong = (not present) or bool(truth_ids & bad_docs) or bool(set(it.document_ids) & bad_docs)
            if has_amount_defect and accepted_types & set(checklist.amount_documents):
                wrong = True
            if wrong:
                wrong_satisfied += 1
                wrong_satisfied_cases.append(f"{claim.key}: {it.code}")

        signals = claim.truth.get("signals", {})
        policy_problem = (not signals.get("incident_in_period", True)) or signals.get("late_report", False)
        outcome_vs_policy[("policy problem" if policy_problem else "policy fine", result.acceptance.outcome)] += 1

    return {
        "tallies": tallies,
        "satisfied": satisfied,
        "wrong_satisfied": wrong_satisfied,
        "wrong_satisfied_cases": wrong_satisfied_cases,
        "statuses": statuses,
        "person_items": person_items,
        "outcomes": outcome_vs_policy,
        "other_flags": other_flags,
        "other_flag_cases": other_flag_cases,
        "covered": covered,
    }


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "  -  "


def print_report(title: str, report: dict[str, Any], claims: int, verbose: bool) -> None:
    print(f"\n== {title}: {claims} claims ==")
    print(f"{'defect kind':26} {'planted':>7} {'found':>6} {'person':>6} {'recall':>7} {'+person':>8} {'flags':>6} {'precision':>9}")
    for kind, t in report["tallies"].items():
        print(f"{kind:26} {t.planted:7d} {t.found:6d} {t.to_person:6d} {_ratio(t.found, t.planted):>7} "
              f"{_ratio(t.found + t.to_person, t.planted):>8} {t.flags:6d} {_ratio(t.real_flags, t.flags):>9}")
    unread_counts = {k: t.to_person_unread for k, t in report["tallies"].items() if t.to_person_unread}
    if unread_counts:
        print("  of 'person': sent because the defective field itself could not be read (a person reading it sees "
              "the defect; a reader that reads less would score more here): "
              + ", ".join(f"{k} {n}" for k, n in unread_counts.items()))
    if "rotated_document" not in report["tallies"]:
        print("rotated_document: not measured here (a reading matter: the truth already knows the turn)")
    if report["covered"]:
        print(f"planted missing documents not counted: {len(report['covered'])} (an accepted alternative is in the claim, "
              f"so the checklist rightly finds nothing missing: {'; '.join(report['covered'])})")
    s, w = report["satisfied"], report["wrong_satisfied"]
    print(f"'satisfied' precision: {_ratio(s - w, s)} ({s} ticked, {w} wrong)")
    print("item statuses: " + ", ".join(f"{k} {v}" for k, v in sorted(report["statuses"].items())))
    if report["person_items"]:
        print("needs a person, by item: " + ", ".join(f"{k} {v}" for k, v in report["person_items"].most_common()))
    print("acceptance vs policy signals: " + "; ".join(f"{p} -> {o}: {n}" for (p, o), n in sorted(report["outcomes"].items())))
    if report["other_flags"]:
        print("other invalid reasons (no planted kind): "
              + ", ".join(f"{code} {where} {n}" for (code, where), n in report["other_flags"].most_common()))
    if verbose:
        for kind, t in report["tallies"].items():
            for m in t.misses[:8]:
                print(f"  miss {kind}: {m}")
            for f in t.false_flags[:8]:
                print(f"  false flag {kind}: {f}")
        for c in report["wrong_satisfied_cases"][:10]:
            print(f"  wrong satisfied: {c}")
        for c in report["other_flag_cases"][:10]:
            print(f"  other flag on a clean document: {c}")


def run(claims: list[Claim], reads: dict[str, dict[str, Any]] | None, title: str, verbose: bool,
        near_duplicate: str | None = None) -> dict[str, Any]:
    checklists, settings = load_checklists(), load_settings()
    if near_duplicate:  # what-if: how a near-identical copy in another claim is treated
        settings = settings.model_copy(update={"reuse": settings.reuse.model_copy(update={"near_duplicate": near_duplicate})})
        title += f", near duplicates -> {near_duplicate}"
    dossiers = build_dossiers(claims, reads)
    started = time.perf_counter()
    results = [verify(d, checklists.for_claim(d.fnol.line_of_business, d.fnol.incident_type), settings) for d in dossiers]
    elapsed = time.perf_counter() - started
    report = score(claims, dossiers, results, checklists, measure_rotation=reads is not None)
    print_report(title, report, len(claims), verbose)
    print(f"verify: {elapsed * 1000 / max(len(results), 1):.1f} ms per claim")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=96)
    parser.add_argument("--seed", type=int, default=3033,
                        help="generator seed; 3033 evaluates, 2026 and 2027 were studied while developing (2026-11-25)")
    parser.add_argument("--out", type=Path, default=Path("var/benchmarks/checklist"))
    parser.add_argument("--mode", choices=["truth", "reader", "both"], default="both")
    parser.add_argument("--truth-reading", action="store_true", help="same as --mode truth")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--regenerate", action="store_true", help="write the sample set again even if it is there")
    parser.add_argument("--near-duplicate", choices=["needs_person", "invalid"], default=None,
                        help="override config reuse.near_duplicate for this run (what-if)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses and false flags")
    args = parser.parse_args(argv)
    mode = "truth" if args.truth_reading else args.mode

    root = args.out / f"seed{args.seed}-n{args.count}"
    if args.regenerate or not root.is_dir() or len(list(root.glob("*/truth.json"))) != args.count:
        from pipeline.samples import generate_dossiers

        started = time.perf_counter()
        generate_dossiers(root, args.count, seed=args.seed, workers=args.workers)
        print(f"generated {args.count} claims in {time.perf_counter() - started:.0f}s under {root}", file=sys.stderr)
    claims = load_claims(root)
    kinds = Counter(d["kind"] for c in claims for d in c.truth["defects"])
    print(f"evaluation set: seed {args.seed}, {len(claims)} claims, {sum(len(c.files) for c in claims)} files; "
          f"planted: {dict(sorted(kinds.items()))}")

    if mode in ("truth", "both"):
        run(claims, None, "truth reading (documents from truth.json, confidence 1.0)", args.verbose, args.near_duplicate)
    if mode in ("reader", "both"):
        try:
            from pipeline.reading.read_file import classifier

            classifier()
        except Exception as exc:
            print(f"\n== reader: not available ({type(exc).__name__}: {exc}); only truth-reading figures above ==")
            return 0 if mode == "both" else 1
        started = time.perf_counter()
        reads = read_all(claims, root / "reads.json", args.workers)
        errors = sum(1 for c in claims for e in c.truth["documents"] if "error" in reads[sha256(c.files[e["file"]])])
        print(f"\nreader: {len(reads)} distinct files, {errors} failed, {time.perf_counter() - started:.0f}s "
              f"(cache {root / 'reads.json'})")
        run(claims, reads, f"reader ({datetime.now():%Y-%m-%d})", args.verbose, args.near_duplicate)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
