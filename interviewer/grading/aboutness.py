"""Is a written answer about this question's product, or a good answer about another one?

A movie recommender's design, given for an airline's seat-upgrade offers, covers the design
stage's key points fluently; the listener hears them and the fitted model scores it 3. What it
lacks is the question: its sentences sit closer to other products than to this one, and it
names none of this question's own words. Seven features say so (``FEATURES``):

- ``this_max``, ``this_top2``: how close the answer's closest sentences (one, two) come to the
  question (its title and statement sentences);
- ``whole``: the answer's mean sentence vector against the question;
- ``gap_max``, ``gap_mean``: per sentence, how much closer it is to some other product's question
  (``pool``, the questions of the project's own data, minus this question's twins) than to this
  one; the largest and the mean;
- ``whole_gap``: the same for the mean vector;
- ``question_words``: log(1 + how often the answer uses the question's own words, those not in the
  flow's generic key point vocabulary).

A logistic regression over them is fitted by ``interviewer refit-grader``
(``grading/aboutness_fit.py``) from the tune answers, each paired with its own question (about it)
and with two questions of other products (not about it): what it learns is the difference
between an answer and its question, so no off-topic answer needs to be labelled for it. The
coefficients, the pool and the threshold live in ``prompts/aboutness_model.yaml``. At or above
the threshold the grade is 1, like every off-topic answer.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field, model_validator

from interviewer.config.datafiles import load_cached
from interviewer.grading.signals import content_words
from interviewer.textutil import sentences as split_sentences

MODEL_FILE = "aboutness_model.yaml"
FEATURES = ("this_max", "this_top2", "whole", "gap_max", "gap_mean", "whole_gap", "question_words")
TWIN = 0.7            # a pool question this close to the question's title is the same product
MIN_SENTENCE_WORDS = 4
STEM = 5              # words are compared by their first letters ("parcels" ~ "parcel")
_DESIGN_WORDS = ("design", "build", "system", "model", "predict", "predicts", "detect", "detects")


class AboutnessFit(BaseModel):
    answers: int = 0
    pairs: int = 0
    data_sha256: str = ""
    out_of_fold: dict[str, float] = Field(default_factory=dict)


class AboutnessModel(BaseModel):
    features: list[str] = Field(default_factory=lambda: list(FEATURES))
    center: list[float]
    scale: list[float]
    weights: list[float]
    intercept: float
    threshold: float = Field(gt=0.5, le=1.0)
    pool: list[str] = Field(min_length=1)
    fit: AboutnessFit = Field(default_factory=AboutnessFit)

    @model_validator(mode="after")
    def _shapes(self) -> "AboutnessModel":
        if list(self.features) != list(FEATURES):
            raise ValueError(f"features must be {', '.join(FEATURES)}")
        if not len(self.center) == len(self.scale) == len(self.weights) == len(FEATURES):
            raise ValueError(f"center, scale and weights need {len(FEATURES)} values each")
        if any(s <= 0 for s in self.scale):
            raise ValueError("'scale' values must be positive")
        return self

    def probability(self, x: list[float]) -> float:
        z = (np.asarray(x) - np.asarray(self.center)) / np.asarray(self.scale)
        eta = float(z @ np.asarray(self.weights)) + self.intercept
        return 1.0 / (1.0 + math.exp(-eta))


def load_aboutness(prompts_dir: str | Path) -> AboutnessModel:
    return load_cached(AboutnessModel, Path(prompts_dir) / MODEL_FILE)


def load_aboutness_if_present(prompts_dir: str | Path) -> AboutnessModel | None:
    """The prompts folder's aboutness model, or None when it has no model file."""
    return load_aboutness(prompts_dir) if (Path(prompts_dir) / MODEL_FILE).is_file() else None


def pool_texts(prompts_dir: str | Path) -> list[str]:
    """The model's question pool (texts the grader embeds whatever the answer; kept with the
    other fixed texts in the on-disk vector cache), or none without a model file."""
    model = load_aboutness_if_present(prompts_dir)
    return list(model.pool) if model else []


def _stem(word: str) -> str:
    return word.lower()[:STEM]


@lru_cache(maxsize=8)
def _generic_stems(flow_texts: tuple[str, ...]) -> frozenset[str]:
    return frozenset(_stem(w) for t in flow_texts for w in content_words(t)) | {_stem(w) for w in _DESIGN_WORDS}


def generic_stems(flow) -> frozenset[str]:
    """The words every question shares: the flow's key point texts and cues."""
    return _generic_stems(tuple(t for s in flow.stages for p in s.key_points for t in (p.text, *p.cues)))


def question_texts(problem) -> tuple[str, list[str]]:
    """(the question's title, the texts it is compared with: title and statement sentences)."""
    title = problem.title
    return title, list(dict.fromkeys([title, *split_sentences(problem.statement)]))


def measure(embedder, text: str, problem, pool: list[str], generic: frozenset[str],
            also_exclude: str | None = None) -> list[float]:
    """The ``FEATURES`` of ``text`` as an answer to ``problem``; the pool leaves out this
    question's twins (and ``also_exclude``'s, when fitting on another question's answer)."""
    sents = [s for s in split_sentences(text) if len(s.split()) >= MIN_SENTENCE_WORDS] or [text]
    title, qtexts = question_texts(problem)
    vecs = embedder.encode(sents)
    qvecs = embedder.encode(qtexts)
    pvecs = embedder.matrix(tuple(pool))
    keep = pvecs @ qvecs[0] < TWIN
    if also_exclude:
        keep &= pvecs @ embedder.encode([also_exclude])[0] < TWIN
    others = pvecs[keep] if keep.any() else pvecs[:1] * 0
    this = (vecs @ qvecs.T).max(axis=1)
    other = (vecs @ others.T).max(axis=1)
    mean = vecs.mean(axis=0)
    norm = float(np.linalg.norm(mean)) or 1.0
    mean = mean / norm
    whole = float((qvecs @ mean).max())
    own = {_stem(w) for w in content_words(title) if len(w) > 2} - generic
    said = sum(_stem(w) in own for w in content_words(text))
    return [float(this.max()), float(np.mean(np.sort(this)[-2:])), whole, float((other - this).max()),
            float((other - this).mean()), float((others @ mean).max()) - whole, math.log1p(said)]


def about_another_product(model: AboutnessModel | None, embedder, text: str, problem, flow) -> float | None:
    """The probability that ``text`` answers for another product when it reaches the model's
    threshold, else None (also None without a model)."""
    if model is None:
        return None
    p = model.probability(measure(embedder, text, problem, model.pool, generic_stems(flow)))
    return p if p >= model.threshold else None
