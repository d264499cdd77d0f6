"""What a candidate's turn may be: its length limit, the text kept of it, and the error a turn
that cannot be answered raises (the engine, the CLI and the app all use these)."""

from __future__ import annotations

import re

MAX_TURN_CHARS = 20_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class TurnError(ValueError):
    """A candidate turn that could not be answered. ``saved``: the words were kept (the
    failure came after); else nothing was saved (too long, session ended) and the caller keeps
    them for the candidate."""

    def __init__(self, message: str, saved: bool = False):
        super().__init__(message)
        self.saved = saved


def clean_text(text: str | bytes | None) -> str:
    """The turn as kept: decoded, control characters and undecodable bytes dropped, trimmed;
    a turn over ``MAX_TURN_CHARS`` raises ``TurnError`` before anything is saved."""
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if len(text) > MAX_TURN_CHARS:
        raise TurnError(f"your message is too long ({len(text):,} characters, limit {MAX_TURN_CHARS:,}); "
                        "nothing was lost, shorten it and send again")
    return _CONTROL.sub("", text).replace("\ufffd", "").strip()
