"""The policy on what the listener heard: dismissals are challenged, what was said is not asked
for again, points are credited to their own stage wherever they are said, and /next right
after the interviewer moved on by itself asks once before skipping."""

from __future__ import annotations

import pytest

from engine_fixtures import *  # noqa: F401,F403


def _to_stage(engine, sid, stage):
    while engine.state(sid).stage != stage:
        engine.take_turn(sid, "/next").text


def test_a_dismissal_is_challenged_with_the_candidate_s_own_words(engine):
    sid = engine.start("card-fraud-detection").session_id
    _to_stage(engine, sid, "scale")
    r = engine.take_turn(sid, "We never need to retrain, the model is good.")
    assert r.move.kind == "challenge" and r.move.key_point.id == "retraining"
    assert "We never need to retrain" in r.text
    state = engine.state(sid)
    assert "retraining" in state.dismissed["scale"] and "retraining" not in state.covered.get("scale", [])


def test_what_was_said_in_the_stage_is_never_probed(engine):
    sid = engine.start("linkedin-feed").session_id
    _to_stage(engine, sid, "metrics")
    r = engine.take_turn(sid, "Online, an A/B test on sessions per member, with hides and unfollows as guardrails.")
    heard = set(engine.state(sid).covered.get("metrics", []))
    assert {"ab-testing", "guardrail-metrics"} <= heard
    for _ in range(3):
        if r.move.kind != "probe":
            break
        assert r.move.key_point.id not in heard
        r = engine.take_turn(sid, "I'm not sure.")


def test_a_later_stage_point_said_early_is_credited_to_its_stage(engine):
    sid = engine.start("linkedin-feed").session_id
    engine.take_turn(sid, "What's the business goal, engagement or revenue? And we'd need p99 latency "
                          "under 100 milliseconds, with a popular-posts fallback if the ranker times out.").text
    state = engine.state(sid)
    assert "latency-availability" in state.covered.get("requirements", [])
    assert any("100 milliseconds" in s for s in state.early.get("requirements", []))


def test_next_right_after_the_interviewer_moved_on_asks_once(engine, clock):
    sid = engine.start("linkedin-feed").session_id
    clock.advance(60 * 60)                      # the stage's time is up: the interviewer moves on
    r = engine.take_turn(sid, "What's the business goal here?")
    assert r.moves[-1].kind == "advance" and engine.state(sid).stage == "metrics"
    first = engine.take_turn(sid, "/next")
    assert first.move.kind == "redirect" and first.move.reason == "confirm_skip"
    assert engine.state(sid).stage == "metrics"
    second = engine.take_turn(sid, "/next")
    assert second.move.kind == "advance" and engine.state(sid).stage == "requirements"


class _Unsure:
    """The real listener, except that nothing it hears as dismissed is sure enough to challenge."""

    def __init__(self, listener):
        self.inner, self.name = listener, listener.name

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def hear(self, *args, **kwargs):
        h = self.inner.hear(*args, **kwargs)
        for p in h.points:
            p.challenge = False
        return h


def test_a_dismissal_heard_unsurely_is_neither_credited_nor_challenged(settings, clock, knowledge_base, embedder):
    from interviewer.services import Services

    real = Services.from_settings(settings, knowledge=knowledge_base, embedder=embedder).listener()
    engine = Services.from_settings(settings, knowledge=knowledge_base, clock=clock, embedder=embedder,
                                    listener=_Unsure(real)).engine
    sid = engine.start("card-fraud-detection").session_id
    _to_stage(engine, sid, "scale")
    r = engine.take_turn(sid, "We never need to retrain, the model is good.")
    assert real.hear("We never need to retrain, the model is good.",
                     engine.flow.stage("scale").key_points).status("retraining") == "dismissed"
    assert r.move.kind != "challenge"
    state = engine.state(sid)
    assert "retraining" not in state.dismissed.get("scale", []) and "retraining" not in state.covered.get("scale", [])
