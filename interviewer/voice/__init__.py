"""Interviewer voices: the offline template voice, and the LLM voice when a model is set."""

from __future__ import annotations

import logging
import re

from interviewer.moves import Voice
from interviewer.voice.offline import OfflineVoice

log = logging.getLogger(__name__)

__all__ = ["OfflineVoice", "make_voice", "offline_voice", "describe_error"]

_SECRETISH = re.compile(r"(sk-[A-Za-z0-9_-]{6,}|Bearer\s+\S+|(?:api[_-]?key|token)[=:]\s*\S+)", re.I)


def describe_error(exc: BaseException, limit: int = 160) -> str:
    """A short one-line reason for an exception, with anything key-like masked."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    low = (type(exc).__name__ + " " + text).lower()
    if "timeout" in low or "timed out" in low:
        text = "timeout"
    text = _SECRETISH.sub("****", text)
    return text[:limit]


def offline_voice(settings, notice: str | None = None) -> OfflineVoice:
    return OfflineVoice(settings.prompts_dir, notice=notice)


def make_voice(settings) -> Voice:
    """The offline voice when offline; else the LLM voice, falling back to offline with a notice.

    A fallback voice carries the reason in ``voice.notice`` (one line, no secrets).
    """
    if settings.is_offline:
        return offline_voice(settings)
    model = settings.effective_model()
    try:
        from interviewer.voice.llm_voice import LLMVoice
    except ImportError as exc:
        log.info("LLM voice unavailable: %s", exc)
        return offline_voice(settings, notice=f"The LLM voice is not available in this build; "
                                              f"using the offline interviewer instead of {model}.")
    try:
        return LLMVoice(settings)
    except Exception as exc:  # provider missing, bad model string, missing key
        reason = describe_error(exc)
        return offline_voice(settings, notice=f"Could not set up {model} ({reason}); "
                                              f"using the offline interviewer.")
