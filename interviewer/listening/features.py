"""Pair features: how one candidate text relates to one key point.

Shared by fitting and hearing, so the model sees at run time exactly what it was fitted on.
For a text split into units (sentences and clauses) and a list of key points:

- ``cue_max`` / ``cue_top3``: cosine of the best unit to the point's definition and cues;
- ``ex_max``: cosine of the best unit to labelled utterances that cover the point (exemplars);
- ``head``: the point's own classifier on the unit embedding (points with labelled data);
- ``margin``: how far the point's cue match is ahead of the best other point in the same unit;
- ``has_head``: whether the point has labelled data (a problem's own points do not);
- ``words``: the length of the evidence unit (log);
- ``in_stage``: whether the point belongs to the stage being discussed (a point of another
  stage needs more evidence: candidates mostly talk about the stage at hand);
- ``concept``: whether a unit names one of the point's lexical concepts (``prompts/concepts.yaml``:
  units, metric and technique names);
- ``dis_max``: cosine of the best unit to labelled utterances that dismiss the point or get it
  wrong (a wrong claim is about the point though it is unlike its cues);
- ``near``: cosine of the evidence unit to labelled near misses (words of a point, not its
  idea: "the train-test split should be appropriate");
- ``claim``: P(the evidence unit says something at all rather than nothing in a point's words),
  a model of its own fitted on the utterances (``fit._fit_claim``);
- ``bow_max`` / ``bow_text``: the point's own bag-of-words regression (tf-idf words and word
  pairs, ``PointWords``): the best of the units, and of the text's runs of three sentences (the
  whole text when it is no longer): the words a point is named by
  ("A/B", "p99", "guardrail") that a sentence embedding blurs in terse or jargon answers
  (points with labelled data only, like ``head``).

Each feature is the maximum over units; the evidence is the unit that best supports the point.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from interviewer.listening.stance import ngram_counts, sentence_parents

N_FEATURES = 14
FEATURE_NAMES = ("cue_max", "cue_top3", "ex_max", "head", "margin", "has_head", "words", "in_stage",
                 "concept", "dis_max", "near", "claim", "bow_max", "bow_text")


class PointWords:
    """One bag-of-words logistic regression per key point, kept as plain arrays: what
    ``TfidfVectorizer(analyzer=stance.ngrams, sublinear_tf=True)`` and the regressions of
    ``fit._fit_point_words`` compute, without scikit-learn at hearing time.

    ``score(texts)`` → (texts, points) probabilities."""

    def __init__(self, vocab, idf: np.ndarray, w_t: np.ndarray, b: np.ndarray, index: dict | None = None):
        self.vocab = vocab
        self.index = index if index is not None else {str(w): i for i, w in enumerate(vocab)}
        self.idf = np.asarray(idf, dtype=np.float32)
        self.w_t = np.ascontiguousarray(w_t, dtype=np.float32)     # (vocab, points)
        self.b = np.asarray(b, dtype=np.float32)

    def take(self, cols: list[int]) -> "PointWords":
        """The models of points ``cols`` (-1: a point without one, scored ~0)."""
        cols = np.asarray(cols, dtype=np.int64)
        w = np.where(cols >= 0, 1.0, 0.0).astype(np.float32)
        return PointWords(self.vocab, self.idf, self.w_t[:, np.maximum(cols, 0)] * w,
                          np.where(cols >= 0, self.b[np.maximum(cols, 0)], -6.0), self.index)

    def score(self, texts: list[str]) -> np.ndarray:
        z = np.tile(self.b, (len(texts), 1))
        for k, t in enumerate(texts):
            counts = ngram_counts(t, self.index)
            if counts:
                idx = np.fromiter(counts, dtype=np.int64)
                x = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32))) * self.idf[idx]
                z[k] += (x / np.linalg.norm(x)) @ self.w_t[idx]
        return 1.0 / (1.0 + np.exp(-z))


# The labelled turns the models learn from are short (96% have at most three sentences), so the
# "whole text" a bag-of-words model was fitted on is at most about three sentences long
WINDOW_SENTENCES = 3


def text_windows(units: list[str]) -> list[str]:
    """The text as runs of ``WINDOW_SENTENCES`` consecutive sentences (the whole text when it
    is that short, so the fit on the labelled turns sees what it saw before).

    A long answer's whole-text bag of words diluted each point's words among the others': in a
    five-bullet note the scale bullet's point scored 0.29 on the whole note against 0.73 on its
    own, and was not heard. Runs of one to three sentences were tried too: graded dev parts
    0.801 against 0.793, within their noise, but the threshold for points said ahead rose to
    0.69 and a metric named while framing the problem (0.68) was no longer credited to its stage."""
    parents = sentence_parents(units)
    sents = [u for k, u in enumerate(units) if parents[k] == k]
    if len(sents) <= WINDOW_SENTENCES:
        return [" ".join(sents)]
    return [" ".join(sents[i:i + WINDOW_SENTENCES]) for i in range(len(sents) - WINDOW_SENTENCES + 1)]


def bow_scores(words: PointWords, units: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(per unit (units, points), best window of the text (points,)) bag-of-words probabilities."""
    wins = text_windows(units)
    probs = words.score([*units, *wins])
    return probs[:len(units)], probs[len(units):].max(axis=0)


@dataclass
class PointTargets:
    """The vectors a point is matched against (built once per point set, cached)."""

    ids: list[str]
    cue_vecs: np.ndarray            # all targets stacked
    cue_owner: np.ndarray           # target row -> point index
    head_w: np.ndarray              # (points, dim); zero rows for points without a head
    head_b: np.ndarray              # (points,)
    has_head: np.ndarray            # (points,) 0/1
    ex_vecs: np.ndarray             # exemplar utterance vectors
    ex_owner: np.ndarray            # exemplar row -> point index (-1: none)
    ex_group: np.ndarray            # exemplar row -> group id (for leave-group-out when fitting)
    concepts: list = field(default_factory=list)   # per point: compiled patterns (may be empty)
    dis_vecs: np.ndarray = None     # type: ignore[assignment]  # dismissal exemplars
    dis_owner: np.ndarray = None    # type: ignore[assignment]
    dis_group: np.ndarray = None    # type: ignore[assignment]
    near_vecs: np.ndarray = None    # type: ignore[assignment]  # near-miss exemplars (any point)
    near_group: np.ndarray = None   # type: ignore[assignment]
    words: PointWords | None = None  # per-point bag-of-words models (None: bow features are 0)
    # contiguous transposes and per-point columns, made once: a product with a transposed view
    # was 10x slower on a busy machine, and masking columns per call dominated hearing
    cue_t: np.ndarray = field(init=False, repr=False)
    ex_t: np.ndarray = field(init=False, repr=False)
    cue_cols: list = field(init=False, repr=False)
    ex_cols: list = field(init=False, repr=False)
    dis_cols: list = field(init=False, repr=False)

    def __post_init__(self) -> None:
        dim = self.cue_vecs.shape[1]
        if self.dis_vecs is None:
            self.dis_vecs, self.dis_owner, self.dis_group = np.zeros((0, dim), np.float32), \
                np.zeros(0, np.int64), np.zeros(0, np.int64)
        if self.near_vecs is None:
            self.near_vecs, self.near_group = np.zeros((0, dim), np.float32), np.zeros(0, np.int64)
        self.cue_t = np.ascontiguousarray(self.cue_vecs.T)
        self.ex_t = np.ascontiguousarray(self.ex_vecs.T)
        self.dis_t = np.ascontiguousarray(self.dis_vecs.T)
        self.near_t = np.ascontiguousarray(self.near_vecs.T)
        n = len(self.ids)
        self.cue_cols = [np.flatnonzero(self.cue_owner == j) for j in range(n)]
        self.ex_cols = [np.flatnonzero(self.ex_owner == j) for j in range(n)]
        self.dis_cols = [np.flatnonzero(self.dis_owner == j) for j in range(n)]


def expand(feats: np.ndarray) -> np.ndarray:
    """The features and their pairwise products (the topic model is linear in these), each
    product computed in the features' own type and written in place (the fit's design matrix,
    a quarter of a million rows, is made without a copy per product)."""
    n = feats.shape[1]
    out = np.empty((feats.shape[0], n + n * (n + 1) // 2), dtype=feats.dtype)
    out[:, :n] = feats
    k = n
    for i in range(n):
        for j in range(i, n):
            out[:, k] = feats[:, i] * feats[:, j]
            k += 1
    return out


def _segment_max(sims: np.ndarray, columns: list, n_points: int, top: int = 1) -> np.ndarray:
    """(units, targets) similarities → (units, points): the max (or top-k mean) per point's
    ``columns``."""
    out = np.zeros((sims.shape[0], n_points), dtype=np.float32)
    for j in range(n_points):
        cols = sims[:, columns[j]]
        if cols.shape[1] == 0:
            continue
        if top == 1 or cols.shape[1] <= top:
            out[:, j] = cols.max(axis=1) if top == 1 else cols.mean(axis=1)
        else:
            out[:, j] = np.sort(cols, axis=1)[:, -top:].mean(axis=1)
    return out


def _exemplar_max(units: np.ndarray, vecs_t: np.ndarray, groups: np.ndarray, exclude_group: int | None,
                  columns: list | None = None, n_points: int = 0) -> np.ndarray:
    """Best cosine (floored at 0) of each unit to labelled exemplars, leaving out the exemplars
    of ``exclude_group`` (the utterance's own problem, when fitting): per point over its
    ``columns`` → (units, points), or over all exemplars → (units,) when ``columns`` is None."""
    shape = (len(units), n_points) if columns is not None else (len(units),)
    if not vecs_t.shape[1]:
        return np.zeros(shape, dtype=np.float32)
    sims = units @ vecs_t
    if exclude_group is not None:
        sims[:, groups == exclude_group] = -1.0
    best = _segment_max(sims, columns, n_points) if columns is not None else sims.max(axis=1)
    return np.maximum(best, 0.0)


def unit_scores(units: np.ndarray, t: PointTargets, exclude_group: int | None = None) -> dict[str, np.ndarray]:
    """Per unit and point, the raw scores (each (units, points))."""
    n = len(t.ids)
    cue = units @ t.cue_t
    scores = {"cue_max": _segment_max(cue, t.cue_cols, n), "cue_top3": _segment_max(cue, t.cue_cols, n, top=3)}
    scores["ex_max"] = _exemplar_max(units, t.ex_t, t.ex_group, exclude_group, t.ex_cols, n)
    scores["dis_max"] = _exemplar_max(units, t.dis_t, t.dis_group, exclude_group, t.dis_cols, n)
    scores["near"] = _exemplar_max(units, t.near_t, t.near_group, exclude_group)
    logits = units @ t.head_w.T + t.head_b
    scores["head"] = (1.0 / (1.0 + np.exp(-logits))) * t.has_head
    return scores


def concept_hits(texts: list[str], t: PointTargets) -> np.ndarray:
    """(points,) 1 where some text names one of the point's concepts."""
    out = np.zeros(len(t.ids), dtype=np.float32)
    low = [x.lower() for x in texts]
    for j, pats in enumerate(t.concepts):
        if any(p.search(x) for p in pats for x in low):
            out[j] = 1.0
    return out


def compile_concepts(patterns: list[str]) -> list[re.Pattern]:
    return [re.compile(p, re.IGNORECASE) for p in patterns]


def unit_margin(cue: np.ndarray, generic: np.ndarray) -> np.ndarray:
    """Per point, how far its cue match is ahead of the best other point in the same unit (the
    unit that matches it best), negative when behind. Rivals are the generic points (those with
    labelled data), as when fitting: a problem's own near-duplicate must not hide one.

    Measured within the unit, not across the text: across it, every point of a five-bullet
    note but the best-matched one was "behind" another bullet's point, and a terse expert note
    lost the points of all its other bullets (baseline, evaluation and scale heard at 0.1-0.3)."""
    n_units, n = cue.shape
    rival = generic if generic.sum() >= 2 else np.ones(n, dtype=bool)
    if n_units == 0 or rival.sum() < 2:
        return np.zeros(n, dtype=np.float32)
    at = cue.argmax(axis=0)                                   # the unit each point is best in
    r = np.where(rival[None, :], cue, -np.inf)
    top2 = -np.sort(-r, axis=1)[:, :2]                        # per unit: best and second rival
    mine = cue[at, np.arange(n)]
    first, second = top2[at, 0], top2[at, 1]
    return np.where(mine >= first, mine - second, mine - first).astype(np.float32)


def pair_features(units: np.ndarray, unit_words: list[int], t: PointTargets, in_stage: np.ndarray,
                  exclude_group: int | None = None, heads: np.ndarray | None = None,
                  unit_texts: list[str] | None = None, claim: np.ndarray | None = None,
                  bow: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(features (points, N_FEATURES), evidence unit index per point).

    ``heads``: per-unit head probabilities computed elsewhere (cross-validated when fitting);
    ``bow``: likewise the bag-of-words models' (per unit (units, points), whole text (points,))."""
    s = unit_scores(units, t, exclude_group)
    if heads is not None:
        s["head"] = heads * t.has_head
    # an unseen point (no head, no exemplars) leans on its cues alone
    ex = np.where(t.has_head > 0, s["ex_max"], s["cue_max"])
    support = s["cue_max"] + ex + s["head"]
    best_unit = support.argmax(axis=0)
    n = len(t.ids)
    cue = s["cue_max"]
    cue_best = cue.max(axis=0)
    feats = np.zeros((n, N_FEATURES), dtype=np.float32)
    feats[:, 0] = cue_best
    feats[:, 1] = s["cue_top3"].max(axis=0)
    feats[:, 2] = ex.max(axis=0)
    feats[:, 3] = s["head"].max(axis=0)
    feats[:, 4] = unit_margin(cue, t.has_head > 0)
    feats[:, 5] = t.has_head
    words = np.asarray(unit_words, dtype=np.float32)
    feats[:, 6] = np.log1p(words[best_unit])
    feats[:, 7] = in_stage
    if unit_texts is not None and t.concepts:
        feats[:, 8] = concept_hits(unit_texts, t)
    feats[:, 9] = s["dis_max"].max(axis=0)
    feats[:, 10] = s["near"][best_unit]
    if claim is not None:
        feats[:, 11] = np.asarray(claim, dtype=np.float32)[best_unit]
    if bow is None and t.words is not None and unit_texts:
        bow = bow_scores(t.words, unit_texts)
    if bow is not None:
        feats[:, 12] = np.asarray(bow[0], dtype=np.float32).max(axis=0) * t.has_head
        feats[:, 13] = np.asarray(bow[1], dtype=np.float32) * t.has_head
    return feats, best_unit
