"""Confidently wrong claims (the rubric's red flags): a sentence that contains one of a flag's
markers not itself negated ("never a random split" rejects the claim a random split would make)
and either is close in meaning to one of the flag's phrasings with the same polarity (negated or
not), the sentence or one of its clauses (a long sentence's embedding blurs the wrong part), or
is the sentence in which the listener heard a key point of the flag's criterion dismissed or
gotten wrong (its stance model, learned from labelled dismissals and wrong claims)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from interviewer.grading.rubric import RedFlag, RedFlagWords, RubricStage
from interviewer.grading.signals import Sentence, has_negation
from interviewer.listening.hearing import heard_in
from interviewer.textutil import clauses

RED_FLAG_THRESHOLD = 0.62   # similarity to a flag's phrasing


@dataclass(frozen=True)
class _Patterns:
    negation: re.Pattern       # a negation word anywhere in a text
    rejected: re.Pattern       # the words right after a marker reject it
    denied: re.Pattern         # ...deny its subject
    metric: re.Pattern         # ...make it a metric's name


def _alternatives(words: list[str]) -> str:
    """A regex alternation of ``words``: phrases on any spaces, ``*`` for any ending, a word
    boundary after words that end in a letter or digit (not after "%" or "<")."""
    alts = []
    for w in sorted(words, key=len, reverse=True):
        stem = w[:-1] if w.endswith("*") else w
        alt = re.escape(stem.lower()).replace(r"\ ", r"\s+")
        if w.endswith("*"):
            alt += r"\w*"
        if w[-1].isalnum() or w.endswith("*"):
            alt += r"\b"
        alts.append(alt)
    return "(?:" + "|".join(alts) + ")"


_compiled: dict[tuple, _Patterns] = {}


def _patterns(words: RedFlagWords) -> _Patterns:
    key = (tuple(words.negations), tuple(words.rejected_after), tuple(words.denied_after),
           tuple(words.metric_name_after))
    if key not in _compiled:
        neg = _alternatives(words.negations)
        _compiled[key] = _Patterns(
            negation=re.compile(rf"\b(?:{neg}|\w+n't\b)"),
            rejected=re.compile(r"^\W*(?:\w+\W+){0,2}?" + _alternatives(words.rejected_after)),
            denied=re.compile(r"^\W*(?:[\w-]+\W+){0,2}?" + _alternatives(words.denied_after)),
            metric=re.compile(r"^\s*" + _alternatives(words.metric_name_after)))
    return _compiled[key]


def _affirms_marker(flag: RedFlag, sentence: str, words: RedFlagWords) -> bool:
    """A marker occurs, not negated within the four words before it, not rejected in the three
    after it ("accuracy is meaningless here"), not denied of its subject ("never-shown items
    aren't negatives") and not the name of a metric ("skip rate"); the words are the rubric's
    ``red_flag_words``. Markers that are negative themselves ("no need", "skip") are taken as
    they are, unless they name a metric or their subject is denied."""
    pat = _patterns(words)
    low = sentence.lower().replace("’", "'")
    for m in flag.markers:
        m = m.lower()
        if m not in low:
            continue
        negative = bool(pat.negation.search(m))
        for hit in re.finditer(re.escape(m), low):
            before = low[:hit.start()].split()[-4:]
            after = low[hit.end():]
            if pat.metric.search(after) or pat.denied.search(after):
                continue
            if negative or (not pat.negation.search(" ".join(before)) and not pat.rejected.search(after)):
                return True
    return False


def red_flags(embedder, rstage: RubricStage, sents: list[Sentence], words: RedFlagWords,
              dismissed_in: dict[str, set[str]] | None = None) -> list[tuple[RedFlag, str]]:
    """[(flag, the candidate's sentence)] for each red flag of the stage the answer states.
    ``words``: the rubric's ``red_flag_words``; ``dismissed_in``: criterion id -> the sentences
    in which the listener heard one of its key points dismissed or wrong."""
    pieces = [(i, c) for i, s in enumerate(sents) for c in dict.fromkeys([s.text, *clauses(s.text)])]
    texts = [c for _, c in pieces]
    found = []
    for flag in rstage.red_flags:
        if not texts:
            break
        heard_wrong = (dismissed_in or {}).get(flag.criterion, set())
        stance = [s.text for s in sents if _affirms_marker(flag, s.text, words) and heard_in(s.text, heard_wrong)]
        if stance:
            found.append((flag, stance[0]))
            continue
        m = embedder.similarity(texts, flag.cues)
        same = np.array([[_affirms_marker(flag, t, words) and has_negation(t) == has_negation(c) for c in flag.cues]
                         for t in texts])
        m = np.where(same, m, -1.0)
        k, _ = np.unravel_index(int(np.argmax(m)), m.shape)
        if m.max() >= RED_FLAG_THRESHOLD:
            found.append((flag, sents[pieces[k][0]].text))
    return found
