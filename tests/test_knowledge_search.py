"""Search over the third-party corpus and the user's notes, ingested as a user would."""

from __future__ import annotations

import pytest
from kb_helpers import write_guide

from conftest import CORPUS_DIR, SEED_DIR
from interviewer.knowledge.search import diversify, rrf, tokenize
from interviewer.knowledge.service import KnowledgeBase
from interviewer.config.settings import Settings

pytestmark = pytest.mark.slow  # ingests the whole corpus once (real model)

SEED_FILE = next(p.name for p in SEED_DIR.iterdir() if p.is_file())


@pytest.fixture(scope="module")
def kb(tmp_path_factory, embedder):
    root = tmp_path_factory.mktemp("search")
    (root / "empty").mkdir()
    settings = Settings(home=root / "home", knowledge_dir=root / "empty")
    kb = KnowledgeBase(settings, embeddings=embedder.embeddings, embeddings_name=embedder.name)
    out = kb.ingest([CORPUS_DIR, SEED_DIR])
    assert out.errors == [] and out.files == len(list(CORPUS_DIR.glob("*.md"))) + 1
    staged = root / "staged"
    write_guide(staged, "calib-metrics.md", "Calibration for metrics", ["metrics"],
                "## Reliability diagrams\n\nCheck calibration of predicted probabilities with a reliability diagram and expected calibration error.")
    write_guide(staged, "calib-scale.md", "Calibration drift at scale", ["scale"],
                "## Recalibrating in production\n\nCalibration of predicted probabilities drifts; monitor expected calibration error and recalibrate after retraining.")
    assert kb.ingest([staged]).files == 2
    return kb


@pytest.mark.parametrize("query, source", [
    ("detect harmful or violating posts on a social network", "mlsd-harmful-content.md"),
    ("recommend people you may know to connect with", "mlsd-pymk.md"),
    ("self-driving car perception and motion planning", "mlsd-av.md"),
    ("normalized cross entropy of a click model", "mlsd-metrics.md"),
    ("predict the probability a user clicks an ad", "mlsd-ads-ranking.md"),
    ("find visually similar images to a query image", "mlsd-image-search.md"),
])
def test_search_finds_the_right_corpus_file(kb, query, source):
    hybrid = [h.source for h in kb.search(query, k=5)]
    assert source in hybrid[:3], hybrid


def test_vector_and_bm25_modes_stay_selectable(kb):
    q = "recommend people you may know to connect with"
    for mode in ("vector", "bm25"):
        hits = kb.search(q, k=3, mode=mode)
        assert hits[0].source == "mlsd-pymk.md", (mode, hits)
    vec = kb.search(q, k=3, mode="vector")
    assert all(-1.0 <= h.score <= 1.0 for h in vec)  # cosine similarity


def test_search_finds_the_users_notes(kb):
    hits = kb.search("educative example flow: problem statement, identify metrics, requirements", k=3)
    assert SEED_FILE in [h.source for h in hits]
    note = next(h for h in hits if h.source == SEED_FILE)
    assert note.stages == ()  # notes without front matter are stage-less


def test_hits_are_cited_clean_and_best_first(kb):
    hits = kb.search("candidate generation then ranking in a recommender", k=5)
    assert len(hits) == 5
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for h in hits:
        assert h.source and h.text.strip()
        assert h.heading == "" or not h.text.startswith(h.heading)  # prefix stripped
        assert h.citation.startswith(h.source)


def test_stage_filter_keeps_matching_and_stageless_chunks(kb):
    q = "calibration of predicted probabilities expected calibration error"
    scale = kb.search(q, stage="scale", k=10)
    assert "calib-scale.md" in [h.source for h in scale]
    assert "calib-metrics.md" not in [h.source for h in scale]
    assert all(h.stages == () or "scale" in h.stages for h in scale)
    metrics = [h.source for h in kb.search(q, stage="metrics", k=10)]
    assert "calib-metrics.md" in metrics and "calib-scale.md" not in metrics
    unfiltered = [h.source for h in kb.search(q, k=10)]
    assert {"calib-metrics.md", "calib-scale.md"} <= set(unfiltered)


def test_bad_queries_are_clear_errors(kb):
    with pytest.raises(ValueError, match="empty"):
        kb.search("   ")
    with pytest.raises(ValueError, match="unknown stage"):
        kb.search("metrics", stage="deployment")
    with pytest.raises(ValueError, match="mode"):
        kb.search("metrics", mode="magic")
    with pytest.raises(ValueError, match="k must"):
        kb.search("metrics", k=0)


def test_bm25_cache_rebuilds_when_index_changes(kb, tmp_path):
    assert kb.search("zyxwvut flamingo", k=3, mode="bm25") == []
    before = kb.search("zyxwvut flamingo", k=3)          # hybrid results are kept...
    assert all(h.source != "flamingo.md" for h in before)
    write_guide(tmp_path / "new", "flamingo.md", "Flamingo", None, "The zyxwvut flamingo feature store.")
    kb.ingest([tmp_path / "new"])
    hits = kb.search("zyxwvut flamingo", k=3, mode="bm25")
    assert hits and hits[0].source == "flamingo.md"
    assert kb.search("zyxwvut flamingo", k=3)[0].source == "flamingo.md"   # ...until the index changes
    (tmp_path / "new" / "flamingo.md").unlink()
    kb.ingest([tmp_path / "new"])
    assert kb.search("zyxwvut flamingo", k=3, mode="bm25") == []
    assert kb.search("zyxwvut flamingo", k=3) == before


def test_rrf_and_tokenize():
    fused = rrf([[("a", 0.9), ("b", 0.5)], [("b", 7.0), ("c", 3.0)]])
    assert [cid for cid, _ in fused] == ["b", "a", "c"]
    assert tokenize("The ROC-AUC of models, and recall@k!") == ["roc", "auc", "model", "recall@k"]


def test_diversify_caps_one_source_ahead_of_the_others():
    ranked = [("a1", 0.9), ("a2", 0.8), ("a3", 0.7), ("b1", 0.6), ("a4", 0.5), ("c1", 0.4)]
    out = diversify(ranked, lambda cid: cid[0], per_source=2)
    assert [cid for cid, _ in out] == ["a1", "a2", "b1", "c1", "a3", "a4"]
    assert dict(out) == dict(ranked)                     # scores travel with their items
    assert diversify(ranked, lambda cid: cid, per_source=2) == ranked  # all distinct: unchanged


def test_diversify_breaks_exact_ties_towards_a_source_not_yet_shown():
    tie = 1 / 62 + 1 / 72                                # ranks (2, 12) and (12, 2) fuse equal
    fused = rrf([[("x", 0), ("a2", 0)] + [(f"v{i}", 0) for i in range(9)] + [("b1", 0)],
                 [("y", 0), ("b1", 0)] + [(f"w{i}", 0) for i in range(9)] + [("a2", 0)]])
    assert dict(fused)["a2"] == dict(fused)["b1"] == tie
    ranked = [("a1", 0.05), ("a2", tie), ("b1", tie)]
    assert [c for c, _ in diversify(ranked, lambda cid: cid[0])] == ["a1", "b1", "a2"]
    assert [c for c, _ in diversify(ranked[1:], lambda cid: cid[0])] == ["a2", "b1"]  # else rank


def test_hybrid_results_do_not_let_one_file_fill_the_list(kb):
    from interviewer.knowledge.search import PER_SOURCE
    hits = kb.search("ads click prediction model calibration and features", k=5)
    sources = [h.source for h in hits]
    assert max(sources.count(s) for s in sources) <= PER_SOURCE < 5, sources
