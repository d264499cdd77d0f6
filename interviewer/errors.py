"""One-line error messages: how every part of the project turns an exception into text a
user reads (CLI errors, notices in replies and cards, logs). Never a traceback, never a key."""

from __future__ import annotations

import re

_SECRETISH = re.compile(r"(sk-[A-Za-z0-9_-]{6,}|Bearer\s+\S+|(?:api[_-]?key|token)[=:]\s*\S+)", re.I)


def mask_secret(value: str | None) -> str:
    """``sk-...cd`` style: enough to recognise a key, never enough to use it."""
    if not value:
        return ""
    if len(value) <= 8:
        return "****"
    return f"{value[:3]}...{value[-2:]}"


def one_line(exc: BaseException | str, limit: int = 200, *secrets: str | None, ellipsis: bool = False) -> str:
    """``exc`` as one line of at most ``limit`` characters, key-like strings and the given
    ``secrets`` masked; the exception's type name when it has no message."""
    text = " ".join(str(exc).split())
    if not text and isinstance(exc, BaseException):
        text = type(exc).__name__
    for secret in secrets:
        if secret:
            text = text.replace(secret, mask_secret(secret))
    text = _SECRETISH.sub("****", text)
    if len(text) > limit:
        return text[:limit] + ("…" if ellipsis else "")
    return text


def describe_error(exc: BaseException, limit: int = 160) -> str:
    """A short reason for a failed model call: 'timeout' for any timeout, else one line."""
    text = one_line(exc, limit)
    low = (type(exc).__name__ + " " + text).lower()
    return "timeout" if "timeout" in low or "timed out" in low else text
