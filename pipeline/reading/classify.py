"""Which kind of document a file is: police report, medical invoice, photo of damage ...

A linear model over two views of the document:

- its read text as character n-grams (TF-IDF). Character n-grams need no word
  segmentation, so the same features work for English and Chinese, and they survive
  OCR slips that break whole words;
- a few numbers about the page images (how much text, how confidently read, how
  colourful): a photo of a dented car has almost no text and many colours.

The model never forces a class. It reports low confidence when its top probability is
below ``min_confidence``, or when the text is unlike anything it was trained on (cosine
similarity to the nearest type's centroid of n-gram vectors below ``min_similarity``,
set from the training data): a softmax is confident about the least-bad class even for
text it has never seen. The reader then files the document as ``other`` with
``low_confidence`` set for a person to look at.
Artifacts live in models/doc_classifier/<version>/ with a model card beside them.
"""
from __future__ import annotations

import json
import math
import platform
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import scipy.sparse as sp
import sklearn
from PIL import Image
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score
from sklearn.preprocessing import StandardScaler

from pipeline.reading.types import PageText
from pipeline.vocabulary import DOC_TYPES

MODELS_DIR = Path(__file__).resolve().parents[2] / "models" / "doc_classifier"
IMAGE_FEATURES: tuple[str, ...] = (
    "log_words",  # log(1 + words on the first page)
    "text_density",  # share of the first page covered by the boxes of words read with some confidence
    "mean_confidence",  # OCR confidence of the words (1.0 for a text layer)
    "colourfulness",  # Hasler-Suesstrunk colourfulness of the first page image, / 100
    "cjk_share",  # share of letters that are Chinese characters
    "digit_share",  # share of characters that are digits (bills and bank letters are full of them)
    "log_pages",  # log(page count)
    "text_layer",  # 1 when the text came from a PDF text layer
    "card_like",  # 1 when a four-cornered outline of a card's size and shape stands out of the picture
    "edge_density",  # share of pixels on an edge: print is dense with edges, a wall or a car body is not
    "resident_id",  # 1 when a resident ID number with a valid check character is printed (ID cards, claim forms)
    "card_number",  # 1 when a 16-19 digit number passes the bank-card (Luhn) check and is no resident ID
    "bank_named",  # 1 when a known bank's name is printed (a bank card or letter; an ID card names none)
)
# What versions trained before the card features were added read (the scaler's columns).
LEGACY_IMAGE_FEATURES = IMAGE_FEATURES[:8]
DEFAULT_MIN_CONFIDENCE = 0.4
# The text's n-grams count this many times their TF-IDF weight beside the scaled page numbers.
# At 1 the numbers decided for any page unlike the training layouts: four lines of an invoice
# on an empty page read as an ID card (0.88), since little text is what cards have. Development
# seeds' documents cut to their first five lines: 0.59 classed right at 1, 0.84 at 8, 0.86 at
# 12; whole documents unchanged (training held-out 0.996 -> 1.0).
DEFAULT_TEXT_WEIGHT = 10.0
PICTURE_TYPES = frozenset({"damage_photo"})  # types told by their image features: any text on them is incidental
CARD_AREA = (0.14, 0.6)
CARD_ASPECT = (1.3, 2.1)


def colourfulness(image: Image.Image | None) -> float:
    """Hasler & Suesstrunk (2003) colourfulness; 0 for grey images. Measured on a small copy."""
    if image is None or image.mode not in ("RGB", "RGBA"):
        return 0.0
    small = image.convert("RGB")
    small.thumbnail((256, 256))
    arr = np.asarray(small, dtype=np.float32)
    rg = arr[:, :, 0] - arr[:, :, 1]
    yb = 0.5 * (arr[:, :, 0] + arr[:, :, 1]) - arr[:, :, 2]
    return float(math.hypot(rg.std(), yb.std()) + 0.3 * math.hypot(rg.mean(), yb.mean()))


def shape_features(image: Image.Image | None) -> dict[str, float]:
    """Whether the picture shows a card: the largest convex four-cornered outline, and how
    busy the picture is with edges. A photo of an ID or bank card whose print OCR could not
    read still looks like a card; a photo of a dented door does not."""
    out = {"card_like": 0.0, "edge_density": 0.0}
    if image is None:
        return out
    import cv2

    small = image.convert("RGB")
    small.thumbnail((400, 400))
    rgb = np.asarray(small, dtype=np.uint8)
    gray = cv2.GaussianBlur(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), (5, 5), 0)
    out["edge_density"] = float((cv2.Canny(gray, 30, 90) > 0).mean())
    saturation = cv2.GaussianBlur(cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)[:, :, 1], (5, 5), 0)
    area_all = float(gray.shape[0] * gray.shape[1])
    best = 0.0
    # a card differs from what it lies on in brightness or in colour: try both, either way round
    for channel in (gray, saturation):
        _, mask = cv2.threshold(channel, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        for m in (mask, 255 - mask):
            m = cv2.morphologyEx(m, cv2.MORPH_OPEN, np.ones((7, 7), np.uint8))
            contours, _ = cv2.findContours(m, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
            for c in sorted(contours, key=cv2.contourArea, reverse=True)[:3]:
                hull = cv2.convexHull(c)
                poly = cv2.approxPolyDP(hull, 0.04 * cv2.arcLength(hull, True), True)
                area = cv2.contourArea(poly) / area_all
                solid = cv2.contourArea(c) / max(1.0, cv2.contourArea(hull))
                if len(poly) == 4 and 0.05 <= area <= 0.9 and solid > 0.9 and area > best:
                    (_, _), (w, h), _ = cv2.minAreaRect(poly)
                    best, aspect = area, max(w, h) / max(1.0, min(w, h))
    # a card held up to a camera fills a seventh to three fifths of the picture, and is
    # 1.3 to 2.1 times as wide as high (ID-1: 1.59); a floor or a wall in a damage photo is
    # smaller, larger or longer
    if best and CARD_AREA[0] <= best <= CARD_AREA[1] and CARD_ASPECT[0] <= aspect <= CARD_ASPECT[1]:
        out["card_like"] = 1.0
    return out


def image_features(pages: Sequence[PageText], first_image: Image.Image | None = None) -> dict[str, float]:
    """The numbers about a document's pages the classifier uses beside its text."""
    return {**text_features(pages), "colourfulness": colourfulness(first_image) / 100.0, **shape_features(first_image)}


def text_features(pages: Sequence[PageText]) -> dict[str, float]:
    """The numbers the read words alone give: training recomputes these from cached readings.

    Print covers the page where words were read with some confidence: tesseract also
    "reads" a portrait or a patterned table as a letter or two in a box as large as the
    picture, which made a card photo look like a page full of text.
    """
    first = pages[0] if pages else None
    words = first.words if first else []
    area = sum(max(0.0, (w.box[2] - w.box[0]) * (w.box[3] - w.box[1])) for w in (first.sure_words if first else []))
    text = "".join(p.text for p in pages)
    letters = [c for c in text if c.isalpha()]
    cjk = sum(1 for c in letters if "\u3400" <= c <= "\u9fff")
    chars = [c for c in text if not c.isspace()]
    return {
        "log_words": math.log1p(len(words)),
        "text_density": min(1.0, area),
        "mean_confidence": first.mean_confidence if first else 0.0,
        "cjk_share": cjk / len(letters) if letters else 0.0,
        "digit_share": sum(c.isdigit() for c in chars) / len(chars) if chars else 0.0,
        "log_pages": math.log(max(1, len(pages))),
        "text_layer": 1.0 if first is not None and first.source == "text_layer" else 0.0,
        **number_features(text),
    }


_LONG_NUMBER_RE = re.compile(r"(?<![\dA-Za-z])\d[\d ]{14,24}[\dXx](?![\dA-Za-z])")


def number_features(text: str) -> dict[str, float]:
    """Which identity numbers a document prints, by their check digits: photos of an ID card
    and of a bank card read alike as a card with a long number; the numbers tell them apart."""
    from pipeline.reading.labels import load_label_config
    from pipeline.reading.normalize import luhn_valid, valid_cn_id

    resident = card = False
    for m in _LONG_NUMBER_RE.finditer(text):
        digits = m.group(0).replace(" ", "").upper()
        if len(digits) == 18 and valid_cn_id(digits):
            resident = True
        elif 16 <= len(digits) <= 19 and digits.isdigit() and luhn_valid(digits):
            card = True
    banks = [b.casefold() for names in load_label_config().get("known_banks", {}).values() for b in names]
    low = text.casefold()
    named = any(b in low for b in banks) or any(  # a Chinese bank read with one character wrong (中国工商儿行)
        _one_off_in(b, line) for line in low.splitlines() if "行" in line for b in banks if len(b) >= 4 and b[0] >= "\u3400"
    )
    return {"resident_id": float(resident), "card_number": float(card), "bank_named": float(named)}


def _one_off_in(word: str, line: str) -> bool:
    n = len(word)
    return any(sum(a != b for a, b in zip(word, line[i:i + n])) <= 1 for i in range(len(line) - n + 1))


def document_text(pages: Sequence[PageText], max_chars: int = 6000) -> str:
    """The text the classifier reads: all pages, lower-cased, digits folded to 0."""
    text = "\n".join(p.text for p in pages)[:max_chars].lower()
    return re.sub(r"\d", "0", text)


@dataclass
class Prediction:
    doc_type: str  # the most likely type (even when low_confidence)
    confidence: float
    low_confidence: bool

    def __iter__(self):  # allows ``doc_type, confidence, low = clf.predict_one(...)``
        return iter((self.doc_type, self.confidence, self.low_confidence))


class DocumentClassifier:
    """Text n-grams + image features -> document type, with an honest confidence."""

    def __init__(self, min_confidence: float = DEFAULT_MIN_CONFIDENCE, C: float = 30.0,
                 text_weight: float = DEFAULT_TEXT_WEIGHT):
        self.min_confidence = min_confidence
        self.C = C
        self.text_weight = text_weight
        self.vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 4), min_df=2, max_features=20000, sublinear_tf=True
        )
        self.scaler = StandardScaler()
        self.feature_names: tuple[str, ...] = IMAGE_FEATURES
        self.model = LogisticRegression(C=C, max_iter=3000)
        self.centroids: np.ndarray | None = None  # one unit-length TF-IDF centroid per type with text
        self.min_similarity = 0.0
        self.version: str | None = None
        self.card: dict[str, Any] = {}

    # -- features
    def _matrix(self, texts: Sequence[str], feats: Sequence[dict[str, float]], fit: bool) -> sp.csr_matrix:
        if len(texts) != len(feats):
            raise ValueError(f"{len(texts)} texts but {len(feats)} image feature rows")
        num = np.array([[f.get(k, 0.0) for k in self.feature_names] for f in feats], dtype=np.float64)
        if fit:
            x_text = self.vectorizer.fit_transform(texts)
            x_num = self.scaler.fit_transform(num)
        else:
            x_text = self.vectorizer.transform(texts)
            x_num = self.scaler.transform(num)
        return sp.hstack([x_text * self.text_weight, sp.csr_matrix(x_num)], format="csr")

    # -- sklearn-style API
    def fit(self, texts: Sequence[str], image_features: Sequence[dict[str, float]], labels: Sequence[str]) -> "DocumentClassifier":
        unknown = sorted(set(labels) - set(DOC_TYPES))
        if unknown:
            raise ValueError(f"labels not in pipeline.vocabulary.DOC_TYPES: {unknown}")
        if len(set(labels)) < 2:
            raise ValueError("need examples of at least two document types to train")
        self.model.fit(self._matrix(texts, image_features, fit=True), list(labels))
        self._fit_centroids(texts, labels)
        return self

    def _fit_centroids(self, texts: Sequence[str], labels: Sequence[str]) -> None:
        x = self.vectorizer.transform(texts)
        rows, sims = [], []
        for label in sorted(set(labels)):
            idx = [i for i, (l, t) in enumerate(zip(labels, texts)) if l == label and t.strip()]
            if not idx:
                continue
            c = np.asarray(x[idx].mean(axis=0)).ravel()
            norm = np.linalg.norm(c)
            if norm > 0:
                rows.append(c / norm)
                sims.extend((x[idx] @ (c / norm)).tolist())
        self.centroids = np.vstack(rows) if rows else None
        # half the similarity of the least typical 5% of training documents
        self.min_similarity = float(0.5 * np.percentile(sims, 5)) if sims else 0.0

    def similarity(self, texts: Sequence[str]) -> np.ndarray:
        """Cosine similarity of each text to the nearest type centroid (1.0 for empty text)."""
        if self.centroids is None:
            return np.ones(len(texts))
        sims = np.asarray((self.vectorizer.transform(texts) @ self.centroids.T).max(axis=1)).ravel()
        return np.where([not t.strip() for t in texts], 1.0, sims)

    def predict_proba(self, texts: Sequence[str], image_features: Sequence[dict[str, float]]) -> np.ndarray:
        return self.model.predict_proba(self._matrix(texts, image_features, fit=False))

    def predict(self, texts: Sequence[str], image_features: Sequence[dict[str, float]]) -> list[Prediction]:
        proba = self.predict_proba(texts, image_features)
        sims = self.similarity(texts)
        out = []
        for row, sim in zip(proba, sims):
            i = int(row.argmax())
            conf = float(row[i])
            label = str(self.model.classes_[i])
            # a photo of damage is known by its picture; what OCR made of it is noise, new or not
            novel = sim < self.min_similarity and label not in PICTURE_TYPES
            low = conf < self.min_confidence or novel
            out.append(Prediction(label, round(conf, 4), bool(low)))
        return out

    def classify(self, pages: Sequence[PageText], first_image: Image.Image | None = None) -> Prediction:
        """One document's type from its read pages (and the first page's image)."""
        return self.predict([document_text(pages)], [image_features(pages, first_image)])[0]

    # -- persistence
    def save(self, models_dir: Path | str = MODELS_DIR, version: str | None = None, card: dict[str, Any] | None = None) -> Path:
        """Write the model (skops, no pickle) and its model card under ``models_dir/version``."""
        import skops.io as sio

        version = version or datetime.now(timezone.utc).strftime("v%Y%m%d-%H%M%S")
        out = Path(models_dir) / version
        out.mkdir(parents=True, exist_ok=True)
        if hasattr(self.vectorizer, "stop_words_"):  # the pruned n-grams: only needed for introspection, and large
            del self.vectorizer.stop_words_
        sio.dump(
            {"vectorizer": self.vectorizer, "scaler": self.scaler, "model": self.model,
             "min_confidence": self.min_confidence, "C": self.C, "text_weight": self.text_weight,
             "centroids": self.centroids,
             "min_similarity": self.min_similarity, "feature_names": list(self.feature_names)},
            out / "model.skops",
            compression=zipfile.ZIP_DEFLATED,
        )
        self.version = version
        self.card = {**(card or {}), "version": version}
        (out / "card.json").write_text(json.dumps(self.card, indent=2, ensure_ascii=False), encoding="utf-8")
        (out / "MODEL_CARD.md").write_text(model_card_markdown(self.card), encoding="utf-8")
        return out

    @classmethod
    def load(cls, version: str | None = None, models_dir: Path | str = MODELS_DIR) -> "DocumentClassifier":
        """Load a saved version; the newest one shipped when ``version`` is None."""
        import skops.io as sio

        models_dir = Path(models_dir)
        version = version or latest_version(models_dir)
        path = models_dir / version / "model.skops"
        if not path.exists():
            raise FileNotFoundError(f"no document classifier {version!r} under {models_dir}")
        # skops runs no code on load; still, only types from the libraries the model is
        # built from are let through, so a tampered artifact cannot smuggle in others.
        types = sio.get_untrusted_types(file=path)
        foreign = [t for t in types if not t.startswith(TRUSTED_MODULES)]
        if foreign:
            raise ValueError(f"refusing to load {path}: it holds types outside {TRUSTED_MODULES}: {foreign}")
        state = sio.load(path, trusted=types)
        clf = cls(min_confidence=state["min_confidence"], C=state["C"], text_weight=state.get("text_weight", 1.0))
        clf.vectorizer, clf.scaler, clf.model = state["vectorizer"], state["scaler"], state["model"]
        clf.centroids, clf.min_similarity = state["centroids"], state["min_similarity"]
        clf.feature_names = tuple(state.get("feature_names") or LEGACY_IMAGE_FEATURES)
        clf.version = version
        card_path = models_dir / version / "card.json"
        clf.card = json.loads(card_path.read_text(encoding="utf-8")) if card_path.exists() else {}
        return clf


TRUSTED_MODULES = ("sklearn.", "numpy.", "scipy.", "builtins.")


def latest_version(models_dir: Path | str = MODELS_DIR) -> str:
    """The newest version directory (names sort by date: vYYYYMMDD-HHMMSS)."""
    versions = sorted(p.parent.name for p in Path(models_dir).glob("*/model.skops"))
    if not versions:
        raise FileNotFoundError(
            f"no trained document classifier under {models_dir}; run `python -m pipeline.reading.train_classifier`"
        )
    return versions[-1]


def evaluate(clf: DocumentClassifier, texts: Sequence[str], feats: Sequence[dict[str, float]], labels: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro F1, low-confidence rate and the confusion matrix on held-out examples."""
    preds = clf.predict(texts, feats)
    guessed = [p.doc_type for p in preds]
    classes = [c for c in DOC_TYPES if c in set(labels) | set(guessed)]
    return {
        "n": len(labels),
        "accuracy": round(accuracy_score(labels, guessed), 4),  # of the best guess
        "accuracy_low_as_other": round(
            accuracy_score(labels, ["other" if p.low_confidence else p.doc_type for p in preds]), 4),
        "macro_f1": round(f1_score(labels, guessed, average="macro", zero_division=0), 4),
        "low_confidence_rate": round(sum(p.low_confidence for p in preds) / max(1, len(preds)), 4),
        "accuracy_when_confident": round(
            accuracy_score(
                [l for l, p in zip(labels, preds) if not p.low_confidence],
                [p.doc_type for p in preds if not p.low_confidence],
            ) if any(not p.low_confidence for p in preds) else 0.0, 4),
        "classes": classes,
        "confusion": confusion_matrix(labels, guessed, labels=classes).tolist(),
    }


def model_card_markdown(card: dict[str, Any]) -> str:
    """A short human-readable model card from the card dictionary."""
    m = card.get("metrics", {})
    lines = [
        f"# Document classifier {card.get('version', '')}",
        "",
        "Assigns each uploaded document one of `pipeline.vocabulary.DOC_TYPES` from its read",
        "text (character 2-4-grams, TF-IDF) and image features "
        f"({', '.join(IMAGE_FEATURES)}); logistic regression, the n-grams weighted "
        f"{card.get('text_weight', 1.0):g} times beside the scaled image features.",
        f"Below a top probability of {card.get('min_confidence', DEFAULT_MIN_CONFIDENCE)} it reports low confidence",
        "and the reader files the document as `other` for a person to look at.",
        "",
        "## Data",
        "",
        str(card.get("data", "")),
        "",
        f"Trained: {card.get('trained_at', '')}  ",
        f"Software: scikit-learn {card.get('sklearn', '')}, Python {card.get('python', '')}",
        "",
        "## Metrics (held-out documents, before the final refit on everything)",
        "",
        f"Held out: {card.get('split', '')}",
        "",
        f"- accuracy of the best guess: {m.get('accuracy')}",
        f"- accuracy when low confidence is filed as `other` (what the reader does): {m.get('accuracy_low_as_other')}",
        f"- macro F1: {m.get('macro_f1')}",
        f"- low-confidence rate: {m.get('low_confidence_rate')}",
        f"- accuracy when confident: {m.get('accuracy_when_confident')}",
        f"- examples: {m.get('n')}",
        "",
        "The reading benchmark (`benchmarks/reading_benchmark.py`) measures it on a separately",
        "seeded evaluation set with different noise; see its output for the honest figure.",
        "",
        "## Limits",
        "",
        str(card.get("limits", "")),
        "",
    ]
    return "\n".join(lines)


def card_base() -> dict[str, Any]:
    return {
        "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "sklearn": sklearn.__version__,
        "python": platform.python_version(),
        "features": list(IMAGE_FEATURES) + ["char_wb 2-4-gram tf-idf"],
    }
