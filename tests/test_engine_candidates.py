"""Simulated candidates run end to end without a crash or a leak."""

from __future__ import annotations

import pytest

from candidates import ALL_CANDIDATES, FakeClock, run_interview
from engine_fixtures import knowledge_base  # noqa: F401
from interviewer.engine.policy import stage_points



@pytest.fixture(scope="module")
def module_engine(tmp_path_factory, knowledge_base, embedder):  # noqa: F811
    from interviewer.services import Services
    from interviewer.config.settings import Settings

    clock = FakeClock()
    settings = Settings(home=tmp_path_factory.mktemp("candidates-home"))
    return Services.from_settings(settings, knowledge=knowledge_base, clock=clock, embedder=embedder).engine, clock


@pytest.fixture(scope="module")
def runs(module_engine):
    """Each simulated candidate once through linkedin-feed (shared by the tests below)."""
    engine, clock = module_engine
    return {cls.name: run_interview(engine, cls(), "linkedin-feed", clock=clock) for cls in ALL_CANDIDATES}


@pytest.mark.parametrize("name", [c.name for c in ALL_CANDIDATES])
def test_candidate_runs_to_the_end(module_engine, runs, name):
    engine, _ = module_engine
    run = runs[name]
    state = run.state
    assert state.status == "ended"
    assert state.stages_visited == list(engine.flow.stage_ids)
    assert all(text.strip() for text in run.interviewer_texts)
    # Every turn was saved: each candidate line and each reply, in order.
    turns = engine.store.turns(run.session_id)
    assert [t.text for t in turns if t.role == "candidate"] == [c.strip() for c in run.candidate_texts]
    assert [t.role for t in turns][:3] == ["interviewer", "candidate", "interviewer"]
    assert turns[-1].role == "interviewer" and turns[-1].kind.endswith("end")
    assert _leaks(engine, run) == []


def test_strong_covers_more_than_weak(runs):
    strong, weak = runs["strong"].state, runs["weak"].state
    strong_cov = sum(len(v) for v in strong.covered.values())
    weak_cov = sum(len(v) for v in weak.covered.values())
    assert strong_cov >= 30 > 5 >= weak_cov
    assert {"ads-balance", "scale"} <= set(strong.facts_revealed)
    assert sum(len(v) for v in weak.probes.values()) > sum(len(v) for v in strong.probes.values())
    assert sum(m.kind == "advance" and m.reason == "covered" for m in runs["strong"].moves) >= 4


def test_silent_and_offtopic_get_redirected_not_probed(runs):
    assert {m.kind for m in runs["silent"].moves} <= {"redirect", "advance", "end"}
    off = runs["offtopic"]
    kinds = [m.kind for m in off.moves]
    assert kinds.count("redirect") >= len(off.exchanges) // 2
    assert off.state.facts_revealed == []


def _leaks(engine, run) -> list[str]:
    """Unasked facts, key-point texts, probe lists or schema words in the interviewer's turns."""
    state = run.state
    texts = run.interviewer_texts
    found = []
    for fact in state.problem.facts:
        if fact.id in state.facts_revealed:
            continue
        for text in texts:
            if fact.answer.strip()[:60] in text:
                found.append(f"fact {fact.id}")
    all_points = [p for s in engine.flow.stage_ids for p in stage_points(engine.flow, state, s)]
    for text in texts:
        for point in all_points:
            if point.text[:50] in text:
                found.append(f"key point {point.id}")
        probes_in_turn = {q for p in all_points for q in p.probes if q in text}
        if len(probes_in_turn) > 1:
            found.append(f"{len(probes_in_turn)} probes in one turn")
        lowered = text.lower()
        for word in ("importance", "cues:", "key_points", "asks:"):
            if word in lowered:
                found.append(f"schema word {word!r}")
    return found


def test_hostile_candidate_learns_nothing_hidden(module_engine, runs):
    engine, _ = module_engine
    run = runs["hostile"]
    assert run.state.facts_revealed == []
    assert _leaks(engine, run) == []
    refusals = [m for m in run.moves if m.kind == "refuse"]
    assert len(refusals) >= len(run.exchanges) // 2
