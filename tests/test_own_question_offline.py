"""The candidate's own question offline: key points borrowed from the most similar bank problem
(never its facts), shown at the start and in the report; a contradicted assumption pointed out
once; the session's sheet exported as a problem file that loads back."""

from __future__ import annotations

from pathlib import Path

import pytest

from candidates import FakeClock

PODCASTS = "Design a system that recommends podcasts episodes to Spotify users on the home screen"
UNRELATED = "Design a speech recognition system for a voice assistant"


@pytest.fixture
def services(settings, embedder):
    from interviewer.services import Services

    return Services.from_settings(settings, knowledge=None, clock=FakeClock(), embedder=embedder)


@pytest.fixture
def engine(services):
    return services.engine


def test_a_podcast_question_is_probed_on_the_recommender_points_never_its_facts(engine):
    start = engine.start(question=PODCASTS)
    assert start.notice == "Probed as a recommendation problem, like video-recommendations."
    problem = engine.state(start.session_id).problem
    bank = engine.bank.get("video-recommendations")
    assert problem.custom and problem.borrowed_from == ["video-recommendations"]
    assert problem.key_points == bank.key_points and problem.skip_points == bank.skip_points
    assert problem.facts == [] and problem.statement == PODCASTS        # never another product's numbers
    r = engine.take_turn(start.session_id, "How many users and episodes do we have?")
    assert r.move.kind == "assume"                                      # no fact: the candidate's call
    assert "1.5 billion" not in r.text
    r = engine.take_turn(start.session_id, "I'd start with the users we serve on the home screen.")
    probe = next(m for m in r.moves if m.kind in ("probe", "challenge"))
    assert probe.key_point.id.startswith("vr-")     # the borrowed must-have point comes first


def test_the_report_names_the_borrowed_problem(engine):
    from interviewer.report.build import render_markdown

    sid = engine.start(question=PODCASTS).session_id
    engine.take_turn(sid, "The goal is listening time that brings people back, measured per user.").text
    engine.take_turn(sid, "/end").text
    report = engine.services.reports.build(sid, knowledge=None)
    assert report.sheet == "Probed as a recommendation problem, like video-recommendations."
    assert report.to_json()["sheet"] == report.sheet
    assert "_Probed as a recommendation problem, like video-recommendations._" in render_markdown(report)


def test_an_unrelated_question_borrows_nothing(engine):
    start = engine.start(question=UNRELATED)
    problem = engine.state(start.session_id).problem
    assert problem.key_points == {} and problem.borrowed_from == [] and problem.skip_points == []
    assert "No similar problem in the bank" in start.notice


def test_the_floor_sits_between_fitting_and_unrelated_questions(services):
    from interviewer.engine.borrow import load_rules, rank

    rules = load_rules(services.settings.prompts_dir)
    emb = services.embedder()
    podcast = rank(PODCASTS, services.bank, emb, rules)[0]
    assert podcast.problem.id == "video-recommendations" and podcast.score >= rules.floor
    assert "recommendation" in podcast.tags
    for question in (UNRELATED, "Design a URL shortener", "Forecast electricity demand for a utility company"):
        assert rank(question, services.bank, emb, rules)[0].score < rules.floor, question


def test_a_contradicted_assumption_is_pointed_out_once(engine):
    sid = engine.start(question=PODCASTS).session_id
    engine.take_turn(sid, "I'll assume 200 million monthly users and 5 million episodes.").text
    r = engine.take_turn(sid, "With 500M DAU the home screen has to be fast. What is the latency budget?")
    first = r.moves[0]
    assert first.kind == "answer_fact" and first.reason == "contradicts"
    assert "200 million monthly users" in r.text and "500M DAU" in r.text and "?" in r.text
    assert r.moves[1].kind == "assume"                      # the question is still answered
    again = engine.take_turn(sid, "Again, at 500M DAU we need caching for the home screen rows.")
    assert all(m.reason != "contradicts" for m in again.moves)        # once


def test_consistent_figures_are_not_contradictions(engine):
    sid = engine.start(question=PODCASTS).session_id
    engine.take_turn(sid, "I'll assume 200 million monthly users and 5 million episodes.").text
    for text in ["About 80M DAU open the home screen every day, so I'd precompute rows.",
                 "We add about 20k new episodes a day, so freshness matters.",
                 "That's 200M MAU and roughly 60k QPS at peak."]:
        assert all(m.reason != "contradicts" for m in engine.take_turn(sid, text).moves), text


def test_quantities_compare_the_same_kind_with_scales_normalised(services):
    from interviewer.engine.contradiction import conflict, load_rules, quantities

    rules = load_rules(services.settings.prompts_dir)
    [a] = quantities("I'll assume 200 million monthly users", rules)
    [b] = quantities("we have 200M MAU", rules)
    assert (a.value, a.kind, a.period) == (b.value, b.kind, b.period) == (2e8, "users", "monthly")
    assert not conflict(a, b, rules)
    [dau] = quantities("with 500M DAU", rules)
    assert conflict(a, dau, rules)                                          # daily above monthly
    [episodes] = quantities("500 million episodes", rules)
    assert not conflict(dau, episodes, rules)                               # not the same kind
    assert quantities("40% of users and 3 regions", rules) == []            # shares, small counts
    [peak] = quantities("peak of 60k QPS", rules)
    [avg] = quantities("an average of 20,000 requests per second", rules)
    assert peak.kind == avg.kind and not conflict(peak, avg, rules)         # peak vs average


def test_save_draft_writes_a_problem_file_that_loads_back(services, root_runner, tmp_path):
    from interviewer.cli import app
    from interviewer.problems import load_problem_file

    sid = services.engine.start(question=PODCASTS).session_id
    out = tmp_path / "podcast-recs.yaml"
    result = root_runner.invoke(app, ["problems", "--save-draft", sid, "--out", str(out)])
    assert result.exit_code == 0, result.output
    loaded = load_problem_file(out)
    assert loaded.id == "podcast-recs" and not loaded.custom and loaded.statement == PODCASTS
    assert loaded.key_points == services.engine.bank.get("video-recommendations").key_points
    assert loaded.problems_with(services.flow) is None
    again = root_runner.invoke(app, ["problems", "--save-draft", sid, "--out", str(out)])
    assert again.exit_code == 1 and "already exists" in again.output
    bank_sid = services.engine.start(problem_id="linkedin-feed").session_id
    refused = root_runner.invoke(app, ["problems", "--save-draft", bank_sid])
    assert refused.exit_code == 1 and "bank problem" in refused.output
    assert Path(out).read_text().startswith("id: podcast-recs")
