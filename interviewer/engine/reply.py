"""``TurnReply``: the interviewer's answer to one turn, streamed and persisted when complete."""

from __future__ import annotations

import threading
from typing import Callable, Iterator

from interviewer.engine.moves import Move


class TurnReply:
    """What the engine decided (``moves``) and the words for it, produced lazily.

    ``stream()`` yields reply chunks; when it is exhausted the interviewer turn and the
    session state are committed. ``text`` consumes whatever is left and returns the whole reply.
    """

    def __init__(self, session_id: str, moves: list[Move], stage: str, ended: bool,
                 chunks: Iterator[str] | None, on_complete: Callable[[str], None] | None = None,
                 text: str | None = None):
        self.session_id = session_id
        self.moves = moves
        self.stage = stage
        self.ended = ended
        self._chunks = chunks
        self._on_complete = on_complete
        self._text = text
        self._parts: list[str] = []
        self._lock = threading.Lock()

    @property
    def move(self) -> Move:
        """The deciding move (the last one: e.g. the probe after a fact, the advance after a hint)."""
        return self.moves[-1]

    @property
    def notice(self) -> str | None:
        notices = [m.notice for m in self.moves if m.notice]
        return " ".join(dict.fromkeys(notices)) or None

    @property
    def done(self) -> bool:
        return self._text is not None

    def stream(self) -> Iterator[str]:
        if self._text is not None and self._chunks is None:
            if self._text:
                yield self._text
            return
        with self._lock:
            if self._chunks is None:        # finished concurrently
                yield self._text or ""
                return
            exhausted = False
            try:
                for chunk in self._chunks:
                    if chunk:
                        self._parts.append(chunk)
                        yield chunk
                exhausted = True
            finally:
                if not exhausted and self._chunks is not None:
                    # The reader stopped early: still produce and save the whole reply.
                    self._parts.extend(c for c in self._chunks if c)
                self._complete()

    def _complete(self) -> None:
        if self._chunks is None:
            return
        self._chunks = None
        # The generator returns the text to persist (it can differ from what streamed if the
        # voice failed mid-way and the offline voice took over).
        text = "".join(self._parts)
        self._text = text
        if self._on_complete is not None:
            persisted = self._on_complete(text)
            if isinstance(persisted, str):
                self._text = persisted

    @property
    def text(self) -> str:
        if self._text is None or self._chunks is not None:
            for _ in self.stream():
                pass
        return self._text or ""

    def finish(self) -> str:
        return self.text

    def __repr__(self) -> str:
        kinds = "+".join(m.kind for m in self.moves)
        return f"TurnReply({self.session_id}, {kinds}, stage={self.stage}, ended={self.ended})"
