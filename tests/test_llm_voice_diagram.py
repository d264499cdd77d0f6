"""The LLM voice wording a diagram probe, over HTTP against the local fake OpenAI-compatible
server: the request carries the probe the engine chose, the instruction that it is about the
candidate's diagram, the diagram itself and the stage; never a key point id or its text."""

from __future__ import annotations

import pytest

from interviewer.config.settings import Settings
from llm_fakes import StubKnowledge, fake_server, server  # noqa: F401  (fixtures)
from test_diagram_checks import BOX

pytestmark = pytest.mark.slow

WORDED = "Nice sketch. Every request goes straight to the model, though: how do you narrow millions of posts first?"


def _reply(body: dict) -> str:
    text = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
    return WORDED if "drew their design as a diagram" in text else "Let us keep going."


@pytest.fixture
def engine(server, embedder):
    from interviewer.services import Services

    return Services.from_settings(Settings(), knowledge=StubKnowledge(), embedder=embedder).engine


def test_the_llm_voice_words_the_diagram_probe_from_what_it_needs_only(engine, server):
    from interviewer.diagram import load_roles
    from interviewer.voice.llm_voice import LLMVoice

    assert isinstance(engine.voice, LLMVoice)
    server.reply = _reply
    sid = engine.start("linkedin-feed").session_id
    flow = engine.flow
    design = next(s for s in flow.stages if s.diagram)
    while engine.state(sid).stage != design.id:
        engine.next_stage(sid).text
    server.clear()

    sent = f"My design:\n\n```mermaid\n{BOX}\n```"
    reply = engine.take_turn(sid, sent)
    text = reply.text
    probe = next(m for m in reply.moves if m.kind == "probe")
    assert probe.reason == "diagram" and probe.key_point is not None
    funnel = load_roles().vocab.probes["funnel"]
    assert probe.probe == funnel.ask["no_candidates"] and probe.key_point.id == funnel.key_point

    asked = [r for r in server.chat_requests() if "drew their design as a diagram" in r.all_text]
    assert len(asked) == 1, [r.all_text[-300:] for r in server.chat_requests()]
    seen = asked[0].all_text
    assert funnel.ask["no_candidates"] in seen                   # the question the engine chose
    assert "user --> server --> model --> database" in seen      # the diagram, as the candidate sent it
    assert design.name in seen                                   # the stage it is asked in
    # the reply is the model's wording, streamed into the chat and saved as the interviewer's turn
    assert WORDED in text and reply.notice is None
    assert engine.store.turns(sid)[-1].text == text

    # never the key points: no id of any key point of the flow or problem, no key point text or cue
    problem = engine.state(sid).problem
    points = [p for s in flow.stages for p in problem.points(flow, s.id)]
    for r in server.chat_requests():
        body = r.all_text
        leaked = [p.id for p in points if p.id in body]
        assert not leaked, leaked
        assert probe.key_point.text not in body
        assert not any(c in body for c in probe.key_point.cues)
        assert "no_candidates" not in body and "logging_loop" not in body   # nor the checks' own ids
