"""What an answer says, measured on the listener: the named features the fitted grader weighs.

Every feature is a count or a share with a plain meaning, so a card can say why it scored
what it did:

    coverage     importance-weighted share of the stage's key points the listener heard affirmed
    dismissed    key points the answer dismisses or gets wrong (the listener's stance)
    reasons      heard sentences that carry a reason or a trade-off (attached to a claim,
                 not connectives scattered through filler)
    quantities   sentences with a number and a unit (100 ms, 200M users, 0.1%, 5k QPS, 14d,
                 2pt, top-500, k=50: shorthand counts as much as prose)
    mechanisms   distinct named techniques and metrics (prompts/concepts.yaml)
    terms        distinct words of this question's statement used in heard sentences
    fragments    share of words in verbless fragments (a keyword list)
    filler       share of sentences that are generic filler
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from interviewer.flow import KeyPoint
from interviewer.grading.signals import Sentence, content_words
from interviewer.listening.hearing import heard_in
from interviewer.listening.listener import Hearing, PointHearing
from interviewer.listening.stance import load_concepts
from interviewer.problems import Problem

FEATURES = ("coverage", "dismissed", "reasons", "quantities", "mechanisms", "terms", "fragments",
            "filler")

_QUANTITY = re.compile(
    r"(?:\d[\d,.]*\s*(?:%|percent|x\b|k\b|m\b|b\b|ms\b|s\b|sec|seconds?|minutes?|min\b|hours?|h\b|days?|"
    r"weeks?|months?|gb|tb|pb|mb|qps|rps|tps|million|billion|thousand|users|dau|mau|items|requests|"
    r"events|per\b|/|d\b|wks?\b|pts?\b|pp\b|bps\b))|(?:\bp9\d\b)|(?:@\s*\d+)|(?:\btop[- ]?\d+)|"
    r"(?:\b[kn]\s*=\s*\d+)", re.I)
# generic words a question's statement shares with any answer: not evidence of specificity
_GENERIC = frozenset("""
design system users user model models data build based recommend recommendations service platform
content items item daily million billion using show shows predict should want would their
""".split())


@dataclass
class Substance:
    """The named features of one answer (see the module docstring)."""

    coverage: float = 0.0
    dismissed: int = 0
    reasons: int = 0
    quantities: int = 0
    mechanisms: int = 0
    terms: int = 0
    fragments: float = 0.0
    filler: float = 0.0
    words: int = 0
    affirmed: list[str] = field(default_factory=list)
    dismissed_ids: list[str] = field(default_factory=list)

    def vector(self) -> list[float]:
        """The model's inputs, in ``FEATURES`` order (counts on a log scale: the third reason
        adds less than the first)."""
        v = asdict(self)
        out = []
        for name in FEATURES:
            x = float(v[name])
            out.append(math.log1p(x) if isinstance(v[name], int) else x)
        return out


@lru_cache(maxsize=4)
def _concept_patterns(prompts_dir: str) -> tuple[tuple[str, re.Pattern], ...]:
    """One alternation per concept id (a search per id, not per pattern)."""
    return tuple((pid, re.compile("|".join(f"(?:{p})" for p in pats), re.I))
                 for pid, pats in load_concepts(prompts_dir).items() if pats)


def mechanisms_in(texts: list[str], prompts_dir: str | Path) -> set[str]:
    """Concept ids named in ``texts`` (each id counts once, however often it is named); each
    text is searched on its own, so no pattern of a user's concepts file can match across two."""
    return {pid for pid, pat in _concept_patterns(str(prompts_dir)) if any(pat.search(t) for t in texts)}


def problem_terms(problem: Problem) -> set[str]:
    """The question's own words, from its statement only: a free-text question has no facts, and
    a feature that grew with a fact sheet would mark its answers down (measured on the tune
    part: with the facts' words too, cross-validation was 0.87 but this weight fell on facts)."""
    return set(content_words(problem.statement)) - _GENERIC


def weighted_share(points: list[KeyPoint], affirmed: set[str]) -> float:
    total = sum(p.importance for p in points)
    return sum(p.importance for p in points if p.id in affirmed) / total if total else 0.0


def measure(sents: list[Sentence], hearing: Hearing, points: list[KeyPoint], problem: Problem,
            prompts_dir: str | Path, credited: set[str] = frozenset()) -> Substance:
    """``sents``: the answer's analysed sentences; ``hearing``: the listener on the answer for
    ``points`` (the stage's key points); ``credited``: points an interview already accepted."""
    heard: list[PointHearing] = list(hearing.points)
    affirmed = {h.point.id for h in heard if h.status == "affirmed"} | set(credited)
    dismissed = [h.point.id for h in heard if h.status == "dismissed" and h.point.id not in credited]
    evidence = {h.evidence for h in heard if h.status != "absent" and h.evidence}
    heard_sents = [s for s in sents if heard_in(s.text, evidence)]
    full = [s for s in sents if not s.fragment]
    words = sum(s.words for s in sents)
    vocab = problem_terms(problem)
    used = {w for s in heard_sents for w in content_words(s.text)} & vocab
    return Substance(
        coverage=weighted_share(points, affirmed),
        dismissed=len(dismissed),
        reasons=sum(1 for s in heard_sents if (s.justified or s.tradeoff) and not s.fragment),
        quantities=sum(1 for s in sents if _QUANTITY.search(s.text)),
        mechanisms=len(mechanisms_in([s.text for s in sents], prompts_dir)),
        terms=len(used),
        fragments=(sum(s.words for s in sents if s.fragment) / words) if words else 1.0,
        filler=(sum(s.filler for s in full) / len(full)) if full else 0.0,
        words=words,
        affirmed=sorted(affirmed),
        dismissed_ids=dismissed,
    )
