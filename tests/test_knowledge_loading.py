"""Loading, validation and splitting of files for the knowledge base (no embedding model)."""

from __future__ import annotations

import pytest
from kb_helpers import make_bad_files, write_guide

from conftest import CORPUS_DIR, SEED_DIR
from interviewer.config.paths import builtin_prompts_dir
from interviewer.flow import load_flow
from interviewer.knowledge.loaders import LoadError, collect, load

STAGES = load_flow(builtin_prompts_dir()).stage_ids
from interviewer.knowledge.records import SQLiteRecordManager
from interviewer.knowledge.splitting import CHUNK_SIZE, clean_text, split, stages_of


def _load_one(path):
    found = collect([path])
    assert not found.errors, found.errors
    assert len(found.candidates) == 1
    return load(found.candidates[0], STAGES)


def test_walk_skips_problems_yaml_hidden_and_unsupported(tmp_path):
    root = tmp_path / "kb"
    write_guide(root, "a.md", "A", ["metrics"], "Alpha text.")
    write_guide(root / "sub", "b.markdown", "B", None, "Beta text.")
    (root / "notes.txt").write_text("plain notes", encoding="utf-8")
    (root / "problems").mkdir()
    (root / "problems" / "secret.md").write_text("# hidden facts", encoding="utf-8")
    (root / "problem.yaml").write_text("facts: [secret]", encoding="utf-8")
    (root / ".hidden.md").write_text("# hidden", encoding="utf-8")
    (root / "image.png").write_bytes(b"\x89PNG")
    found = collect([root])
    assert sorted(c.source for c in found.candidates) == ["a.md", "notes.txt", "sub/b.markdown"]
    assert found.errors == []
    assert found.walked_roots == [root.resolve()]


def test_explicit_yaml_and_unsupported_files_are_errors(tmp_path):
    y = tmp_path / "p.yaml"
    y.write_text("a: 1", encoding="utf-8")
    d = tmp_path / "x.docx"
    d.write_bytes(b"PK")
    found = collect([y, d, tmp_path / "missing.md"])
    assert found.candidates == []
    msgs = [str(e) for e in found.errors]
    assert "p.yaml" in msgs[0] and "never ingested" in msgs[0]
    assert "x.docx" in msgs[1] and "unsupported" in msgs[1]
    assert "missing.md" in msgs[2] and "no such file" in msgs[2]


@pytest.mark.parametrize("kind, words", [
    ("binary", "binary"), ("empty", "empty"), ("huge", "too large"), ("latin1", "not UTF-8"),
])
def test_bad_files_get_one_line_errors_naming_the_file(tmp_path, kind, words):
    path = make_bad_files(tmp_path / "bad")[kind]
    found = collect([path])
    with pytest.raises(LoadError) as exc:
        load(found.candidates[0], STAGES)
    msg = str(exc.value)
    assert "\n" not in msg
    assert path.name in msg and words in msg


def test_utf8_with_bom_and_utf16_are_read(tmp_path):
    p = tmp_path / "bom.txt"
    p.write_bytes("\ufeffRecall at k with a BOM".encode("utf-8"))
    assert _load_one(p).body == "Recall at k with a BOM"
    q = tmp_path / "wide.txt"
    q.write_bytes("Recall in UTF-16".encode("utf-16"))
    assert _load_one(q).body == "Recall in UTF-16"


def test_front_matter_title_and_stages(tmp_path):
    p = write_guide(tmp_path, "m.md", "Metrics guide", ["metrics", "models", "nonsense"], "## PR-AUC\n\nRare positives.")
    f = _load_one(p)
    assert f.title == "Metrics guide"
    assert f.stages == ("metrics", "models")  # unknown stage names are dropped


def test_split_headings_metadata_and_clean_text(tmp_path):
    body = "Intro line.\n\n## ROC-AUC versus PR-AUC\n\nUse PR-AUC when positives are rare.\n\n### Calibration:\n\nReliability diagrams."
    f = _load_one(write_guide(tmp_path, "metrics.md", "Offline metrics", ["metrics"], body))
    docs = split(f)
    headings = [d.metadata["heading"] for d in docs]
    assert headings == ["Offline metrics", "Offline metrics > ROC-AUC versus PR-AUC",
                        "Offline metrics > ROC-AUC versus PR-AUC > Calibration"]
    d = docs[1]
    assert d.metadata["source"] == "metrics.md"
    assert d.metadata["stages"] == "metrics" and d.metadata["stage_metrics"] is True
    assert d.metadata["stageless"] is False
    assert len(d.metadata["hash"]) == 16
    # the embedded text carries the heading path; callers get the clean text back
    assert d.page_content.startswith("Offline metrics > ROC-AUC versus PR-AUC\n\n")
    assert clean_text(d.page_content, d.metadata) == "Use PR-AUC when positives are rare."
    assert stages_of(d.metadata) == ("metrics",)


def test_long_sections_are_split_by_size(tmp_path):
    para = " ".join(f"Sentence {i} about feature freshness and caching." for i in range(200))
    docs = split(_load_one(write_guide(tmp_path, "long.md", "Long", None, "## Big\n\n" + para)))
    assert len(docs) > 3
    assert all(len(clean_text(d.page_content, d.metadata)) <= CHUNK_SIZE for d in docs)
    assert all(d.metadata["stageless"] for d in docs)


def test_corpus_and_seed_split_into_cited_chunks():
    files = collect([CORPUS_DIR, SEED_DIR])
    assert not files.errors
    sources = {c.source for c in files.candidates}
    assert "mlsd-metrics.md" in sources and "LICENSE" not in sources
    seed = next(c for c in files.candidates if c.root == SEED_DIR.resolve())
    docs = split(load(seed, STAGES))
    # the seed notes are .txt with Markdown-style headings: they are split on them
    assert len({d.metadata["heading"] for d in docs}) > 1
    assert all(d.metadata["stageless"] for d in docs)


def test_sqlite_record_manager_persists_and_filters(tmp_path):
    db = tmp_path / "r.sqlite"
    rm = SQLiteRecordManager("col|/a", db)
    rm.create_schema()
    rm.update(["k1", "k2"], group_ids=["a.md", "b.md"])
    t = rm.get_time()
    rm.update(["k3"], group_ids=["a.md"])
    again = SQLiteRecordManager("col|/a", db)  # a new instance sees the same records
    assert again.exists(["k1", "k3", "nope"]) == [True, True, False]
    assert again.list_keys(group_ids=["a.md"]) == ["k1", "k3"]
    assert again.list_keys(before=t) == ["k1", "k2"]
    assert again.list_groups() == ["a.md", "b.md"]
    assert SQLiteRecordManager("col|/b", db).list_keys() == []  # namespaces are separate
    again.delete_keys(["k1"])
    assert rm.list_keys() == ["k2", "k3"]
    with pytest.raises(ValueError):
        rm.update(["x"], group_ids=["a", "b"])


def test_pdf_pages_become_cited_chunks(tmp_path):
    from kb_helpers import write_pdf

    pdf = write_pdf(tmp_path / "paper.pdf", ["Two tower retrieval for candidates.", "Calibrate the ranker."])
    f = _load_one(pdf)
    assert f.kind == "pdf" and f.title == "paper"
    docs = split(f)
    assert [d.metadata["heading"] for d in docs] == ["page 1", "page 2"]
    assert "Two tower retrieval" in clean_text(docs[0].page_content, docs[0].metadata)


def test_broken_pdf_is_a_one_line_error(tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4\nthis is not really a pdf")
    with pytest.raises(LoadError) as exc:
        load(collect([bad]).candidates[0], STAGES)
    assert "broken.pdf" in str(exc.value) and "\n" not in str(exc.value)
