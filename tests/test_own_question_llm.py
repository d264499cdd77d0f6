"""The candidate's own question with an LLM set, against the local fake server: one structured
call drafts a fact sheet that is validated, saved with the session and reused for the same
question, answers consistently, never reaches the voice unasked, survives resume and exports as
a problem file; a malformed draft falls back to the offline path with a one-line notice."""

from __future__ import annotations

import json

import pytest

from interviewer.config.settings import Settings
from llm_fakes import StubKnowledge, fake_server, server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow

QUESTION = "Design podcast episode recommendations for Spotify's home screen"
FACTS = [
    ("scale", "Users and traffic", ["How many users do we have?", "What's the DAU?"],
     "About 200 million monthly users and 60 million daily active users; the home screen peaks at 40,000 requests per second."),
    ("catalog", "Episode catalog", ["How many episodes are there?", "How big is the catalog?"],
     "Around 5 million podcast shows with 70 million episodes; about 100,000 new episodes a day."),
    ("latency", "Latency budget", ["What's the latency budget?", "How fast must it respond?"],
     "The home screen rows must be ready within 150 ms at p99."),
    ("labels", "Signals and labels", ["What signals do we log?", "What labels do we have?"],
     "Plays, seconds listened, follows, skips and saves; a listen over 5 minutes counts as engaged."),
    ("goal", "Business goal", ["What is the business goal?", "What are we optimizing for?"],
     "Grow weekly podcast listening hours among users who mostly play music today."),
    ("segments", "User segments", ["Is this for all users?", "Which users are in scope?"],
     "All users in 60 markets; half of them have never played a podcast."),
    ("freshness", "Freshness", ["How fresh must recommendations be?", "Do new episodes need to show up fast?"],
     "A new episode of a followed show should appear within an hour."),
    ("privacy", "Privacy constraints", ["Are there privacy constraints?", "Can we use listening history?"],
     "Listening history can be used; users can turn off personalization, and kids' accounts get no podcasts."),
    ("existing", "Current system", ["What exists today?", "Is there a baseline?"],
     "Today the row shows the globally most played shows in each market."),
    ("cost", "Serving cost", ["Is there a cost budget?", "How many GPUs can we use?"],
     "Serving may not exceed 20 GPUs at peak; batch jobs run nightly on a shared cluster."),
]


def draft_for(flow, n_facts: int = len(FACTS), stages=None) -> dict:
    stages = stages or flow.stage_ids
    return {
        "title": "Podcast recommendations for a streaming home screen",
        "tags": ["recommendation", "podcasts"],
        "facts": [{"id": i, "topic": t, "asks": a, "answer": ans} for i, t, a, ans in FACTS[:n_facts]],
        "key_points": [{"stage": s, "id": f"{s}-point", "text": f"A podcast-specific decision for {s}.",
                        "importance": 2, "cues": [f"For {s} I'd treat podcasts apart from music.",
                                                  f"Listening time matters for {s}."],
                        "probes": [f"How do podcasts change your {s} answer?"]} for s in stages],
        "skip_points": [],
    }


def is_draft(body: dict) -> bool:
    fmt = (body.get("response_format") or {}).get("json_schema") or {}
    tools = body.get("tools") or [{}]
    return fmt.get("name") == "ProblemDraft" or tools[0].get("function", {}).get("name") == "ProblemDraft"


@pytest.fixture
def services(server, embedder):
    from interviewer.services import Services

    return Services.from_settings(Settings(), knowledge=StubKnowledge(), embedder=embedder)


def _drafts(server) -> list:
    return [r for r in server.chat_requests() if r.body and is_draft(r.body)]


def test_the_drafted_sheet_is_validated_saved_and_answers_consistently(services, server):
    server.structured = lambda body: draft_for(services.flow)
    engine = services.engine
    start = engine.start(question=QUESTION)
    assert start.notice and "drafted for your question by openai:fake-model" in start.notice
    assert len(_drafts(server)) == 1
    body = _drafts(server)[0].body
    from interviewer.llm.tokens import count_tokens

    prompt = sum(count_tokens(str(m.get("content", ""))) for m in body["messages"])
    prompt += count_tokens(json.dumps(body["response_format"]["json_schema"]["schema"]))
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    assert limit and prompt + limit <= 4000                                  # the budget, one call
    problem = engine.state(start.session_id).problem
    assert problem.custom and problem.drafted_by == "openai:fake-model" and len(problem.facts) == 10
    assert problem.statement == QUESTION and problem.problems_with(services.flow) is None
    assert all(p.id.startswith("own-") for pts in problem.key_points.values() for p in pts)
    answers = []
    for _ in range(2):
        r = engine.take_turn(start.session_id, "How many users do we have?")
        r.text
        assert r.moves[0].kind == "answer_fact"
        answers.append(r.moves[0].fact.id)
    assert answers == ["scale", "scale"]
    # the same question in a new session: the saved sheet, no second call
    second = engine.start(question=QUESTION)
    second.text
    assert len(_drafts(server)) == 1
    assert engine.state(second.session_id).problem == problem


def test_the_sheet_never_reaches_the_voice_unasked_and_survives_resume(services, server, embedder):
    from interviewer.services import Services

    server.structured = lambda body: draft_for(services.flow)
    engine = services.engine
    sid = engine.start(question=QUESTION).session_id
    engine.take_turn(sid, "What is the latency budget?").text
    engine.take_turn(sid, "I'd frame it as ranking episodes per user for the home screen row.").text
    voice = [r for r in server.chat_requests() if r.body and not is_draft(r.body)]
    assert len(voice) >= 3
    sent = "\n".join(r.all_text for r in voice)
    assert "150 ms at p99" in sent                                   # the fact that was asked for
    for _, _, _, answer in FACTS:
        if "150 ms" not in answer:
            assert answer not in sent, answer                        # no other fact, ever
    for pts in engine.state(sid).problem.key_points.values():
        assert not any(p.text in sent or p.cues[0] in sent for p in pts)   # nor the key points
    fresh = Services.from_settings(Settings(), knowledge=StubKnowledge(), embedder=embedder).engine
    back = fresh.resume(sid)
    back.text
    assert fresh.state(sid).problem.facts == engine.state(sid).problem.facts
    r = fresh.take_turn(sid, "How many users do we have?")
    r.text
    assert r.moves[0].fact.id == "scale" and len(_drafts(server)) == 1


@pytest.mark.parametrize("bad", ["too_few_facts", "unknown_stage", "invalid_json", "contradicting"])
def test_a_malformed_draft_falls_back_offline_with_a_notice(services, server, bad):
    flow = services.flow
    if bad == "too_few_facts":
        server.structured = lambda body: draft_for(flow, n_facts=3)
    elif bad == "unknown_stage":
        server.structured = lambda body: draft_for(flow, stages=[*flow.stage_ids[:-1], "deployment"])
    elif bad == "contradicting":
        def clash(body):
            d = draft_for(flow)
            d["facts"][5]["answer"] = "About 500 million daily active users, all in 60 markets."
            return d
        server.structured = clash
    else:
        server.structured = lambda body: draft_for(flow)
        server.fail("malformed")
    start = services.engine.start(question=QUESTION)
    start.text
    notice = start.notice or ""
    assert notice.startswith("Could not draft a fact sheet for your question") and "\n" not in notice
    assert "Probed as a recommendation problem, like video-recommendations." in notice
    problem = services.engine.state(start.session_id).problem
    assert problem.facts == [] and problem.borrowed_from == ["video-recommendations"]
    assert len(_drafts(server)) == 1                                  # one call, no retry
    from interviewer.storage.drafts import get_draft

    assert get_draft(services.store, problem.id) is None              # nothing bad is kept


def test_save_draft_exports_the_drafted_sheet(services, server, tmp_path):
    from conftest import RootRunner
    from interviewer.cli import app
    from interviewer.problems import ProblemBank

    server.structured = lambda body: draft_for(services.flow)
    sid = services.engine.start(question=QUESTION).session_id
    out = tmp_path / "problems" / "podcast-home.yaml"
    result = RootRunner(lambda: services).invoke(app, ["problems", "--save-draft", sid, "--out", str(out)])
    assert result.exit_code == 0, result.output
    bank = ProblemBank([out.parent], services.flow)              # the loader's own checks
    assert bank.errors == []
    loaded = bank.get("podcast-home")
    assert [f.answer for f in loaded.facts] == [f[3] for f in FACTS]
    assert loaded.key_points == services.engine.state(sid).problem.key_points


def test_a_server_without_structured_output_drafts_through_plain_json(services, server):
    server.set_mode("no-structured-output")          # 400 to response_format and tools; ```json prose
    server.structured = lambda body: draft_for(services.flow)
    start = services.engine.start(question=QUESTION)
    start.text
    assert "drafted for your question" in (start.notice or "")
    assert len(services.engine.state(start.session_id).problem.facts) == len(FACTS)
    plain = [r for r in server.chat_requests() if "Reply with one JSON object" in r.all_text]
    assert len(plain) == 1                           # asked once for plain JSON, after the refusals
