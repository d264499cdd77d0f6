"""The engine on linkedin-feed: facts on request, consistent answers, probes, time, stages, hints,
persistence order, voice failure, bad input, resume."""

from __future__ import annotations

import re

import pytest

from candidates import StrongCandidate
from engine_fixtures import *  # noqa: F401,F403
from interviewer.engine.turn_input import TurnError
from interviewer.services import Services

from interviewer.storage.sessions import UnknownSessionError


def _start(engine):
    r = engine.start("linkedin-feed")
    r.text
    return r.session_id


def test_balance_content_and_ads_gets_that_fact(engine):
    sid = _start(engine)
    fact = engine.state(sid).problem.fact("ads-balance")
    r = engine.take_turn(sid, "ok how do we want to balance content vs ads?")
    assert r.move.kind == "answer_fact" and r.move.fact.id == "ads-balance"
    assert fact.answer.strip() in r.text
    assert engine.state(sid).facts_revealed == ["ads-balance"]


def test_scale_asked_twice_gets_the_same_numbers(engine):
    sid = _start(engine)
    numbers = re.findall(r"\d[\d,.]*\d|\d", engine.state(sid).problem.fact("scale").answer)
    assert len(numbers) >= 2
    a = engine.take_turn(sid, "How many daily active users do we have?").text
    b = engine.take_turn(sid, "Roughly how big is the user base, and how much traffic do we get?").text
    for number in numbers:
        assert number in a and number in b
    assert engine.state(sid).facts_revealed == ["scale"]


def test_unknown_question_is_your_call(engine):
    sid = _start(engine)
    r = engine.take_turn(sid, "Should I use a transformer?")
    assert r.move.kind == "assume" and "assumption" in r.text.lower()
    assert engine.state(sid).facts_revealed == []


def test_answer_with_trailing_question_gets_both(engine):
    sid = _start(engine)
    r = engine.take_turn(sid, "I'd frame it as ranking: for each member and post, predict the probability of "
                              "engagement and sort the feed by it. What's the latency budget?")
    kinds = [m.kind for m in r.moves]
    assert kinds[0] == "answer_fact" and r.moves[0].fact.id == "latency"
    assert kinds[-1] in ("probe", "advance")
    assert engine.state(sid).problem.fact("latency").answer.strip() in r.text


def test_skipped_key_point_is_probed_once_at_most_max_probes(engine):
    sid = _start(engine)
    engine.next_stage(sid).text                         # to metrics
    r = engine.take_turn(sid, "Offline I'd compare models with PR-AUC on a held-out set, since positives are rare.")
    assert r.move.kind == "probe"
    point = r.move.key_point
    assert point.importance == 3 and "online" in point.id     # the online metric was skipped
    assert r.move.probe in point.probes and r.move.probe in r.text
    seen = [point.id]
    max_probes = engine.flow.stage("metrics").max_probes
    for _ in range(max_probes + 2):
        r = engine.take_turn(sid, "Hmm, I'm not sure.")
        if r.move.kind != "probe":
            break
        assert r.move.key_point.id not in seen              # never the same probe twice
        seen.append(r.move.key_point.id)
    assert len(seen) <= max_probes
    assert r.move.kind == "advance" and r.move.reason == "probes_done"
    assert engine.state(sid).probes["metrics"] == seen


def test_time_up_moves_on(engine, clock):
    sid = _start(engine)
    budget = engine.flow.minutes_for("problem", 45) * 60
    clock.advance(budget + 1)
    r = engine.take_turn(sid, "I think we should rank posts with a model.")
    assert r.move.kind == "advance" and r.move.reason == "time_up" and r.stage == "metrics"
    assert "Metrics" in r.text
    assert engine.state(sid).stage_seconds["problem"] == pytest.approx(budget + 1)


def test_shorter_interview_scales_stage_budgets(engine, clock):
    r = engine.start("linkedin-feed", minutes=15)
    r.text
    clock.advance(engine.flow.minutes_for("problem", 15) * 60 + 1)
    assert engine.take_turn(r.session_id, "").move.reason == "time_up"


def test_reaches_all_six_stages_and_ends(engine, clock):
    sid = _start(engine)
    cand = StrongCandidate()
    for _ in range(40):
        clock.advance(60)
        r = engine.take_turn(sid, cand.respond(engine.state(sid).stage, "") or "/end")
        r.text
        if r.ended:
            break
    state = engine.state(sid)
    assert state.stages_visited == list(engine.flow.stage_ids)
    assert state.status == "ended" and state.ended_at is not None
    assert r.move.kind == "end"
    with pytest.raises(TurnError, match="has ended"):
        engine.take_turn(sid, "one more thing")


def test_next_in_last_stage_ends(engine):
    sid = _start(engine)
    for _ in range(5):
        engine.next_stage(sid).text
    assert engine.state(sid).stage == "scale"
    r = engine.next_stage(sid)
    assert r.ended and r.move.kind == "end"


def test_hint_cites_sources_and_is_counted(engine):
    sid = _start(engine)
    engine.next_stage(sid).text
    engine.take_turn(sid, "I'd use accuracy.").text
    r = engine.hint(sid)
    assert r.move.kind == "hint" and r.move.sources
    text = r.text
    for hit in r.move.sources:
        assert hit.source in text and hit.heading.split(" > ")[-1] in text
        assert "metrics" in hit.stages
    state = engine.state(sid)
    assert state.hints_used == 1 and state.hints[0].stage == "metrics"
    assert state.hints[0].sources[0]["source"].endswith(".md")


def test_hint_without_knowledge_base_still_answers(settings, clock, embedder):
    class Down:
        def search(self, *a, **k):
            raise RuntimeError("chroma is down")

    eng = Services.from_settings(settings, knowledge=Down(), clock=clock, embedder=embedder).engine
    sid = eng.start("linkedin-feed").session_id
    r = eng.hint(sid)
    assert r.move.kind == "hint" and not r.move.sources and r.text
    assert "knowledge base is unavailable" in r.notice
    assert eng.state(sid).hints_used == 1


def test_candidate_turn_saved_before_reply_and_reply_saved_by_the_engine(engine):
    """The engine commits the turn and its reply whether or not anyone reads the reply."""
    sid = _start(engine)
    r = engine.take_turn(sid, "How many daily active users do we have?")
    turns = engine.store.turns(sid)
    assert [t.role for t in turns[-2:]] == ["candidate", "interviewer"] and turns[-2].kind == "question"
    assert engine.store.load_state(sid).facts_revealed == ["scale"]   # saved, nothing read yet
    chunks = list(r.stream())
    assert "".join(chunks) == r.text
    turns = engine.store.turns(sid)
    assert turns[-1].role == "interviewer" and turns[-1].text == r.text
    assert turns[-1].meta["moves"][0]["fact_id"] == "scale"
    assert engine.state(sid).facts_revealed == ["scale"]


def test_unfinished_reply_is_completed_by_the_next_turn(engine):
    sid = _start(engine)
    engine.take_turn(sid, "How many daily active users do we have?")     # never read
    engine.take_turn(sid, "What's the latency budget?").text
    roles = [t.role for t in engine.store.turns(sid)]
    assert roles == ["interviewer", "candidate", "interviewer", "candidate", "interviewer"]
    assert engine.state(sid).facts_revealed == ["scale", "latency"]


def test_turns_survive_a_new_engine(engine, settings, clock, embedder, knowledge_base):
    sid = _start(engine)
    engine.take_turn(sid, "How many daily active users do we have?").text
    fresh = Services.from_settings(settings, knowledge=knowledge_base, clock=clock, embedder=embedder).engine
    transcript = fresh.transcript(sid)
    assert [t.role for t in transcript] == ["interviewer", "candidate", "interviewer"]
    assert transcript[1].text == "How many daily active users do we have?"
    assert fresh.state(sid).facts_revealed == ["scale"]
    assert fresh.take_turn(sid, "What's the latency budget?").move.fact.id == "latency"


class FailingVoice:
    name = "openai:gpt-test"

    def speak(self, move, ctx):
        yield "Partial words "
        raise TimeoutError("Request timed out.")


def test_voice_failure_falls_back_offline_and_keeps_the_turn(settings, clock, embedder, knowledge_base):
    eng = Services.from_settings(settings, voice=FailingVoice(), knowledge=knowledge_base, clock=clock, embedder=embedder).engine
    sid = eng.start("linkedin-feed").session_id
    r = eng.take_turn(sid, "How many daily active users do we have?")
    streamed = "".join(r.stream())
    fact = eng.state(sid).problem.fact("scale").answer.strip()
    assert fact in streamed and fact in r.text and "Partial" not in r.text
    assert r.notice.startswith("The model at openai:gpt-test did not answer (timeout); replied offline.")
    assert "Your turn was saved." in r.notice
    turns = eng.store.turns(sid)
    assert [t.role for t in turns[-2:]] == ["candidate", "interviewer"]
    assert turns[-1].text == r.text and "did not answer" in turns[-1].meta["notice"]


def test_bad_input(engine):
    sid = _start(engine)
    before = len(engine.store.turns(sid))
    with pytest.raises(TurnError, match="too long"):
        engine.take_turn(sid, "x" * 1_000_000)
    assert len(engine.store.turns(sid)) == before
    r = engine.take_turn(sid, "\x00\x01\x02")
    assert r.move.kind == "redirect" and r.text
    with pytest.raises(UnknownSessionError, match="unknown session"):
        engine.take_turn("nope", "hello")
    with pytest.raises(KeyError, match="unknown problem"):
        engine.start("no-such-problem")
    with pytest.raises(ValueError, match="between"):
        engine.start("linkedin-feed", minutes=0)


def test_free_text_question(engine):
    r = engine.start(question="Design a spam filter for a large email provider")
    assert r.move.reason == "custom" and "spam filter" in r.text
    q = engine.take_turn(r.session_id, "How many emails per day do we get?")
    assert q.move.kind == "assume" and "assumption" in q.text.lower()


def test_resume_welcomes_back_and_ignores_time_away(engine, clock):
    sid = _start(engine)
    engine.next_stage(sid).text
    clock.advance(3 * 3600)
    r = engine.resume(sid)
    assert r.move.kind == "welcome" and r.move.reason == "resume"
    assert "Metrics" in r.text and r.move.opening in r.text
    assert engine.remaining(sid)["stage"] > 60
    assert engine.take_turn(sid, "").move.reason == "empty"      # not time_up
    engine.end(sid).text
    assert engine.resume(sid).ended


def test_an_answer_given_ahead_is_credited_to_its_stage_and_not_probed_again(engine):
    """Metrics named while framing the problem count for the metrics stage."""
    sid = engine.start(problem_id="card-fraud-detection").session_id
    engine.take_turn(sid, "The goal is to stop fraudulent transactions at authorization. "
                          "Offline I'd use PR-AUC since fraud is well under 1% of transactions, "
                          "and recall at a fixed false positive rate because false declines anger customers.").text
    state = engine.state(sid)
    assert state.stage == "problem"
    assert "offline-metrics" in state.covered.get("metrics", [])
    assert any("PR-AUC" in s for s in state.early.get("metrics", []))
    from interviewer.textutil import sentences

    said = sentences(engine.transcript(sid)[-2].text)
    assert all(s in said for ss in state.early.values() for s in ss)   # whole sentences, not clauses
    engine.next_stage(sid).text
    engine.take_turn(sid, "I would also look at the online fraud loss.").text
    assert "offline-metrics" not in engine.state(sid).probes.get("metrics", [])


@pytest.mark.parametrize("problem_id, answer", [
    # named in the problem's own words: its objective point refines the generic one
    ("video-recommendations", "I would optimise for watch time."),
    ("video-recommendations", "The business goal is to maximise total watch time per user, and I'd frame it "
                              "as ranking videos by predicted watch time."),
    pytest.param("linkedin-feed", "We want to maximise long-term engagement, so I'd rank posts by predicted "
                                  "probability of a meaningful interaction.", marks=pytest.mark.xfail(
        strict=True, reason="neither objective point is heard: the problem's meaningful-engagement point "
                            "scores 0.33 and the generic one 0.35 (threshold 0.55)")),
])
def test_a_stated_objective_is_not_asked_for_again(engine, problem_id, answer):
    """Stating the goal covers it: the interviewer does not ask what the system should optimise."""
    sid = engine.start(problem_id=problem_id).session_id
    reply = engine.take_turn(sid, answer)
    reply.text
    assert "clarify-objective" in engine.state(sid).covered.get("problem", [])
    assert "clarify-objective" not in engine.state(sid).probes.get("problem", [])
    assert "optimiz" not in reply.text.lower() and "ultimately wants" not in reply.text


def test_a_free_text_title_reads_naturally_inside_sentences(engine):
    sid = engine.start(question="Design a spam filter for a large email provider.").session_id
    texts = [engine.resume(sid).text, engine.end(sid).text]
    assert "large email provider" in texts[0], texts                   # both resume lines name it
    assert not any(p in t for t in texts for p in (".,", ".;", "..")), texts


def test_i_dont_know_gets_reassurance_and_another_angle_not_praise(engine):
    sid = engine.start(problem_id="card-fraud-detection").session_id
    reply = engine.take_turn(sid, "I don't know")
    assert reply.move.kind == "probe" and reply.move.reason == "unsure"
    text = reply.text
    assert not text.startswith(("That helps", "Got it", "Thanks")), text
    assert reply.move.probe in text
    # a long answer that hedges once is an answer, probed as usual
    long = engine.take_turn(sid, "I'm not sure about the exact volume, but I'd frame it as binary "
                                 "classification of each transaction at authorization time.")
    assert long.move.reason != "unsure"


def test_generic_points_a_problem_skips_are_never_probed_or_graded(engine, settings):
    """ETA prediction is a regression: no class imbalance, precision/recall or candidate retrieval."""
    sid = engine.start(problem_id="eta-prediction").session_id
    skipped = set(engine.state(sid).problem.skip_points)
    assert {"class-imbalance", "two-stage-architecture"} <= skipped
    for _ in range(6):                       # terse answers draw every probe a stage allows
        for _ in range(4):
            engine.take_turn(sid, "We would use a model.").text
        if engine.state(sid).stage == "scale":
            break
        engine.next_stage(sid).text
    state = engine.state(sid)
    probed = {p for ids in state.probes.values() for p in ids}
    assert len(probed) >= 8 and not probed & skipped, probed
    transcript = " ".join(t.text for t in engine.transcript(sid) if t.role == "interviewer").lower()
    assert "rare positives" not in transcript and "positives are" not in transcript
    points = {k.id: k.text for s in engine.flow.stages for k in s.key_points}
    for stage in ("metrics", "requirements", "design"):
        grade = engine.services.feedback.grade(stage=stage, text="I would predict minutes with gradient boosted trees "
                             "because the features are tabular, and measure MAE.", problem=state.problem)
        missing = {m for c in grade.criteria for m in c.missing}
        assert not missing & {points[p] for p in skipped}, (stage, missing)


def test_a_hint_looks_up_the_missed_point_not_the_stage_name(engine):
    """ETA requirements: the first missed point is real-time features, so the hint cites guidance
    on features or real-time serving rather than the generic guide to the interview's stages."""
    sid = engine.start(problem_id="eta-prediction").session_id
    engine.next_stage(sid).text
    engine.next_stage(sid).text
    reply = engine.hint(sid)
    reply.text
    sources = [h.source for h in reply.move.sources]
    assert sources and "interview-flow.md" not in sources[:2], sources
    assert any(s in ("features-and-embeddings.md", "serving-latency-caching.md") for s in sources), sources


def test_an_either_or_question_the_prompt_answers_is_not_your_call(engine):
    sid = engine.start(problem_id="eta-prediction").session_id
    reply = engine.take_turn(sid, "Is this ETA for food delivery or ride hailing?")
    assert reply.move.kind == "assume" and reply.move.reason == "statement"
    assert "food delivery" in reply.text and "prompt" in reply.text
    other = engine.take_turn(sid, "Is this for web or mobile?")          # the prompt does not say
    assert other.move.kind == "assume" and other.move.reason is None and "your call" in other.text.lower()


@pytest.mark.parametrize("question, option", [
    ("Is this ETA for food delivery or ride hailing?", "food delivery"),
    ("Is it for the customers or the couriers?", "customers"),
    ("Are we building this for restaurants or customers?", "customers"),
    ("Is this for web or mobile?", None),               # neither side is in the statement
    ("Should we optimise for speed or accuracy?", None),  # not a question about what the product is
    ("Is this for food or for delivery?", None),        # both sides are: the statement does not decide
])
def test_option_in_statement(question, option):
    from interviewer.engine.statement_scope import option_in_statement

    statement = ("Our food delivery app shows customers an estimated delivery time before they order. "
                 "Design a system that predicts delivery times.")
    assert option_in_statement(statement, question) == option
