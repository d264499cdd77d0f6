"""Fixtures for engine tests: the real knowledge base (ingested once) and an engine on a fake clock.

Import into a test module with ``from engine_fixtures import *``.
"""

from __future__ import annotations

import pytest

from candidates import FakeClock

__all__ = ["knowledge_base", "clock", "engine"]


@pytest.fixture(scope="session")
def knowledge_base(tmp_path_factory, embedder):
    """The real KnowledgeBase over the built-in guides, in its own home, ingested once per run."""
    from interviewer.embedding.threads import interactive_inference
    from interviewer.knowledge.service import KnowledgeBase

    interactive_inference()       # as the chat CLI runs
    from interviewer.config.settings import Settings

    kb = KnowledgeBase(Settings(home=tmp_path_factory.mktemp("kb-home")),
                       embeddings=embedder.embeddings, embeddings_name=embedder.name)
    kb.ensure_ready()
    return kb


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def engine(settings, clock, knowledge_base, embedder):
    from interviewer.services import Services

    return Services.from_settings(settings, knowledge=knowledge_base, clock=clock, embedder=embedder).engine
