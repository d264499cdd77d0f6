"""The terminal chat end to end: piped turns, kill -9 durability, sessions, problems, resume."""

from __future__ import annotations

import json
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import REPO
from grading_fixtures import grading_inputs  # noqa: F401
from interviewer.cli import app

BIN = Path(sys.executable).with_name("interviewer")


@pytest.fixture(scope="module", autouse=True)
def _fitted_models(grading_inputs):  # noqa: F811
    """The listener and the injection screen, fitted once into the run's shared models cache
    before any chat subprocess starts: each process then loads them (a first fit takes minutes,
    which would otherwise be spent inside a subprocess's timeout)."""
    return grading_inputs


def _env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INTERVIEWER_", "OPENAI_", "ANTHROPIC_"))}
    env["INTERVIEWER_HOME"] = str(home)
    # the run's shared cache of fitted models (keyed by their inputs' hash): the listener is
    # fitted once per run, not once per chat process
    if os.environ.get("INTERVIEWER_CACHE_DIR"):
        env["INTERVIEWER_CACHE_DIR"] = os.environ["INTERVIEWER_CACHE_DIR"]
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _chat(home: Path, lines: list[str], *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN), "chat", *args], input="\n".join(lines) + "\n", capture_output=True,
                          text=True, env=_env(home), timeout=timeout, cwd=home.parent)


def test_piped_chat_end_to_end(interviewer_home):
    lines = ["How do we want to balance content vs ads?", "How many daily active users are there?",
             "/help", "So the ML task is ranking posts by predicted meaningful engagement.", "/next",
             "Offline I'd use PR-AUC per action and NDCG; online sessions per member.", "/end"]
    res = _chat(interviewer_home, lines, "--problem", "linkedin-feed", "--minutes", "30")
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "Traceback" not in out + res.stderr
    assert "Design the LinkedIn feed · 30 minutes" in out
    from interviewer.problems import load_bank
    from interviewer.config.settings import Settings

    feed = load_bank(Settings()).get("linkedin-feed")
    assert " ".join(feed.fact("ads-balance").answer.split()) in out      # the ads fact
    assert " ".join(feed.fact("scale").answer.split()) in out            # the scale fact
    assert "/hint" in out and "Metrics" in out                           # help text, next stage
    assert out.count("you> ") == len(lines)
    assert "saved in" in out and str(interviewer_home) in out
    sid = out.split("session ", 1)[1].split()[0]
    runner = CliRunner()
    listed = json.loads(runner.invoke(app, ["sessions", "--format", "json"]).stdout)
    assert listed[0]["id"] == sid and listed[0]["status"] == "ended" and listed[0]["problem"] == "linkedin-feed"
    assert {"id", "problem", "started", "stage", "status"} <= set(listed[0])
    text = runner.invoke(app, ["sessions"]).stdout
    assert sid in text and "linkedin-feed" in text


def test_eof_ends_the_interview_and_question_mode(interviewer_home):
    res = CliRunner().invoke(app, ["chat", "--question", "Design a spam filter for email", "--minutes", "20"],
                             input="How many users do we have?\n")          # in-process, piped
    assert res.exit_code == 0, res.output
    assert "spam filter" in res.stdout and "assumption" in res.stdout.lower()
    assert "you> How many users do we have?" in res.stdout
    con = sqlite3.connect(interviewer_home / "interviewer.db")
    assert con.execute("SELECT status FROM sessions").fetchall() == [("ended",)]
    roles = [r[0] for r in con.execute("SELECT role FROM turns ORDER BY seq")]
    assert roles == ["interviewer", "candidate", "interviewer", "candidate", "interviewer"]   # + /end
    again = CliRunner().invoke(app, ["resume", "latest"])
    assert again.exit_code == 0 and "already" in again.stdout


def test_kill_9_mid_interview_loses_no_committed_turn(interviewer_home):
    proc = subprocess.Popen([str(BIN), "chat", "--problem", "linkedin-feed"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
                            env=_env(interviewer_home), cwd=interviewer_home.parent)
    out: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [out.put(line) for line in proc.stdout], daemon=True).start()

    def wait_for_reply(timeout=180.0) -> str:
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                line = out.get(timeout=1)
            except queue.Empty:
                continue
            if line.startswith("interviewer> "):
                return line
        raise AssertionError("no reply from the chat process")

    sent = ["How many daily active users are there?", "What's the latency budget?",
            "So the ML task is to rank posts by predicted engagement.", "/hint is not a command here"]
    try:
        wait_for_reply()                                   # the welcome
        for line in sent:
            proc.stdin.write(line + "\n")
            proc.stdin.flush()
            wait_for_reply()
        proc.stdin.write("How fresh does content need to be?\n")   # killed while (or before) replying
        proc.stdin.flush()
        time.sleep(0.2)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    con = sqlite3.connect(interviewer_home / "interviewer.db")
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    rows = con.execute("SELECT role, text FROM turns ORDER BY seq").fetchall()
    candidate = [t for r, t in rows if r == "candidate"]
    assert candidate[:len(sent)] == sent                      # every turn that got a reply is saved
    assert sum(1 for r, _ in rows if r == "interviewer") >= len(sent) + 1
    assert con.execute("SELECT status FROM sessions").fetchone() == ("active",)
    # ... and the session can be resumed from the saved state.
    res = subprocess.run([str(BIN), "resume", "latest"], input="/end\n", capture_output=True, text=True,
                         env=_env(interviewer_home), timeout=300, cwd=interviewer_home.parent)
    assert res.returncode == 0, res.stderr
    assert "Welcome back" in res.stdout or "Good to have you back" in res.stdout


def test_problems_lists_bank_and_reports_invalid_files(settings):
    runner = CliRunner()
    res = runner.invoke(app, ["problems"])
    assert res.exit_code == 0 and "linkedin-feed" in res.stdout and "Design the LinkedIn feed" in res.stdout
    settings.user_problems_dir.mkdir(parents=True)
    (settings.user_problems_dir / "broken.yaml").write_text("id: broken\ntitle: x\n")
    (settings.user_problems_dir / "notyaml.yaml").write_text("id: [unclosed\n")
    res = runner.invoke(app, ["problems"])
    assert res.exit_code == 1
    assert "linkedin-feed" in res.stdout
    assert "broken.yaml" in res.stderr and "field" in res.stderr
    assert "notyaml.yaml" in res.stderr and "invalid YAML" in res.stderr
    assert "Traceback" not in res.stderr
    # a problem may skip generic key points, but only ones the flow has
    eta = (REPO / "knowledge" / "problems" / "eta-prediction.yaml").read_text()
    (settings.user_problems_dir / "eta-copy.yaml").write_text(
        eta.replace("id: eta-prediction", "id: eta-copy").replace("skip_points: [", "skip_points: [no-such-point, "))
    res = runner.invoke(app, ["problems"])
    assert "eta-copy.yaml" in res.stderr and "skip_points" in res.stderr and "no-such-point" in res.stderr
    assert "eta-copy " not in res.stdout


def test_clear_errors_without_traceback(settings):
    runner = CliRunner()
    for args, message in ((["resume", "nope"], "unknown session"), (["resume", "latest"], "unknown session"),
                          (["chat", "--problem", "no-such"], "unknown problem"),
                          (["chat", "--problem", "linkedin-feed", "--question", "x"], "not both")):
        res = runner.invoke(app, args)
        assert res.exit_code == 1, args
        assert message in res.stderr and "Traceback" not in res.stderr
    assert "no sessions yet" in runner.invoke(app, ["sessions"]).stdout


def test_live_prompt_shows_stage_and_time_left(settings):
    from candidates import FakeClock
    from interviewer.cli.chat_cmds import _prompt
    from interviewer.services import Services

    clock = FakeClock()
    engine = Services.from_settings(settings, clock=clock).engine
    sid = engine.start("linkedin-feed", minutes=30).session_id
    clock.advance(65)
    prompt = _prompt(engine, sid)
    budget = engine.flow.minutes_for("problem", 30) * 60 - 65
    assert "Problem statement & clarification" in prompt
    assert f"{int(budget) // 60}:{int(budget) % 60:02d} left in stage" in prompt
    assert "28:55 overall" in prompt and prompt.endswith("you> ")


def test_diagram_entry_and_file_are_sent_and_end_inside_closes_only_the_diagram(interviewer_home, tmp_path):
    from test_diagram_checks import BOX

    path = tmp_path / "box.mmd"
    path.write_text(BOX + "\n", encoding="utf-8")
    lines = ["/diagram", *BOX.splitlines(), "/end",                  # /end closes the diagram only
             f"/diagram {path}", "/diagram /no/such/file.mmd",
             "/diagram", "flowchart LR", "  A[User] -->", "/end", "/end"]
    res = CliRunner().invoke(app, ["chat", "--problem", "linkedin-feed", "--minutes", "30"],
                             input="\n".join(lines) + "\n")
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "diagram> flowchart LR" in out and "diagram> /end" in out
    assert "/no/such/file.mmd: no such file; nothing was sent" in res.output
    assert "diagram line 2: expected a node after '-->'" in out
    con = sqlite3.connect(interviewer_home / "interviewer.db")
    cand = con.execute("SELECT kind, text FROM turns WHERE role='candidate' ORDER BY seq").fetchall()
    assert cand[0] == ("answer", f"```mermaid\n{BOX}\n```")           # the entry, as one turn
    assert cand[1] == ("answer", BOX)                                 # a bare flowchart file, as written
    assert cand[2][0] == "diagram_error"
    assert cand[3] == ("end", "/end") and len(cand) == 4              # the interview ended only then
    state = json.loads(con.execute("SELECT state_json FROM sessions").fetchone()[0])
    assert BOX in state["diagrams"].values()
