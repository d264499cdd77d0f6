"""The old coverage rule (best cue similarity against one threshold), kept only as the baseline the
hearing benchmark compares the listener with; nothing in the product uses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from interviewer.flow import KeyPoint
from interviewer.embedding.local import Embedder
from interviewer.textutil import clauses, sentences

DEFAULT_THRESHOLD = 0.55


@dataclass
class PointMatch:
    point: KeyPoint
    similarity: float          # best cosine similarity between a sentence and the point's cues
    evidence: str | None       # the candidate sentence that matched best

    def covered(self, threshold: float = DEFAULT_THRESHOLD) -> bool:
        return self.similarity >= threshold


@dataclass
class CoverageResult:
    matches: list[PointMatch]
    threshold: float = DEFAULT_THRESHOLD
    sentences: list[str] = field(default_factory=list)

    @property
    def hit(self) -> list[PointMatch]:
        return [m for m in self.matches if m.covered(self.threshold)]

    @property
    def missed(self) -> list[PointMatch]:
        """Missed points, most important first (ties: least similar first)."""
        missed = [m for m in self.matches if not m.covered(self.threshold)]
        return sorted(missed, key=lambda m: (-m.point.importance, m.similarity))

    @property
    def weighted_fraction(self) -> float:
        total = sum(m.point.importance for m in self.matches)
        if not total:
            return 0.0
        return sum(m.point.importance for m in self.hit) / total


def with_credit(result: CoverageResult, point_ids, floor: float | None = None) -> CoverageResult:
    """``result`` with the given points counted as covered (similarity raised to ``floor``,
    the result's threshold by default): what the interview already credited stays credited."""
    ids = set(point_ids or ())
    if not ids:
        return result
    floor = result.threshold if floor is None else floor
    matches = [PointMatch(m.point, max(m.similarity, floor), m.evidence) if m.point.id in ids else m
               for m in result.matches]
    return CoverageResult(matches, result.threshold, result.sentences)


def coverage(embedder: Embedder, text: str, points: list[KeyPoint],
             threshold: float = DEFAULT_THRESHOLD, split_clauses: bool = False) -> CoverageResult:
    """Match each key point against the text's sentences (and their clauses, if asked:
    the engine does, to hear every idea in a long sentence; the offline grader is
    calibrated on whole sentences)."""
    sents = clauses(text) if split_clauses else sentences(text)
    if not sents or not points:
        return CoverageResult([PointMatch(p, 0.0, None) for p in points], threshold, sents)
    sent_vecs = embedder.encode(sents)
    matches: list[PointMatch] = []
    for p in points:
        targets = [p.text, *p.cues]
        sims = sent_vecs @ embedder.encode(targets).T          # sentences x targets
        best_per_sentence = sims.max(axis=1)
        i = int(np.argmax(best_per_sentence))
        matches.append(PointMatch(p, float(best_per_sentence[i]), sents[i]))
    return CoverageResult(matches, threshold, sents)
