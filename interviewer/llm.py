"""The only module that builds models from provider packages (LangChain init_chat_model).

OWNED BY the LLM-seam work (issue 5); this first version builds remote embeddings only.
"""

from __future__ import annotations

from langchain_core.embeddings import Embeddings

from interviewer.settings import Settings


class ProviderError(RuntimeError):
    """A provider could not be set up: missing package, missing key, bad model string."""


def build_embeddings(spec: str, settings: Settings) -> Embeddings:
    """Embeddings for 'provider:model' (openai, ollama, ...), via langchain's init_embeddings."""
    if ":" not in spec:
        raise ProviderError(f"embeddings '{spec}' must be 'local' or 'provider:model', e.g. openai:text-embedding-3-small")
    provider, model = spec.split(":", 1)
    kwargs = {}
    if provider == "openai" and settings.base_url:
        kwargs["base_url"] = settings.base_url
    if settings.api_key is not None and provider == "openai":
        kwargs["api_key"] = settings.api_key.get_secret_value()
    try:
        from langchain.embeddings import init_embeddings

        return init_embeddings(f"{provider}:{model}", **kwargs)
    except ImportError as exc:
        raise ProviderError(f"embeddings provider '{provider}' needs a package: {exc}") from None
    except Exception as exc:  # the library raises ValueError for unknown providers / missing keys
        raise ProviderError(f"cannot set up embeddings '{spec}': {exc}") from None
