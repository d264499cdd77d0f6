"""The engine with the LLM voice against the local server: faults mid-interview, secrets on disk."""

from __future__ import annotations

import pytest

from interviewer.config.settings import Settings
from llm_fakes import TEST_KEY, StubKnowledge, fake_server, files_containing, server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow


@pytest.fixture
def engine(server, embedder):
    from interviewer.services import Services

    return Services.from_settings(Settings(), knowledge=StubKnowledge(), embedder=embedder).engine


def _candidate_texts(engine, sid: str) -> list[str]:
    return [t.text for t in engine.store.turns(sid) if t.role == "candidate"]


def test_llm_voice_phrases_the_moves_and_sees_only_revealed_facts(engine, server):
    from interviewer.voice.llm_voice import LLMVoice

    assert isinstance(engine.voice, LLMVoice)
    start = engine.start("linkedin-feed")
    assert start.text == server.reply({})
    reply = engine.take_turn(start.session_id, "How many daily active users are there?")
    assert reply.text == server.reply({})
    fact = reply.moves[0].fact
    assert reply.moves[0].kind == "answer_fact" and fact is not None
    sent = server.chat_requests()[-1].all_text
    assert fact.answer.split(",")[0] in sent
    others = [f for f in engine.state(start.session_id).problem.facts if f.id != fact.id]
    assert others and not any(f.answer in r.all_text for f in others for r in server.chat_requests())


def test_provider_down_mid_interview_keeps_the_turn_and_continues_offline(engine, server):
    start = engine.start("linkedin-feed")
    sid, _ = start.session_id, start.text
    engine.take_turn(sid, "What is the business objective we optimise for?").text
    server.fail("500", times=50)
    answer = "I would optimise for meaningful engagement such as comments and shares, not raw clicks."
    reply = engine.take_turn(sid, answer)
    text = reply.text
    assert text and text != server.reply({})                       # the offline voice answered
    assert "did not answer" in reply.notice and "HTTP 500" in reply.notice and "saved" in reply.notice
    assert TEST_KEY not in reply.notice
    assert answer in _candidate_texts(engine, sid)                  # the candidate's turn is saved
    server.faults.clear()
    now = [1000.0]
    engine.voice.cooling.clock = lambda: now[0]
    engine.voice.cooling.until = now[0] + engine.voice.cooling.seconds   # as set at the failure, on this clock
    sent = len(server.chat_requests())
    cooling = engine.take_turn(sid, "Should I assume ads are ranked separately from posts?")
    assert cooling.text and "answering offline" in cooling.notice   # offline at once, no second wait
    assert len(server.chat_requests()) == sent
    now[0] += engine.voice.cooling.seconds + 1
    nxt = engine.take_turn(sid, "How many daily active users are there?")
    assert nxt.text == server.reply({}) and nxt.notice is None      # the model is back: LLM again


def test_hang_and_cut_stream_fall_back_offline_with_a_notice(engine, server):
    start = engine.start("linkedin-feed")
    sid, _ = start.session_id, start.text
    engine.voice.cooling.seconds = 0                 # try the model on every turn here
    server.fail("hang")
    reply = engine.take_turn(sid, "How many daily active users are there?")
    assert reply.text and "timeout" in reply.notice
    server.fail("drop")
    reply = engine.take_turn(sid, "What is the latency budget for the feed?")
    assert reply.text and "did not answer" in reply.notice
    assert len(_candidate_texts(engine, sid)) == 2


def test_the_key_reaches_no_file_under_home(engine, server, interviewer_home):
    server.structured = None
    sid = engine.start("linkedin-feed").session_id
    for text in ["How many daily active users are there?",
                 "I'd optimise for meaningful engagement: comments and shares, predicted per post.",
                 "/hint", "/next",
                 "Offline I'd use PR-AUC because positives are rare, and online an A/B test on sessions."]:
        engine.take_turn(sid, text).text
    server.fail("401")                                  # the server echoes the key in its error
    reply = engine.take_turn(sid, "Online I would watch sessions per user and run the test for two weeks.")
    assert reply.text and "rejected the API key" in reply.notice and TEST_KEY not in reply.notice
    engine.take_turn(sid, "/end").text
    assert all(r.header("Authorization") == f"Bearer {TEST_KEY}" for r in server.chat_requests())
    files = [p for p in interviewer_home.rglob("*") if p.is_file()]
    assert any(p.suffix == ".db" for p in files)
    assert files_containing(interviewer_home, TEST_KEY.encode()) == []
    assert files_containing(interviewer_home, TEST_KEY[-12:].encode()) == []


def test_cli_chat_survives_the_provider_going_down_without_a_traceback(server, interviewer_home):
    import os
    import subprocess
    import sys

    server.fail("ok", times=2)                  # welcome + first answer from the model
    server.fail("500", times=3)                 # then down: 1 try + 2 retries
    lines = ["How many daily active users are there?",
             "I would optimise for meaningful engagement like comments and shares, not raw clicks.",
             "What is the latency budget for the feed?"]
    env = dict(os.environ)
    exe = os.path.join(os.path.dirname(sys.executable), "interviewer")
    proc = subprocess.run([exe, "chat", "--problem", "linkedin-feed"],
                          input="\n".join(lines) + "\n", capture_output=True, text=True, env=env, timeout=300)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "saved in" in proc.stdout, out[-2000:]
    assert "Traceback" not in out and TEST_KEY not in out
    assert "did not answer" in out and "HTTP 500" in out and "saved" in out
    assert out.count(server.reply({})) >= 2     # the model phrased the turns before the outage
    assert "answering offline" in out           # and the next turn did not wait for it again
    assert files_containing(interviewer_home, TEST_KEY.encode()) == []
