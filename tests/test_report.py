"""The interview report, built from real sessions driven through the engine by simulated candidates."""

from __future__ import annotations

import json

import pytest

from candidates import Candidate, HostileCandidate, StrongCandidate, WeakCandidate, run_interview
from engine_fixtures import *  # noqa: F401,F403
from llm_fakes import StubKnowledge

KEYS = {"session_id", "problem", "stages", "overall", "cross_stage", "facts_revealed", "facts_missed",
        "hints_used", "hints", "transcript", "study_next", "duration_minutes"}


class HintThenShortCandidate(Candidate):
    """Asks for two hints, answers the problem and metrics stages briefly, then ends."""

    script = {
        "problem": ["/hint", "What is the business objective? How many daily active users do we have?"],
        "metrics": ["/hint", "I'd use PR-AUC offline because likes are rare, and an A/B test online.", "/end"],
    }


def _report(engine, run, **kw):
    return engine.services.reports.build(run.session_id, knowledge=StubKnowledge(), **kw)


def test_strong_candidate_beats_weak_candidate(settings, engine, clock):
    strong = _report(engine, run_interview(engine, StrongCandidate(), "linkedin-feed", clock=clock))
    weak = _report(engine, run_interview(engine, WeakCandidate(), "linkedin-feed", clock=clock))
    data = strong.to_json()
    assert KEYS <= set(data)
    assert data["problem"] == {"id": "linkedin-feed", "title": strong.problem["title"]}
    assert [s["id"] for s in data["stages"]] == ["problem", "metrics", "requirements", "models", "design", "scale"]
    assert strong.overall["score"] > weak.overall["score"]
    order = ["no hire", "lean no hire", "lean hire", "strong hire"]
    assert order.index(strong.overall["level"]) > order.index(weak.overall["level"])
    assert strong.overall["reasons"] and weak.overall["reasons"]
    assert len(strong.facts_revealed) > len(weak.facts_revealed)
    assert {f["id"] for f in data["facts_revealed"]} and all({"id", "topic", "answer"} <= set(f)
                                                            for f in data["facts_revealed"])
    assert len(data["facts_revealed"]) + len(data["facts_missed"]) == 13 or data["facts_missed"]
    assert {c["id"] for c in data["cross_stage"]} == {"structure-communication", "trade-offs",
                                                      "driving-the-interview", "clarifying-questions"}


def test_evidence_quotes_the_candidate_in_that_stage(settings, engine, clock):
    run = run_interview(engine, StrongCandidate(), "linkedin-feed", clock=clock)
    report = _report(engine, run)
    said = {s: " ".join(t["text"] for t in report.transcript if t["role"] == "candidate" and t["stage"] == s)
            for s in ("problem", "metrics", "requirements", "models", "design", "scale")}
    # what was said earlier but credited to a later stage ahead of time counts for that stage
    ahead = {s: " ".join(v) for s, v in run.state.early.items()}
    quotes = 0
    for stage in report.stages:
        for c in stage.criteria:
            for q in c.evidence:
                assert q in said[stage.id] or q in ahead.get(stage.id, ""), (stage.id, q)
                quotes += 1
    assert quotes >= 6
    interviewer_lines = [t for t in report.transcript if t["role"] == "interviewer"]
    assert interviewer_lines and all(set(t) == {"role", "text", "stage"} for t in report.transcript)


def test_unreached_stages_score_one_and_hints_cost(settings, engine, clock):
    run = run_interview(engine, HintThenShortCandidate(), "linkedin-feed", clock=clock)
    report = _report(engine, run)
    unreached = [s for s in report.stages if not s.reached]
    assert unreached and all(s.score == 1 and s.note == "stage not reached" for s in unreached)
    assert report.hints_used == 2 and len(report.hints) == 2
    # each hint says what it pointed at (a key point or the stage goal), not the search query
    from interviewer.engine.policy import stage_points
    from interviewer.flow import load_flow
    from interviewer.report.build import render_markdown

    flow = load_flow(settings.prompts_dir)
    for h in report.hints:
        points = stage_points(flow, run.state, h["stage"])
        assert set(h) == {"stage", "topic", "sources"}
        assert h["topic"] in [k.text for k in points] + [flow.stage(h["stage"]).goal]
    md = render_markdown(report)
    section = md.split("## Hints")[1].split("## Study next")[0]
    assert all(f"on: {h['topic']}" in section for h in report.hints)
    assert f"{flow.stage('problem').name}. " not in section   # the query starts "<stage name>. "
    mean = sum(s.score for s in report.stages) / 6
    assert report.overall["score"] == pytest.approx(max(1.0, mean - 0.2), abs=0.01)
    assert any("hint" in r for r in report.overall["reasons"])
    assert report.overall["level"] in ("no hire", "lean no hire")


def test_hostile_candidate_gets_no_credit(settings, engine, clock):
    report = _report(engine, run_interview(engine, HostileCandidate(), "video-recommendations", clock=clock))
    assert report.overall["level"] == "no hire"
    assert all(s.score == 1 for s in report.stages)


def test_report_is_saved_and_reused(settings, engine, clock):
    from interviewer.storage.sessions import open_store

    run = run_interview(engine, WeakCandidate(), "card-fraud-detection", clock=clock)
    first = _report(engine, run)
    store = open_store(settings)
    try:
        saved = store.get_report(run.session_id)
    finally:
        store.close()
    assert saved == json.loads(json.dumps(first.to_json()))

    class Exploding:
        def search(self, *a, **k):
            raise AssertionError("a saved report must not be graded again")

    again = engine.services.reports.build("latest", knowledge=Exploding())
    assert again.to_json() == first.to_json()


def test_markdown_export(settings, engine, clock):
    from interviewer.report.build import render_markdown

    report = _report(engine, run_interview(engine, StrongCandidate(), "linkedin-feed", clock=clock))
    md = render_markdown(report)
    for heading in ("# Interview report", "## Overall:", "## Metrics", "## Facts", "## Hints", "## Study next",
                    "## Transcript"):
        assert heading in md
    assert report.overall["level"] in md
    assert report.stages[1].criteria[0].evidence[0].split()[0] in md


def test_the_report_never_asks_for_what_the_interview_accepted(settings, engine, clock):
    """Key points the interviewer counted as covered are not listed as missing in the report."""
    from interviewer.engine.policy import stage_points
    from interviewer.flow import load_flow
    sid = engine.start("linkedin-feed").session_id
    for line in ("North star metric?",
                 "The goal is long-term engagement: I'd rank posts by the predicted probability of a "
                 "meaningful interaction like a comment or share, rather than clicks.",
                 "/next",
                 "Offline I'd use PR-AUC per action since positives are rare, and online an A/B test on "
                 "sessions with engagement, with hides and unfollows as guardrails.",
                 "/end"):
        engine.take_turn(sid, line).text
    state = engine.state(sid)
    report = engine.services.reports.build(sid, knowledge=StubKnowledge())
    flow = load_flow(settings.prompts_dir)
    checked = 0
    for stage in report.stages:
        texts = {p.id: p.text for p in stage_points(flow, state, stage.id)}
        for pid in state.covered.get(stage.id, []):
            point = texts[pid]
            assert all(point not in c.missing for c in stage.criteria), (stage.id, pid)
            assert all(point[1:40].lower() not in imp.lower() for imp in stage.improvements), (stage.id, pid)
            checked += 1
    assert checked >= 3 and "clarify-objective" in state.covered["problem"]


def test_study_next_spreads_over_guides():
    """No more than two sections of one guide come before other guides' sections."""
    from interviewer.grading.grades import SourceRef
    from interviewer.report.build import spread

    refs = [SourceRef(source=f, heading=h) for f, h in
            [("a.md", "1"), ("a.md", "2"), ("a.md", "3"), ("a.md", "4"), ("b.md", "1"), ("c.md", "1")]]
    assert [(r.source, r.heading) for r in spread(refs, 2)] == [
        ("a.md", "1"), ("a.md", "2"), ("b.md", "1"), ("c.md", "1"), ("a.md", "3"), ("a.md", "4")]
    assert spread(refs[:4], 2) == refs[:4]                 # one guide only: order kept


def test_the_markdown_and_the_page_draw_one_layout(settings, engine, clock):
    from interviewer.report.build import render_markdown
    from interviewer.report.layout import report_layout

    run = run_interview(engine, HintThenShortCandidate(), "linkedin-feed", clock=clock)
    report = _report(engine, run)
    layout = report_layout(report)
    flow = engine.flow
    assert [s.id for s in layout.stages] == list(flow.stage_ids)
    assert [s.position for s in layout.stages] == list(range(1, len(flow.stages) + 1))
    assert layout.headline.facts_total == len(run.state.problem.facts)
    assert layout.headline.facts_drawn == len(report.facts_revealed) and layout.headline.hints_used == 2
    assert [h.stage_name for h in layout.hints] == [flow.stage(h["stage"]).name for h in report.hints]
    md = render_markdown(report)
    for s in layout.stages:
        assert f"## {s.name} — {s.score}/4 ({s.label})" in md
    for h in layout.hints:
        assert all(c in md for c in h.cites)
