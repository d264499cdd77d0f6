"""Offline key points for a free-text question, borrowed from the most similar bank problem.

"Design podcast recommendations for Spotify's home screen" has no fact sheet; probing and
grading it on the generic key points only misses the domain. It borrows the key points and
``skip_points`` (never the facts: those are another product's numbers) of the bank problem
most similar by meaning (the sentence model on its statement and title) and by the kind of
task its tags name (recommendation, search, classification ...), when the
similarity clears the floor in ``prompts/borrow.yaml`` (chosen from data:
``python -m benchmarks borrow``). The choice is kept on the problem (``borrowed_from``,
``probed_as``) and shown at the start of the session and in the report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field

from interviewer.config.datafiles import load_cached
from interviewer.problems import Problem, ProblemBank

_WORD = re.compile(r"[a-z0-9]+")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ers", "er", "ed", "es", "s")
MIN_STEM = 4


class Kind(BaseModel):
    name: str = Field(min_length=3, description="How it is named: 'a recommendation problem'.")
    words: list[str] = Field(min_length=1, description="Words in a question that name this kind.")


class BorrowRules(BaseModel):
    floor: float = Field(ge=0, le=1)
    tag_boost: float = Field(ge=0, le=0.5)
    kinds: dict[str, Kind] = Field(default_factory=dict, description="Tag -> the kind of task it names.")
    default_kind: str = Field(min_length=3)


def load_rules(prompts_dir: Path) -> BorrowRules:
    return load_cached(BorrowRules, Path(prompts_dir) / "borrow.yaml")


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


def _stems(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text.lower())}


def tags_named(question: str, tags: list[str], rules: BorrowRules) -> list[str]:
    """The kind tags among ``tags`` that ``question`` names by one of the kind's words (stemmed:
    "recommends" names recommendation)."""
    words = _stems(question)
    return [t for t in tags if t in rules.kinds
            and any(_stems(w) <= words for w in rules.kinds[t].words)]


@dataclass(frozen=True)
class Similar:
    problem: Problem
    score: float            # meaning + tags
    meaning: float          # the best cosine to the statement or the title
    tags: tuple[str, ...]   # the tags the question names


def rank(question: str, bank: ProblemBank, embedder, rules: BorrowRules) -> list[Similar]:
    """Bank problems by similarity to ``question``, best first."""
    problems = [p for p in bank.list() if not p.custom]
    if not problems or not question.strip():
        return []
    sims = embedder.similarity([question], [p.statement for p in problems] + [p.title for p in problems])[0]
    n = len(problems)
    out = []
    for i, p in enumerate(problems):
        meaning = float(max(sims[i], sims[n + i]))
        named = tags_named(question, p.tags, rules)
        out.append(Similar(p, meaning + (rules.tag_boost if named else 0.0), meaning, tuple(named)))
    return sorted(out, key=lambda s: (-s.score, s.problem.id))


def kind_of(problem: Problem, rules: BorrowRules) -> str:
    return next((rules.kinds[t].name for t in problem.tags if t in rules.kinds), rules.default_kind)


def borrow(problem: Problem, bank: ProblemBank, embedder, prompts_dir: Path) -> Problem:
    """``problem`` (a free-text question) with the key points of the most similar bank problem,
    or unchanged when none clears the floor."""
    rules = load_rules(prompts_dir)
    ranked = rank(problem.statement, bank, embedder, rules)
    if not ranked or ranked[0].score < rules.floor:
        return problem
    best = ranked[0].problem
    return problem.model_copy(update={
        "key_points": {s: list(pts) for s, pts in best.key_points.items()},
        "skip_points": list(best.skip_points), "tags": list(best.tags),
        "borrowed_from": [best.id], "probed_as": kind_of(best, rules)})


def sheet_line(problem: Problem, report: bool = False) -> str:
    """One line on where a free-text question's key points and facts come from ("" for a bank
    problem): at the start of the session, or in the report (``report=True``)."""
    if not problem.custom:
        return ""
    if problem.drafted_by:
        if report:
            return f"Fact sheet and key points drafted for your question by {problem.drafted_by}."
        return (f"A fact sheet and key points were drafted for your question by {problem.drafted_by}; "
                "ask about anything you would ask an interviewer.")
    if problem.borrowed_from:
        return f"Probed as {problem.probed_as}, like {', '.join(problem.borrowed_from)}."
    return "No similar problem in the bank: probed on the general key points only."
