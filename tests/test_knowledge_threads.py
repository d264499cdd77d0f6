"""One KnowledgeBase shared by threads (as Streamlit's st.cache_resource does)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from kb_helpers import HashEmbeddings, write_guide

from interviewer.knowledge.service import KnowledgeBase
from interviewer.config.settings import Settings


def test_concurrent_searches_and_an_ingest_share_one_instance(tmp_path):
    builtin = tmp_path / "knowledge"
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]
    for i, w in enumerate(words):  # documents that share no words: every ranking agrees
        write_guide(builtin, f"g{i}.md", w, ["metrics"], f"## {w}{w}\n\n{w}1 {w}2 {w}3 {w}4.")
    emb = HashEmbeddings(256, "fake:threads")
    kb = KnowledgeBase(Settings(home=tmp_path / "home", knowledge_dir=builtin),
                       embeddings=emb, embeddings_name=emb.name)
    extra = tmp_path / "extra"
    write_guide(extra, "late.md", "Late", None, "Arrives token99 while others search.")

    def one(i: int):
        if i == 7:
            return kb.ingest([extra]).files
        w = words[i % 6]
        return kb.search(f"{w}1 {w}2 {w}3", k=1)[0].source

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(one, range(24)))
    assert results[7] == 1
    assert all(r == f"g{i % 6}.md" for i, r in enumerate(results) if i != 7)
    assert kb.search("arrives token99", k=1)[0].source == "late.md"
    assert kb.count() == 7
