"""Either-or scoping questions the problem statement already answers.

"Is this ETA for food delivery or ride hailing?" has no fact on the sheet, but the prompt says
"food delivery app": answering "your call" would contradict what the candidate was told. Only
scoping questions about what the product *is* ("is this/it ... X or Y", "are we building/designing
... X or Y") are read this way, and only when exactly one side's words appear in the statement;
anything else stays the candidate's call. A side counts only when the statement names all of
it, qualifiers included.
"""

from __future__ import annotations

import re

_SCOPE = re.compile(r"^(?:so|and|also|ok(?:ay)?|quick question)?[,:]?\s*(?:is\s+(?:this|it)|are\s+we\s+"
                    r"(?:building|designing|talking\s+about|targeting|doing))\b(?P<rest>.*)$", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*")
_STOP = frozenset("""a an the this that it is are we for of to in on at as by with about from be
our your their its any some just only mainly mostly primarily more like also both either""".split())
MAX_SIDE_WORDS = 3


def _words(text: str) -> list[str]:
    return [w[:-2] if w.endswith("'s") else w for w in _WORD.findall(text.lower())]


def _norm(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _side_phrases(words: list[str], from_end: bool) -> list[list[str]]:
    """Content-word phrases of 1..MAX_SIDE_WORDS words next to the 'or' (longest first)."""
    seq = list(reversed(words)) if from_end else list(words)
    while seq and seq[0] in _STOP:      # "... or for the couriers": skip the leading small words
        seq.pop(0)
    content: list[str] = []
    for w in seq:
        if w in _STOP:
            break
        content.append(w)
        if len(content) == MAX_SIDE_WORDS:
            break
    if from_end:
        content.reverse()
        return [content[i:] for i in range(len(content))]
    return [content[:n] for n in range(len(content), 0, -1)]


def _found(phrase: list[str], statement_words: list[str]) -> bool:
    n = len(phrase)
    target = [_norm(w) for w in phrase]
    norm = [_norm(w) for w in statement_words]
    return n > 0 and any(norm[i:i + n] == target for i in range(len(norm) - n + 1))


def option_in_statement(statement: str, question: str) -> str | None:
    """The side of an either-or scoping question that the statement names, else None."""
    m = _SCOPE.match(" ".join((question or "").split()).rstrip("?!. "))
    if not m:
        return None
    rest = m.group("rest")
    parts = re.split(r"\bor\b", rest, flags=re.IGNORECASE)
    if len(parts) != 2:
        return None
    left, right = _side_phrases(_words(parts[0]), from_end=True), _side_phrases(_words(parts[1]), from_end=False)
    said = _words(statement or "")
    # a side counts only when the statement names all of it: "all users" is not settled by a
    # statement that says "users" (the qualifier is the question)
    hit_left = left[0] if left and _found(left[0], said) else None
    hit_right = right[0] if right and _found(right[0], said) else None
    if (hit_left is None) == (hit_right is None):
        return None                     # neither side, or both: the statement does not decide
    return " ".join(hit_left or hit_right)
