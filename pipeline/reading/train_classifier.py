"""Training the document classifier from labelled examples, and shipping it with a model card.

Examples are documents with a known type: generated sample dossiers (their truth.json
says each file's type), real documents a person labelled in a CSV file (``file,doc_type``
and an optional ``claim`` column: documents of one claim stay on one side of the held-out
split) and, optionally, real scanned receipts from SROIE labelled ``other``. Each document
is read exactly as in production (``prepare_pages`` and the OCR engine) so the classifier
learns from the same noisy text it will see. Readings are cached beside the samples and
the labels CSV (``.reading_cache.jsonl``) because OCR is the slow part.

Run: ``python -m pipeline.reading.train_classifier --recipe /tmp/claims-train`` trains as
the shipped model was (seeds in ``RECIPE_TRAIN``/``RECIPE_TEST``; about half an hour on two
cores, most of it OCR); ``--seed 7 --count 40`` (generates the samples first) or
``--samples-dir DIR`` train on other sets; ``--labelled LABELS.csv`` adds real documents.
The Prefect flow flows/train_classifier.py calls ``train_classifier`` too.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import typer

from pipeline.reading.classify import (
    IMAGE_FEATURES,
    MODELS_DIR,
    DocumentClassifier,
    card_base,
    document_text,
    evaluate,
    image_features,
    shape_features,
    text_features,
)
from pipeline.reading.engine import read_pages
from pipeline.reading.pages import prepare_pages
from pipeline.reading.read_file import media_type_of
from pipeline.reading.types import PageText
from pipeline.vocabulary import DOC_TYPES

SROIE_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "receipts_sroie"
SROIE_LABEL = "other"  # shop receipts are not among our claim document types


@dataclass
class Example:
    """One labelled document as the classifier sees it."""

    source: str  # file path (for the model card and for finding mistakes)
    group: str  # dossier key: documents of one claim stay on one side of a split
    label: str
    text: str
    features: dict[str, float]
    pages: list[PageText] | None = None


CACHE_NAME = ".reading_cache.jsonl"  # beside the documents it holds the readings of


def read_for_training(path: Path) -> tuple[str, dict[str, float], list[PageText]]:
    """Read one file as production does; return classifier text, image features and the pages."""
    prepared = prepare_pages(path.read_bytes(), media_type_of(path.name))
    pages = [r.text for r in read_pages(prepared, workers=1)]
    return document_text(pages), image_features(pages, prepared[0].image if prepared else None), pages


def _cache_key(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _load_cache(cache_path: Path) -> dict[str, dict[str, Any]]:
    if not cache_path.exists():
        return {}
    out = {}
    for line in cache_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out[row["key"]] = row
    return out


def read_examples(items: list[tuple[Path, str, str]], cache_path: Path | None, workers: int = 2,
                  keep_pages: bool = False) -> list[Example]:
    """Read (path, group, label) items into Examples, reusing and extending the cache.

    The cache keeps the read pages too, so extraction can be studied without OCR again.
    """
    cache = _load_cache(cache_path) if cache_path else {}

    def one(item: tuple[Path, str, str]) -> Example:
        path, group, label = item
        key = _cache_key(path)
        hit = cache.get(key)
        if hit:
            pages = [PageText.from_dict(p) for p in hit["pages"]]
            # what the words give is worked out again, so a cache outlives a change to those features
            feats = {**hit["features"], **text_features(pages)}
            if any(k not in feats for k in IMAGE_FEATURES):  # read before the card features existed: no OCR needed
                prepared = prepare_pages(path.read_bytes(), media_type_of(path.name))
                feats = {**feats, **shape_features(prepared[0].image if prepared else None)}
                hit["features"] = feats
            return Example(str(path), group, label, hit["text"], feats, pages if keep_pages else None)
        text, feats, pages = read_for_training(path)
        row = {"key": key, "text": text, "features": feats, "pages": [p.to_dict() for p in pages]}
        cache[key] = row
        if cache_path:
            with open(cache_path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        return Example(str(path), group, label, text, feats, pages if keep_pages else None)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(one, items))


def sample_items(samples_dir: Path) -> list[tuple[Path, str, str]]:
    """(file, dossier, doc_type) for every document of every generated dossier under ``samples_dir``."""
    items = []
    for truth_path in sorted(Path(samples_dir).glob("*/truth.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        for doc in truth["documents"]:
            if doc["doc_type"] not in DOC_TYPES:
                raise ValueError(f"{truth_path}: unknown doc_type {doc['doc_type']!r}")
            items.append((truth_path.parent / doc["file"], f"{Path(samples_dir).name}/{truth_path.parent.name}", doc["doc_type"]))
    if not items:
        raise FileNotFoundError(f"no */truth.json sample dossiers under {samples_dir}")
    return items


def sroie_items(limit: int, sroie_dir: Path = SROIE_DIR, offset: int = 0) -> list[tuple[Path, str, str]]:
    """Real receipts as labelled examples; empty (not an error) where ../shared is absent."""
    if limit <= 0 or not sroie_dir.exists():
        return []
    imgs = sorted((sroie_dir / "img").glob("*.jpg"))[offset : offset + limit]
    return [(p, f"sroie-{p.stem}", SROIE_LABEL) for p in imgs]


LABELLED_GROUP = "labelled:"  # group prefix of the documents from a labels CSV


def labelled_items(labels_csv: Path | str) -> list[tuple[Path, str, str]]:
    """(file, claim, doc_type) for each row of a labels CSV; files relative to the CSV's folder.

    Every bad row is reported in one error (a missing file, a type outside the vocabulary),
    so whoever labelled the documents mends them all at once rather than one per run.
    """
    labels_csv = Path(labels_csv)
    with open(labels_csv, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
        columns = set(rows[0]) if rows else set()
    if not {"file", "doc_type"} <= columns:
        raise ValueError(f"{labels_csv}: needs a header with the columns file and doc_type (and optionally claim)")
    items, problems = [], []
    for line, row in enumerate(rows, start=2):
        path = labels_csv.parent / (row["file"] or "").strip()
        label = (row["doc_type"] or "").strip()
        if label not in DOC_TYPES:
            problems.append(f"line {line}: unknown doc_type {label!r}")
        if not path.is_file():
            problems.append(f"line {line}: no file {path}")
        claim = (row.get("claim") or "").strip() or str(path)
        items.append((path, f"{LABELLED_GROUP}{labels_csv.name}/{claim}", label))
    if problems:
        raise ValueError(f"{labels_csv}: {len(problems)} bad row(s); doc_type is one of {', '.join(DOC_TYPES)}\n"
                         + "\n".join(problems))
    if not items:
        raise ValueError(f"{labels_csv}: no labelled documents")
    return items


def _split(examples: list[Example], test_size: float, seed: int) -> tuple[list[Example], list[Example]]:
    from sklearn.model_selection import GroupShuffleSplit

    groups = [e.group for e in examples]
    splitter = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=seed)
    train_idx, test_idx = next(splitter.split(examples, groups=groups))
    return [examples[i] for i in train_idx], [examples[i] for i in test_idx]


def train_classifier(
    samples_dir: Path | str | None = None,
    seed: int | None = None,
    count: int = 40,
    *,
    extra_samples_dirs: list[Path | str] = (),
    labelled: list[Path | str] = (),
    test_samples_dir: Path | str | None = None,
    sroie_limit: int = 50,
    version: str | None = None,
    models_dir: Path | str = MODELS_DIR,
    test_size: float = 0.25,
    workers: int = 2,
    save: bool = True,
) -> dict[str, Any]:
    """Train on generated dossiers (``samples_dir``, or ``count`` new ones made with ``seed``) and labelled
    real documents (``labelled``: labels CSV files; with neither a folder nor a seed, on those alone).

    ``extra_samples_dirs`` add more dossiers (other seeds and noise settings). With
    ``test_samples_dir`` the held-out measure is that whole set (claims of a seed never
    trained on), otherwise a held-out share of whole claims; either way the shipped
    model is then refitted on everything and saved under ``models_dir/version`` with a
    model card. Returns the card (metrics included).
    """
    sources: list[tuple[list[tuple[Path, str, str]], Path]] = []  # (items, their reading cache)
    if samples_dir is not None or seed is not None or not labelled:
        samples_dir = _generated(samples_dir, seed, count)
        sources.append((sample_items(samples_dir), samples_dir / CACHE_NAME))
    sources += [(sample_items(Path(d)), Path(d) / CACHE_NAME) for d in extra_samples_dirs]
    sources += [(labelled_items(c), Path(c).parent / CACHE_NAME) for c in labelled]  # every CSV checked before OCR
    sources[0] = (sources[0][0] + sroie_items(sroie_limit), sources[0][1])
    examples = [e for items, cache in sources for e in read_examples(items, cache, workers=workers)]
    if test_samples_dir is not None:
        test_dir = Path(test_samples_dir)
        train = examples
        test = read_examples(sample_items(test_dir), test_dir / CACHE_NAME, workers=workers)
        examples = examples + test
        split = f"held-out: every document of {test_dir.name} (dossiers of a seed not in the training part)"
    else:
        train, test = _split(examples, test_size, seed or 0)
        split = f"held-out {test_size:.0%} of whole claims (GroupShuffleSplit), seed {seed or 0}"
    held_out = DocumentClassifier().fit([e.text for e in train], [e.features for e in train], [e.label for e in train])
    metrics = evaluate(held_out, [e.text for e in test], [e.features for e in test], [e.label for e in test])

    final = DocumentClassifier().fit([e.text for e in examples], [e.features for e in examples], [e.label for e in examples])
    counts: dict[str, int] = {}
    for e in examples:
        counts[e.label] = counts.get(e.label, 0) + 1
    dirs = [Path(d).name for d in (samples_dir, *extra_samples_dirs, test_samples_dir) if d is not None]
    generated = [e for e in examples if _origin(e) == "generated"]
    card = {
        **card_base(),
        "min_confidence": final.min_confidence,
        "text_weight": final.text_weight,
        "data": (
            f"{len(generated)} generated documents from "
            f"{len({e.source.rsplit('/documents/', 1)[0] for e in generated})} sample dossiers"
            f"{' in ' + ', '.join(dirs) if dirs else ''}"
            f"{f' (generated with seed {seed})' if seed is not None and samples_dir.name.endswith(f'-n{count}') else ''}; "
            f"{sum(_origin(e) == 'labelled' for e in examples)} real documents labelled by hand"
            f"{' in ' + ', '.join(Path(c).name for c in labelled) if labelled else ''}; "
            f"{sum(_origin(e) == 'sroie' for e in examples)} real SROIE receipts labelled '{SROIE_LABEL}'; "
            "all read with the production OCR engine. "
            f"Examples per type: {json.dumps(dict(sorted(counts.items())))}."
        ),
        "split": split,
        "metrics": metrics,
        "limits": (
            "Trained mostly on generated documents: real uploads with other layouts will score lower and fall "
            "to low confidence more often. Shop receipts are labelled 'other'. Types absent from the training "
            "data are never predicted."
        ),
    }
    if save:
        out = final.save(models_dir, version, card)
        card = {**final.card, "path": str(out)}
    return card


def _generated(samples_dir: Path | str | None, seed: int | None, count: int) -> Path:
    """``samples_dir``, or a folder of ``count`` dossiers generated with ``seed`` (made once)."""
    if samples_dir is not None:
        return Path(samples_dir)
    if seed is None:
        raise ValueError("give samples_dir, a seed to generate samples with, or labelled documents")
    from pipeline.samples.generator import generate_dossiers

    out = Path(tempfile.gettempdir()) / f"claims-classifier-samples-seed{seed}-n{count}"
    if not list(out.glob("*/truth.json")):
        generate_dossiers(out, count, seed)
    return out


def _origin(example: Example) -> str:
    if example.group.startswith("sroie-"):
        return "sroie"
    return "labelled" if example.group.startswith(LABELLED_GROUP) else "generated"


# The recipe of the shipped classifier: generated dossiers of these seeds, never the
# reading benchmark's evaluation seed (90210) or its noise settings.
RECIPE_DOSSIERS = 36
RECIPE_TRAIN = ((101, "default"), (11, "rough"), (13, "rough"), (14, "rough"))
RECIPE_TEST = (12, "default")


def rough_noise() -> "NoiseSettings":
    """Rougher than the default: more blur, dust, JPEG loss, perspective and shadow."""
    from pipeline.samples.noise import NoiseSettings

    return NoiseSettings(max_skew_deg=3.5, blur_sigma=(0.2, 1.0), speckle=0.0008, jpeg_quality=(58, 88),
                         dpi=(200, 280), perspective=0.08, shadow=0.4)


def train_by_recipe(work_dir: Path, version: str | None = None, workers: int = 2,
                    labelled: list[Path | str] = ()) -> dict[str, Any]:
    """Generate the recipe's dossiers under ``work_dir`` (kept, with their reading caches) and train, with
    any ``labelled`` real documents beside them."""
    from pipeline.samples.generator import generate_dossiers
    from pipeline.samples.noise import NoiseSettings

    def made(seed: int, noise: str) -> Path:
        out = Path(work_dir) / f"claims-train-seed{seed}-{noise}"
        if not list(out.glob("*/truth.json")):
            generate_dossiers(out, RECIPE_DOSSIERS, seed, rough_noise() if noise == "rough" else NoiseSettings())
        return out

    first, *extra = [made(seed, noise) for seed, noise in RECIPE_TRAIN]
    return train_classifier(first, extra_samples_dirs=extra, labelled=labelled, test_samples_dir=made(*RECIPE_TEST),
                            version=version, workers=workers)


cli = typer.Typer(add_completion=False, help="Train and ship the document classifier.")


@cli.command()
def main(
    samples_dir: Optional[Path] = typer.Option(None, help="Generated dossiers to learn from."),
    extra_samples_dir: list[Path] = typer.Option([], help="More dossiers to learn from (repeatable)."),
    labelled: list[Path] = typer.Option([], help="A CSV of real documents labelled by hand, with the columns file "
                                                 "(relative to the CSV), doc_type and optionally claim (repeatable)."),
    test_samples_dir: Optional[Path] = typer.Option(None, help="Dossiers to measure on before the final refit."),
    seed: Optional[int] = typer.Option(None, help="Generate samples with this seed (when no --samples-dir)."),
    count: int = typer.Option(40, help="How many dossiers to generate."),
    sroie_limit: int = typer.Option(50, help="Real SROIE receipts to add as 'other' (0 for none)."),
    version: Optional[str] = typer.Option(None, help="Version name (default: vYYYYMMDD-HHMMSS)."),
    recipe: Optional[Path] = typer.Option(None, help="Train as the shipped model was: generate its seeds' dossiers "
                                                     "under this folder (kept for next time) and train on them."),
) -> None:
    """Train, measure on held-out dossiers, save under models/doc_classifier/<version>."""
    if recipe is not None:
        card = train_by_recipe(recipe, version, labelled=labelled)
    else:
        card = train_classifier(samples_dir, seed, count, extra_samples_dirs=extra_samples_dir, labelled=labelled,
                                test_samples_dir=test_samples_dir, sroie_limit=sroie_limit, version=version)
    m = card["metrics"]
    print(f"saved {card['version']} at {card.get('path')}")
    print(f"held-out accuracy {m['accuracy']}  macro F1 {m['macro_f1']}  low-confidence {m['low_confidence_rate']}  n={m['n']}")


if __name__ == "__main__":
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    cli()
