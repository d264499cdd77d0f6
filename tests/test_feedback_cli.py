"""``interviewer feedback`` and ``interviewer report`` from the command line."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from interviewer.cli import app
from llm_fakes import StubKnowledge

runner = CliRunner()
ANSWER = ("Offline I'd use PR-AUC because comments are rare and ROC-AUC looks good anyway. "
          "Online I'd run an A/B test randomized by member on sessions with a comment, for two weeks. "
          "Guardrails are hides and unfollows, so that we don't buy clicks with clickbait.\n")


@pytest.fixture(autouse=True)
def fast_parts(embedder):
    """The commands' services: the session's model, stub guidance (no indexing)."""
    global runner
    from conftest import RootRunner
    from interviewer.config.settings import Settings
    from interviewer.services import Services

    runner = RootRunner(lambda: Services.from_settings(Settings(), embedder=embedder, knowledge=StubKnowledge()))


@pytest.fixture
def answer_file(tmp_path):
    path = tmp_path / "answer.txt"
    path.write_text(ANSWER)
    return path


def _run(*args, input=None):
    return runner.invoke(app, list(args), input=input)


def _one_line_error(result, needle):
    assert result.exit_code == 1
    err = result.stderr.strip()
    assert err.startswith("error:") and "\n" not in err and needle in err, err
    assert "Traceback" not in result.output


def test_json_shape(answer_file):
    r = _run("feedback", str(answer_file), "--stage", "metrics", "--problem", "linkedin-feed", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert list(data) == ["stage", "score", "criteria", "strengths", "improvements", "sources", "grader", "scope"]
    assert data["stage"] == "metrics" and isinstance(data["score"], int) and 1 <= data["score"] <= 4
    for c in data["criteria"]:
        assert list(c) == ["id", "name", "score", "evidence", "missing"]
        assert all(q in ANSWER for q in c["evidence"])
    assert data["sources"] == [{"source": "metrics.md", "heading": "PR-AUC"}]
    assert data["grader"] == "offline"


def test_same_answer_same_json(answer_file):
    args = ("feedback", str(answer_file), "--stage", "metrics", "--problem", "linkedin-feed", "-f", "json")
    assert _run(*args).stdout == _run(*args).stdout


def test_stdin_and_own_question_markdown_card():
    r = _run("feedback", "-", "--stage", "metrics", "--question", "Design the ranking of a news feed", input=ANSWER)
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("# Metrics · Design the ranking of a news feed")
    for part in ("**Score:", "## Strengths", "## To improve", "## Criteria", "> Offline I'd use PR-AUC"):
        assert part in r.stdout


def test_long_answer_notice_goes_to_stderr_in_json(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text(ANSWER * 60)
    r = _run("feedback", str(path), "--stage", "metrics", "--problem", "linkedin-feed", "-f", "json")
    assert r.exit_code == 0
    assert "first 1500 words" in r.stderr and json.loads(r.stdout)["stage"] == "metrics"


@pytest.mark.parametrize("content, needle", [(b"", "empty"), (b"  \n\t\n", "empty"),
                                              (b"\x00\x01binary", "binary"), (b"\xff\xfe\xfa bad", "UTF-8")])
def test_bad_input_is_a_one_line_error(tmp_path, content, needle):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    _one_line_error(_run("feedback", str(path), "--stage", "metrics", "--problem", "linkedin-feed"), needle)


def test_missing_file(tmp_path):
    _one_line_error(_run("feedback", str(tmp_path / "nope.txt"), "--stage", "metrics", "--problem",
                         "linkedin-feed"), "not found")


@pytest.mark.parametrize("args, needle", [
    (("--stage", "deploy", "--problem", "linkedin-feed"), "unknown stage"),
    (("--stage", "metrics", "--problem", "no-such-problem"), "unknown problem"),
    (("--stage", "metrics"), "exactly one of --problem"),
    (("--stage", "metrics", "--problem", "linkedin-feed", "--question", "x"), "exactly one of --problem"),
    (("--stage", "metrics", "--problem", "linkedin-feed", "--format", "xml"), "unknown format"),
])
def test_bad_options(answer_file, args, needle):
    _one_line_error(_run("feedback", str(answer_file), *args), needle)


def test_report_unknown_session():
    _one_line_error(_run("report", "nope"), "unknown session")


def test_report_export(settings, tmp_path):
    """A session written through the store (as the engine does), then reported and exported."""
    from interviewer.problems import load_bank
    from interviewer.engine.state import SessionState
    from interviewer.storage.sessions import open_store

    state = SessionState(session_id="abc123", problem=load_bank(settings).get("linkedin-feed"), minutes=45,
                         stage="problem", stages_visited=["problem"])
    store = open_store(settings)
    store.create_session(state)
    store.append_turn("abc123", "interviewer", "problem", "opening", "What would you like to clarify?")
    store.append_turn("abc123", "candidate", "problem", "question", "What is the business objective?")
    state.stage, state.stages_visited = "metrics", ["problem", "metrics"]
    store.append_turn("abc123", "candidate", "metrics", "answer", ANSWER, state=state)
    state.status = "ended"
    store.save_state(state)
    store.close()

    r = _run("report", "latest", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["session_id"] == "abc123" and data["problem"]["id"] == "linkedin-feed"
    metrics = next(s for s in data["stages"] if s["id"] == "metrics")
    assert metrics["score"] >= 2 and all(q in ANSWER for q in metrics["evidence"])
    assert [s["score"] for s in data["stages"] if not s["reached"]] == [1, 1, 1, 1]
    assert data["transcript"][1] == {"role": "candidate", "text": "What is the business objective?",
                                     "stage": "problem"}
    out = tmp_path / "exports" / "report.md"
    r = _run("report", "abc", "-o", str(out))
    assert r.exit_code == 0 and out.read_text().startswith("# Interview report: ")


@pytest.mark.parametrize("raw, message", [
    (b"", "the answer is empty"),
    (b"  \n\t ", "the answer is empty"),
    (b"\x89PNG\x00\x00", "binary input"),
    (b"caf\xe9 au lait", "not UTF-8 text (byte 3)"),
    (b"x" * 1_000_001, "input too large (limit 1000 kB)"),
])
def test_answer_bytes_that_are_not_an_answer_get_one_clear_line(raw, message):
    from interviewer.grading.answer_input import answer_text

    with pytest.raises(ValueError, match=r"^upload\.md: ") as err:
        answer_text(raw, "upload.md")
    assert message in str(err.value)


def test_answer_bytes_keep_their_text_and_drop_a_bom():
    from interviewer.grading.answer_input import answer_text

    assert answer_text("\ufeffPR-AUC, because fraud is rare.".encode("utf-8"), "a.txt") == "PR-AUC, because fraud is rare."


def test_the_stage_help_comes_from_the_flow_file(tmp_path, settings):
    import os
    import shutil
    import subprocess
    import sys

    prompts = tmp_path / "prompts"
    shutil.copytree(settings.prompts_dir, prompts)
    flow = prompts / "flow.yaml"
    from interviewer.flow import load_flow

    last = load_flow(settings.prompts_dir).stage_ids[-1]
    flow.write_text(flow.read_text().replace(f"  - id: {last}\n", "  - id: zebra-stage\n", 1))
    env = dict(os.environ, INTERVIEWER_PROMPTS_DIR=str(prompts), COLUMNS="200")
    out = subprocess.run([sys.executable, "-c", "from interviewer.cli import main; main()", "feedback", "--help"],
                         capture_output=True, text=True, env=env, timeout=120).stdout
    assert "zebra-stage" in out and f"or {last}" not in out
