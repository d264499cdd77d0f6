"""A written answer from raw bytes (a file, standard input or an upload), checked for the
feedback service: size, binary content, encoding and emptiness each get a one-line error."""

from __future__ import annotations

MAX_ANSWER_BYTES = 1_000_000
EMPTY_ANSWER = "the answer is empty: write or paste the answer you would give in this stage"


def check_answer(text: str | None) -> str:
    """The one emptiness check for an answer to grade (CLI, app, report, graders)."""
    if not (text or "").strip():
        raise ValueError(EMPTY_ANSWER)
    return text or ""
ANSWER_SUFFIXES = (".md", ".markdown", ".txt")


def answer_text(raw: bytes, where: str) -> str:
    """The answer in ``raw`` as text; ValueError naming ``where`` if it cannot be one."""
    if len(raw) > MAX_ANSWER_BYTES:
        raise ValueError(f"{where}: input too large (limit {MAX_ANSWER_BYTES // 1000} kB)")
    if b"\x00" in raw:
        raise ValueError(f"{where}: binary input (contains NUL bytes); give a text file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{where}: not UTF-8 text (byte {exc.start})") from None
    try:
        return check_answer(text)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
