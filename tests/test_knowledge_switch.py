"""Switching embeddings opens a new collection that is rebuilt; vectors are never mixed."""

from __future__ import annotations

from kb_helpers import HashEmbeddings, write_guide

from interviewer.knowledge.service import KnowledgeBase
from interviewer.knowledge.vectors import collection_name, get_client
from interviewer.config.settings import Settings


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
    assert summary is not None and summary.added == n_a  # rebuilt with the new model
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


def test_user_folders_follow_an_embeddings_switch(tmp_path):
    builtin = _guides(tmp_path / "knowledge")
    notes = tmp_path / "notes"
    write_guide(notes / "deep", "labels.md", "Labels", None, "## Delay\n\nChargebacks arrive late.")
    write_guide(notes, "gone.md", "Gone", None, "Deleted before the switch.")
    settings = Settings(home=tmp_path / "home", knowledge_dir=builtin)
    a, b = HashEmbeddings(16, "fake:a"), HashEmbeddings(24, "fake:b")
    kb_a = KnowledgeBase(settings, embeddings=a, embeddings_name=a.name)
    assert kb_a.ingest([notes]).files == 2
    (notes / "gone.md").unlink()

    kb_b = KnowledgeBase(settings, embeddings=b, embeddings_name=b.name)
    hits = kb_b.search("chargebacks arrive late", k=1)
    assert hits[0].source == "deep/labels.md"  # same root, same source as before the switch
    assert "gone.md" not in {h.source for h in kb_b.search("deleted before the switch", k=5)}
    # the rebuilt folder keeps its identity: re-ingesting it changes nothing
    again = kb_b.ingest([notes])
    assert (again.added, again.removed) == (0, 0) and again.skipped == 1


class _FailingEmbeddings(HashEmbeddings):
    def embed_documents(self, texts):
        raise ConnectionError("provider unreachable\nretry later")


def test_embedding_failure_is_one_line_per_file_and_keeps_the_index(tmp_path):
    folder = _guides(tmp_path / "guides")
    settings = Settings(home=tmp_path / "home", knowledge_dir=tmp_path / "none")
    ok = HashEmbeddings(16, "fake:same")
    kb = KnowledgeBase(settings, embeddings=ok, embeddings_name="fake:same")
    assert kb.ingest([folder]).added == 2
    (folder / "a.md").write_text((folder / "a.md").read_text() + "\nMore text.\n")
    broken = KnowledgeBase(settings, embeddings=_FailingEmbeddings(16), embeddings_name="fake:same")
    out = broken.ingest([folder])
    assert out.files == 1  # b.md unchanged: nothing to embed
    assert len(out.errors) == 1 and "a.md" in out.errors[0] and "\n" not in out.errors[0]
    assert broken.count() == 2  # a.md's previous chunk survives
