"""Confidently wrong claims (the rubric's red flags): a sentence close in meaning to one of a
flag's phrasings, with the same polarity (negated or not), that contains one of its markers."""

from __future__ import annotations

import numpy as np

from interviewer.grading.rubric import RedFlag, RubricStage
from interviewer.grading.signals import Sentence, has_negation

RED_FLAG_THRESHOLD = 0.62   # similarity to a flag's phrasing


def red_flags(embedder, rstage: RubricStage, sents: list[Sentence]) -> list[tuple[RedFlag, str]]:
    """[(flag, the candidate's sentence)] for each red flag of the stage the answer states."""
    texts = [s.text for s in sents]
    found = []
    for flag in rstage.red_flags:
        if not texts:
            break
        m = embedder.similarity(texts, flag.cues)
        same = np.array([[flag.marked(t) and has_negation(t) == has_negation(c) for c in flag.cues]
                         for t in texts])
        m = np.where(same, m, -1.0)
        i, j = np.unravel_index(int(np.argmax(m)), m.shape)
        if m[i, j] >= RED_FLAG_THRESHOLD:
            found.append((flag, sents[i].text))
    return found
