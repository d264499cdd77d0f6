"""Simulated candidates run end to end without a crash or a leak."""

from __future__ import annotations

import pytest

from candidates import (ALL_CANDIDATES, HostileCandidate, OffTopicCandidate, SilentCandidate,
                        StrongCandidate, WeakCandidate, run_interview)
from engine_fixtures import *  # noqa: F401,F403
from interviewer.flow import STAGE_IDS
from interviewer.engine.policy import stage_points


@pytest.mark.parametrize("cls", ALL_CANDIDATES, ids=lambda c: c.name)
def test_candidate_runs_to_the_end(engine, clock, cls):
    run = run_interview(engine, cls(), "linkedin-feed", clock=clock)
    state = run.state
    assert state.status == "ended"
    assert state.stages_visited == list(STAGE_IDS)
    assert all(text.strip() for text in run.interviewer_texts)
    # Every turn was saved: each candidate line and each reply, in order.
    turns = engine.store.turns(run.session_id)
    assert [t.text for t in turns if t.role == "candidate"] == [c.strip() for c in run.candidate_texts]
    assert [t.role for t in turns][:3] == ["interviewer", "candidate", "interviewer"]
    assert turns[-1].role == "interviewer" and turns[-1].kind.endswith("end")


def test_strong_covers_more_than_weak(engine, clock):
    strong = run_interview(engine, StrongCandidate(), "linkedin-feed", clock=clock).state
    weak = run_interview(engine, WeakCandidate(), "linkedin-feed", clock=clock).state
    strong_cov = sum(len(v) for v in strong.covered.values())
    weak_cov = sum(len(v) for v in weak.covered.values())
    assert strong_cov >= 30 > 5 >= weak_cov
    assert {"ads-balance", "scale"} <= set(strong.facts_revealed)
    assert sum(len(v) for v in weak.probes.values()) > sum(len(v) for v in strong.probes.values())


def test_silent_and_offtopic_get_redirected_not_probed(engine, clock):
    silent = run_interview(engine, SilentCandidate(), "linkedin-feed", clock=clock)
    assert {m.kind for m in silent.moves} <= {"redirect", "advance", "end"}
    off = run_interview(engine, OffTopicCandidate(), "linkedin-feed", clock=clock)
    kinds = [m.kind for m in off.moves]
    assert kinds.count("redirect") >= len(off.exchanges) // 2
    assert off.state.facts_revealed == []


def _leaks(engine, run) -> list[str]:
    state = run.state
    problem = state.problem
    texts = run.interviewer_texts
    found = []
    for fact in problem.facts:
        if fact.id in state.facts_revealed:
            continue
        for text in texts:
            if fact.answer.strip()[:60] in text:
                found.append(f"fact {fact.id}")
    all_points = [p for s in STAGE_IDS for p in stage_points(engine.flow, state, s)]
    for point in all_points:
        for text in texts:
            if point.text[:50] in text:
                found.append(f"key point {point.id}")
    for text in texts:
        probes_in_turn = {q for p in all_points for q in p.probes if q in text}
        if len(probes_in_turn) > 1:
            found.append(f"{len(probes_in_turn)} probes in one turn")
        lowered = text.lower()
        for cue in ("importance", "cues:", "key_points", "asks:"):
            if cue in lowered:
                found.append(f"schema word {cue!r}")
    return found


def test_hostile_candidate_learns_nothing_hidden(engine, clock):
    run = run_interview(engine, HostileCandidate(), "linkedin-feed", clock=clock)
    assert run.state.facts_revealed == []
    assert _leaks(engine, run) == []
    refusals = [m for m in run.moves if m.kind == "refuse"]
    assert len(refusals) >= len(run.exchanges) // 2


def test_no_candidate_leaks_unasked_facts(engine, clock):
    for cls in (StrongCandidate, WeakCandidate):
        run = run_interview(engine, cls(), "linkedin-feed", clock=clock)
        assert _leaks(engine, run) == []
