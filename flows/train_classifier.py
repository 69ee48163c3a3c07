"""``train_classifier_flow``: make labelled samples, train the document classifier, ship it.

Two tasks, because they fail for different reasons and take different times: the
generator is CPU-bound rendering, training is OCR plus a quick fit. The work itself
lives in pipeline.samples and pipeline.reading.train_classifier; the command
``python -m pipeline.reading.train_classifier`` does the same without Prefect.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from pipeline.reading.classify import MODELS_DIR
from pipeline.reading.train_classifier import train_classifier


@task(cache_policy=NO_CACHE)
def make_samples(out_dir: str, count: int, seed: int) -> str:
    from pipeline.samples.generator import generate_dossiers

    if not list(Path(out_dir).glob("*/truth.json")):
        generate_dossiers(Path(out_dir), count, seed)
    return out_dir


@task(cache_policy=NO_CACHE)
def fit_and_save(samples_dir: str, seed: int, labelled: list[str], sroie_limit: int, version: str | None,
                 models_dir: str) -> dict[str, Any]:
    return train_classifier(samples_dir, seed, labelled=labelled, sroie_limit=sroie_limit, version=version,
                            models_dir=models_dir)


@flow(name="train-doc-classifier")
def train_classifier_flow(
    samples_dir: str | None = None,
    seed: int = 101,
    count: int = 40,
    labelled: list[str] | None = None,
    sroie_limit: int = 50,
    version: str | None = None,
    models_dir: str = str(MODELS_DIR),
) -> dict[str, Any]:
    """Train on ``samples_dir`` (or ``count`` dossiers generated with ``seed``) and the real documents of the
    ``labelled`` CSV files, and save a new version."""
    log = get_run_logger()
    if samples_dir is None:
        import tempfile

        samples_dir = make_samples(str(Path(tempfile.gettempdir()) / f"claims-train-seed{seed}"), count, seed)
    card = fit_and_save(samples_dir, seed, labelled or [], sroie_limit, version, models_dir)
    m = card["metrics"]
    log.info("document classifier %s: held-out accuracy %s, macro F1 %s (n=%s)", card["version"], m["accuracy"],
             m["macro_f1"], m["n"])
    return card


if __name__ == "__main__":
    train_classifier_flow()
