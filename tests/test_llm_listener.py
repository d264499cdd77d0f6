"""The LLM as listener, against the local OpenAI-compatible server: its hearing drives the
probes, invented quotes and unknown ids are dropped, a failing or garbage server falls back to
the offline listener with a notice (and cools down), the voice never sees the key points, and
``interviewer listen`` names the listener."""

from __future__ import annotations

import json
import re

import pytest

from interviewer.config.settings import Settings
from llm_fakes import StubKnowledge, fake_server, server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow

# Said in the problem stage; the offline listener hears no key point in it (checked below).
VAGUE = "Let me start with the people who open this feed every morning on their phones."


def _listener_requests(server) -> list:
    return [r for r in server.chat_requests() if "<candidate_turn>" in r.all_text]


def _voice_requests(server) -> list:
    return [r for r in server.chat_requests() if (r.body or {}).get("stream")]


def _turn(body: dict) -> str:
    user = "\n".join(str(m.get("content", "")) for m in body.get("messages", []) if m.get("role") == "user")
    return user.split("<candidate_turn>", 1)[1].split("</candidate_turn>", 1)[0].strip()


def _ids(body: dict) -> list[str]:
    """The key point ids listed in the listener's prompt."""
    user = "\n".join(str(m.get("content", "")) for m in body["messages"] if m.get("role") == "user")
    return re.findall(r"^- ([a-z0-9-]+): ", user, re.M)


def affirming(point_id: str, quote=None):
    """A well-behaved listener reply: ``point_id`` affirmed, quoting the turn's first words."""
    def reply(body: dict) -> dict:
        if "<candidate_turn>" not in json.dumps(body):
            return {}
        said = _turn(body)
        q = quote if quote is not None else " ".join(said.split()[:8])
        return {"affirmed": [{"quote": q, "id": point_id}] if point_id in _ids(body) else [], "dismissed": []}
    return reply


@pytest.fixture
def llm_server(server, monkeypatch):
    monkeypatch.setenv("INTERVIEWER_LISTENER", "llm")
    from interviewer.config.settings import reset_settings_cache

    reset_settings_cache()
    return server


def _services(embedder, **kw):
    from interviewer.services import Services

    return Services.from_settings(Settings(), knowledge=StubKnowledge(), embedder=embedder, **kw)


def _first_probe(engine, text: str):
    start = engine.start("linkedin-feed")
    start.text
    reply = engine.take_turn(start.session_id, text)
    reply.text
    return start.session_id, reply


def test_the_llm_hearing_drives_the_probe(llm_server, embedder, monkeypatch):
    from interviewer.listening.llm_listener import LLMListener

    offline = _services(embedder, listener_model=None)          # the same settings, no model to listen
    assert not isinstance(offline.listener(), LLMListener)
    _, plain = _first_probe(offline.engine, VAGUE)
    probed = plain.move.key_point
    assert plain.move.kind == "probe" and probed is not None    # offline: VAGUE covers nothing, so it is probed

    llm_server.structured = affirming(probed.id)
    sv = _services(embedder)
    assert isinstance(sv.listener(), LLMListener) and sv.listener().name == "llm:openai:fake-model"
    sid, reply = _first_probe(sv.engine, VAGUE)
    assert reply.move.kind == "probe" and reply.move.key_point.id != probed.id   # not asked again
    state = sv.engine.state(sid)
    assert probed.id in state.covered["problem"] and state.said[probed.id] == VAGUE
    assert reply.notice is None
    sent = _listener_requests(llm_server)
    assert len(sent) == 1 and VAGUE in sent[0].all_text
    assert set(_ids(sent[0].body)) == {p.id for p in state.problem.points(sv.flow, "problem")}


def test_invented_quotes_and_unknown_ids_are_dropped(llm_server, embedder):
    sv = _services(embedder)
    points = [p for s in sv.flow.stages for p in s.key_points]
    stage = [p.id for p in sv.flow.stage("problem").key_points]
    text = "I'd ask what the business wants to grow here. Then how many members we serve each day."

    def reply(body):
        return {"affirmed": [{"quote": "we will optimise long-term retention", "id": "clarify-objective"},
                             {"quote": "how many members we serve", "id": "no-such-point"},
                             {"quote": "what the business wants", "id": "offline-metrics"},  # not this stage's
                             {"quote": "how many members we serve each day", "id": "clarify-scale"}],
                "dismissed": [{"quote": "grow", "id": "clarify-segment"}]}                # too short to prove anything

    llm_server.structured = reply
    h = sv.listener().hear(text, points, in_stage=stage)
    assert h.listener == "llm:openai:fake-model" and h.notice is None
    assert [(p.point.id, p.evidence) for p in h.affirmed if p.point.id in stage] == [
        ("clarify-scale", "Then how many members we serve each day.")]          # the whole sentence
    assert h.status("clarify-objective") == "absent" and h.status("clarify-segment") == "absent"
    assert sv.listener().last_dropped == 4


def test_garbage_or_a_failing_server_falls_back_offline_with_a_notice(llm_server, embedder):
    from interviewer.listening.llm_listener import LLMListener

    sv = _services(embedder)
    listener = sv.listener()
    assert isinstance(listener, LLMListener)
    points = [p for s in sv.flow.stages for p in s.key_points]
    stage = [p.id for p in sv.flow.stage("metrics").key_points]
    text = "Offline I'd use PR-AUC because positives are rare, and online an A/B test on sessions per member."
    expected = listener.offline.hear(text, points, in_stage=stage)

    llm_server.structured = lambda body: "I think they covered metrics well."    # not JSON, twice
    h = listener.hear(text, points, in_stage=stage)
    assert h.listener == "offline" and "did not listen" in h.notice and "heard offline" in h.notice
    assert [p.point.id for p in h.affirmed] == [p.point.id for p in expected.affirmed]
    assert len(_listener_requests(llm_server)) == 2           # asked again once, told why
    assert listener.cooling.until == 0.0                     # bad output is not a reason to wait

    sv2 = _services(embedder)
    start = sv2.engine.start("linkedin-feed")
    start.text
    llm_server.clear()
    llm_server.fail("500", times=3)                          # one try and two retries: then offline
    reply = sv2.engine.take_turn(start.session_id, VAGUE)
    assert reply.text and "did not listen" in reply.notice and "HTTP 500" in reply.notice
    assert len(_listener_requests(llm_server)) == 3
    again = sv2.engine.take_turn(start.session_id, "I'd ask what the business wants to grow here.")
    assert again.text and "listening offline" in again.notice    # cooling down: no second wait
    assert len(_listener_requests(llm_server)) == 3
    sv2.listener().cooling.until = 0.0                       # the cool-down is over
    llm_server.structured = affirming("clarify-objective")
    back = sv2.engine.take_turn(start.session_id, "What exactly is the business goal for this feed?")
    assert back.notice is None and len(_listener_requests(llm_server)) == 4
    assert "clarify-objective" in sv2.engine.state(start.session_id).covered["problem"]


def test_the_key_points_never_reach_the_voice(llm_server, embedder):
    llm_server.structured = affirming("clarify-objective")
    sv = _services(embedder)
    start = sv.engine.start("linkedin-feed")
    sid = start.session_id
    start.text
    for text in [VAGUE, "How many daily active users are there?",
                 "I'd optimise for meaningful engagement such as comments and shares, not raw clicks.", "/next",
                 "Offline I'd use PR-AUC because positives are rare."]:
        sv.engine.take_turn(sid, text).text
    problem = sv.engine.state(sid).problem
    points = [p for s in sv.flow.stage_ids for p in problem.points(sv.flow, s)]
    heard, spoken = _listener_requests(llm_server), _voice_requests(llm_server)
    assert len(heard) >= 3 and len(spoken) >= 5
    assert any(p.text in heard[0].all_text for p in points)   # the listener is told them ...
    for r in spoken:                                          # ... the voice never is
        assert not any(p.text in r.all_text or f"- {p.id}:" in r.all_text for p in points)
        assert "<candidate_turn>" not in r.all_text


def test_listen_json_names_the_llm_listener(llm_server, embedder):
    from conftest import RootRunner
    from interviewer.cli import app

    text = "We never need to retrain, the model is good."
    llm_server.structured = lambda body: {"affirmed": [],
                                          "dismissed": [{"quote": "We never need to retrain", "id": "retraining"}]}
    runner = RootRunner(lambda: _services(embedder))
    r = runner.invoke(app, ["listen", text, "--stage", "scale", "--problem", "linkedin-feed", "--format", "json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["listener"] == "llm:openai:fake-model" and "notice" not in out
    assert out["dismissed"] == [{"id": "retraining", "evidence": text}]
    assert len(_listener_requests(llm_server)) == 1


def test_the_listener_reads_plain_json_when_the_server_has_no_structured_output(llm_server, embedder):
    llm_server.set_mode("no-structured-output")      # 400 to response_format and tools; JSON in fences
    llm_server.structured = affirming("clarify-objective")
    sv = _services(embedder)
    points = sv.flow.stage("problem").key_points
    h = sv.listener().hear("What exactly is the business goal for this feed?", points)
    assert h.listener.startswith("llm:") and [p.point.id for p in h.affirmed] == ["clarify-objective"]
    assert "Reply with one JSON object" in _listener_requests(llm_server)[-1].all_text


def test_the_listener_is_chosen_by_the_setting_in_one_place(llm_server, embedder, monkeypatch):
    from interviewer.listening.listener import Listener
    from interviewer.listening.llm_listener import LLMListener

    sv = _services(embedder)
    assert isinstance(sv.listener(), LLMListener) and sv.offline_listener() is sv.listener().offline
    monkeypatch.setenv("INTERVIEWER_LISTENER", "offline")
    assert type(_services(embedder).listener()) is Listener
    monkeypatch.setenv("INTERVIEWER_LISTENER", "auto")
    assert isinstance(_services(embedder).listener(), LLMListener)
    monkeypatch.setenv("INTERVIEWER_MODEL", "offline")
    assert type(_services(embedder).listener()) is Listener
