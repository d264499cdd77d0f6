"""The offline grader's fitted model: a proportional-odds (ordinal logistic) regression over a
few named features of an answer's substance (``grading/substance.py``).

    P(level > k) = sigmoid(sum_i w_i * (x_i - center_i) / scale_i + b_k)      k = 1, 2, 3

The coefficients live in ``prompts/grading_model.yaml`` (data, readable, diffable) and are
refit from a labelled set by ``interviewer refit-grader``; the held-out test part is never
read by a fit. The expected level (1 + sum of the three probabilities), rounded, is the score.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field, model_validator

from interviewer.config.datafiles import load_cached
from interviewer.grading.substance import FEATURES

MODEL_FILE = "grading_model.yaml"
LEVELS = 4


class FitRecord(BaseModel):
    """Where the coefficients came from (written by the refit command)."""

    files: list[str] = Field(default_factory=list)
    answers: int = 0
    data_sha256: str = ""
    C: float = 1.0
    cross_validation: dict[str, float] = Field(default_factory=dict)


class GradingModel(BaseModel):
    features: list[str] = Field(min_length=1)
    center: list[float]
    scale: list[float]
    weights: list[float]
    thresholds: list[float] = Field(min_length=LEVELS - 1, max_length=LEVELS - 1)
    fit: FitRecord = Field(default_factory=FitRecord)

    @model_validator(mode="after")
    def _shapes(self) -> "GradingModel":
        unknown = sorted(set(self.features) - set(FEATURES))
        if unknown:
            raise ValueError(f"unknown features {', '.join(unknown)} (known: {', '.join(FEATURES)})")
        n = len(self.features)
        for name in ("center", "scale", "weights"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"'{name}' needs {n} values, one per feature")
        if any(s <= 0 for s in self.scale):
            raise ValueError("'scale' values must be positive")
        if any(a < b for a, b in zip(self.thresholds, self.thresholds[1:])):
            raise ValueError("'thresholds' must be decreasing (P(level > 1) >= P(level > 2) >= ...)")
        return self

    def _pick(self, vector: list[float]) -> np.ndarray:
        index = [FEATURES.index(f) for f in self.features]
        return np.asarray([vector[i] for i in index], dtype=float)

    def contributions(self, vector: list[float]) -> dict[str, float]:
        """Each feature's share of the linear score (positive helps), for explanations."""
        z = (self._pick(vector) - np.asarray(self.center)) / np.asarray(self.scale)
        return {f: round(float(w * x), 3) for f, w, x in zip(self.features, self.weights, z)}

    def expected(self, vector: list[float]) -> float:
        """The expected level in [1, 4]."""
        eta = sum(self.contributions(vector).values())
        return 1.0 + sum(1.0 / (1.0 + math.exp(-(eta + b))) for b in self.thresholds)

    def score(self, vector: list[float]) -> int:
        return int(min(LEVELS, max(1, math.floor(self.expected(vector) + 0.5))))


# features only (what a refit measures before any coefficients exist): every answer scores 2.5
NEUTRAL = GradingModel(features=["coverage"], center=[0.0], scale=[1.0], weights=[0.0],
                       thresholds=[0.0, 0.0, 0.0])


def load_model(prompts_dir: str | Path) -> GradingModel:
    return load_cached(GradingModel, Path(prompts_dir) / MODEL_FILE)


def fit_model(vectors: list[list[float]], labels: list[int], features: list[str] | tuple[str, ...],
              C: float = 1.0) -> GradingModel:
    """Fit the proportional-odds model (scikit-learn's logistic regression on the data
    stacked once per threshold: shared weights, one intercept per threshold)."""
    from sklearn.linear_model import LogisticRegression

    index = [FEATURES.index(f) for f in features]
    x = np.asarray([[v[i] for i in index] for v in vectors], dtype=float)
    y = np.asarray(labels)
    if len(set(y.tolist())) < 2:
        raise ValueError("the labelled set needs answers at two levels at least")
    center, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x - center) / scale
    k = LEVELS - 1
    stacked = np.vstack([np.hstack([z, np.tile(np.eye(k)[j], (len(z), 1))]) for j in range(k)])
    target = np.concatenate([(y > j + 1).astype(int) for j in range(k)])
    lr = LogisticRegression(C=C, fit_intercept=False, max_iter=5000).fit(stacked, target)
    coef = lr.coef_[0]
    return GradingModel(features=list(features), center=[round(float(c), 6) for c in center],
                        scale=[round(float(s), 6) for s in scale],
                        weights=[round(float(w), 6) for w in coef[: len(index)]],
                        thresholds=[round(float(b), 6) for b in coef[len(index):]])
