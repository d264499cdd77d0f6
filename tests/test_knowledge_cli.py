"""``interviewer ingest`` / ``interviewer search`` through the real CLI app."""

from __future__ import annotations

import json

import pytest
from kb_helpers import copy_corpus, make_bad_files, write_guide

from interviewer.cli import app


@pytest.fixture
def cli_env(tmp_path, monkeypatch, embedder):
    """Built-in knowledge = two small guides."""
    builtin = tmp_path / "builtin"
    write_guide(builtin, "serving.md", "Serving and caching", ["design", "scale"],
                "## Caching\n\nCache user embeddings and precomputed candidates to stay within latency.")
    write_guide(builtin, "metrics.md", "Metrics", ["metrics"],
                "## PR-AUC versus ROC-AUC\n\nWith rare positives prefer PR-AUC; ROC-AUC hides false alarms.")
    monkeypatch.setenv("INTERVIEWER_KNOWLEDGE_DIR", str(builtin))
    return tmp_path


def test_ingest_then_search_json(cli_env, root_runner):
    runner = root_runner
    guides = copy_corpus(cli_env / "guides", ["mlsd-pymk.md", "mlsd-template.md"])
    r = runner.invoke(app, ["ingest", str(guides), "--quiet"])
    assert r.exit_code == 0, r.output
    assert "ingested 2 files" in r.stdout and "chunks added" in r.stdout
    r2 = runner.invoke(app, ["ingest", str(guides), "-q"])
    assert r2.exit_code == 0 and "0 chunks added" in r2.stdout

    r = runner.invoke(app, ["search", "people you may know friend recommendations", "-k", "3",
                            "--format", "json"])
    assert r.exit_code == 0, r.output
    hits = json.loads(r.stdout)
    assert 1 <= len(hits) <= 3
    assert all(set(h) == {"source", "heading", "text", "score", "stages"} for h in hits)
    assert hits[0]["source"] == "mlsd-pymk.md"
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)

    # the built-in guides were ingested on first use and carry their stages
    r = runner.invoke(app, ["search", "precomputed candidates latency", "--stage", "scale",
                            "--format", "json"])
    top = json.loads(r.stdout)[0]
    assert top["source"] == "serving.md" and top["stages"] == ["design", "scale"]


def test_search_text_format_is_numbered_with_citations(cli_env, root_runner):
    r = root_runner.invoke(app, ["search", "rare positives PR-AUC", "-k", "2"])
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("1. metrics.md › Metrics > PR-AUC versus ROC-AUC")
    assert "prefer PR-AUC" in r.stdout


def test_ingest_reports_each_bad_file_and_exit_codes(cli_env, root_runner):
    runner = root_runner
    bad = make_bad_files(cli_env / "bad")
    r = runner.invoke(app, ["ingest", str(cli_env / "bad"), str(cli_env / "missing.md"), "-q"])
    assert r.exit_code == 1  # everything failed
    errors = [l for l in r.stderr.splitlines() if l.startswith("error:")]
    assert len(errors) == 5
    for p in [*bad.values(), cli_env / "missing.md"]:
        assert any(p.name in e for e in errors)
    assert "Traceback" not in r.output

    write_guide(cli_env / "bad", "ok.md", "Fine", None, "A good note on label delay.")
    r = runner.invoke(app, ["ingest", str(cli_env / "bad"), "-q"])
    assert r.exit_code == 0 and "ingested 1 file" in r.stdout  # something ingested
    r = runner.invoke(app, ["ingest", str(cli_env / "bad" / "ok.md"), "-q"])
    assert r.exit_code == 0 and "0 chunks added" in r.stdout  # nothing to do is fine


def test_search_errors_are_one_line(cli_env, root_runner):
    runner = root_runner
    r = runner.invoke(app, ["search", "metrics", "--stage", "deploy"])
    assert r.exit_code == 1 and "unknown stage 'deploy'" in r.stderr
    r = runner.invoke(app, ["search", "metrics", "--format", "xml"])
    assert r.exit_code == 1 and "unknown format" in r.stderr
    assert "Traceback" not in r.output


def test_ingest_without_paths_ingests_the_builtin_guides(cli_env, root_runner):
    r = root_runner.invoke(app, ["ingest", "-q"])
    assert r.exit_code == 0, r.output
    assert "ingested 2 files" in r.stdout
