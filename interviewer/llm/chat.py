"""The only module that builds models from provider packages (LangChain ``init_chat_model``).

``INTERVIEWER_MODEL`` is ``offline`` or ``provider:model`` (openai, anthropic, ollama, or any
provider ``init_chat_model`` knows). ``INTERVIEWER_BASE_URL`` points the provider (usually
openai) at any OpenAI-compatible server. The key comes from, in order: the explicit
``api_key`` argument (the UI keeps it in memory), ``INTERVIEWER_API_KEY``, the provider's
own variable (``OPENAI_API_KEY``, ``ANTHROPIC_API_KEY``) in the environment or ``.env``.

Provider clients are built with their own retries switched off: ``interviewer.llm.retry``
retries timeouts, 429 and 5xx with bounded, jittered exponential backoff for every provider.
"""

from __future__ import annotations

import importlib.util
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings

from interviewer.config.settings import OFFLINE, Settings, provider_env
from interviewer.errors import mask_secret, one_line
from interviewer.llm.errors import ProviderError, redact
from interviewer.llm.retry import classify_error

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel


@dataclass(frozen=True)
class ProviderInfo:
    id: str
    label: str
    package: str             # the pip package that provides its LangChain chat model
    module: str
    key_env: str | None      # the provider's own key variable
    example: str             # an INTERVIEWER_MODEL value

    @property
    def installed(self) -> bool:
        return importlib.util.find_spec(self.module) is not None

    @property
    def needs_key(self) -> bool:
        return self.key_env is not None


PROVIDERS: dict[str, ProviderInfo] = {
    "openai": ProviderInfo("openai", "OpenAI or any OpenAI-compatible server (vLLM, LM Studio, llama.cpp)",
                           "langchain-openai", "langchain_openai", "OPENAI_API_KEY", "openai:gpt-4o-mini"),
    "anthropic": ProviderInfo("anthropic", "Anthropic", "langchain-anthropic", "langchain_anthropic",
                              "ANTHROPIC_API_KEY", "anthropic:claude-3-5-haiku-latest"),
    "ollama": ProviderInfo("ollama", "Ollama (local, no key)", "langchain-ollama", "langchain_ollama",
                           None, "ollama:llama3.1"),
}
NO_KEY_PLACEHOLDER = "not-needed"   # local OpenAI-compatible servers usually accept any key


def list_providers() -> list[dict[str, Any]]:
    """Known providers for the UI's settings page (others still work as provider:model)."""
    return [{"id": p.id, "label": p.label, "package": p.package, "installed": p.installed,
             "needs_key": p.needs_key, "key_env": p.key_env, "example": p.example}
            for p in PROVIDERS.values()]


@dataclass(frozen=True)
class ModelSpec:
    provider: str
    model: str

    def __str__(self) -> str:
        return f"{self.provider}:{self.model}"


def parse_model_spec(spec: str) -> ModelSpec:
    text = (spec or "").strip()
    provider, sep, model = text.partition(":")
    provider = provider.strip().lower().replace("-", "_")
    if not sep or not provider or not model.strip():
        raise ProviderError(f"model '{spec}' must be 'offline' or 'provider:model', e.g. openai:gpt-4o-mini")
    return ModelSpec(provider, model.strip())


def resolve_api_key(settings: Settings, provider: str, api_key: str | None = None) -> tuple[str | None, str]:
    """(key, where it came from). Never logs or returns the key anywhere else."""
    if api_key and api_key.strip():
        return api_key.strip(), "entered in the app"
    if settings.api_key is not None and settings.api_key.get_secret_value().strip():
        return settings.api_key.get_secret_value().strip(), "INTERVIEWER_API_KEY"
    info = PROVIDERS.get(provider)
    if info and info.key_env:
        value = provider_env(info.key_env)
        if value:
            return value, info.key_env
    return None, ""


def build_chat_model(settings: Settings, *, model: str | None = None, api_key: str | None = None,
                     temperature: float | None = 0.3, streaming: bool = False,
                     timeout: float | None = None) -> "BaseChatModel":
    """A LangChain chat model for ``model`` (default: the effective model). Offline → ProviderError."""
    spec_text = model or settings.effective_model()
    if spec_text.strip().lower() == OFFLINE:
        raise ProviderError("the model is 'offline': set INTERVIEWER_MODEL=provider:model to use an LLM")
    spec = parse_model_spec(spec_text)
    info = PROVIDERS.get(spec.provider)
    if info and not info.installed:
        raise ProviderError(f"provider '{spec.provider}' needs a package: pip install {info.package}")
    key, _ = resolve_api_key(settings, spec.provider, api_key)
    base_url = settings.base_url
    wait = float(timeout if timeout is not None else settings.request_timeout)
    kwargs: dict[str, Any] = {"streaming": streaming}
    if temperature is not None:
        kwargs["temperature"] = temperature
    if spec.provider == "openai":
        if not key and not base_url:
            raise ProviderError("no OpenAI key: set OPENAI_API_KEY or INTERVIEWER_API_KEY (or INTERVIEWER_BASE_URL for a local server)")
        kwargs.update(api_key=key or NO_KEY_PLACEHOLDER, timeout=wait, max_retries=0)
        if base_url:
            kwargs.update(base_url=base_url, use_responses_api=False)
    elif spec.provider == "anthropic":
        if not key:
            raise ProviderError("no Anthropic key: set ANTHROPIC_API_KEY or INTERVIEWER_API_KEY")
        kwargs.update(api_key=key, timeout=wait, max_retries=0)
        if base_url:
            kwargs["base_url"] = base_url
    elif spec.provider == "ollama":
        kwargs["client_kwargs"] = {"timeout": wait}
        if base_url:
            kwargs["base_url"] = base_url
    elif key:
        kwargs["api_key"] = key
    try:
        from langchain.chat_models import init_chat_model

        return init_chat_model(spec.model, model_provider=spec.provider, **kwargs)
    except ImportError:
        package = f"langchain-{spec.provider.replace('_', '-')}"
        raise ProviderError(f"provider '{spec.provider}' needs a package: pip install {package}") from None
    except ValueError as exc:
        if "Unsupported" in str(exc):
            raise ProviderError(f"unknown provider '{spec.provider}': use openai, anthropic, ollama "
                                "or another LangChain provider as provider:model") from None
        raise ProviderError(f"cannot set up model '{spec}': {one_line(exc, 200, key)}") from None
    except Exception as exc:  # pydantic validation (missing key, bad option) and the like
        raise ProviderError(f"cannot set up model '{spec}': {one_line(exc, 200, key)}") from None


# ---- describe / check -------------------------------------------------------------------
def describe(settings: Settings, api_key: str | None = None) -> dict[str, Any]:
    """What is configured, for ``interviewer models`` and the UI. Keys are masked."""
    effective = settings.effective_model()
    keys: dict[str, str] = {}
    if api_key:
        keys["entered in the app"] = mask_secret(api_key)
    keys["INTERVIEWER_API_KEY"] = mask_secret(settings.api_key.get_secret_value()) if settings.api_key else ""
    for var in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
        keys[var] = mask_secret(provider_env(var))
    out: dict[str, Any] = {"effective_model": effective, "configured_model": settings.model or "",
                           "base_url": settings.base_url or "", "keys": keys, "provider": "", "model": "",
                           "key_source": "", "package": "", "installed": True}
    if effective == OFFLINE:
        return out
    try:
        spec = parse_model_spec(effective)
    except ProviderError as exc:
        out["error"] = str(exc)
        return out
    info = PROVIDERS.get(spec.provider)
    _, source = resolve_api_key(settings, spec.provider, api_key)
    out.update(provider=spec.provider, model=spec.model, key_source=source,
               package=info.package if info else f"langchain-{spec.provider.replace('_', '-')}",
               installed=info.installed if info else True)
    return out


def check_connection(settings: Settings, api_key: str | None = None, model: str | None = None,
                     timeout: float | None = None) -> tuple[bool, str, float]:
    """(ok, one-line message, latency in seconds) for a tiny request to the configured model."""
    spec = model or settings.effective_model()
    if spec.strip().lower() == OFFLINE:
        return True, "offline: no LLM configured; the built-in offline interviewer and grader are used", 0.0
    wait = min(settings.request_timeout, 20.0) if timeout is None else timeout
    t0 = time.perf_counter()
    try:
        chat = build_chat_model(settings, model=spec, api_key=api_key, temperature=0, timeout=wait)
        reply = chat.invoke("Reply with the single word OK.")
    except ProviderError as exc:
        return False, redact(str(exc), settings, (api_key,)), time.perf_counter() - t0
    except Exception as exc:
        err = classify_error(exc, timeout=wait)
        where = f" at {settings.base_url}" if err.kind in ("connection", "timeout") and settings.base_url else ""
        return False, redact(f"{spec}: {err}{where}", settings, (api_key,)), time.perf_counter() - t0
    latency = time.perf_counter() - t0
    text = " ".join(str(getattr(reply, "content", "")).split())[:40]
    return True, f"{spec} answered in {latency * 1000:.0f} ms ({text!r})", latency


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
        raise ProviderError(f"cannot set up embeddings '{spec}': {one_line(exc, 200, kwargs.get('api_key'))}") from None


def with_output_limit(chat_model: Any, tokens: int) -> Any:
    """``chat_model`` with its reply capped at ``tokens`` (a copy; unchanged when the integration
    has no such setting). For budgeted calls such as the problem draft."""
    fields = getattr(type(chat_model), "model_fields", {})
    for name in ("max_tokens", "num_predict", "max_output_tokens"):
        if name in fields:
            try:
                return chat_model.model_copy(update={name: int(tokens)})
            except Exception:  # a wrapper that cannot be copied: use it as it is
                return chat_model
    return chat_model
