"""Shared fixtures. Every test runs with INTERVIEWER_HOME in a temp dir and no provider keys."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _shared_dir() -> Path:
    """Third-party guides and the user's notes, read at run time (never copied into the repo):
    ``INTERVIEWER_TEST_SHARED``, else ``shared/`` beside the checkout, else beside the
    repository a local clone was made from (``git clone . /tmp/x`` leaves it behind)."""
    if os.environ.get("INTERVIEWER_TEST_SHARED"):
        return Path(os.environ["INTERVIEWER_TEST_SHARED"])
    beside = REPO.parent / "shared"
    if beside.is_dir():
        return beside
    import subprocess

    try:
        origin = subprocess.run(["git", "-C", str(REPO), "config", "--get", "remote.origin.url"],
                                capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        origin = ""
    origin = origin.removeprefix("file://")
    if origin and Path(origin).is_dir() and (Path(origin).resolve().parent / "shared").is_dir():
        return Path(origin).resolve().parent / "shared"
    return beside


SHARED = _shared_dir()
CORPUS_DIR = SHARED / "corpus" / "mlsd-guides-mit"
SEED_DIR = SHARED / "seed"
_IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# Outside this project's workspace (a plain clone) the shared corpus may be absent: skip the
# modules that read it, loudly. In CI it must be there, so nothing is skipped.
collect_ignore: list[str] = []
if not CORPUS_DIR.is_dir() and not _IN_CI:
    for _path in sorted(Path(__file__).parent.glob("test_*.py")):
        if "CORPUS_DIR" in _path.read_text() or "SEED_DIR" in _path.read_text():
            collect_ignore.append(_path.name)


def pytest_report_header(config):
    if collect_ignore:
        return (f"shared corpus not found at {CORPUS_DIR} (set INTERVIEWER_TEST_SHARED): "
                f"skipping {', '.join(collect_ignore)}")
    return None

_PROVIDER_VARS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPENAI_BASE_URL", "OLLAMA_HOST")


@pytest.fixture(scope="session")
def models_cache(tmp_path_factory) -> Path:
    """One cache of fitted models for the run (the listener is fitted once, not per test or
    per subprocess); entries are keyed by the hash of their inputs, as for users."""
    return tmp_path_factory.mktemp("models-cache")


@pytest.fixture(autouse=True)
def interviewer_home(tmp_path, monkeypatch, models_cache) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("INTERVIEWER_HOME", str(home))
    for var in list(os.environ):
        if var.startswith("INTERVIEWER_") and var != "INTERVIEWER_HOME":
            monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("INTERVIEWER_CACHE_DIR", str(models_cache))
    for var in _PROVIDER_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's checkout
    from interviewer.config.settings import reset_settings_cache

    reset_settings_cache()
    yield home
    reset_settings_cache()


@pytest.fixture
def settings(interviewer_home):
    from interviewer.config.settings import Settings

    return Settings()


@pytest.fixture(scope="session")
def embedder():
    """The real local embedding model, loaded once per test session."""
    from interviewer.embedding.local import LocalEmbeddings, Embedder

    return Embedder(LocalEmbeddings(), LocalEmbeddings.name)


class RootRunner:
    """Typer's CliRunner whose commands get their services from ``factory`` (the composition
    root built with the test's fakes) through the click context's ``obj``."""

    def __init__(self, factory):
        from typer.testing import CliRunner

        self.factory = factory
        self._runner = CliRunner()

    def invoke(self, app, args=None, **kw):
        kw.setdefault("obj", self.factory)
        return self._runner.invoke(app, args, **kw)


@pytest.fixture
def root_runner(embedder):
    """CLI runner whose services share the session's loaded embedding model."""
    from interviewer.config.settings import Settings
    from interviewer.services import Services

    return RootRunner(lambda: Services.from_settings(Settings(), embedder=embedder))
