"""Confidently wrong claims (the rubric's red flags): a sentence close in meaning to one of a
flag's phrasings, with the same polarity (negated or not), that contains one of its markers
not itself negated ("never a random split" rejects the claim a random split would make)."""

from __future__ import annotations

import re

import numpy as np

from interviewer.grading.rubric import RedFlag, RubricStage
from interviewer.grading.signals import Sentence, has_negation

RED_FLAG_THRESHOLD = 0.62   # similarity to a flag's phrasing
_NEG = r"(?:not|never|no|avoid|avoiding|instead of|rather than|without|\w+n't)"
_NEG_WORD = re.compile(rf"\b{_NEG}\b")


def _affirms_marker(flag: RedFlag, sentence: str) -> bool:
    """A marker occurs and is not negated within the four words before it. Markers that are
    negative themselves ("no need", "never") are taken as they are."""
    low = sentence.lower().replace("’", "'")
    for m in flag.markers:
        m = m.lower()
        if m not in low:
            continue
        if _NEG_WORD.search(m):
            return True
        for hit in re.finditer(re.escape(m), low):
            before = low[:hit.start()].split()[-4:]
            if not _NEG_WORD.search(" ".join(before)):
                return True
    return False


def red_flags(embedder, rstage: RubricStage, sents: list[Sentence]) -> list[tuple[RedFlag, str]]:
    """[(flag, the candidate's sentence)] for each red flag of the stage the answer states."""
    texts = [s.text for s in sents]
    found = []
    for flag in rstage.red_flags:
        if not texts:
            break
        m = embedder.similarity(texts, flag.cues)
        same = np.array([[_affirms_marker(flag, t) and has_negation(t) == has_negation(c) for c in flag.cues]
                         for t in texts])
        m = np.where(same, m, -1.0)
        i, j = np.unravel_index(int(np.argmax(m)), m.shape)
        if m[i, j] >= RED_FLAG_THRESHOLD:
            found.append((flag, sents[i].text))
    return found
