"""Small, deterministic choices of wording: which opening or probe a session gets, and
whether a short answer is an "I don't know"."""

from __future__ import annotations

import re
import zlib

from interviewer.engine.state import SessionState
from interviewer.flow import Flow, KeyPoint, Stage

UNSURE_MAX_WORDS = 15
_UNSURE = re.compile(r"\b(?:not\s+sure|no\s+idea|don'?t\s+know|do\s+not\s+know|idk|unsure|no\s+clue)\b",
                     re.IGNORECASE)


def is_unsure(text: str) -> bool:
    """A short 'I don't know' / 'not sure' answer (a long answer that hedges once is an answer)."""
    return len((text or "").split()) <= UNSURE_MAX_WORDS and bool(_UNSURE.search(text or ""))


def seed_for(*parts: object) -> int:
    return zlib.crc32(":".join(str(p) for p in parts).encode())


def stage_points(flow: Flow, state: SessionState, stage_id: str) -> list[KeyPoint]:
    """The stage's key points for the session's problem (see ``Problem.points``)."""
    return state.problem.points(flow, stage_id)


def opening_for(stage: Stage, session_id: str) -> str:
    return stage.openings[seed_for(session_id, stage.id, "opening") % len(stage.openings)]


def probe_for(point: KeyPoint, session_id: str) -> str:
    return point.probes[seed_for(session_id, point.id, "probe") % len(point.probes)]
