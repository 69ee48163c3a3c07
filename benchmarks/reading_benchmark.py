"""Reading benchmark: document types, key fields and speed, on generated and on real documents.

    .venv/bin/python benchmarks/reading_benchmark.py [--count N] [--sroie-limit N] [--seed N]

1. A generated evaluation set, made here with ``EVAL_SEED`` and ``EVAL_NOISE``: a seed
   and noise settings nobody develops or trains on (the shipped classifier's model card
   names the seeds it was trained on). Every document goes through the production
   path (prepare pages -> OCR engine -> classifier -> field extraction), dossier by
   dossier as the claim flow reads a claim (what its documents settle together, the
   day-or-month order and the currency, goes to each one's extraction), and fields are
   scored on the type the classifier gave, as a user would get them.
2. Real scanned receipts (../shared/data/receipts_sroie) for the invoice fields
   merchant (issuer), date and total, read with the same engine and extracted as an
   invoice. The extractor was developed on the first 100 receipts; the other 100 are
   reported on their own, with their own verdicts, so the figure is honest. As a
   diagnosis, the same extraction also runs on SROIE's own transcribed text lines (no
   OCR): the gap between the two is what OCR loses.
3. Real scanned forms that are no claim document (../shared/data/forms_funsd: faxes, memos,
   order forms): the share the classifier files as ``other`` or with low confidence rather
   than forcing into a claim type. No target; read from the end of the sorted list (the
   first 30 were read once, for counts only, when the classifier's text weight was checked).

Prints precision / recall / F1 of exact normalised values per document type and per
field, type accuracy with a confusion matrix, what the fields' confidences are worth at
the checklist's bar (right values trusted, wrong values trusted), speed, and every
target as MET or NOT MET with the reason. To improve the reader, run it with ``--seed`` on a development seed
(90210): every miss is then written to ``misses.json`` in the work dir. The evaluation
seed's misses are neither printed nor written, so that nobody tunes on them.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.checklist.config import load_settings  # noqa: E402
from pipeline.reading.claim_values import settle  # noqa: E402
from pipeline.reading.classify import DocumentClassifier  # noqa: E402
from pipeline.reading.engine import read_pages  # noqa: E402
from pipeline.reading.extract import extract_fields  # noqa: E402
from pipeline.reading.normalize import claim_hints, format_amount, normalize_amount, normalize_date  # noqa: E402
from pipeline.reading.pages import prepare_pages  # noqa: E402
from pipeline.reading.read_file import lang_hint, media_type_of  # noqa: E402
from pipeline.reading.types import ExtractedField, PageText, ReadDocument, Word  # noqa: E402
from pipeline.samples.generator import generate_dossiers  # noqa: E402
from pipeline.samples.noise import NoiseSettings  # noqa: E402
from pipeline.schemas import FirstNotice  # noqa: E402
from pipeline.vocabulary import DOC_TYPES, FIELDS  # noqa: E402

EVAL_SEED = 60613
# Seeds whose misses developers have studied: figures on them flatter the reader. 90210 was the
# evaluation seed until reading fixes were made from its misses (2026-11-25); it is kept for
# development (``--seed 90210``) and the evaluation moved to a seed nobody had looked at.
DEVELOPMENT_SEEDS = (90210,)
EVAL_NOISE = NoiseSettings(
    max_skew_deg=4.0, blur_sigma=(0.3, 1.1), speckle=0.001, jpeg_quality=(55, 85), dpi=(200, 260),
    perspective=0.09, shadow=0.45,
)
SROIE = Path(__file__).resolve().parents[2] / "shared" / "data" / "receipts_sroie"
FUNSD = Path(__file__).resolve().parents[2] / "shared" / "data" / "forms_funsd" / "training_data" / "images"
SROIE_DEV = 100  # the first 100 receipts (sorted by name) were used to develop the extractor
TESSERACT_STAGES = ("ocr", "ocr_retry", "osd", "zones")  # zones: the second look at lost values, mostly tesseract
ERRORS: dict[str, dict[str, list[str]]] = {}  # every miss, written to the work dir for diagnosis
TARGETS = {"type_accuracy": 0.98, "f1_scans": 0.95, "f1_photos": 0.90, "sroie_total": 0.85, "sroie_date": 0.90}


# ----------------------------------------------------------------------------- scoring


def same_value(name: str, got: str | None, truth: str | None) -> bool:
    """Exact normalised equality; names and issuers ignore case and spacing (vocabulary: compared tolerantly)."""
    if got is None or truth is None:
        return False
    if name in ("name", "issuer", "bank_name", "diagnosis"):
        return re.sub(r"\s+", "", got).casefold() == re.sub(r"\s+", "", truth).casefold()
    if name in ("total_amount", "claimed_amount"):
        try:
            return Decimal(got) == Decimal(truth)
        except Exception:
            return False
    return got == truth


@dataclass
class Score:
    tp: int = 0  # predicted and right
    predicted: int = 0
    truth: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, name: str, got: str | None, truth: str | None, where: str) -> None:
        self.predicted += got is not None
        self.truth += truth is not None
        ok = same_value(name, got, truth)
        self.tp += ok
        if not ok and (got is not None or truth is not None):
            self.errors.append(f"{where}: {name} got {got!r}, truth {truth!r}")

    def merge(self, other: "Score") -> None:
        self.tp += other.tp
        self.predicted += other.predicted
        self.truth += other.truth
        self.errors += other.errors

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.truth if self.truth else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self, label: str) -> str:
        return f"  {label:<34} P {self.precision:5.3f}  R {self.recall:5.3f}  F1 {self.f1:5.3f}   (right {self.tp}, read {self.predicted}, truth {self.truth})"


@dataclass
class Trust:
    """What a value's confidence does for a reviewer at the checklist's bar (``min_field_confidence``):
    a right value under it costs a needless look; a wrong value over it slips through unseen."""
    right_sure: int = 0
    right_unsure: int = 0  # a needless look
    wrong_sure: int = 0  # a silent error: the worst case
    wrong_unsure: int = 0  # caught: a person looks
    missing: int = 0  # not found: a person looks

    def add(self, name: str, got: str | None, truth: str | None, confidence: float | None, bar: float) -> None:
        if got is None:
            self.missing += truth is not None
            return
        sure = confidence is not None and confidence >= bar
        if same_value(name, got, truth):
            self.right_sure += sure
            self.right_unsure += not sure
        else:
            self.wrong_sure += sure
            self.wrong_unsure += not sure

    def merge(self, other: "Trust") -> None:
        for k in vars(self):
            setattr(self, k, getattr(self, k) + getattr(other, k))

    def line(self, label: str) -> str:
        right, wrong = self.right_sure + self.right_unsure, self.wrong_sure + self.wrong_unsure
        return (f"  {label:<22} right values trusted {self.right_sure}/{right} ({self.right_sure / right if right else 0:.3f}); "
                f"wrong values trusted {self.wrong_sure}/{wrong} ({self.wrong_sure / wrong if wrong else 0:.3f}); "
                f"not found {self.missing}")


def verdict(name: str, value: float, target: float, reason: str) -> str:
    ok = value >= target
    return f"  {name:<44} {value:6.3f}  target >= {target:.2f}  {'MET' if ok else 'NOT MET'}" + ("" if ok else f"\n      reason: {reason}")


# ----------------------------------------------------------------------------- generated set


@dataclass
class DocResult:
    path: str
    kind: str
    lang: str
    truth_type: str
    pages: int
    got_type: str
    guess_type: str
    confidence: float
    low_confidence: bool
    found: dict[str, ExtractedField]  # field name -> the field read (value, confidence, how it was found)
    truth_fields: dict[str, str]
    seconds: float
    tesseract_seconds: float
    text_layer_pages: int
    text_layer_seconds: float

    @property
    def fields(self) -> dict[str, str]:
        return {name: f.value for name, f in self.found.items()}

    @property
    def capture(self) -> str:
        return "scans" if self.kind in ("scan_pdf", "scan_jpg") else "photos" if self.kind == "photo" else "text-layer PDFs"


def read_one(path: Path, clf: DocumentClassifier) -> tuple[list[PageText], object, float, float, int, float]:
    """Pages read and the type classified; the fields come once the whole dossier is read."""
    t0 = time.perf_counter()
    prepared = prepare_pages(path.read_bytes(), media_type_of(path.name))
    pages = [r.text for r in read_pages(prepared)]
    t_read = time.perf_counter()
    pred = clf.classify(pages, prepared[0].image if prepared else None)
    t_end = time.perf_counter()
    tess = sum(p.timings.get(k, 0.0) for p in pages for k in TESSERACT_STAGES)
    tl_pages = sum(1 for p in pages if p.source == "text_layer")
    tl_seconds = (t_read - t0) if tl_pages == len(pages) else 0.0
    return pages, pred, t_end - t0, tess, tl_pages, tl_seconds


def run_generated(count: int, work: Path, seed: int = EVAL_SEED) -> list[DocResult]:
    """Each dossier as the claim flow reads it (pipeline.stages.read): every document read, then
    each one's fields extracted with what the dossier settles together (date order, currency),
    then the dossier's documents settled together with its filed amount (claim_values.settle): unsure
    shared values (a name, a plate) agreed with its sure ones, and unsure amounts read exactly as the
    amount filed taken as sure."""
    out = work / f"eval-seed{seed}-n{count}"
    t0 = time.perf_counter()
    if not list(out.glob("*/truth.json")):
        generate_dossiers(out, count, seed, EVAL_NOISE)
    print(f"generated {count} dossiers in {time.perf_counter() - t0:.0f} s (not counted in reading speed)")
    clf = DocumentClassifier.load()
    print(f"classifier: {clf.version} ({clf.card.get('data', '')[:160]}...)")
    results = []
    for truth_path in sorted(out.glob("*/truth.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        filed = FirstNotice.model_validate_json((truth_path.parent / "fnol.json").read_text(encoding="utf-8")).claimed_amount
        read = [(doc, *read_one(truth_path.parent / doc["file"], clf)) for doc in truth["documents"]]
        t0 = time.perf_counter()
        claim = claim_hints(p.text for _, pages, *_ in read for p in pages)
        documents = []
        for _, pages, pred, *_ in read:
            doc_type = "other" if pred.low_confidence else pred.doc_type
            documents.append(ReadDocument(doc_type, pred.confidence, pred.low_confidence, pages,
                                          extract_fields(doc_type, pages, lang_hint(pages), claim)))
        settled = settle(documents, filed_amount=filed)
        per_doc = (time.perf_counter() - t0) / max(1, len(read))
        for (doc, pages, pred, secs, tess, tl_pages, tl_secs), got in zip(read, settled):
            results.append(DocResult(
                str((truth_path.parent / doc["file"]).relative_to(out)), doc["kind"], truth["language"],
                doc["doc_type"], len(pages), got.doc_type, pred.doc_type, pred.confidence,
                pred.low_confidence, {f.name: f for f in got.fields}, doc["fields"], secs + per_doc, tess, tl_pages,
                tl_secs,
            ))
    return results


def report_generated(results: list[DocResult], show_examples: bool = True) -> dict[str, float]:
    print("\n== Document types (generated set) ==")
    n = len(results)
    right = sum(r.got_type == r.truth_type for r in results)
    low = sum(r.low_confidence for r in results)
    guess_right = sum(r.guess_type == r.truth_type for r in results)
    acc = right / n if n else 0.0
    print(f"  accuracy {acc:.3f} ({right}/{n}); low confidence (filed as 'other') {low}; "
          f"accuracy of the best guess ignoring low confidence {guess_right / n:.3f}")
    for kind in ("text_pdf", "scan_pdf", "scan_jpg", "photo"):
        sub = [r for r in results if r.kind == kind]
        if sub:
            print(f"  {kind:<9} accuracy {sum(r.got_type == r.truth_type for r in sub) / len(sub):.3f} (n={len(sub)})")
    classes = [t for t in DOC_TYPES if any(r.truth_type == t or r.got_type == t for r in results)]
    short = {t: t[:8] for t in classes}
    print("\n  confusion matrix (rows: truth, columns: read as)")
    print("  " + " " * 22 + " ".join(f"{short[c]:>8}" for c in classes))
    cm = Counter((r.truth_type, r.got_type) for r in results)
    for t in classes:
        print(f"  {t:<22}" + " ".join(f"{cm[(t, c)] or '.':>8}" for c in classes))
    wrong = [r for r in results if r.got_type != r.truth_type]
    for r in wrong[:12]:
        print(f"    wrong: {r.path} ({r.kind}, {r.lang}) truth {r.truth_type}, read {r.got_type} "
              f"(guess {r.guess_type} {r.confidence:.2f})")

    print("\n== Key fields (generated set; exact normalised values; fields of the type as classified) ==")
    by_type: dict[str, Score] = defaultdict(Score)
    by_field: dict[str, Score] = defaultdict(Score)
    by_kind: dict[str, Score] = defaultdict(Score)
    by_lang: dict[str, Score] = defaultdict(Score)
    for r in results:
        names = set(FIELDS[r.truth_type]) | set(r.fields)
        for name in sorted(names):
            s = Score()
            s.add(name, r.fields.get(name), r.truth_fields.get(name), r.path)
            by_type[r.truth_type].merge(s)
            by_field[name].merge(s)
            by_kind[r.capture].merge(s)
            by_lang[r.lang].merge(s)
    print(" per document type:")
    for t in DOC_TYPES:
        if t in by_type and (by_type[t].truth or by_type[t].predicted):
            print(by_type[t].line(t))
    print(" per field:")
    for name in sorted(by_field):
        print(by_field[name].line(name))
    print(" per capture:")
    for k in ("text-layer PDFs", "scans", "photos"):
        if k in by_kind:
            print(by_kind[k].line(k))
    print(" per language:")
    for k in sorted(by_lang):
        print(by_lang[k].line(k))
    worst = sorted(by_field.items(), key=lambda kv: kv[1].f1)[:4]
    ERRORS["generated"] = {name: s.errors for name, s in by_field.items()}
    if show_examples:  # off for the evaluation seed: its misses are not for study
        print(" examples of misses (fields with the lowest F1):")
        for name, s in worst:
            for e in s.errors[:3]:
                print("    " + e)

    report_trust(results)

    print("\n== Speed (generated set, documents one after another, page OCR in parallel within a document) ==")
    total_pages = sum(r.pages for r in results)
    total_s = sum(r.seconds for r in results)
    tess_s = sum(r.tesseract_seconds for r in results)
    tl_docs = [r for r in results if r.text_layer_pages == r.pages and r.text_layer_seconds > 0]
    tl_pages = sum(r.pages for r in tl_docs)
    tl_s = sum(r.text_layer_seconds for r in tl_docs)
    ocr_docs = [r for r in results if r.text_layer_pages == 0]
    print(f"  end to end: {total_pages} pages in {total_s:.1f} s = {60 * total_pages / total_s:.1f} pages/minute" if total_s else "  no pages")
    if ocr_docs:
        op, os_ = sum(r.pages for r in ocr_docs), sum(r.seconds for r in ocr_docs)
        print(f"  OCR pages only: {op} pages in {os_:.1f} s = {60 * op / os_:.1f} pages/minute")
    print(f"  tesseract's share of end-to-end time: {tess_s / total_s:.1%} (tesseract stage time summed over pages;"
          f" pages read in parallel can make it exceed wall time)" if total_s else "")
    if tl_pages:
        print(f"  text-layer pages: {tl_pages} pages in {tl_s:.2f} s = {tl_pages / tl_s:.1f} pages/second (prepare + read)")
    scans = by_kind.get("scans", Score())
    photos = by_kind.get("photos", Score())
    return {"type_accuracy": acc, "f1_scans": scans.f1, "f1_photos": photos.f1,
            "_worst": ", ".join(f"{n} {s.f1:.2f}" for n, s in worst)}


def checklist_bar() -> float:
    return load_settings().reading.min_field_confidence


def report_trust(results: list[DocResult]) -> None:
    """How far a reviewer can go by the confidences: no target, but the figure behind every
    'needs person' a right value causes and every wrong value that passes as read."""
    bar = checklist_bar()
    print(f"\n== Confidence (generated set; trusted: at or above the checklist's bar {bar:.2f}) ==")
    by_kind: dict[str, Trust] = defaultdict(Trust)
    by_field: dict[str, Trust] = defaultdict(Trust)
    for r in results:
        for name in sorted(set(FIELDS[r.truth_type]) | set(r.found)):
            t = Trust()
            f = r.found.get(name)
            t.add(name, f.value if f else None, r.truth_fields.get(name), f.confidence if f else None, bar)
            by_kind[r.capture].merge(t)
            by_kind["all"].merge(t)
            by_field[name].merge(t)
    for k in ("text-layer PDFs", "scans", "photos", "all"):
        if k in by_kind:
            print(by_kind[k].line(k))
    print(" per field:")
    for name in sorted(by_field):
        print(by_field[name].line(name))


# ----------------------------------------------------------------------------- SROIE


def sroie_truth(stem: str) -> dict[str, str | None]:
    key = json.loads((SROIE / "key" / f"{stem}.json").read_text(encoding="utf-8"))
    amount = normalize_amount(key.get("total", ""))
    return {
        "issuer": key.get("company") or None,
        "issue_date": normalize_date(key.get("date", "")),
        "total_amount": format_amount(amount) if amount is not None else None,
    }


def sroie_lines(stem: str, width: int, height: int) -> PageText:
    """SROIE's own transcription as a page (one word per printed line): reading without OCR errors."""
    words = []
    for n, line in enumerate((SROIE / "box" / f"{stem}.csv").read_text(encoding="utf-8", errors="replace").splitlines()):
        parts = line.split(",", 8)
        if len(parts) < 9:
            continue
        xs, ys = [int(parts[i]) for i in (0, 2, 4, 6)], [int(parts[i]) for i in (1, 3, 5, 7)]
        words.append(Word(parts[8], (min(xs) / width, min(ys) / height, max(xs) / width, max(ys) / height), 1.0, n, 0))
    return PageText(1, "ocr", words, width, height)


def read_receipt(stem: str) -> tuple[list[PageText], list[ExtractedField]]:
    """A SROIE receipt read by the engine, its fields extracted as an invoice's."""
    prepared = prepare_pages((SROIE / "img" / f"{stem}.jpg").read_bytes(), "image/jpeg")
    pages = [r.text for r in read_pages(prepared)]
    return pages, extract_fields("medical_invoice", pages, "en")


def run_sroie(limit: int) -> dict[str, float] | None:
    if not SROIE.exists():
        print("\n== Real receipts: ../shared/data/receipts_sroie is absent; skipped ==")
        return None
    if limit <= 0:
        print("\n== Real receipts: --sroie-limit 0; skipped ==")
        return None
    from PIL import Image

    stems = sorted(p.stem for p in (SROIE / "img").glob("*.jpg"))
    dev, held = stems[:SROIE_DEV], stems[SROIE_DEV:]
    take = dev[: limit // 2] + held[: limit - limit // 2] if limit < len(stems) else stems
    print(f"\n== Real receipts (SROIE): {len(take)} of {len(stems)} "
          f"({sum(s in dev for s in take)} from the development half, {sum(s in held for s in take)} held out) ==")
    scores = {half: {f: Score() for f in ("issuer", "issue_date", "total_amount")} for half in ("dev", "held-out")}
    clean = {half: {f: Score() for f in ("issuer", "issue_date", "total_amount")} for half in ("dev", "held-out")}
    bar = checklist_bar()
    trust = {half: {f: Trust() for f in ("issuer", "issue_date", "total_amount")} for half in ("dev", "held-out")}
    t0 = time.perf_counter()
    tess = 0.0
    for stem in take:
        half = "dev" if stem in dev else "held-out"
        pages, found = read_receipt(stem)
        tess += sum(p.timings.get(k, 0.0) for p in pages for k in TESSERACT_STAGES)
        by_name = {f.name: f for f in found}
        got = {name: f.value for name, f in by_name.items()}
        truth = sroie_truth(stem)
        for name, t in trust[half].items():
            f = by_name.get(name)
            t.add(name, got.get(name), truth[name], f.confidence if f else None, bar)
        w, h = Image.open(SROIE / "img" / f"{stem}.jpg").size
        got_clean = {f.name: f.value for f in extract_fields("medical_invoice", [sroie_lines(stem, w, h)], "en")}
        for name in scores[half]:
            scores[half][name].add(name, got.get(name), truth[name], stem)
            clean[half][name].add(name, got_clean.get(name), truth[name], stem)
    secs = time.perf_counter() - t0
    label = {"issuer": "merchant (issuer)", "issue_date": "date", "total_amount": "total"}
    for half in ("dev", "held-out"):
        n = sum(s in (dev if half == "dev" else held) for s in take)
        if not n:
            continue
        print(f" {half} receipts (n={n}), read with the OCR engine:")
        for name, s in scores[half].items():
            print(s.line(label[name]))
        print(f" {half} receipts, same extraction on SROIE's transcribed lines (no OCR errors):")
        for name, s in clean[half].items():
            print(s.line(label[name]))
    allf = {name: Score() for name in ("issuer", "issue_date", "total_amount")}
    allc = {name: Score() for name in allf}
    for half in scores:
        for name in allf:
            allf[name].merge(scores[half][name])
            allc[name].merge(clean[half][name])
    ERRORS["sroie_development"] = {name: s.errors for name, s in scores["dev"].items()}
    ERRORS["sroie_held_out"] = {name: s.errors for name, s in scores["held-out"].items()}
    print(f" confidence (trusted: at or above the checklist's bar {bar:.2f}):")
    for half, by_name in trust.items():
        for name, t in by_name.items():
            print(t.line(f"{half} {label[name]}"))
    print(" examples of misses (OCR engine, development half):")
    for name in ("total_amount", "issue_date"):
        for e in scores["dev"][name].errors[:4]:
            print("    " + e)
    print(f"  speed: {len(take)} receipts in {secs:.0f} s = {60 * len(take) / secs:.1f} pages/minute; tesseract share {tess / secs:.1%}")
    return {"sroie_total": allf["total_amount"].f1, "sroie_date": allf["issue_date"].f1,
            "sroie_total_held": scores["held-out"]["total_amount"].f1, "sroie_date_held": scores["held-out"]["issue_date"].f1,
            "sroie_total_clean": allc["total_amount"].f1, "sroie_date_clean": allc["issue_date"].f1,
            "sroie_total_clean_held": clean["held-out"]["total_amount"].f1,
            "sroie_date_clean_held": clean["held-out"]["issue_date"].f1,
            "sroie_issuer": allf["issuer"].f1}


# ----------------------------------------------------------------------------- FUNSD


def run_funsd(limit: int) -> float | None:
    """Share of real non-claim forms filed as ``other`` or low confidence (None when not read)."""
    forms = sorted(FUNSD.glob("*.png"))[::-1][:limit] if FUNSD.exists() else []
    if not forms:
        print("\n== Real forms that are no claim document: ../shared/data/forms_funsd absent or --funsd-limit 0; skipped ==")
        return None
    clf = DocumentClassifier.load()
    forced: Counter[str] = Counter()
    for path in forms:
        prepared = prepare_pages(path.read_bytes(), "image/png")
        pred = clf.classify([r.text for r in read_pages(prepared)], prepared[0].image)
        if not pred.low_confidence and pred.doc_type != "other":
            forced[pred.doc_type] += 1
    share = 1 - sum(forced.values()) / len(forms)
    print(f"\n== Real forms that are no claim document (FUNSD): {len(forms)} ==")
    print(f"  filed as other or low confidence: {share:.3f}; forced into a claim type: {dict(forced.most_common()) or 'none'}")
    return share


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=12, help="generated dossiers to evaluate (12 covers every line of business, incident and language once)")
    ap.add_argument("--sroie-limit", type=int, default=100, help="real receipts to read (half from each half; 200 for all)")
    ap.add_argument("--funsd-limit", type=int, default=40, help="real non-claim forms to classify (0 for none)")
    ap.add_argument("--work-dir", type=Path, default=Path(tempfile.gettempdir()) / "claims-reading-benchmark")
    ap.add_argument("--seed", type=int, default=EVAL_SEED,
                    help=f"generator seed (default: the evaluation seed {EVAL_SEED}; develop on another, e.g. 90210)")
    args = ap.parse_args(argv)
    evaluating = args.seed == EVAL_SEED
    print(f"Reading benchmark: {'evaluation' if evaluating else 'DEVELOPMENT'} seed {args.seed}, noise {EVAL_NOISE}")
    print(f"(the classifier's training seeds are on its model card and never include {args.seed}; cores: {os.cpu_count()}; "
          f"default run subsamples: {args.count} dossiers, {args.sroie_limit} receipts)")
    if args.seed in DEVELOPMENT_SEEDS:
        print(f"  seed {args.seed} is a development seed: its figures flatter the reader, do not report them as targets")
    t0 = time.perf_counter()
    results = run_generated(args.count, args.work_dir, args.seed)
    gen = report_generated(results, show_examples=not evaluating)
    sroie = run_sroie(args.sroie_limit)
    funsd = run_funsd(args.funsd_limit)

    print("\n== Targets ==")
    print(verdict("document type accuracy (generated)", gen["type_accuracy"], TARGETS["type_accuracy"],
                  "see the confusion matrix and wrong documents above"))
    print(verdict("field F1 on scans (generated)", gen["f1_scans"], TARGETS["f1_scans"],
                  f"weakest fields: {gen['_worst']}"))
    print(verdict("field F1 on phone photos (generated)", gen["f1_photos"], TARGETS["f1_photos"],
                  f"weakest fields: {gen['_worst']}"))
    if sroie:
        def why(clean: float, target: float) -> str:
            if clean >= target:
                return f"with SROIE's own text lines the same extraction reaches {clean:.2f}: the loss is OCR of the receipt images"
            return f"even on SROIE's own text lines extraction reaches only {clean:.2f}"

        # the development half was read while the extractor was built: only the held-out half says
        # how the reader does on receipts nobody looked at
        for half, key, note in (("all read receipts", "", ""),
                                ("held-out half only", "_held", "receipts the reader was not developed on; ")):
            for field in ("total", "date"):
                target = TARGETS[f"sroie_{field}"]
                print(verdict(f"SROIE {field} F1 ({half})", sroie[f"sroie_{field}{key}"], target,
                              note + why(sroie[f"sroie_{field}_clean{key}"], target)))
        print(f"  merchant F1 (all) {sroie['sroie_issuer']:.3f} (no target)")
    else:
        print("  SROIE targets: NOT MEASURED (data absent, or --sroie-limit 0)")
    if funsd is not None:
        print(f"  real non-claim forms filed as other or low confidence {funsd:.3f} (no target)")
    if evaluating:
        # Misses of the evaluation set are not written out: fixing what they show would tune on it.
        ERRORS.pop("generated", None)
        ERRORS.pop("sroie_held_out", None)
    misses = args.work_dir / "misses.json"
    misses.write_text(json.dumps(ERRORS, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nmisses written to {misses}" + (" (SROIE development half only: evaluation misses are not written; "
                                                 "study a development seed with --seed)" if evaluating else ""))
    print(f"benchmark wall time {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
