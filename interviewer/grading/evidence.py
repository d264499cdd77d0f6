"""Evidence verification: a quote counts only if the candidate actually wrote it.

A quote is kept when, after collapsing whitespace, it is an exact, case-sensitive substring
of the candidate's text that starts and ends on word boundaries ("ecall" does not match
"recall"). Quotation marks or an ellipsis wrapped around the whole quote are removed first;
nothing else is normalised (no case folding, no punctuation or Unicode changes). Quotes
shorter than ``MIN_QUOTE_WORDS`` words prove nothing and are dropped, as are duplicates.
"""

from __future__ import annotations

from interviewer.textutil import normalize_ws

MIN_QUOTE_WORDS = 3
_WRAPPERS = "\"'“”‘’«»`"


def clean_quote(quote: str) -> str:
    q = normalize_ws(quote)
    for _ in range(3):
        before = q
        q = q.strip(_WRAPPERS).strip()
        for ell in ("...", "…"):
            if q.startswith(ell):
                q = q[len(ell):].strip()
            if q.endswith(ell):
                q = q[: -len(ell)].strip()
        if q == before:
            break
    return q


def _boundary(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() and text[start].isalnum()) and not (after.isalnum() and text[end - 1].isalnum())


def contains_exact(haystack_normalised: str, quote: str) -> bool:
    """``quote`` (already cleaned) occurs in the normalised text on word boundaries."""
    if not quote:
        return False
    start = haystack_normalised.find(quote)
    while start != -1:
        if _boundary(haystack_normalised, start, start + len(quote)):
            return True
        start = haystack_normalised.find(quote, start + 1)
    return False


def verify_quotes(quotes: list[str], candidate_text: str) -> tuple[list[str], list[str]]:
    """(kept, dropped): kept quotes are the candidate's exact words (modulo whitespace)."""
    text = normalize_ws(candidate_text)
    kept: list[str] = []
    dropped: list[str] = []
    for raw in quotes or []:
        if not isinstance(raw, str):
            dropped.append(str(raw))
            continue
        q = clean_quote(raw)
        if q in kept:
            continue
        if len(q.split()) >= MIN_QUOTE_WORDS and contains_exact(text, q):
            kept.append(q)
        else:
            dropped.append(raw)
    return kept, dropped


def overlaps(quote: str, sentences: list[str]) -> bool:
    """True if ``quote`` shares text with any of ``sentences`` (e.g. text addressed to the grader)."""
    q = normalize_ws(quote)
    for s in sentences:
        s = normalize_ws(s)
        if not s:
            continue
        if q in s or s in q:
            return True
        # partial overlap: a quote that starts inside s or ends inside s
        for k in range(min(len(q), len(s)), 11, -1):
            if q.endswith(s[:k]) or q.startswith(s[-k:]):
                return True
    return False
