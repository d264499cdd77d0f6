"""Switching embeddings opens a new collection that is rebuilt; vectors are never mixed."""

from __future__ import annotations

from kb_helpers import HashEmbeddings, write_guide

from interviewer.knowledge.service import KnowledgeBase
from interviewer.knowledge.store import collection_name, get_client
from interviewer.settings import Settings


def _guides(folder):
    write_guide(folder, "a.md", "Alpha", ["metrics"], "## Precision\n\nPrecision at k for feeds.")
    write_guide(folder, "b.md", "Beta", ["scale"], "## Sharding\n\nShard the index by user id.")
    return folder


def test_switching_embeddings_rebuilds_instead_of_mixing(tmp_path):
    builtin = _guides(tmp_path / "knowledge")
    settings = Settings(home=tmp_path / "home", knowledge_dir=builtin)
    small, big = HashEmbeddings(16, "fake:a"), HashEmbeddings(48, "fake:b")

    kb_a = KnowledgeBase(settings, embeddings=small, embeddings_name=small.name)
    assert kb_a.search("shard index", k=1)[0].source == "b.md"
    n_a = kb_a.count()
    assert n_a == 2

    kb_b = KnowledgeBase(settings, embeddings=big, embeddings_name=big.name)
    assert kb_b.collection != kb_a.collection
    summary = kb_b.ensure_ready()
    assert summary is not None and summary.added == n_a and summary.skipped == 0  # rebuilt
    assert kb_b.search("precision at k", k=1)[0].source == "a.md"

    client = get_client(settings)
    for emb in (small, big):
        got = client.get_collection(collection_name(emb.name)).get(include=["embeddings"])
        assert len(got["ids"]) == n_a
        assert {len(v) for v in got["embeddings"]} == {emb.dim}  # one model per collection
    # switching back finds its collection intact: nothing re-embedded
    calls = small.calls
    kb_a2 = KnowledgeBase(settings, embeddings=small, embeddings_name=small.name)
    assert kb_a2.ensure_ready() is None and small.calls == calls


def test_collection_names_are_valid_and_distinct():
    names = {collection_name(n) for n in ("local:all-MiniLM-L6-v2", "openai:text-embedding-3-small",
                                          "ollama:nomic-embed-text", "x" * 300)}
    assert len(names) == 4
    for n in names:
        assert 3 <= len(n) <= 63 and n[0].isalnum() and n[-1].isalnum()
