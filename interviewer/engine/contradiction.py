"""A later statement that contradicts an assumption the candidate stated earlier, pointed out once.

"I'll assume 200 million monthly users" then "with 500M DAU": the interviewer asks which holds
("Earlier you assumed 200 million monthly users; now 500M DAU. Which one holds?"). Precise by
design: only quantities of the same kind are compared (users with users, requests per second
with requests per second; the kinds, scales and periods are data: prompts/quantities.yaml),
with scales normalised (200 million = 200M = 200,000,000). Same period: the values must agree
within tolerance; different periods: a shorter one may not exceed a longer one (daily users
above monthly users). A peak and an average are never compared. Each assumption is pointed
out at most once (``state.contradicted``). The same check keeps a drafted fact sheet
consistent (``conflicting_facts``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field

from interviewer.config.datafiles import load_cached
from interviewer.engine.moves import Move, Reason
from interviewer.problems import Fact
from interviewer.textutil import normalize_ws

SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*([a-z]{1,2}\b)?", re.IGNORECASE)
_STOP = re.compile(r"[,;:.!?()]|\band\b|\bor\b|\bwith\b")


class QuantityRules(BaseModel):
    scales: dict[str, list[str]]
    periods: dict[str, list[str]]
    qualifiers: dict[str, list[str]] = Field(default_factory=dict)
    stock_kinds: list[str] = Field(default_factory=list)
    tolerance: float = Field(default=0.1, ge=0, le=1)
    window_words: int = Field(default=6, ge=1, le=10)
    min_value: float = Field(default=1000, ge=0)
    modifiers: list[str] = Field(default_factory=list)
    shares: list[str] = Field(default_factory=list)
    kinds: dict[str, list[str]] = Field(min_length=1)


def load_rules(prompts_dir: Path) -> QuantityRules:
    return load_cached(QuantityRules, Path(prompts_dir) / "quantities.yaml")


@dataclass(frozen=True)
class Quantity:
    value: float
    kind: str
    period: str          # "" = no period (a total)
    qualifier: str       # "" = none
    text: str            # the words as said: "500M DAU"


def _has(words: str, phrase: str) -> bool:
    return re.search(r"(?<![a-z0-9])" + re.escape(phrase.lower()) + r"(?![a-z0-9])", words) is not None


def _first(words: str, table: dict[str, list[str]]) -> str:
    hits = [(m.start(), name) for name, phrases in table.items() for p in phrases
            if (m := re.search(r"(?<![a-z0-9])" + re.escape(p.lower()) + r"(?![a-z0-9])", words))]
    return min(hits)[1] if hits else ""


def _kind_at(words: list[str], rules: QuantityRules) -> tuple[str, int]:
    """(kind, how many words it ends after) when the first words that are not modifiers name a
    kind, else ("", 0)."""
    modifiers = {m.lower() for m in rules.modifiers}
    for i in range(len(words)):
        rest = " ".join(words[i:]).lower()
        for kind, phrases in rules.kinds.items():
            for p in phrases:
                if rest == p.lower() or rest.startswith(p.lower() + " "):
                    return kind, i + len(p.split())
        if words[i].lower() not in modifiers:
            return "", 0
    return "", 0


def quantities(text: str, rules: QuantityRules) -> list[Quantity]:
    """The counted quantities in ``text`` whose kind the words right after the number name."""
    text = normalize_ws(text).replace("%", " % ")
    scale_of = {w.lower(): SCALE[name] for name, ws in rules.scales.items() for w in ws}
    shares = {w.lower() for w in rules.shares}
    out: list[Quantity] = []
    for m in _NUMBER.finditer(text):
        value = float(m.group(1).replace(",", ""))
        glued = (m.group(2) or "").lower()
        if glued and glued in scale_of:
            value *= scale_of[glued]
            rest = text[m.end():]
        else:
            rest = text[m.end(1):]
        raw = rest.split()[:rules.window_words + 1]
        words = [w.strip(",;:.!?()").lower() for w in raw]
        used = 0
        if not glued and words and words[0] in scale_of:
            value *= scale_of[words[0]]
            used = 1
        if (words[used:used + 1] and words[used] in shares) or value < rules.min_value:
            continue
        window = " ".join(raw[used:])
        stop = _STOP.search(window.lower())
        window = window[:stop.start()] if stop else window
        tail = [w.strip(",;:.!?()") for w in window.split()]
        kind, n = _kind_at(tail, rules)
        if not kind:
            continue
        lowered = " ".join(tail).lower()
        before = text[max(0, m.start() - 30):m.start()].lower()
        around = before + " " + " ".join(w.lower() for w in raw)
        qualifier = next((q for q, ws in rules.qualifiers.items() if any(_has(around, w) for w in ws)), "")
        said = " ".join([text[m.start():m.end()].strip()] + raw[:used] + tail[:n])
        out.append(Quantity(value, kind, _first(lowered, rules.periods), qualifier, said.strip(" ,.;")))
    return out


def conflict(earlier: Quantity, later: Quantity, rules: QuantityRules, same_period: bool = True) -> bool:
    """True when the two cannot both hold: same kind and qualifier, and different values for the
    same period (unless ``same_period`` is False: two facts may count different subsets), or,
    for a stock kind (users), a shorter period's count above a longer one's."""
    if earlier.kind != later.kind or earlier.qualifier != later.qualifier:
        return False
    order = {name: i for i, name in enumerate(rules.periods)}
    longest = len(order)
    a, b = order.get(earlier.period, longest), order.get(later.period, longest)
    if a == b:
        big = max(earlier.value, later.value)
        return same_period and big > 0 and abs(earlier.value - later.value) / big > rules.tolerance
    if earlier.kind not in rules.stock_kinds:
        return False
    shorter, longer = (earlier, later) if a < b else (later, earlier)
    return shorter.value > longer.value * (1 + rules.tolerance)


def contradiction_moves(state, text: str, prompts_dir: Path | None) -> list[Move]:
    """At most one move pointing out an assumption in ``state.ledger`` that ``text``
    contradicts (each assumption once); records it in ``state.contradicted``."""
    if prompts_dir is None or not state.ledger:
        return []
    rules = load_rules(prompts_dir)
    said = quantities(text, rules)
    if not said:
        return []
    for entry in state.ledger:
        if entry["id"] in state.contradicted:
            continue
        assumed = entry["asks"][-1]
        for old in quantities(assumed, rules):
            new = next((q for q in said if conflict(old, q, rules)), None)
            if new is None:
                continue
            state.contradicted.append(entry["id"])
            fact = Fact(id=entry["id"], topic=entry["topic"], asks=entry["asks"], answer=old.text)
            return [Move("answer_fact", stage=state.stage, fact=fact, detail=new.text,
                         reason=Reason.CONTRADICTS)]
    return []


def conflicting_facts(facts: list[Fact], prompts_dir: Path) -> str:
    """'' when no two facts' answers contradict each other, else what clashes (one line). Only
    the impossible is caught here (more daily than monthly users): two facts may count
    different subsets of the same kind ("400 million posts a day", "3 million posts reported")."""
    rules = load_rules(prompts_dir)
    found = [(f.id, q) for f in facts for q in quantities(f.answer, rules)]
    for i, (fa, qa) in enumerate(found):
        for fb, qb in found[i + 1:]:
            if fa != fb and conflict(qa, qb, rules, same_period=False):
                return f"{fa}: {qa.text!r} vs {fb}: {qb.text!r}"
    return ""
