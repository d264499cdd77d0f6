"""Strengths and improvements for an offline grade, in plain words, from what was measured."""

from __future__ import annotations

import re

from interviewer.listening.coverage import CoverageResult
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


def strengths_and_improvements(cov: CoverageResult, criteria: list[CriterionScore], flags: list,
                               f: Features, cap_reasons: list[str]) -> tuple[list[str], list[str]]:
    strengths: list[str] = []
    improvements: list[str] = []
    capped_hard = any(r.startswith(("off topic", "the answer mostly restates")) for r in cap_reasons)

    if not capped_hard:
        hits = sorted(cov.hit, key=lambda m: (-m.point.importance, -m.similarity, m.point.id))
        for m in hits[:MAX_STRENGTHS]:
            strengths.append(f"You {_second_person(m.point.text)}")
        if f.justified >= 2 and f.fragment_share < 0.5:
            strengths.append(f"You give reasons for your choices ({f.justified} sentences say why).")

    for flag, quote in flags:
        improvements.append(f"Reconsider \"{quote}\": {flag.correction}")
    for reason in cap_reasons:
        if reason.startswith("keyword list"):
            improvements.append("Turn the list into decisions: say which option you would pick for this "
                                "problem and why, in full sentences.")
        elif reason.startswith("mostly generic"):
            improvements.append("Replace general statements with concrete choices for this problem "
                                "(what exactly you would measure, train, or build, and why).")
        elif reason.startswith("off topic"):
            improvements.append("Answer the question for this stage of the interview.")
        elif reason.startswith("the answer mostly restates"):
            improvements.append("Go beyond the prompt: state what you would decide or ask, and why.")
        elif reason.startswith("nothing specific"):
            improvements.append("Tie your choices to this problem's users, data and constraints.")
    for m in cov.missed[:3]:
        improvements.append(f"Also cover: {_lower_first(m.point.text)}")
    if f.justified == 0 and not capped_hard:
        improvements.append("Say why: justify each choice (\"because…\", \"so that…\") and name the alternative "
                            "you rejected.")
    seen: set[str] = set()
    improvements = [i for i in improvements if not (i in seen or seen.add(i))]
    return strengths[:MAX_STRENGTHS + 1], improvements[:MAX_IMPROVEMENTS]
