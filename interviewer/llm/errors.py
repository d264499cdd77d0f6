"""What goes wrong with a model, as the rest of the project sees it: one-line errors, never a key."""

from __future__ import annotations

import os

from interviewer.config.settings import Settings

KEY_VARS = ("INTERVIEWER_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY")


class ProviderError(RuntimeError):
    """A provider could not be set up or reached. ``str(err)`` is one line, never a key."""


class LLMUnavailable(ProviderError):
    """A call to the model failed after the allowed retries (timeout, 429, 5xx, auth, ...)."""

    def __init__(self, message: str, kind: str = "error", retryable: bool = False):
        super().__init__(message)
        self.kind = kind
        self.retryable = retryable


def redact(text: str, settings: Settings | None = None, extra: tuple[str | None, ...] = ()) -> str:
    """Remove every known key from ``text`` (for messages shown to the user or logged)."""
    secrets = list(extra)
    if settings is not None and settings.api_key is not None:
        secrets.append(settings.api_key.get_secret_value())
    secrets += [os.environ.get(v) for v in KEY_VARS]
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "****")
    return text
