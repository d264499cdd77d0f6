"""Interviewer voices: the offline template voice, and the LLM voice when a model is set."""

from __future__ import annotations

import logging
from pathlib import Path

from interviewer.engine.moves import Voice
from interviewer.config.datafiles import DataFileError
from interviewer.engine.moves import template_key_errors
from interviewer.errors import describe_error
from interviewer.llm.prompting import load_prompt
from interviewer.voice.offline import OfflineVoice, load_templates

log = logging.getLogger(__name__)

__all__ = ["OfflineVoice", "make_voice", "offline_voice", "describe_error", "check_templates"]

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


def check_templates(prompts_dir) -> None:
    """Both voices' template files hold a template for every move kind and no stray key
    (kinds and reasons: ``interviewer.engine.moves``); a DataFileError names the file."""
    load_templates(Path(prompts_dir))          # validated on load (keys and variables)
    path = Path(prompts_dir) / "llm" / "interviewer.yaml"
    errors = template_key_errors(load_prompt("interviewer", Path(prompts_dir)).fragments)
    if errors:
        raise DataFileError(path, "fragments: " + "; ".join(errors))
