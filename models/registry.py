"""The model registry: versioned fraud models, one promoted per line of business.

Layout under the registry folder (``models/`` in the repository, or ``CLAIMS_MODEL_REGISTRY``):

    registry.json                            every version, its checksums, promotions and decisions
    artifacts/<line>/<version>/model.skops   the scikit-learn pipeline (skops: loading runs no code)
    artifacts/<line>/<version>/meta.json     features, score scale, metrics
    artifacts/<line>/<version>/card.md       the model card; calibration.png beside it

Loading checks, before anything is deserialised, that both files still have the SHA-256
recorded at registration, that the model's feature list is the one the code builds today,
and that the skops file holds only the types a fraud pipeline is made of.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_ROOT = Path(__file__).resolve().parent
ENV_VAR = "CLAIMS_MODEL_REGISTRY"

# Types a skops file may hold beyond skops' own default-trusted ones.
TRUSTED_TYPES = (
    "pipeline.fraud.training.BalancedGradientBoosting",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.model_selection._split.StratifiedKFold",
    "sklearn.tree._tree.Tree",
)


class RegistryError(RuntimeError):
    """The registry cannot do what was asked; the message says why."""


class IntegrityError(RegistryError):
    """An artifact's bytes are not the ones registered: it is not loaded."""


class FeatureMismatchError(RegistryError):
    """The model was trained on other features than the code builds now: it is not used."""


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def registry_root(root: Path | str | None = None) -> Path:
    return Path(root or os.environ.get(ENV_VAR) or DEFAULT_ROOT)


@dataclass
class LoadedModel:
    """A promoted (or named) model ready to score."""

    line: str
    version: str
    pipeline: Any
    meta: dict[str, Any]

    @property
    def features(self) -> list[str]:
        return list(self.meta["features"])

    @property
    def background_mean(self) -> np.ndarray | None:
        mean = self.meta.get("background_mean")
        return np.asarray(mean) if mean is not None else None

    def score(self, probability: float) -> int:
        """0-100: the share of the training claims whose probability was lower (100 = riskier than all)."""
        quantiles = np.asarray(self.meta["score_quantiles"])
        return int(np.clip(np.searchsorted(quantiles, probability, side="right") - 1, 0, 100))


@dataclass
class Registry:
    root: Path = field(default_factory=registry_root)

    def __post_init__(self) -> None:
        self.root = Path(self.root)

    # --- the index ----------------------------------------------------------------------

    @property
    def index_path(self) -> Path:
        return self.root / "registry.json"

    def _read(self) -> dict[str, Any]:
        if not self.index_path.exists():
            return {"models": [], "promoted": {}, "decisions": []}
        try:
            return json.loads(self.index_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise RegistryError(f"{self.index_path} is not valid JSON: {exc}") from exc

    def _write(self, data: dict[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.index_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf-8")
        tmp.replace(self.index_path)

    def entries(self, line: str | None = None) -> list[dict[str, Any]]:
        return [m for m in self._read()["models"] if line is None or m["line"] == line]

    def entry(self, line: str, version: str) -> dict[str, Any]:
        for m in self.entries(line):
            if m["version"] == version:
                return m
        raise RegistryError(f"no {line} model version {version!r} in {self.index_path}")

    def promoted_version(self, line: str) -> str | None:
        return self._read()["promoted"].get(line)

    def decisions(self, line: str | None = None) -> list[dict[str, Any]]:
        return [d for d in self._read()["decisions"] if line is None or d["line"] == line]

    # --- writing ------------------------------------------------------------------------

    def register(self, trained, meta_extra: dict[str, Any] | None = None, card: str | None = None,
                 calibration_png: Path | None = None, version: str | None = None) -> dict[str, Any]:
        """Store a trained model (``pipeline.fraud.training.TrainedModel``) as a new version."""
        import skops.io as sio

        version = version or f"{trained.line}-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}"
        folder = self.root / "artifacts" / trained.line / version
        if folder.exists():
            raise RegistryError(f"version {version} already exists at {folder}")
        folder.mkdir(parents=True)
        model_path, meta_path = folder / "model.skops", folder / "meta.json"
        sio.dump(trained.pipeline, model_path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
        meta = {
            "line": trained.line, "version": version, "kind": trained.kind, "features": trained.features,
            "rows": trained.rows, "frauds": trained.frauds, "date_from": trained.date_from,
            "date_to": trained.date_to, "training_seconds": round(trained.seconds, 2),
            "score_quantiles": trained.score_quantiles, "metrics": trained.metrics, "notes": trained.notes,
            "calibration": trained.calibration, "created_at": _now(), **(meta_extra or {}),
        }
        meta_path.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
        if calibration_png is not None:
            shutil.copyfile(calibration_png, folder / "calibration.png")
        if card is not None:
            (folder / "card.md").write_text(card, encoding="utf-8")
        entry = {
            "line": trained.line, "version": version, "kind": trained.kind,
            "path": str((folder).relative_to(self.root)), "model_sha256": sha256_of(model_path),
            "meta_sha256": sha256_of(meta_path), "features": trained.features, "created_at": meta["created_at"],
            "metrics": {name: {k: round(v, 4) if isinstance(v, float) else v for k, v in m.items()}
                        for name, m in trained.metrics.items()},
            "promoted_by": None, "promoted_at": None, "promotion_reason": None,
        }
        data = self._read()
        data["models"].append(entry)
        self._write(data)
        return entry

    def promote(self, line: str, version: str, by: str, reason: str) -> dict[str, Any]:
        """Make ``version`` the model that scores ``line``'s claims, saying who decided and why."""
        if not by.strip() or not reason.strip():
            raise RegistryError("a promotion needs who promoted it and why")
        data = self._read()
        target = next((m for m in data["models"] if m["line"] == line and m["version"] == version), None)
        if target is None:
            raise RegistryError(f"no {line} model version {version!r} to promote")
        target.update(promoted_by=by, promoted_at=_now(), promotion_reason=reason)
        previous = data["promoted"].get(line)
        data["promoted"][line] = version
        data["decisions"].append({"line": line, "at": target["promoted_at"], "action": "promoted", "version": version,
                                  "previous": previous, "by": by, "reason": reason})
        self._write(data)
        return target

    def record_decision(self, line: str, action: str, by: str, reason: str, **details: Any) -> dict[str, Any]:
        """Keep a decision that changed nothing (e.g. a candidate not promoted) with its reasons."""
        decision = {"line": line, "at": _now(), "action": action, "by": by, "reason": reason, **details}
        data = self._read()
        data["decisions"].append(decision)
        self._write(data)
        return decision

    # --- loading ------------------------------------------------------------------------

    def load(self, line: str, version: str | None = None, expected_features: list[str] | None = None) -> LoadedModel:
        """Verify and load a model; the promoted one when no version is named."""
        import skops.io as sio

        from pipeline.fraud.features import FEATURES

        version = version or self.promoted_version(line)
        if version is None:
            raise RegistryError(f"no {line} model is promoted in {self.index_path}; train one with "
                                f"'claims fraud train --line {line} --promote'")
        entry = self.entry(line, version)
        folder = self.root / entry["path"]
        model_path, meta_path = folder / "model.skops", folder / "meta.json"
        for path, key in ((model_path, "model_sha256"), (meta_path, "meta_sha256")):
            if not path.exists():
                raise IntegrityError(f"{path} is missing")
            actual = sha256_of(path)
            if actual != entry[key]:
                raise IntegrityError(f"{path} has SHA-256 {actual}, the registry recorded {entry[key]}: not loading it")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        expected = list(expected_features if expected_features is not None else FEATURES[line])
        if list(meta["features"]) != expected or list(entry["features"]) != expected:
            extra = sorted(set(meta["features"]) - set(expected))
            lacking = sorted(set(expected) - set(meta["features"]))
            raise FeatureMismatchError(
                f"{line} model {version} was trained on other features than the code builds "
                f"(model only: {extra or '-'}; code only: {lacking or '-'}; or another order): retrain it")
        untrusted = [t for t in sio.get_untrusted_types(file=model_path) if t not in TRUSTED_TYPES]
        if untrusted:
            raise IntegrityError(f"{model_path} holds types outside the trusted list: {', '.join(untrusted)}")
        pipeline = sio.load(model_path, trusted=list(TRUSTED_TYPES))
        names = list(getattr(pipeline, "feature_names_in_", expected))
        if names != expected:
            raise FeatureMismatchError(f"{line} model {version} pipeline expects columns {names}, code builds {expected}")
        return LoadedModel(line=line, version=version, pipeline=pipeline, meta=meta)
