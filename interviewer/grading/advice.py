"""Strengths and improvements for an offline grade, in plain words, from what was measured."""

from __future__ import annotations

import re

from interviewer.flow import KeyPoint
from interviewer.grading.grades import CriterionScore
from interviewer.grading.scoring import Features

MAX_STRENGTHS = 3
MAX_IMPROVEMENTS = 5


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _base_form(verb: str) -> str:
    if verb.endswith("ies"):
        return verb[:-3] + "y"
    if verb.endswith(("sses", "shes", "ches", "xes")):
        return verb[:-2]
    if verb.endswith("s") and not verb.endswith("ss"):
        return verb[:-1]
    return verb


_JOINED_VERB = re.compile(r"(,\s+(?:and\s+|then\s+)?|\s+and\s+|\s+then\s+)([a-z]+)\b")
# Verbs that key points use after a comma, "and" or "then" (read off prompts/flow.yaml and the
# problem files); words that are also common nouns there (reports, shares, feeds, streams,
# counts, reviews) are left out on purpose.
JOINED_VERBS = frozenset("""
adds applies asks avoids checks cleans combines compares concludes corrects dedups detects
disables diversifies enforces explains favors gives handles inserts invalidates keeps merges
monitors picks proposes removes retrains retrieves runs starts tracks treats uses
""".split())


def _second_person(text: str, verbs: frozenset[str] = JOINED_VERBS) -> str:
    """'Splits data by time, avoids leakage and compares models…' → 'split data by time, avoid
    leakage and compare models…' (key points are written in the third person). Besides the
    first word, a word right after ', ', 'and' or 'then' is changed only if it is one of
    ``verbs``, so nouns in lists ('likes, comments, shares') stay as they are."""
    first, _, rest = _lower_first(text).partition(" ")
    rest = _JOINED_VERB.sub(lambda m: m.group(1) + (_base_form(m.group(2)) if m.group(2) in verbs
                                                    else m.group(2)), rest)
    return f"{_base_form(first)} {rest}".strip()


KEYWORD_LIST = 0.55   # share of words in verbless fragments that reads as a list of terms


def strengths_and_improvements(hit: list[KeyPoint], missed: list[KeyPoint], criteria: list[CriterionScore],
                               flags: list, f: Features, cap_reasons: list[str]) -> tuple[list[str], list[str]]:
    """``hit``: key points the listener heard affirmed; ``missed``: the others, most important first."""
    strengths: list[str] = []
    improvements: list[str] = []
    capped_hard = any(r.startswith(("off topic", "the answer mostly restates")) for r in cap_reasons)

    if not capped_hard:
        for p in sorted(hit, key=lambda p: (-p.importance, p.id))[:MAX_STRENGTHS]:
            strengths.append(f"You {_second_person(p.text)}")
        if f.justified >= 2 and f.fragment_share < 0.5:
            strengths.append(f"You give reasons for your choices ({f.justified} sentences say why).")

    for flag, quote in flags:
        improvements.append(f"Reconsider \"{quote}\": {flag.correction}")
    if f.fragment_share >= KEYWORD_LIST and not capped_hard:
        improvements.append("Turn the list into decisions: say which option you would pick for this "
                            "problem and why, in full sentences.")
    for reason in cap_reasons:
        if reason.startswith("off topic"):
            improvements.append("Answer the question for this stage of the interview.")
        elif reason.startswith("the answer mostly restates"):
            improvements.append("Go beyond the prompt: state what you would decide or ask, and why.")
    for p in missed[:3]:
        improvements.append(f"Also cover: {_lower_first(p.text)}")
    if f.justified == 0 and not capped_hard:
        improvements.append("Say why: justify each choice (\"because…\", \"so that…\") and name the alternative "
                            "you rejected.")
    seen: set[str] = set()
    improvements = [i for i in improvements if not (i in seen or seen.add(i))]
    return strengths[:MAX_STRENGTHS + 1], improvements[:MAX_IMPROVEMENTS]
