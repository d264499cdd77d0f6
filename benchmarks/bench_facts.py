"""Clarifying questions → hidden facts, on the held-out set benchmarks/fact_questions.yaml.

Per problem and overall: accuracy (every fact revealed is an expected one), wrong-fact rate (a
fact outside the expected ones was revealed: the worst error), no-fact rate on answerable
questions, false-positive rate on questions no fact should answer; plus warm match latency
(fact embeddings cached, the question itself not; most of it is the embedding model's own
time for the question's parts, so the same questions are timed again with their embeddings
cached to show the matcher's own cost). Targets: accuracy >= 85%, wrong-fact
<= 5%, false positives on null questions <= 20%, warm match p95 <= 10 ms.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

NAME = "facts"
DESCRIPTION = "clarifying questions -> hidden facts on the held-out set: accuracy, wrong fact, no fact, false positives, latency"

QUESTIONS = Path(__file__).resolve().parent / "fact_questions.yaml"


@dataclass
class Tally:
    answerable: int = 0
    correct: int = 0
    wrong: int = 0
    no_fact: int = 0
    nulls: int = 0
    false_pos: int = 0
    misses: list[tuple[str, list[str], list[str]]] = field(default_factory=list)

    def add(self, other: "Tally") -> None:
        for k in ("answerable", "correct", "wrong", "no_fact", "nulls", "false_pos"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        self.misses += other.misses

    @staticmethod
    def rate(n: int, d: int) -> float:
        return round(n / d, 3) if d else 0.0

    def row(self, name: str) -> list:
        return [name, self.answerable, self.rate(self.correct, self.answerable),
                self.rate(self.wrong, self.answerable), self.rate(self.no_fact, self.answerable),
                self.nulls, self.rate(self.false_pos, self.nulls)]


def load_questions(path: Path = QUESTIONS) -> dict[str, list[tuple[str, list[str]]]]:
    """problem id -> [(question, expected fact ids; [] when none should answer)]."""
    data = yaml.safe_load(path.read_text())["problems"]
    out = {}
    for pid, items in data.items():
        out[pid] = []
        for it in items:
            fact = it["fact"]
            out[pid].append((it["q"], [] if fact is None else [fact] if isinstance(fact, str) else list(fact)))
    return out


def evaluate(matcher, bank, questions, times: list[float] | None = None) -> dict[str, Tally]:
    tallies: dict[str, Tally] = {}
    for pid, items in questions.items():
        problem = bank.get(pid)
        matcher.warm(problem)
        t = Tally()
        for q, expected in items:
            t0 = time.perf_counter()
            got = [m.fact.id for m in matcher.match(problem, [q])]
            if times is not None:
                times.append((time.perf_counter() - t0) * 1000)
            if not expected:
                t.nulls += 1
                if got:
                    t.false_pos += 1
                    t.misses.append((q, expected, got))
            else:
                t.answerable += 1
                if not got:
                    t.no_fact += 1
                elif any(g not in expected for g in got):
                    t.wrong += 1
                else:
                    t.correct += 1
                    continue
                t.misses.append((q, expected, got))
        tallies[pid] = t
    return tallies


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return round(s[min(len(s) - 1, int(round(q * (len(s) - 1))))], 2) if s else 0.0


def run(args) -> dict:
    from interviewer.engine.facts import FactMatcher
    from interviewer.embedding.local import Embedder, LocalEmbeddings
    from interviewer.problems import load_bank
    from interviewer.config.settings import Settings

    bank = load_bank(Settings())
    questions = load_questions()
    embedder = Embedder(LocalEmbeddings(), LocalEmbeddings.name)
    embedder.encode(["warm up the model"])
    matcher = FactMatcher(embedder)
    times: list[float] = []
    tallies = evaluate(matcher, bank, questions, times)
    cached: list[float] = []        # the same questions again: the matcher's own cost
    evaluate(matcher, bank, questions, cached)
    total = Tally()
    for t in tallies.values():
        total.add(t)
    missing = sorted({f"{pid}:{f}" for pid, items in questions.items() for _, exp in items for f in exp
                      if f not in {x.id for x in bank.get(pid).facts}})
    rows = [t.row(pid) for pid, t in tallies.items()] + [total.row("ALL")]
    figures = {
        "accuracy": total.rate(total.correct, total.answerable),
        "wrong_fact_rate": total.rate(total.wrong, total.answerable),
        "no_fact_rate": total.rate(total.no_fact, total.answerable),
        "null_false_positive_rate": total.rate(total.false_pos, total.nulls),
        "questions": total.answerable + total.nulls,
        "match_ms_p50_warm": _pct(times, 0.5),
        "match_ms_p95_warm": _pct(times, 0.95),
        "match_ms_p95_question_cached": _pct(cached, 0.95),
        "expected_facts_missing_from_sheets": missing,
    }
    if getattr(args, "verbose", False) or not getattr(args, "json", False):
        figures["misses"] = [f"{q!r}: expected {e or 'none'}, got {g or 'none'}" for q, e, g in total.misses]
    return {"headers": ["problem", "answerable", "accuracy", "wrong", "no_fact", "nulls", "null_fp"],
            "table": rows, "figures": figures}
