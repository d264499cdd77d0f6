"""Answer clarifying questions from a problem's hidden fact sheet by semantic similarity.

Each fact is represented by its topic and its example questions (``asks``). A question's score
for a fact is its best cosine similarity to any of them, plus a small lexical boost when the
question uses a strong word ("real-time", "p99", "DAU"; prompts/fact_terms.yaml) that the fact's
asks use most on that sheet. A fact is revealed when its score clears the threshold.
(Measured and rejected: a lower threshold when the best fact clearly leads the runner-up; it
gained ~1 point of held-out accuracy but doubled false positives on off-topic questions that
happen to use a strong word.) Deterministic: the same question always gets the same fact(s).
A multi-part question may reveal up to two facts.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from interviewer.engine.fact_terms import TermIndex, load_terms
from interviewer.embedding.local import Embedder
from interviewer.problems import Fact, Problem
from interviewer.textutil import normalize_ws

# A question must be at least this similar to a fact's topic or one of its asks (boost included).
MATCH_THRESHOLD = 0.55
# Added (times the fact's affinity to the word's group) when the question uses a strong word.
TERM_BOOST = 0.08
# ...but only for facts the question is already somewhat similar to (a stray "today" or
# "mobile" in an off-topic question must not pull a fact in).
TERM_GATE = 0.45
# A second fact (from another part of a multi-part question) needs a little more, and must
# beat the first fact on that part by SECOND_MARGIN (the part is about something else).
SECOND_THRESHOLD = 0.6
SECOND_MARGIN = 0.05
MAX_FACTS = 2
MAX_QUESTION_CHARS = 600
_CACHE_SHEETS = 32

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


@dataclass(frozen=True)
class _Sheet:
    """A fact sheet ready to score: target embeddings, their owners, term affinities."""
    targets: np.ndarray             # (n_targets, dim)
    owner: np.ndarray               # (n_targets,) fact index
    affinity: np.ndarray            # (n_groups, n_facts)


class FactMatcher:
    def __init__(self, embedder: Embedder, threshold: float = MATCH_THRESHOLD,
                 second_threshold: float = SECOND_THRESHOLD, *, term_boost: float = TERM_BOOST,
                 second_margin: float = SECOND_MARGIN, term_gate: float = TERM_GATE,
                 terms: TermIndex | None = None):
        self.embedder = embedder
        self.threshold = threshold
        self.second_threshold = second_threshold
        self.term_boost = term_boost
        self.term_gate = term_gate
        self.second_margin = second_margin
        self.terms = terms if terms is not None else load_terms()
        self._sheets: OrderedDict[tuple, _Sheet] = OrderedDict()

    @staticmethod
    def targets(fact: Fact) -> list[str]:
        return [fact.topic, *fact.asks]

    def _sheet(self, problem: Problem) -> _Sheet:
        key = (problem.id, tuple((f.id, tuple(self.targets(f))) for f in problem.facts))
        sheet = self._sheets.get(key)
        if sheet is not None:
            self._sheets.move_to_end(key)
            return sheet
        texts = [self.targets(f) for f in problem.facts]
        flat = [t for ts in texts for t in ts]
        owner = np.asarray([i for i, ts in enumerate(texts) for _ in ts])
        affinity = np.zeros((len(self.terms.names), len(problem.facts)), dtype=np.float32)
        for i, groups in enumerate(self.terms.affinities(texts)):
            for g, a in groups.items():
                affinity[g, i] = a
        sheet = _Sheet(self.embedder.encode(flat), owner, affinity)
        self._sheets[key] = sheet
        while len(self._sheets) > _CACHE_SHEETS:
            self._sheets.popitem(last=False)
        return sheet

    def warm(self, problem: Problem) -> None:
        """Embed the fact sheet ahead of the first question."""
        if problem.facts:
            self._sheet(problem)

    def scores(self, problem: Problem, parts: list[str]) -> np.ndarray:
        """parts x facts: best similarity of each part to each fact's topic and asks, plus the
        lexical boost for strong words the part uses."""
        if not parts or not problem.facts:
            return np.zeros((len(parts), len(problem.facts)), dtype=np.float32)
        sheet = self._sheet(problem)
        sims = self.embedder.encode(parts) @ sheet.targets.T
        out = np.full((len(parts), len(problem.facts)), -1.0, dtype=np.float32)
        np.maximum.at(out.T, sheet.owner, sims.T)
        if self.term_boost:
            for p, part in enumerate(parts):
                groups = sorted(self.terms.groups_in(part))
                if groups:
                    boost = self.term_boost * sheet.affinity[groups].max(axis=0)
                    out[p] += np.where(out[p] >= self.term_gate, boost, 0.0)
        return out

    def match(self, problem: Problem, questions: list[str] | str) -> list[FactMatch]:
        """The fact(s) answering the question, best first; [] when none is close enough."""
        if isinstance(questions, str):
            questions = [questions]
        parts = question_parts(questions)
        if not parts or not problem.facts:
            return []
        sims = self.scores(problem, parts)
        # The best fact for the whole question (row 0), else for any part.
        best_part, best_fact = np.unravel_index(int(np.argmax(sims)), sims.shape)
        if sims[0].max() >= self.threshold:
            best_part, best_fact = 0, int(np.argmax(sims[0]))
        if sims[best_part, best_fact] < self.threshold:
            return []
        best_part, best_fact = int(best_part), int(best_fact)
        found = [FactMatch(problem.facts[best_fact], float(sims[best_part, best_fact]), parts[best_part])]
        # A second fact: another part's best match, if it is a different fact, clearly matched,
        # and that part is clearly about it rather than about the first fact.
        candidates: list[tuple[float, int, int]] = []
        for p in range(1, len(parts)):
            f = int(np.argmax(sims[p]))
            if (f != best_fact and sims[p, f] >= self.second_threshold
                    and sims[p, f] - sims[p, best_fact] >= self.second_margin):
                candidates.append((float(sims[p, f]), -p, f))
        if candidates:
            score, neg_p, f = max(candidates)
            found.append(FactMatch(problem.facts[f], score, parts[-neg_p]))
        return found[:MAX_FACTS]
