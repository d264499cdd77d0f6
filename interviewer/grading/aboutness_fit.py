"""Fit the aboutness model (``grading/aboutness.py``) from labelled tune answers; called by
``interviewer refit-grader``.

Each answer that is not itself off topic or an injection is measured three times: with its own
question (about it, 0) and with ``SWAPS`` questions of other products drawn from the pool (not
about it, 1): one unrelated to its own, one a neighbour (between ``UNRELATED`` and a twin). The
pool then also leaves out the answer's own question, as it would not know an unseen product.
The pool is the project's data questions and a catalogue of 480 products in 48 domains
(``knowledge/product-questions.yaml``), so an answer for a neighbouring product is nearer to
some pool question than to its own.

The threshold is the lowest probability at which no answer labelled 3 or 4 is flagged, out of
fold by question, and never below ``MIN_THRESHOLD``, chosen on the dev parts (read when
choosing the grader's fixed rules, never fitted) as the lowest at which none of theirs labelled
3 or 4 is flagged, but one: dev-d's terse note labelled 4 sits at 0.996 among the answers about
another product (leaving notes out of the model would lose three off-topic answers written as
notes, a floor above it ten; neither was taken). With the catalogue and the neighbour swaps,
dev-c's strongest-flagged good answer rose to 0.987, so the floor went from 0.98 to 0.99: on
dev-d's answers for a neighbouring product the model then catches 6 of 16 (2 before), on tune-c
4 of 20 (6 before; out of fold). The swapped questions are drawn per answer by hash
(``_draw``), so the pool growing redraws little; the first fit so drawn (with eight red-team
questions more in the pool) catches 11 of the 44 off-topic answers of the five dev parts and 3 of
tune-c's 20 (never fitted), against 14 and 4 before: the random draw alone moves these by about
three.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from interviewer.config.datafiles import load_cached
from interviewer.grading.aboutness import TWIN, AboutnessFit, AboutnessModel, generic_stems, measure
from interviewer.grading.injection_screen import red_team_rows
from interviewer.listening.corpus import load_utterances
from interviewer.problems import Problem

SWAPS = 2
UNRELATED = 0.5          # a swapped question is at most this close to the answer's own title...
NEIGHBOUR = TWIN         # ...or, for one of the swaps, between that and a twin: a neighbouring product
MIN_THRESHOLD = 0.99
FOLDS = 8
SEED = 0


PRODUCTS_FILE = "product-questions.yaml"


class ProductQuestions(BaseModel):
    """``knowledge/product-questions.yaml``: a catalogue of products ML systems are built for,
    many close neighbours in each domain, written for the pool by an outside writer."""
    model_config = ConfigDict(extra="forbid")
    questions: list[str] = Field(min_length=1)

    @field_validator("questions")
    @classmethod
    def _plain(cls, v: list[str]) -> list[str]:
        bad = [q for q in v if not (3 <= len(q.split()) <= 40)]
        if bad:
            raise ValueError(f"a question must be 3 to 40 words: {bad[0][:60]!r}")
        return v


def question_pool(knowledge_dir: Path, bank) -> list[str]:
    """The questions of the project's own data (utterance and red-team files, the bank) and the
    product catalogue, when there is one."""
    folder = Path(knowledge_dir)
    questions = [u.question for f in sorted((folder / "utterances").glob("*.jsonl")) for u in load_utterances(f)]
    questions += [row.get("question") for row in red_team_rows(folder / "injections")]
    if (folder / PRODUCTS_FILE).is_file():
        questions += load_cached(ProductQuestions, folder / PRODUCTS_FILE).questions
    pool = {" ".join(q.split()) for q in questions if q}
    pool |= {p.title for p in bank.list()}
    return sorted(pool)


def _problem(bank, answer: dict):
    return bank.get(answer["problem"]) if answer.get("problem") else Problem.from_question(answer["question"])


def _draw(key: str, questions: list[str], k: int) -> list[str]:
    """``k`` of ``questions`` for the answer ``key``: those whose hash with the key is smallest.
    The same answer draws the same questions whatever else joins the pool, unless a newcomer
    hashes lower (a random.sample over the pool redrew every answer's swaps when eight red-team
    questions joined it, and moved dev's off-topic answers caught from 14 to 11 on that alone)."""
    rank = sorted(questions, key=lambda q: hashlib.sha256(f"{SEED}|{key}|{q}".encode()).digest())
    return rank[:k]


def fit_aboutness(embedder, flow, bank, answers: list[dict], pool: list[str], data_sha256: str = "") -> AboutnessModel:
    """``data_sha256``: the hash of the labelled files' bytes, recorded as the ordinal fit records it."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    generic = generic_stems(flow)
    pool_vecs = embedder.encode(pool)
    x, y, group, good = [], [], [], []
    for a in answers:
        if a.get("kind") in ("off_topic", "injection"):
            continue
        problem = _problem(bank, a)
        x.append(measure(embedder, a["text"], problem, pool, generic))
        y.append(0), group.append(problem.title), good.append(a["label"] >= 3)
        own = embedder.encode([problem.title])[0]
        sims = pool_vecs @ own
        far = [q for q, v in zip(pool, sims) if float(v) < UNRELATED]
        near = [q for q, v in zip(pool, sims) if UNRELATED <= float(v) < NEIGHBOUR]
        picks = _draw(a["id"], far, SWAPS)
        if near:                                 # one swap is a neighbouring product
            picks = picks[:SWAPS - 1] + _draw(a["id"], near, 1)
        for q in picks:
            x.append(measure(embedder, a["text"], Problem.from_question(q), pool, generic, also_exclude=problem.title))
            y.append(1), group.append(problem.title), good.append(False)
    X, Y, good_ = np.asarray(x), np.asarray(y), np.asarray(good)
    center, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale < 1e-9] = 1.0
    Z = (X - center) / scale
    oof = np.zeros(len(Y))
    folds = GroupKFold(n_splits=min(FOLDS, len(set(group)))).split(Z, Y, group) if len(set(group)) > 1 else []
    for train, test in folds:
        lr = LogisticRegression(max_iter=2000).fit(Z[train], Y[train])
        oof[test] = lr.predict_proba(Z[test])[:, 1]
    highest_good = float(oof[good_].max()) if good_.any() else 0.0
    threshold = max(MIN_THRESHOLD, round(highest_good + 0.005, 3))
    lr = LogisticRegression(max_iter=2000).fit(Z, Y)
    return AboutnessModel(
        center=[round(float(c), 6) for c in center], scale=[round(float(s), 6) for s in scale],
        weights=[round(float(w), 6) for w in lr.coef_[0]], intercept=round(float(lr.intercept_[0]), 6),
        threshold=threshold, pool=pool,
        fit=AboutnessFit(answers=int((Y == 0).sum()), pairs=len(Y), data_sha256=data_sha256, out_of_fold={
            "highest_good_answer": round(highest_good, 3),
            "other_products_caught": round(float(np.mean(oof[Y == 1] >= threshold)), 3),
            "own_answers_flagged": round(float(np.mean(oof[Y == 0] >= threshold)), 3)}))

