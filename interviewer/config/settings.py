"""Typed settings: environment variables with the prefix INTERVIEWER_, an optional .env file.

All state lives under one data directory, ``INTERVIEWER_HOME``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from interviewer.config import paths as resources
from interviewer.errors import mask_secret  # noqa: F401  (settings print masked keys)

OFFLINE = "offline"
DEFAULT_OPENAI_MODEL = "openai:gpt-4o-mini"
LOCAL_EMBEDDINGS = "local"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="INTERVIEWER_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    home: Path = Field(default_factory=lambda: Path.home() / ".interviewer",
                       description="Data directory: sessions, vector index, logs.")
    model: str | None = Field(default=None, description="'offline' or 'provider:model'.")
    base_url: str | None = Field(default=None, description="OpenAI-compatible server URL.")
    api_key: SecretStr | None = Field(default=None, description="Key for the configured provider.")
    embeddings: str = Field(default=LOCAL_EMBEDDINGS,
                            description="'local' (bundled all-MiniLM-L6-v2) or 'provider:model'.")
    embeddings_backend: Literal["auto", "onnx", "torch"] = Field(
        default="auto", description="Local model runtime: auto (ONNX export made once, else torch), onnx, torch.")
    chroma_url: str | None = Field(default=None, description="Chroma server URL; unset = embedded.")
    knowledge_dir: Path = Field(default_factory=resources.builtin_knowledge_dir)
    prompts_dir: Path = Field(default_factory=resources.builtin_prompts_dir)
    problems_dir: Path = Field(default_factory=resources.builtin_problems_dir)
    interview_minutes: int = Field(default=45, ge=5, le=180)
    cache_dir: Path | None = Field(default=None, description=(
        "Where fitted models (the listener) are cached; unset = $INTERVIEWER_HOME/cache. Safe to "
        "share between data directories: entries are keyed by the hash of their inputs."))
    listener: Literal["auto", "offline", "llm"] = Field(default="auto", description=(
        "Who decides what the candidate's words cover: auto (the LLM when a model is set, else "
        "offline), offline (the trained listener) or llm (falls back to offline on any failure)."))
    request_timeout: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=3, ge=0, le=10)

    @field_validator("home", "knowledge_dir", "prompts_dir", "problems_dir", mode="after")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("model", "base_url", "chroma_url", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    # ---- derived locations -------------------------------------------------
    @property
    def db_path(self) -> Path:
        return self.home / "interviewer.db"

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def models_cache(self) -> Path:
        return (self.cache_dir or self.home / "cache").expanduser()

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def user_problems_dir(self) -> Path:
        return self.home / "problems"

    def ensure_home(self) -> Path:
        self.home.mkdir(parents=True, exist_ok=True)
        return self.home

    # ---- model choice -------------------------------------------------------
    def effective_model(self) -> str:
        """The model actually used: explicit setting, else OpenAI if a key is set, else offline."""
        if self.model:
            return self.model
        if provider_env("OPENAI_API_KEY") or (self.api_key and self.base_url):
            return DEFAULT_OPENAI_MODEL
        return OFFLINE

    @property
    def is_offline(self) -> bool:
        return self.effective_model() == OFFLINE

    def masked(self) -> dict[str, str]:
        """Effective settings for display, secrets masked."""
        out: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                out[name] = mask_secret(value.get_secret_value())
            else:
                out[name] = "" if value is None else str(value)
        out["effective_model"] = self.effective_model()
        for var in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
            if provider_env(var):
                out[var] = mask_secret(provider_env(var))
        return out


def provider_env(name: str) -> str | None:
    """A provider variable (e.g. OPENAI_API_KEY) from the environment, else from ./.env."""
    value = (os.environ.get(name) or "").strip()
    if value:
        return value
    if not os.path.isfile(".env"):
        return None
    try:
        from dotenv import dotenv_values

        return (dotenv_values(".env").get(name) or "").strip() or None
    except Exception:
        return None



@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings_cache() -> None:
    get_settings.cache_clear()
