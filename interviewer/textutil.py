"""Small text helpers shared by matching, grading and evidence checks."""

from __future__ import annotations

import re

# a line break with its bullet first: after "...fast-track.\n- Task: ..." the bullet went with the
# next sentence when the break after the full stop was matched as a plain space
_SENT_SPLIT = re.compile(r"\n+\s*(?:[-*•]|\d+[.)])?\s*|(?<=[.!?;])\s+")
_BULLET = re.compile(r"^(?:[-*•]|\d+[.)])\s+")            # the first line's own bullet
_WS = re.compile(r"\s+")


def normalize_ws(text: str) -> str:
    return _WS.sub(" ", text or "").strip()


def sentences(text: str, max_words: int = 40) -> list[str]:
    """Split into sentences / bullet items; long ones are cut into overlapping word windows."""
    out: list[str] = []
    for part in _SENT_SPLIT.split(text or ""):
        part = _BULLET.sub("", normalize_ws(part))
        if not part:
            continue
        words = part.split()
        if len(words) <= max_words:
            out.append(part)
            continue
        step = max_words // 2
        for i in range(0, len(words), step):
            out.append(" ".join(words[i:i + max_words]))
            if i + max_words >= len(words):
                break
    return out


def word_count(text: str) -> int:
    return len((text or "").split())


def truncate_words(text: str, limit: int) -> tuple[str, bool]:
    words = (text or "").split()
    if len(words) <= limit:
        return text, False
    return " ".join(words[:limit]), True


_CLAUSE_SPLIT = re.compile(r"[,;:]\s+|\s+(?:because|since|so that|while|which|and then)\s+", re.IGNORECASE)


def clauses(text: str, min_words: int = 3) -> list[str]:
    """Sentences plus, for sentences that join several ideas, their clauses.

    A long sentence's embedding blurs its parts; matching the parts too lets
    "Offline I'd use PR-AUC, and recall at a fixed FPR because ..." cover each idea.
    """
    out: list[str] = []
    for sent in sentences(text):
        out.append(sent)
        parts = [p.strip() for p in _CLAUSE_SPLIT.split(sent) if len(p.split()) >= min_words]
        if len(parts) > 1:
            out.extend(p for p in parts if p not in out)
    return out
