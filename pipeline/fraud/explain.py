"""How much each feature pushed one claim's score up or down, in log-odds of the calibrated model.

Trees: exact path-dependent TreeSHAP (Lundberg et al., 2018). The trees are at most three
levels deep, so a tree uses at most seven features and its Shapley values can be had by
enumerating all 2^7 feature subsets at once with numpy: for a subset S the tree's
expected output given only the features in S follows x where S decides and splits by
training cover elsewhere. Sum over trees, scale by the learning rate and by the Platt
calibration slope. Contributions plus the base value add up to the calibrated log-odds.

Logistic baseline: each term ``coef * (x - training mean)``.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass
from functools import lru_cache
from math import factorial

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

_DEPTH = 3
_INTERNAL = 2 ** _DEPTH - 1  # 7 internal nodes in a full tree of depth 3 (heap order)
_LEAVES = 2 ** _DEPTH
_SLOTS = _INTERNAL  # at most this many distinct features per tree


@dataclass
class Explanation:
    base: float  # calibrated log-odds of an average claim
    contributions: dict[str, float]  # feature name -> log-odds it added

    @property
    def log_odds(self) -> float:
        return self.base + sum(self.contributions.values())


@lru_cache(maxsize=_SLOTS + 1)
def _subset_tables(m: int) -> tuple[np.ndarray, np.ndarray]:
    """For trees with ``m`` distinct features: membership of each slot in each of the 2^m
    subsets, and the Shapley weight matrix (slots x subsets)."""
    masks = np.arange(2 ** m)
    member = ((masks[:, None] >> np.arange(m)[None, :]) & 1).astype(bool)  # (subsets, slots)
    size = member.sum(axis=1)
    weight = np.array([factorial(s) * factorial(m - s - 1) / factorial(m) for s in range(m)] + [0.0])
    coef = np.where(member, weight[np.maximum(size - 1, 0)][:, None], -weight[size][:, None]).T  # (slots, subsets)
    return member, coef


@lru_cache(maxsize=1)
def _leaf_paths() -> np.ndarray:
    """Internal node at each level on the way to each leaf, and whether that step goes right."""
    # path of each leaf: which internal node at each level, and whether it goes right
    nodes = np.zeros((_DEPTH, _LEAVES), dtype=int)
    right = np.zeros((_DEPTH, _LEAVES), dtype=bool)
    for leaf in range(_LEAVES):
        node = 0
        for level in range(_DEPTH):
            bit = (leaf >> (_DEPTH - 1 - level)) & 1
            nodes[level, leaf], right[level, leaf] = node, bool(bit)
            node = 2 * node + 1 + bit
    return np.stack([nodes, right])


@dataclass
class _PaddedForest:
    feature: np.ndarray  # (trees, 7) input column of each internal node (0 for padding)
    threshold: np.ndarray  # (trees, 7)
    cover_left: np.ndarray  # (trees, 7) share of training cover going left
    slot: np.ndarray  # (trees, 7) which of the tree's distinct features; -1 for padding
    slot_feature: np.ndarray  # (trees, 7) input column of each slot (-1 unused)
    leaf: np.ndarray  # (trees, 8)
    scale: float  # learning rate
    groups: dict[int, np.ndarray]  # number of distinct features -> the trees that have that many


def _pad(estimator) -> _PaddedForest:
    trees = [t[0].tree_ for t in estimator.estimators_]
    n = len(trees)
    feature = np.zeros((n, _INTERNAL), dtype=int)
    threshold = np.zeros((n, _INTERNAL))
    cover_left = np.ones((n, _INTERNAL))
    slot = np.full((n, _INTERNAL), -1)
    slot_feature = np.full((n, _SLOTS), -1)
    leaf = np.zeros((n, _LEAVES))
    for t, tree in enumerate(trees):
        if tree.max_depth > _DEPTH:
            raise ValueError(f"exact contributions need trees of depth <= {_DEPTH}, got {tree.max_depth}")
        used: list[int] = []

        def walk(node: int, heap: int, depth: int) -> None:
            left, right_child = tree.children_left[node], tree.children_right[node]
            if left == -1:  # a leaf: copy its value down to every padded leaf below
                first = heap
                for _ in range(_DEPTH - depth):
                    first = 2 * first + 1
                start = first - _INTERNAL
                leaf[t, start:start + 2 ** (_DEPTH - depth)] = tree.value[node].ravel()[0]
                # padded internal nodes below keep slot -1 and cover_left 1: they always go left
                return
            f = int(tree.feature[node])
            if f not in used:
                used.append(f)
            feature[t, heap] = f
            threshold[t, heap] = tree.threshold[node]
            slot[t, heap] = used.index(f)
            cover_left[t, heap] = tree.weighted_n_node_samples[left] / tree.weighted_n_node_samples[node]
            walk(left, 2 * heap + 1, depth + 1)
            walk(right_child, 2 * heap + 2, depth + 1)

        walk(0, 0, 0)
        slot_feature[t, :len(used)] = used
    used_count = (slot_feature >= 0).sum(axis=1)
    groups = {int(k): np.flatnonzero(used_count == k) for k in np.unique(used_count)}
    return _PaddedForest(feature, threshold, cover_left, slot, slot_feature, leaf, float(estimator.learning_rate), groups)


_FORESTS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_ENCODERS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_BASES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _forest_for(estimator) -> _PaddedForest:
    """Padded arrays of a fitted model's trees, built once per model object."""
    if estimator not in _FORESTS:
        _FORESTS[estimator] = _pad(estimator)
    return _FORESTS[estimator]


def tree_shap(estimator, x: np.ndarray) -> tuple[float, np.ndarray]:
    """Expected raw margin and exact per-column Shapley values of one encoded row."""
    forest = _forest_for(estimator)
    nodes, right = _leaf_paths()
    goes_left_all = x[forest.feature] <= forest.threshold  # (trees, 7)
    phi = np.zeros(x.shape[0])
    expected = 0.0
    for m, trees in forest.groups.items():  # trees with m distinct features: 2^m subsets each
        member, coef = _subset_tables(m)
        slot, cover, goes_left = forest.slot[trees], forest.cover_left[trees], goes_left_all[trees]
        padding = slot < 0
        in_subset = np.where(padding[None], False, member[:, np.clip(slot, 0, None)])  # (subsets, trees, 7)
        w_left = np.where(in_subset, goes_left[None], np.where(padding, 1.0, cover)[None])
        w_right = np.where(in_subset, ~goes_left[None], np.where(padding, 0.0, 1 - cover)[None])
        weight = np.where(right[0], w_right[:, :, nodes[0]], w_left[:, :, nodes[0]])
        for level in range(1, _DEPTH):
            weight = weight * np.where(right[level], w_right[:, :, nodes[level]], w_left[:, :, nodes[level]])
        value = (weight * forest.leaf[trees][None]).sum(axis=2)  # (subsets, trees): E[tree | features in subset]
        expected += float(value[0].sum())
        if m:
            phi_slots = coef @ value  # (m, trees)
            np.add.at(phi, forest.slot_feature[trees][:, :m].ravel(), phi_slots.T.ravel())
    return forest.scale * expected, forest.scale * phi


class RowEncoder:
    """The fitted ColumnTransformer's encoding of a single row, without pandas' per-call cost.

    One-hot columns: a known frequent value gets its own column, a rare or unseen value the
    pooled "infrequent" column. Numbers pass through (or are standardised). The test suite
    checks this against ``ColumnTransformer.transform`` row for row.
    """

    def __init__(self, columns):
        self.width = int(sum(s.stop - s.start for s in columns.output_indices_.values()))
        self.categorical: list[tuple[str, dict[str, int], int | None]] = []
        self.numbers: list[str] = []
        self.number_slice = slice(0, 0)
        self.mean = self.scale = None
        for name, transformer, cols in columns.transformers_:
            where = columns.output_indices_[name]
            if name == "numbers":
                self.numbers, self.number_slice = list(cols), where
                if hasattr(transformer, "mean_"):
                    self.mean, self.scale = transformer.mean_, transformer.scale_
            elif name != "remainder" and where.stop > where.start:
                rare = set(transformer.infrequent_categories_[0]) if transformer.infrequent_categories_[0] is not None else set()
                frequent = [c for c in transformer.categories_[0] if c not in rare]
                index = {str(c): where.start + i for i, c in enumerate(frequent)}
                pooled = where.start + len(frequent) if rare else None
                self.categorical.append((cols[0], index, pooled))

    def __call__(self, row: dict) -> np.ndarray:
        x = np.zeros(self.width)
        for name, index, pooled in self.categorical:
            column = index.get(str(row[name]), pooled)
            if column is not None:
                x[column] = 1.0
        values = np.array([float(row[n]) for n in self.numbers])
        if self.mean is not None:
            values = (values - self.mean) / self.scale
        x[self.number_slice] = values
        return x


def _encoder_for(columns) -> RowEncoder:
    if columns not in _ENCODERS:
        _ENCODERS[columns] = RowEncoder(columns)
    return _ENCODERS[columns]


def explain(pipeline: Pipeline, row: dict, background_mean: np.ndarray | None = None) -> Explanation:
    """Per-feature log-odds contributions for one claim's features (a dict keyed by feature name)."""
    columns = pipeline.named_steps["columns"]
    calibrated = pipeline.named_steps["model"]
    if len(calibrated.calibrated_classifiers_) != 1:
        raise ValueError("explanations need a calibrated model trained with ensemble=False")
    pair = calibrated.calibrated_classifiers_[0]
    estimator, calibrator = pair.estimator, pair.calibrators[0]
    slope, intercept = -float(calibrator.a_), -float(calibrator.b_)  # logit(p) = slope * margin + intercept
    missing = [n for n in columns.feature_names_in_ if n not in row]
    if missing:
        raise ValueError(f"the claim's features lack: {', '.join(missing)}")
    x = _encoder_for(columns)(row)
    if isinstance(estimator, LogisticRegression):
        if background_mean is None:
            raise ValueError("a logistic explanation needs the training mean of the encoded features")
        coef = estimator.coef_[0]
        phi = coef * (x - background_mean)
        expected = float(estimator.intercept_[0] + coef @ background_mean)
    else:
        _, phi = tree_shap(estimator, x)
        # The margin's constant part (the boosting's initial log-odds plus the trees' expected
        # outputs) is what is left of the margin once the contributions are taken away; it is
        # the same for every claim, so it is worked out once per model.
        if estimator not in _BASES:
            _BASES[estimator] = float(estimator.decision_function(x[None])[0]) - float(phi.sum())
        expected = _BASES[estimator]
    contributions = {}
    for name, where in columns.output_indices_.items():
        if name == "numbers":
            encoder = _encoder_for(columns)
            for i, number in enumerate(encoder.numbers):
                contributions[number] = slope * float(phi[where.start + i])
        elif name != "remainder" and where.stop > where.start:
            contributions[name] = slope * float(phi[where].sum())
    return Explanation(base=slope * expected + intercept, contributions=contributions)
