"""How much of the printed text our OCR gets right: a quick, OCR-only quality measure.

    .venv/bin/python benchmarks/ocr_quality.py [--sroie 100] [--held-out] [--claims 6 --seed 7]

No field extractor is involved, so the figure moves only when the page engine
(``prepare_pages`` + ``read_pages``) reads better or worse:

- Real receipts (../shared/data/receipts_sroie): the words of SROIE's transcribed lines
  (``box/NNN.csv``) against the words the engine read, as bags of case-folded tokens.
  Recall is the share of printed words read exactly; precision the share of read words
  that were printed. The first 100 receipts are for development, ``--held-out`` reads
  the other 100 instead.
- Generated claim documents (scans and phone photos, damage photos left out): every
  string the generator draws is recorded while the document is rendered, and the same
  word bags are compared (each Chinese character is a token of its own). Also the share
  of the truth's text fields (names, numbers, issuer, bank, diagnosis) that appear
  verbatim, spacing and case ignored, in the text read.

Default noise is the harsher noise the reading benchmark evaluates with; its seed
(90210) is refused so nobody tunes on the evaluation set.
"""
from __future__ import annotations

import argparse
import json
import mimetypes
import os
import re
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import ImageDraw  # noqa: E402

from pipeline.reading.engine import read_pages  # noqa: E402
from pipeline.reading.pages import prepare_pages  # noqa: E402

SROIE = Path(__file__).resolve().parents[2] / "shared" / "data" / "receipts_sroie"
SROIE_DEV = 100
EVAL_SEED = 90210  # the reading benchmark's evaluation seed: never tuned on here
# The noise benchmarks/reading_benchmark.py evaluates with (a copy, so this script does not
# depend on the extractor and classifier that module imports).
EVAL_NOISE = dict(max_skew_deg=4.0, blur_sigma=(0.3, 1.1), speckle=0.001, jpeg_quality=(55, 85), dpi=(200, 260),
                  perspective=0.09, shadow=0.45)
TEXT_FIELDS = ("name", "policy_number", "id_number", "licence_number", "vehicle_plate", "vin", "report_number",
               "invoice_number", "issuer", "bank_name", "account_number", "diagnosis")


# ----------------------------------------------------------------------------- tokens


def is_cjk(ch: str) -> bool:
    o = ord(ch)
    return 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF


def tokens(text: str) -> Counter:
    """Case-folded words; every Chinese character is a word of its own (tesseract's unit too).

    Punctuation at either end of a word is dropped ("Total:" is "total") and so are lone
    Latin letters (a stamp's ring text is drawn letter by letter and is not for reading):
    the measure is about words and numbers, not commas.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    out: Counter = Counter()
    for word in text.split():
        latin = "".join(" " if is_cjk(ch) else ch for ch in word).split()
        out.update(w for w in (_EDGE_PUNCT.sub("", w) for w in latin) if w and not (len(w) == 1 and w.isalpha()))
        out.update(ch for ch in word if is_cjk(ch))
    return out


_EDGE_PUNCT = re.compile(r"^[^\w]+|[^\w]+$")


class Bag:
    """Running totals of matched, printed and read tokens."""

    def __init__(self) -> None:
        self.hit = self.truth = self.read = 0

    def add(self, truth: Counter, read: Counter) -> float:
        hit = sum((truth & read).values())
        self.hit += hit
        self.truth += sum(truth.values())
        self.read += sum(read.values())
        return hit / max(1, sum(truth.values()))

    def line(self, label: str, n: int) -> str:
        r = self.hit / max(1, self.truth)
        p = self.hit / max(1, self.read)
        f = 2 * p * r / (p + r) if p + r else 0.0
        return f"  {label:<26} n={n:<4} word recall {r:6.3f}  precision {p:6.3f}  F1 {f:6.3f}"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


# ----------------------------------------------------------------------------- reading


def read_file(data: bytes, media_type: str) -> tuple[str, float, list]:
    t0 = time.perf_counter()
    read = read_pages(prepare_pages(data, media_type), workers=1)
    return "\n".join(r.text.text for r in read), time.perf_counter() - t0, read


def run_sroie(stems: list[str], workers: int, dump: Path | None) -> dict:
    def one(stem: str):
        truth = " ".join(line.split(",", 8)[8] for line in
                         (SROIE / "box" / f"{stem}.csv").read_text(encoding="utf-8", errors="replace").splitlines()
                         if line.count(",") >= 8)
        text, secs, read = read_file((SROIE / "img" / f"{stem}.jpg").read_bytes(), "image/jpeg")
        if dump:
            read[0].clean_image.save(dump / f"sroie_{stem}.png")
            (dump / f"sroie_{stem}.txt").write_text(text, encoding="utf-8")
        return stem, tokens(truth), tokens(text), secs

    bag, per = Bag(), {}
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for stem, truth, read, secs in pool.map(one, stems):
            per[stem] = round(bag.add(truth, read), 3)
    wall = time.perf_counter() - t0
    print(bag.line("SROIE receipts", len(stems)) + f"   {60 * len(stems) / wall:.1f} pages/min")
    worst = sorted(per.items(), key=lambda kv: kv[1])[:8]
    print("    weakest: " + ", ".join(f"{s} {r:.2f}" for s, r in worst))
    return per


def generated_documents(claims: int, seed: int, noise_kind: str):
    """Scanned and photographed documents of generated claims, each with every string drawn on it.

    Yields (key, kind, lang, doc_type, file bytes, media type, drawn text, truth fields).
    """
    from pipeline.samples.noise import NoiseSettings
    from pipeline.samples.render import render_document
    from pipeline.samples.scenario import plan_set

    noise = NoiseSettings(**EVAL_NOISE) if noise_kind == "eval" else NoiseSettings()
    drawn: list[str] = []
    original = ImageDraw.ImageDraw.text

    def recording(self, xy, text, *args, **kwargs):
        drawn.append(str(text))
        return original(self, xy, text, *args, **kwargs)

    ImageDraw.ImageDraw.text = recording
    try:
        for plan in plan_set(claims, seed):
            for doc in plan.docs:
                if doc.kind == "text_pdf" or doc.doc_type == "damage_photo":
                    continue
                drawn.clear()
                content, _ = render_document(doc, noise)
                media = mimetypes.guess_type(doc.file_name)[0]
                yield (f"{plan.key}/{doc.file_name}", doc.kind, plan.lang, doc.doc_type, content, media,
                       " ".join(drawn), doc.truth_fields())
    finally:
        ImageDraw.ImageDraw.text = original


def run_generated(claims: int, seed: int, noise_kind: str, workers: int, dump: Path | None) -> dict:
    docs = list(generated_documents(claims, seed, noise_kind))

    def one(doc):
        key, kind, lang, doc_type, content, media, drawn, fields = doc
        text, secs, read = read_file(content, media)
        if dump:
            name = key.replace("/", "_")
            read[0].clean_image.save(dump / f"{name}.png")
            (dump / f"{name}.txt").write_text(text, encoding="utf-8")
        return doc, text, read[0].text.lang

    bags: dict[str, Bag] = defaultdict(Bag)
    counts: Counter = Counter()
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per = {}
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for (key, kind, lang, doc_type, _, _, drawn, fields), text, got_lang in pool.map(one, docs):
            group = f"{lang} {'photos' if kind == 'photo' else 'scans'}"
            score = bags[group].add(tokens(drawn), tokens(text))
            counts[group] += 1
            flat = squash(text)
            for name, value in fields.items():
                if name in TEXT_FIELDS and value:
                    found[name][1] += 1
                    found[name][0] += squash(str(value)) in flat
            per[key] = {"recall": round(score, 3), "kind": kind, "lang": lang, "doc_type": doc_type,
                        "read_as": got_lang}
    wall = time.perf_counter() - t0
    print(f" generated documents, seed {seed}, {noise_kind} noise ({len(docs)} documents, "
          f"{60 * len(docs) / wall:.1f} documents/min):")
    for group in sorted(bags):
        print(bags[group].line(group, counts[group]))
    print("  text field values found verbatim: " + ", ".join(
        f"{n} {a}/{b}" for n, (a, b) in sorted(found.items())))
    print(f"  all text fields: {sum(a for a, _ in found.values())}/{sum(b for _, b in found.values())}")
    worst = sorted(per.items(), key=lambda kv: kv[1]["recall"])[:8]
    print("    weakest: " + ", ".join(f"{k} ({v['doc_type']}, {v['kind']}, read {v['read_as']}) {v['recall']:.2f}"
                                      for k, v in worst))
    return per


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sroie", type=int, default=100, help="receipts to read (0: none)")
    ap.add_argument("--held-out", action="store_true", help="read the held-out receipts (101-200) instead")
    ap.add_argument("--claims", type=int, default=6, help="generated dossiers (0: none)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--noise", choices=("eval", "default"), default="eval")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--dump", type=Path, help="save each clean image and its text here, to look at")
    ap.add_argument("--save", type=Path, help="write per-document scores as JSON here")
    args = ap.parse_args()
    if args.seed == EVAL_SEED:
        ap.error(f"seed {EVAL_SEED} is the evaluation seed; develop on another")
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
    print(f"OCR quality ({os.cpu_count()} cores, {args.workers} workers)")
    scores = {}
    if args.sroie:
        if not SROIE.exists():
            print("  ../shared/data/receipts_sroie is absent: receipts skipped")
        else:
            stems = sorted(p.stem for p in (SROIE / "img").glob("*.jpg"))
            stems = stems[SROIE_DEV:] if args.held_out else stems[:SROIE_DEV]
            print(f" SROIE {'held-out' if args.held_out else 'development'} half:")
            scores["sroie"] = run_sroie(stems[: args.sroie], args.workers, args.dump)
    if args.claims:
        scores["generated"] = run_generated(args.claims, args.seed, args.noise, args.workers, args.dump)
    if args.save:
        args.save.write_text(json.dumps(scores, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
