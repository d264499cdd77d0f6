"""The offline grader's rules that hold whatever the fit (off topic, restated, red flags)
and the two cross-stage criteria judged on one written answer (reasons, clarity).
The stage and criterion levels come from the fitted model (``grading/fitted.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field

OFF_TOPIC = 0.33             # no sentence this close to the stage's key points or the problem -> off topic
RESTATED_OVERLAP = 0.45      # share of content words taken from the problem statement
RESTATED_SIMILARITY = 0.70   # similarity of the whole answer to the problem statement
RESTATED_MIN_SPECIFICITY = 0.55  # ...or every sentence is about the problem itself...
RESTATED_MAX_COVERAGE = 0.10     # ...while covering none of the stage's key points


@dataclass
class Features:
    words: int = 0
    sentences: int = 0
    injection: bool = False
    max_relevance: float = 0.0
    max_specificity: float = 0.0
    min_specificity: float = 0.0
    statement_similarity: float = 0.0
    statement_overlap: float = 0.0
    fragment_share: float = 0.0
    filler_share: float = 0.0
    justified: int = 0
    tradeoffs: int = 0
    relevant_sentences: int = 0
    coverage: float = 0.0
    red_flags: list[str] = field(default_factory=list)


def _clip(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return max(lo, min(hi, x))


def reasoning_values(f: Features) -> dict[str, float]:
    """Values in [1, 4] for the cross-stage criteria judged on one written answer."""
    trade = 1.0 + _clip(f.justified / 2) * 1.5 + _clip(f.tradeoffs / 2) * 1.5
    clear = 1.0 + 3.0 * _clip(f.relevant_sentences / 4) * (1 - f.fragment_share) * (1 - f.filler_share)
    return {"trade-offs": trade, "structure-communication": clear}


def to_score(value: float) -> int:
    return int(_clip(int(value + 0.5), 1, 4))


def stage_caps(f: Features, flags: list, heard_nothing: bool = False) -> tuple[int, list[str]]:
    """The highest stage score the answer can get, and why (one notice per cap).
    ``heard_nothing``: the listener heard no key point and no term of the question."""
    cap, why = 4, []
    if heard_nothing or (f.max_relevance < OFF_TOPIC and f.max_specificity < OFF_TOPIC):
        return 1, ["off topic: the answer does not address this stage of the question"]
    restates_words = f.statement_overlap >= RESTATED_OVERLAP and f.statement_similarity >= RESTATED_SIMILARITY
    only_the_problem = f.min_specificity >= RESTATED_MIN_SPECIFICITY and f.coverage < RESTATED_MAX_COVERAGE
    if restates_words or only_the_problem:
        return 1, ["the answer mostly restates the question instead of answering it"]
    for flag, _quote in flags:
        cap = min(cap, flag.stage_cap)
        why.append(f"red flag: {flag.claim}")
    return cap, why
