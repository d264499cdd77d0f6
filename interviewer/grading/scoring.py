"""The offline grader's arithmetic: features → criterion values → caps → 1–4 scores.

All constants live here. They were set on the `tune` split of tests/labelled/answers.yaml
only; the `test` split is never used to choose them (see benchmarks/bench_grading.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# semantic similarity → coverage credit: below LOW nothing, above HIGH full credit
SIM_LOW = 0.30
SIM_HIGH = 0.62
COVERAGE_SATURATION = 0.55   # covering this (importance-weighted) share of a criterion's points is full coverage
REASONING_BASE = 0.55        # share of a criterion's value that coverage earns without any reasoning

OFF_TOPIC = 0.33             # no sentence this close to the stage's key points or the problem → off topic
RESTATED_OVERLAP = 0.45      # share of content words taken from the problem statement
RESTATED_SIMILARITY = 0.70   # similarity of the whole answer to the problem statement
RESTATED_MIN_SPECIFICITY = 0.55  # …or every sentence is about the problem itself…
RESTATED_MAX_COVERAGE = 0.10     # …while covering none of the stage's key points
KEYWORD_FRAGMENTS = 0.55     # share of words in verbless fragments → a keyword list
FILLER_SHARE = 0.25          # share of sentences that are generic filler → verbose but shallow
SHALLOW_MIN_SENTENCES = 6
SHALLOW_RELEVANT_SHARE = 0.45
FLAG_PENALTY = 1.0           # stage value lost per red flag (at most 1.5), before the red flag's cap
GENERIC_SPECIFICITY = 0.40   # below this, nothing in the answer is specific to the question → at most 3


@dataclass
class Features:
    words: int = 0
    sentences: int = 0
    injection: bool = False
    max_relevance: float = 0.0
    max_specificity: float = 0.0
    min_specificity: float = 0.0
    specificity: float = 0.0
    statement_similarity: float = 0.0
    statement_overlap: float = 0.0
    fragment_share: float = 0.0
    filler_share: float = 0.0
    justified: int = 0
    tradeoffs: int = 0
    numbers: int = 0
    relevant_sentences: int = 0
    coverage: float = 0.0
    red_flags: list[str] = field(default_factory=list)
    stage_value: float = 0.0


def _clip(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return max(lo, min(hi, x))


def soft(similarity: float) -> float:
    return _clip((similarity - SIM_LOW) / (SIM_HIGH - SIM_LOW))


def quality(f: Features) -> float:
    """0..1: how much the answer reasons rather than names things."""
    spec = _clip((f.specificity - 0.30) / 0.30)
    return (0.40 * _clip(f.justified / 2) + 0.20 * _clip(f.tradeoffs / 1)
            + 0.15 * _clip(f.numbers / 1) + 0.25 * spec)


def criterion_value(points: list[tuple[int, float]], f: Features) -> float:
    """A criterion's value in [1, 4] from (importance, best similarity) of its key points."""
    total = sum(i for i, _ in points)
    if not total:
        return 1.0
    cov = sum(i * soft(s) for i, s in points) / total
    covn = _clip(cov / COVERAGE_SATURATION)
    return 1.0 + 3.0 * covn * (REASONING_BASE + (1 - REASONING_BASE) * quality(f))


def reasoning_values(f: Features) -> dict[str, float]:
    """Values in [1, 4] for the cross-stage criteria judged on one written answer."""
    trade = 1.0 + _clip(f.justified / 2) * 1.5 + _clip(f.tradeoffs / 2) * 1.5
    clear = 1.0 + 3.0 * _clip(f.relevant_sentences / 4) * (1 - f.fragment_share) * (1 - f.filler_share)
    return {"trade-offs": trade, "structure-communication": clear}


def to_score(value: float) -> int:
    return int(_clip(int(value + 0.5), 1, 4))


def stage_caps(f: Features, flags: list) -> tuple[int, list[str]]:
    """The highest stage score the answer can get, and why (one notice per cap)."""
    cap, why = 4, []
    if f.max_relevance < OFF_TOPIC and f.max_specificity < OFF_TOPIC:
        return 1, ["off topic: the answer does not address this stage of the question"]
    restates_words = f.statement_overlap >= RESTATED_OVERLAP and f.statement_similarity >= RESTATED_SIMILARITY
    only_the_problem = f.min_specificity >= RESTATED_MIN_SPECIFICITY and f.coverage < RESTATED_MAX_COVERAGE
    if restates_words or only_the_problem:
        return 1, ["the answer mostly restates the question instead of answering it"]
    if f.fragment_share >= KEYWORD_FRAGMENTS:
        cap = min(cap, 2)
        why.append("keyword list: terms without sentences or reasons earn at most 2")
    if f.filler_share >= FILLER_SHARE or (
            f.sentences >= SHALLOW_MIN_SENTENCES and f.relevant_sentences / f.sentences < SHALLOW_RELEVANT_SHARE):
        cap = min(cap, 2)
        why.append("mostly generic statements: length without specific decisions earns at most 2")
    for flag, _quote in flags:
        cap = min(cap, flag.stage_cap)
        why.append(f"red flag: {flag.claim}")
    if f.specificity < GENERIC_SPECIFICITY and cap > 3:
        cap = 3
        why.append("nothing specific to this question: at most 3")
    return cap, why
