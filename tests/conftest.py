"""Shared fixtures. Every test runs with INTERVIEWER_HOME in a temp dir and no provider keys."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPUS_DIR = SHARED / "corpus" / "mlsd-guides-mit"
SEED_DIR = SHARED / "seed"

_PROVIDER_VARS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPENAI_BASE_URL", "OLLAMA_HOST")


@pytest.fixture(autouse=True)
def interviewer_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("INTERVIEWER_HOME", str(home))
    for var in list(os.environ):
        if var.startswith("INTERVIEWER_") and var != "INTERVIEWER_HOME":
            monkeypatch.delenv(var, raising=False)
    for var in _PROVIDER_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's checkout
    from interviewer.settings import reset_settings_cache

    reset_settings_cache()
    yield home
    reset_settings_cache()


@pytest.fixture
def settings(interviewer_home):
    from interviewer.settings import Settings

    return Settings()


@pytest.fixture(scope="session")
def embedder():
    """The real local embedding model, loaded once per test session."""
    from interviewer.knowledge.embeddings import LocalEmbeddings, Embedder

    return Embedder(LocalEmbeddings(), LocalEmbeddings.name)
