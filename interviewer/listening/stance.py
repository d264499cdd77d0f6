"""Lexical stance cues (``prompts/stance.yaml``): counts the listener's stance model weighs
beside the sentence's embedding. Data, not rules: no threshold here decides anything."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from interviewer.config.datafiles import load_cached


class StanceCues(BaseModel):
    dismissal_markers: list[str] = Field(min_length=1)
    negations: list[str] = Field(min_length=1)


class Concepts(BaseModel):
    concepts: dict[str, list[str]] = Field(default_factory=dict)


def load_concepts(prompts_dir: str) -> dict[str, list[str]]:
    """``prompts/concepts.yaml``: key point id → regular expressions (validated on load)."""
    data = load_cached(Concepts, Path(prompts_dir) / "concepts.yaml").concepts
    for pid, pats in data.items():
        for p in pats:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"concepts.yaml: {pid}: bad pattern {p!r} ({exc})") from None
    return data


def load_cues(prompts_dir: str) -> StanceCues:
    return load_cached(StanceCues, Path(prompts_dir) / "stance.yaml")


def _pattern(words: list[str]) -> re.Pattern:
    alts = sorted((re.escape(w.lower()) for w in words), key=len, reverse=True)
    return re.compile(r"(?<![a-z])(?:" + "|".join(alts) + r")(?![a-z])")


class StanceFeatures:
    """``features(texts)`` → (n, 3): dismissal markers, negations, and whether the text
    states a prescription ("just", "only", "always") or a contrast ("instead")."""

    size = 3

    def __init__(self, cues: StanceCues):
        self._markers = _pattern(cues.dismissal_markers)
        self._neg = _pattern(cues.negations)
        self._absolute = re.compile(r"\b(?:just|only|always|all|every|simply)\b")

    def features(self, texts: list[str]) -> np.ndarray:
        rows = []
        for t in texts:
            low = t.lower().replace("’", "'").replace("n't", " n't")
            rows.append([min(2, len(self._markers.findall(low))), min(3, len(self._neg.findall(low))),
                         min(2, len(self._absolute.findall(low)))])
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), self.size)


def sentence_parents(units: list[str]) -> list[int]:
    """For each unit of ``textutil.clauses`` (a sentence followed by its clauses), the index of
    the sentence it belongs to: stance is read in the whole sentence ("Freshness is not a
    concern; a weekly batch is fine" dismisses freshness in its second clause too)."""
    parents: list[int] = []
    for i, u in enumerate(units):
        k = next((k for k in range(i - 1, -1, -1) if parents[k] == k and u in units[k]), i)
        parents.append(k)
    return parents


_TOKEN = re.compile(r"(?u)\b\w\w+\b")      # scikit-learn's default token pattern


@lru_cache(maxsize=4096)
def ngrams(text: str) -> tuple[str, ...]:
    """Words and word pairs, as scikit-learn's ``TfidfVectorizer(ngram_range=(1, 2))`` makes
    them (the stance words model is fitted with it and applied with ``words_score``). Kept for
    the last few thousand texts: three stance models read each unit of an answer.

    The token pattern drops "t" from "can't", so "can't skip" reads as "can skip". Reading
    "n't" as "not" was tried (2026-12-07): dev unchanged at the same thresholds, but on an
    unfitted file of 360 dismissal idioms and negatively worded affirmations the dismissals
    credited rose from 7.9% to 11.2% (the fits learned "not" as a mark of dismissal)."""
    toks = _TOKEN.findall(text.lower().replace("’", "'"))
    return tuple(toks) + tuple(f"{a} {b}" for a, b in zip(toks, toks[1:]))


def ngram_counts(text: str, index: dict[str, int]) -> dict[int, int]:
    """How often each known word or word pair (``ngrams``) occurs in ``text``, by its column in
    ``index`` (a fitted vocabulary); unknown ones are left out."""
    counts: dict[int, int] = {}
    for g in ngrams(text):
        i = index.get(g)
        if i is not None:
            counts[i] = counts.get(i, 0) + 1
    return counts


class StanceWords:
    """A fitted bag-of-words stance model kept as plain arrays: vocabulary, idf, weights.
    ``score(texts)`` → P(dismissed or wrong) per text, from the words the fit found telling
    ("pointless", "overkill", "nice to have", "is enough"), learned rather than listed."""

    def __init__(self, vocab: list[str], idf: np.ndarray, weights: np.ndarray, bias: float):
        self.index = {w: i for i, w in enumerate(vocab)}
        self.idf = np.asarray(idf, dtype=np.float64)
        self.w = np.asarray(weights, dtype=np.float64)
        self.b = float(bias)

    def score(self, texts: list[str]) -> np.ndarray:
        out = np.zeros(len(texts), dtype=np.float32)
        for k, t in enumerate(texts):
            counts = ngram_counts(t, self.index)
            if not counts:
                z = self.b
            else:
                idx = np.fromiter(counts, dtype=np.int64)
                x = np.fromiter(counts.values(), dtype=np.float64) * self.idf[idx]
                z = float(x @ self.w[idx]) / float(np.linalg.norm(x)) + self.b
            out[k] = 1.0 / (1.0 + np.exp(-z))
        return out


def fit_words(texts: list[str], y: np.ndarray, C: float = 1.0):
    """Fit the words model; returns (vocab, idf, weights, bias)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(analyzer=ngrams, min_df=2)
    X = vec.fit_transform(texts)
    lr = LogisticRegression(C=C, class_weight="balanced", max_iter=3000).fit(X, y)
    vocab = vec.get_feature_names_out().tolist()
    return vocab, vec.idf_.astype(np.float32), lr.coef_[0].astype(np.float32), float(lr.intercept_[0])


def claim_score(emb_w: np.ndarray, emb_b: float, words: StanceWords, vecs: np.ndarray,
                texts: list[str]) -> np.ndarray:
    """P(a unit says something at all, rather than nothing in a point's words): the mean of
    the claim model's embedding and words regressions (fitted by ``fit._fit_claim``)."""
    emb = 1.0 / (1.0 + np.exp(-(vecs @ emb_w + emb_b)))
    return 0.5 * (emb + words.score(texts))


def point_stance(vecs: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """P(dismissed or wrong) of each row's vector under its own point's stance head (the same
    row of ``w`` and ``b``; fitted by ``fit._fit_point_stance``)."""
    return (1.0 / (1.0 + np.exp(-((vecs * w).sum(axis=1) + b)))).astype(np.float32)
