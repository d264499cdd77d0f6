"""Confidently wrong claims (the rubric's red flags): a sentence that contains one of a flag's
markers not itself negated ("never a random split" rejects the claim a random split would make)
and either is close in meaning to one of the flag's phrasings with the same polarity (negated or
not), the sentence or one of its clauses (a long sentence's embedding blurs the wrong part), or
is the sentence in which the listener heard a key point of the flag's criterion dismissed or
gotten wrong (its stance model, learned from labelled dismissals and wrong claims)."""

from __future__ import annotations

import re

import numpy as np

from interviewer.grading.rubric import RedFlag, RubricStage
from interviewer.grading.signals import Sentence, has_negation
from interviewer.listening.hearing import heard_in
from interviewer.textutil import clauses

RED_FLAG_THRESHOLD = 0.62   # similarity to a flag's phrasing
_NEG = r"(?:not|never|no|avoid|avoiding|skip|skipping|ditch|instead of|rather than|without|\w+n't)"
_NEG_WORD = re.compile(rf"\b{_NEG}\b")
# a marker the sentence goes on to reject ("accuracy is meaningless here", "accuracy would
# mislead us"): the candidate names the wrong idea to warn against it
_REJECTED_AFTER = re.compile(r"^\W*(?:\w+\W+){0,2}?(?:meaningless|misleading|mislead\w*|useless|pointless|"
                             r"worthless|a trap|flatter\w*|lies|lying|wrong)\b")
# a marker whose subject the sentence says is not the thing ("never-shown bookings aren't
# negatives", "items not shown are not negatives"): the claim denied, whatever the marker
_DENIED_AFTER = re.compile(r"^\W*(?:[\w-]+\W+){0,2}?(?:isn't|aren't|wasn't|weren't|(?:is|are|was|were) (?:not|never))\b")
# a marker used as a metric's name ("skip rate < 30s", "skip < 30s"), not as a verb
_METRIC_NAME = re.compile(r"^\s*(?:rates?\b|ratios?\b|counts?\b|share\b|%|<|>|≤|≥)")


def _affirms_marker(flag: RedFlag, sentence: str) -> bool:
    """A marker occurs, not negated within the four words before it, not rejected in the three
    after it ("accuracy is meaningless here"), not denied of its subject ("never-shown items
    aren't negatives") and not the name of a metric ("skip rate").
    Markers that are negative themselves ("no need", "skip") are taken as they are, unless
    they name a metric."""
    low = sentence.lower().replace("’", "'")
    for m in flag.markers:
        m = m.lower()
        if m not in low:
            continue
        negative = bool(_NEG_WORD.search(m))
        for hit in re.finditer(re.escape(m), low):
            before = low[:hit.start()].split()[-4:]
            after = low[hit.end():]
            if _METRIC_NAME.search(after) or _DENIED_AFTER.search(after):
                continue
            if negative or (not _NEG_WORD.search(" ".join(before)) and not _REJECTED_AFTER.search(after)):
                return True
    return False


def red_flags(embedder, rstage: RubricStage, sents: list[Sentence],
              dismissed_in: dict[str, set[str]] | None = None) -> list[tuple[RedFlag, str]]:
    """[(flag, the candidate's sentence)] for each red flag of the stage the answer states.
    ``dismissed_in``: criterion id -> the sentences in which the listener heard one of its key
    points dismissed or wrong."""
    pieces = [(i, c) for i, s in enumerate(sents) for c in dict.fromkeys([s.text, *clauses(s.text)])]
    texts = [c for _, c in pieces]
    found = []
    for flag in rstage.red_flags:
        if not texts:
            break
        heard_wrong = (dismissed_in or {}).get(flag.criterion, set())
        stance = [s.text for s in sents if _affirms_marker(flag, s.text) and heard_in(s.text, heard_wrong)]
        if stance:
            found.append((flag, stance[0]))
            continue
        m = embedder.similarity(texts, flag.cues)
        same = np.array([[_affirms_marker(flag, t) and has_negation(t) == has_negation(c) for c in flag.cues]
                         for t in texts])
        m = np.where(same, m, -1.0)
        k, _ = np.unravel_index(int(np.argmax(m)), m.shape)
        if m.max() >= RED_FLAG_THRESHOLD:
            found.append((flag, sents[pieces[k][0]].text))
    return found
