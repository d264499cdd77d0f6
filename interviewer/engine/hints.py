"""A hint: one search of the guides for what the candidate has missed most in this stage."""

from __future__ import annotations

from typing import Callable

from interviewer.engine.moves import Move
from interviewer.engine.state import HintRecord, SessionState
from interviewer.errors import describe_error
from interviewer.flow import KeyPoint, Stage
from interviewer.textutil import normalize_ws, truncate_words

HINT_K = 3
HINT_QUERY_WORDS = 40


def hint_move(stage: Stage, missed: list[KeyPoint], knowledge: Callable, state: SessionState,
              last_text: str, now: float) -> Move:
    """The hint move for ``stage`` (recorded in ``state.hints``), with cited guide sections."""
    # The missed point says what to look up; the stage's name only when nothing is missed
    # (with it, every query pulled the generic interview-flow guide: 82 of 264 top-3 hits).
    parts = [] if missed else [stage.name]
    if last_text:
        parts.append(truncate_words(normalize_ws(last_text), HINT_QUERY_WORDS)[0])
    topic = missed[0].text if missed else stage.goal
    parts.append(topic)
    query = ". ".join(parts)
    notice, hits, kb = None, [], None
    try:
        kb = knowledge()
        if kb is not None:
            hits = list(kb.search(query, stage=state.stage, k=HINT_K))
    except Exception as exc:  # the knowledge base is optional for the interview
        notice = f"The knowledge base is unavailable ({describe_error(exc)}); hint given without sources."
    if kb is None and notice is None:
        notice = "No knowledge base is configured; hint given without sources."
    state.hints.append(HintRecord(stage=state.stage, query=query, at=now, topic=topic,
                                  sources=[{"source": h.source, "heading": h.heading} for h in hits]))
    return Move("hint", stage=state.stage, sources=hits, reason=None if hits else "none", notice=notice)
