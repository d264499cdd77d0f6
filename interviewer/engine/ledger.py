"""The assumption ledger: what the candidate states as an assumption becomes the session's
own fact, so the interviewer gives it back when asked again ("You assumed 200 million monthly
users.") and the report lists it.

A ledger entry borrows the asks of the bank fact nearest to it (the fact sheets' example
questions, across the whole question bank), so "how many users did we say?" finds "I'll assume
200 million monthly users" through the same calibrated fact matcher as a bank fact.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, Field

from interviewer.config.datafiles import load_cached
from interviewer.engine.facts import FactMatcher
from interviewer.problems import Fact, Problem, ProblemBank
from interviewer.textutil import clauses, sentences

MAX_ENTRIES = 30


class LedgerMarkers(BaseModel):
    markers: list[str] = Field(min_length=1)


def _pattern(prompts_dir: Path) -> re.Pattern:
    markers = load_cached(LedgerMarkers, Path(prompts_dir) / "ledger.yaml").markers
    alts = sorted((re.escape(m.lower()) for m in markers), key=len, reverse=True)
    return re.compile(r"(?<![a-z])(?:" + "|".join(alts) + r")(?![a-z])")


def stated_assumptions(text: str, prompts_dir: Path) -> list[str]:
    """What ``text`` states as assumptions: each clause of a sentence that states one ("I'll
    assume 200M users, 5M episodes, and the goal is ..." is three), without the marker."""
    pat = _pattern(prompts_dir)
    out: list[str] = []
    for s in sentences(text):
        m = pat.search(s.lower().replace("’", "'"))
        if not m:
            continue
        rest = s[m.end():].lstrip(" ,:-")
        rest = re.sub(r"^(?:that|we have|we've got|there are)\s+", "", rest, flags=re.IGNORECASE)
        parts = [p for p in clauses(rest) if p != rest] or [rest]
        out += [re.sub(r"^(?:and|but|so)\s+", "", p.strip(" ,.;"), flags=re.IGNORECASE) for p in parts if p.strip(" ,.;")]
    return out


def _all_facts(bank: ProblemBank) -> Problem:
    facts = [f.model_copy(update={"id": f"{p.id}--{f.id}"}) for p in bank.list() for f in p.facts]
    return Problem(id="bank-facts", title="all facts", statement="every fact of the question bank", facts=facts)


def ledger_entry(sentence: str, n: int, bank: ProblemBank, matcher: FactMatcher) -> Fact:
    """The assumption as a fact: its own words as the answer, the nearest bank fact's topic and
    example questions as what it answers."""
    pool = _all_facts(bank)
    asks, topic = [sentence, sentence], "your assumption"
    if pool.facts:
        sims = matcher.scores(pool, [sentence])[0]
        best = pool.facts[int(sims.argmax())]
        asks, topic = [*best.asks, sentence], best.topic
    return Fact(id=f"assumed-{n}", topic=topic, asks=asks, answer=f"You assumed {sentence.rstrip('.')}.")


def as_problem(entries: list[dict]) -> Problem:
    """The ledger as a fact sheet the matcher can search."""
    return Problem(id="ledger", title="ledger", statement="the candidate's own assumptions",
                   facts=[Fact.model_validate(e) for e in entries])


def record_assumptions(state, text: str, bank: ProblemBank | None, matcher: FactMatcher,
                       prompts_dir: Path | None) -> None:
    """Keep what the candidate states as an assumption in ``state.ledger`` (once each)."""
    if prompts_dir is None or bank is None:
        return
    known = {e["answer"] for e in state.ledger}
    for sentence in stated_assumptions(text, prompts_dir):
        entry = ledger_entry(sentence, len(state.ledger) + 1, bank, matcher)
        if entry.answer not in known and len(state.ledger) < MAX_ENTRIES:
            state.ledger.append(entry.model_dump())
            known.add(entry.answer)
