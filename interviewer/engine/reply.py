"""``TurnReply``: the interviewer's answer to one turn, saved by the engine, streamed to readers.

The engine hands a reply its words (the voice's chunks) and a ``save`` callback as soon as it
has decided. The words are produced by the reply itself (at once for the offline voice, on a
worker thread for a model), and ``save`` commits the interviewer turn and the session state
when the voice has finished, or failed and the offline voice took over, whether or not anyone
reads the reply. Readers only watch: ``stream()`` yields the words as they come, ``text``
waits for the saved reply.
"""

from __future__ import annotations

import queue
import threading
from typing import Callable, Iterator

from interviewer.engine.moves import Move, MoveKind

_END = object()


class TurnReply:
    """What the engine decided (``moves``) for one turn and the words for it.

    ``kind`` is the deciding move's kind, ``ended`` whether the interview is over, ``saved``
    whether the interviewer turn is committed (``wait()`` first to be sure it is finished).
    """

    def __init__(self, session_id: str, moves: list[Move], stage: str, ended: bool):
        self.session_id = session_id
        self.moves = moves
        self.stage = stage
        self.ended = ended
        self.saved = False
        self._chunks: queue.SimpleQueue = queue.SimpleQueue()
        self._done = threading.Event()
        self._taken = False               # the first stream() reads the chunks live
        self._text: str | None = None
        self._error: BaseException | None = None
        self._lock = threading.Lock()

    @classmethod
    def fixed(cls, session_id: str, moves: list[Move], stage: str, ended: bool, text: str) -> "TurnReply":
        """A reply with nothing to produce or save (e.g. resuming an interview that has ended)."""
        reply = cls(session_id, moves, stage, ended)
        reply._text = text
        reply._taken = True
        reply._done.set()
        return reply

    # ---- produced by the engine ------------------------------------------------------------
    def produce(self, chunks: Iterator[str], save: Callable[[str], str], background: bool) -> "TurnReply":
        """Run the voice's ``chunks`` to the end and ``save`` the result; on a worker thread when
        ``background`` (a model), else now. The thread is not a daemon: a process that exits
        while a reply is still being written waits for it to be saved."""
        if background:
            threading.Thread(target=self._produce, args=(chunks, save), daemon=False,
                             name=f"interviewer-reply-{self.session_id}").start()
        else:
            self._produce(chunks, save)
        return self

    def _produce(self, chunks: Iterator[str], save: Callable[[str], str]) -> None:
        parts: list[str] = []
        try:
            for chunk in chunks:
                if chunk:
                    parts.append(chunk)
                    self._chunks.put(chunk)
            # ``save`` returns the text persisted: it differs from what streamed when the voice
            # failed mid-way and the offline voice took over.
            self._text = save("".join(parts))
            self.saved = True
        except BaseException as exc:  # noqa: BLE001 - handed to the reader, never lost silently
            self._error = exc
        finally:
            self._done.set()
            self._chunks.put(_END)

    # ---- read by the UI and the CLI --------------------------------------------------------
    @property
    def move(self) -> Move:
        """The deciding move (the last one: e.g. the probe after a fact, the advance after a hint)."""
        return self.moves[-1]

    @property
    def kind(self) -> MoveKind:
        return self.move.kind

    @property
    def kinds(self) -> tuple[MoveKind, ...]:
        return tuple(m.kind for m in self.moves)

    @property
    def notice(self) -> str | None:
        notices = [m.notice for m in self.moves if m.notice]
        return " ".join(dict.fromkeys(notices)) or None

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the reply is produced and saved (or failed); True when it is."""
        return self._done.wait(timeout)

    def stream(self) -> Iterator[str]:
        """The words as the voice produces them (the first reader), else the saved reply."""
        with self._lock:
            first, self._taken = not self._taken, True
        if first:
            while (chunk := self._chunks.get()) is not _END:
                yield chunk
        else:
            self.wait()
            if self._text:
                yield self._text
        if self._error is not None:
            raise self._error

    @property
    def text(self) -> str:
        """The whole reply as saved (waits for it)."""
        self.wait()
        if self._error is not None:
            raise self._error
        return self._text or ""

    def __repr__(self) -> str:
        kinds = "+".join(self.kinds)
        return f"TurnReply({self.session_id}, {kinds}, stage={self.stage}, ended={self.ended})"
