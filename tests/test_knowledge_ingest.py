"""Ingestion into the real Chroma store with the real local embeddings: idempotence, updates,
removal, folder isolation, bad input and the automatic ingest of the built-in guides."""

from __future__ import annotations

import shutil

import pytest
from kb_helpers import all_texts, chunk_sources, copy_corpus, make_bad_files, write_guide

from conftest import SEED_DIR
from interviewer.knowledge.service import KnowledgeBase
from interviewer.config.settings import Settings

SMALL = ["mlsd-pymk.md", "mlsd-template.md", "mlsd-feature-eng.md", "mlsd_obj_detection.md"]


@pytest.fixture
def kb(tmp_path, embedder):
    """A fresh store per test (real Chroma, real model); no built-in guides to ingest."""
    (tmp_path / "no-builtin").mkdir()
    settings = Settings(home=tmp_path / "kbhome", knowledge_dir=tmp_path / "no-builtin")
    return KnowledgeBase(settings, embeddings=embedder.embeddings, embeddings_name=embedder.name)


def test_reingest_unchanged_files_adds_nothing(kb, tmp_path):
    folder = copy_corpus(tmp_path / "guides", SMALL)
    first = kb.ingest([folder])
    assert first.errors == []
    assert first.files == 4
    assert first.added == first.chunks > 4
    before = kb.count()
    second = kb.ingest([folder])
    assert (second.added, second.updated, second.removed) == (0, 0, 0)
    assert second.skipped == first.chunks
    assert kb.count() == before
    assert "0 chunks added" in second.line()


def test_changed_file_replaces_its_chunks(kb, tmp_path):
    folder = copy_corpus(tmp_path / "guides", SMALL)
    kb.ingest([folder])
    pymk = folder / "mlsd-pymk.md"
    # the file's longest line, chosen at run time (no third-party text in the repo)
    old = max((ln.strip(" *-") for ln in pymk.read_text().splitlines()), key=len)
    assert any(old in t for t in all_texts(kb, "mlsd-pymk.md"))
    pymk.write_text(pymk.read_text().replace(old, "quokka-badge reciprocity between new members"))
    again = kb.ingest([folder])
    assert again.updated >= 1  # the edited section's chunk replaced
    assert again.skipped > 0  # the other files and untouched sections are not re-embedded
    texts = all_texts(kb, "mlsd-pymk.md")
    assert not any(old in t for t in texts)
    assert any("quokka-badge reciprocity" in t for t in texts)
    hits = kb.search("quokka badge reciprocity between new members", k=3)
    assert hits[0].source == "mlsd-pymk.md" and "quokka-badge" in hits[0].text
    assert not any(old in h.text for h in kb.search(old, k=10))


def test_removed_file_loses_its_chunks_other_folders_survive(kb, tmp_path):
    notes = tmp_path / "notes"
    shutil.copytree(SEED_DIR, notes)
    guides = copy_corpus(tmp_path / "guides", SMALL)
    kb.ingest([notes])
    kb.ingest([guides])
    notes_chunks = len(all_texts(kb, next(notes.iterdir()).name))
    assert notes_chunks > 0
    n_event = len(all_texts(kb, "mlsd_obj_detection.md"))
    (guides / "mlsd_obj_detection.md").unlink()
    out = kb.ingest([guides])
    assert n_event > 0
    assert out.removed == n_event
    assert "mlsd_obj_detection.md" not in chunk_sources(kb)
    assert all(h.source != "mlsd_obj_detection.md" for h in kb.search("object detection", k=10))
    # ingesting one folder never removes another folder's chunks
    assert len(all_texts(kb, next(notes.iterdir()).name)) == notes_chunks
    assert kb.ingest([notes]).removed == 0


def test_explicit_file_does_not_remove_its_siblings(kb, tmp_path):
    guides = copy_corpus(tmp_path / "guides", SMALL[:2])
    kb.ingest([guides])
    before = kb.count()
    out = kb.ingest([guides / SMALL[0]])
    assert out.files == 1 and out.removed == 0 and out.added == 0
    assert kb.count() == before


def test_a_subfolder_or_nested_file_of_an_ingested_folder_is_not_indexed_twice(kb, tmp_path):
    top = copy_corpus(tmp_path / "guides", SMALL[:1])
    sub = copy_corpus(top / "deeper", SMALL[1:3])
    first = kb.ingest([top])
    assert first.files == 3 and first.errors == []
    before = kb.count()
    again = kb.ingest([sub])
    assert (again.files, again.added, again.removed) == (2, 0, 0) and again.skipped > 0
    assert kb.ingest([sub / SMALL[1]]).added == 0
    assert kb.count() == before
    assert sorted(set(chunk_sources(kb))) == sorted([SMALL[0], f"deeper/{SMALL[1]}", f"deeper/{SMALL[2]}"])
    # a file deleted from the subfolder goes when the subfolder is re-ingested; the rest stays
    gone = len(all_texts(kb, f"deeper/{SMALL[2]}"))
    (sub / SMALL[2]).unlink()
    out = kb.ingest([sub])
    assert out.removed == gone > 0
    assert sorted(set(chunk_sources(kb))) == sorted([SMALL[0], f"deeper/{SMALL[1]}"])


def test_a_parent_of_an_ingested_folder_reuses_its_records(kb, tmp_path):
    top = copy_corpus(tmp_path / "guides", SMALL[:1])
    sub = copy_corpus(top / "deeper", SMALL[1:3])
    first = kb.ingest([sub])
    parent = kb.ingest([top])
    assert parent.files == 3 and parent.skipped == first.chunks and parent.removed == 0
    assert parent.added == len(all_texts(kb, SMALL[0])) and kb.count() == first.chunks + parent.added
    assert sorted(set(chunk_sources(kb))) == sorted([SMALL[0], SMALL[1], SMALL[2]])
    (sub / SMALL[1]).unlink()                        # removal reaches the subfolder's records
    out = kb.ingest([top])
    assert out.removed > 0 and SMALL[1] not in chunk_sources(kb)


def test_bad_inputs_are_reported_by_name_rest_ingests_index_intact(kb, tmp_path):
    good_old = copy_corpus(tmp_path / "existing", SMALL[2:3])
    kb.ingest([good_old])
    before = kb.count()
    batch = tmp_path / "batch"
    write_guide(batch, "good.md", "Label delay", ["requirements"],
                "## Delayed labels\n\nFraud labels arrive weeks later through chargebacks.")
    (batch / "plain.txt").write_text("Negative sampling from impressions that were not clicked.\n", encoding="utf-8")
    bad = make_bad_files(batch)
    missing = tmp_path / "nowhere" / "gone.md"
    out = kb.ingest([batch, missing])
    assert out.files == 2
    assert len(out.errors) == 5
    for path in [*bad.values(), missing]:
        line = next(e for e in out.errors if path.name in e)
        assert "\n" not in line
    assert kb.count() > before
    assert len(all_texts(kb, "good.md")) == 1
    # a file that goes bad later keeps its previous chunks
    good = batch / "good.md"
    good.write_bytes(b"\x00\x01\x02 binary now")
    again = kb.ingest([batch])
    assert any("good.md" in e and "binary" in e for e in again.errors)
    assert len(all_texts(kb, "good.md")) == 1
    assert again.removed == 0


def test_builtin_guides_ingested_on_first_use_then_skipped(tmp_path, embedder):
    builtin = tmp_path / "knowledge"
    write_guide(builtin, "metrics.md", "Metrics", ["metrics"],
                "## PR-AUC\n\nUse PR-AUC when positives are rare; ROC-AUC hides false alarms.")
    write_guide(builtin, "serving.md", "Serving", ["design", "scale"],
                "## Caching\n\nCache embeddings and precompute candidates to meet the latency budget.")
    (builtin / "problems").mkdir()
    (builtin / "problems" / "feed.yaml").write_text("facts: [hidden]", encoding="utf-8")
    settings = Settings(home=tmp_path / "h", knowledge_dir=builtin)
    kb1 = KnowledgeBase(settings, embeddings=embedder.embeddings, embeddings_name=embedder.name)
    hits = kb1.search("precompute candidates for latency", k=2)
    assert hits[0].source == "serving.md"
    assert sorted(set(chunk_sources(kb1))) == ["metrics.md", "serving.md"]
    kb2 = KnowledgeBase(settings, embeddings=embedder.embeddings, embeddings_name=embedder.name)
    assert kb2.ensure_ready() is None  # already indexed: skipped cheaply
    (builtin / "metrics.md").write_text((builtin / "metrics.md").read_text() + "\nCalibrate scores.\n")
    kb3 = KnowledgeBase(settings, embeddings=embedder.embeddings, embeddings_name=embedder.name)
    summary = kb3.ensure_ready()
    assert summary is not None and summary.updated >= 1 and summary.skipped >= 1


def test_ingest_reports_each_file_as_it_is_done(kb, tmp_path):
    """The app's progress bar moves with ``on_file(done, total, name)``, once per file."""
    folder = copy_corpus(tmp_path / "guides", SMALL[:3])
    calls = []
    summary = kb.ingest([folder], on_file=lambda done, total, name: calls.append((done, total, name)))
    assert summary.files == 3
    assert [(d, t) for d, t, _ in calls] == [(1, 3), (2, 3), (3, 3)]
    assert sorted(n for _, _, n in calls) == sorted(SMALL[:3])
