"""Answer clarifying questions from a problem's hidden fact sheet by semantic similarity.

Each fact is represented by its topic and its example questions (``asks``); a question's score
for a fact is its best cosine similarity to any of them. Deterministic: the same question
always gets the same fact(s). A multi-part question may reveal up to two facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from interviewer.knowledge.embeddings import Embedder
from interviewer.problems import Fact, Problem
from interviewer.textutil import normalize_ws

# A question must be at least this similar to a fact's topic or one of its asks.
MATCH_THRESHOLD = 0.55
# A second fact (from another part of a multi-part question) needs a little more.
SECOND_THRESHOLD = 0.6
MAX_FACTS = 2
MAX_QUESTION_CHARS = 600

_SPLIT = re.compile(r"\?|;|\b(?:and also|as well as|and|also|plus)\b|,", re.IGNORECASE)


@dataclass(frozen=True)
class FactMatch:
    fact: Fact
    similarity: float
    part: str           # the (part of the) question that matched


def question_parts(questions: list[str]) -> list[str]:
    """The whole question, each question sentence, and their and/comma-separated pieces."""
    whole = normalize_ws(" ".join(questions))[:MAX_QUESTION_CHARS]
    parts: list[str] = [whole] if whole else []
    for q in questions:
        q = normalize_ws(q)[:MAX_QUESTION_CHARS]
        if q and q not in parts:
            parts.append(q)
        pieces = [normalize_ws(p) for p in _SPLIT.split(q)]
        pieces = [p for p in pieces if len(p.split()) >= 2]
        if len(pieces) > 1:
            for p in pieces:
                if p not in parts:
                    parts.append(p)
    return parts


class FactMatcher:
    def __init__(self, embedder: Embedder, threshold: float = MATCH_THRESHOLD,
                 second_threshold: float = SECOND_THRESHOLD):
        self.embedder = embedder
        self.threshold = threshold
        self.second_threshold = second_threshold

    @staticmethod
    def targets(fact: Fact) -> list[str]:
        return [fact.topic, *fact.asks]

    def warm(self, problem: Problem) -> None:
        """Embed the fact sheet ahead of the first question."""
        texts = [t for f in problem.facts for t in self.targets(f)]
        if texts:
            self.embedder.encode(texts)

    def scores(self, problem: Problem, parts: list[str]) -> np.ndarray:
        """parts x facts: best similarity of each part to each fact's topic and asks."""
        if not parts or not problem.facts:
            return np.zeros((len(parts), len(problem.facts)), dtype=np.float32)
        targets, owner = [], []
        for i, f in enumerate(problem.facts):
            for t in self.targets(f):
                targets.append(t)
                owner.append(i)
        sims = self.embedder.encode(parts) @ self.embedder.encode(targets).T
        owner_arr = np.asarray(owner)
        out = np.full((len(parts), len(problem.facts)), -1.0, dtype=np.float32)
        for i in range(len(problem.facts)):
            out[:, i] = sims[:, owner_arr == i].max(axis=1)
        return out

    def match(self, problem: Problem, questions: list[str] | str) -> list[FactMatch]:
        """The fact(s) answering the question, best first; [] when none is close enough."""
        if isinstance(questions, str):
            questions = [questions]
        parts = question_parts(questions)
        if not parts or not problem.facts:
            return []
        sims = self.scores(problem, parts)
        found: list[FactMatch] = []
        # The best fact for the whole question (row 0), else for any part.
        best_part, best_fact = np.unravel_index(int(np.argmax(sims)), sims.shape)
        if sims[0].max() >= self.threshold:
            best_part, best_fact = 0, int(np.argmax(sims[0]))
        if sims[best_part, best_fact] < self.threshold:
            return []
        found.append(FactMatch(problem.facts[best_fact], float(sims[best_part, best_fact]), parts[best_part]))
        if len(parts) > 1:
            # A second fact: another part's best match, if it is a different fact and clearly matched.
            candidates: list[tuple[float, int, int]] = []
            for p in range(1, len(parts)):
                f = int(np.argmax(sims[p]))
                if f != best_fact and sims[p, f] >= self.second_threshold:
                    candidates.append((float(sims[p, f]), -p, f))
            if candidates:
                score, neg_p, f = max(candidates)
                found.append(FactMatch(problem.facts[f], score, parts[-neg_p]))
        return found[:MAX_FACTS]
