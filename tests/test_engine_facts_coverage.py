"""Fact sheets cover what candidates ask about, and the matcher finds it.

Expected facts are looked up by id in the problem files; questions here are not in any
sheet's asks (they would pass trivially) nor in benchmarks/fact_questions.yaml (held out).
"""

from __future__ import annotations

import pytest

from engine_fixtures import *  # noqa: F401,F403

from interviewer.engine.fact_terms import TermIndex, load_terms
from interviewer.engine.facts import FactMatcher
from interviewer.problems import Fact, Problem, load_bank

# Every problem must have a fact answering each of these (any of the listed ids).
CHECKLIST = {
    "real time vs batch / freshness": {"freshness", "real-time", "real-time-conditions", "timeliness",
                                        "inventory-freshness", "latency"},
    "scale": {"scale"},
    "latency": {"latency", "timeliness"},
    "data": {"data-available", "click-logs"},
    "labels": {"labels", "click-labels", "engagement-signals", "engagement-labels", "label-quality",
               "interaction-signals", "relevance-judgments"},
    "business goal": {"business-objective"},
    "cold start": {"cold-start"},
    "privacy": {"privacy-constraints", "regulation", "fairness-regulation", "user-controls",
                "policy-constraints"},
    "segments": {"segments", "seeker-segments", "placements", "languages", "personalization",
                 "surface-scope"},
    "existing system": {"existing-system"},
}


@pytest.fixture(scope="module")
def bank():
    from interviewer.config.settings import Settings

    return load_bank(Settings())


@pytest.fixture(scope="module")
def matcher(embedder):
    return FactMatcher(embedder)


def _ids(found):
    return [m.fact.id for m in found]


def test_every_problem_covers_the_checklist(bank):
    for problem in bank.list():
        ids = {f.id for f in problem.facts}
        missing = [topic for topic, want in CHECKLIST.items() if not ids & want]
        assert not missing, f"{problem.id} has no fact for {missing}"


def test_asks_are_not_shared_between_facts(bank):
    for problem in bank.list():
        seen: dict[str, str] = {}
        for f in problem.facts:
            for ask in f.asks:
                key = ask.lower().strip(" ?")
                assert seen.setdefault(key, f.id) == f.id, f"{problem.id}: {ask!r} in {seen[key]} and {f.id}"


@pytest.mark.parametrize("question", [
    "real time or batch?", "Does the feed have to be real-time?", "batch or streaming?",
])
def test_real_time_questions_get_the_freshness_fact(matcher, bank, question):
    feed = bank.get("linkedin-feed")
    assert _ids(matcher.match(feed, question))[:1] == ["freshness"]


@pytest.mark.parametrize("problem_id,fact_id", [
    ("card-fraud-detection", "real-time"), ("search-ranking", "freshness"),
    ("video-recommendations", "freshness"), ("notification-ranking", "timeliness"),
    ("job-recommendations", "freshness"), ("marketplace-search", "inventory-freshness"),
])
def test_real_time_or_batch_across_problems(matcher, bank, problem_id, fact_id):
    assert _ids(matcher.match(bank.get(problem_id), "real time or batch?"))[:1] == [fact_id]


@pytest.mark.parametrize("problem_id,question,fact_id", [
    ("linkedin-feed", "what if a member has zero connections?", "cold-start"),
    ("ad-click-prediction", "how do we handle cold start for ads?", "cold-start"),
    ("eta-prediction", "is there anything privacy-wise about courier locations?", "privacy-constraints"),
    ("people-you-may-know", "what's the DAU?", "scale"),
    ("search-ranking", "what's the p99?", "latency"),
    ("harmful-content-detection", "what do we currently do about it?", "existing-system"),
])
def test_reworded_questions_get_their_fact(matcher, bank, problem_id, question, fact_id):
    assert _ids(matcher.match(bank.get(problem_id), question))[:1] == [fact_id]


def test_same_question_same_fact_from_a_fresh_matcher(embedder, matcher, bank):
    feed = bank.get("linkedin-feed")
    q = "how fresh do posts need to be, and what's the DAU?"
    first = _ids(matcher.match(feed, q))
    assert first and set(first) <= {"freshness", "scale"}
    assert _ids(FactMatcher(embedder).match(feed, q)) == first
    assert _ids(matcher.match(feed, q)) == first


@pytest.mark.parametrize("question", [
    "How many people will work on this with me?", "What's your favourite model?",
    "Which cloud do we deploy on?",
])
def test_off_sheet_questions_get_no_fact(matcher, bank, question):
    assert matcher.match(bank.get("linkedin-feed"), question) == []


def _sheet(asks_a: list[str], asks_b: list[str]) -> Problem:
    return Problem(id="toy", title="Toy problem", statement="A toy problem for the matcher.", facts=[
        Fact(id="fresh", topic="How up to date results are", asks=asks_a, answer="Within a minute."),
        Fact(id="size", topic="Size of the catalog", asks=asks_b, answer="Ten million items."),
    ])


def test_term_boost_is_what_tips_a_terse_question(embedder):
    sheet = _sheet(["Do we need real-time updates?", "Is a nightly batch job enough?"],
                   ["How many items are there?", "How big is the catalog?"])
    with_terms = FactMatcher(embedder)
    plain = FactMatcher(embedder, term_boost=0.0)
    q = "batch?"
    boosted = with_terms.scores(sheet, [q])[0]
    base = plain.scores(sheet, [q])[0]
    assert boosted[0] > base[0] and boosted[1] == pytest.approx(base[1])


def test_term_index_matches_whole_words_and_hyphens():
    terms = TermIndex({"rt": ["real time", "batch"], "lat": ["ms", "p99"]})
    assert terms.groups_in("Is it REAL-TIME?") == {0}
    assert terms.groups_in("under 100 ms at p99") == {1}
    assert terms.groups_in("batches of items in msec") == set()
    aff = terms.affinities([["real time?", "batch?"], ["real time or not"], ["size"]])
    assert aff[0] == {0: 1.0} and aff[1] == {0: 0.5} and aff[2] == {}


def test_the_shipped_term_file_loads():
    terms = load_terms()
    assert "real-time" in terms.names and terms.groups_in("what's the DAU")


def test_the_engine_reads_the_term_file_from_its_prompts_folder(settings, tmp_path, clock, embedder):
    import shutil

    from interviewer.services import Services

    custom = tmp_path / "prompts"
    shutil.copytree(settings.prompts_dir, custom)
    (custom / "fact_terms.yaml").write_text("groups:\n  zebra-herd: [zebra, stripes]\n")
    eng = Services.from_settings(settings.model_copy(update={"prompts_dir": custom}), clock=clock, embedder=embedder).engine
    assert eng.matcher().terms.names == ["zebra-herd"]
    (custom / "fact_terms.yaml").write_text("groups: [not, a, mapping]\n")
    bad = Services.from_settings(settings.model_copy(update={"prompts_dir": custom}), clock=clock, embedder=embedder).engine
    with pytest.raises(Exception, match="fact_terms.yaml"):
        bad.matcher()


def test_engine_answers_real_time_from_the_sheet_and_team_size_is_your_call(engine):
    r = engine.start("linkedin-feed")
    r.text
    sid = r.session_id
    fresh = engine.state(sid).problem.fact("freshness")
    a = engine.take_turn(sid, "Does this need to be real time, or is batch fine?")
    assert a.move.kind == "answer_fact" and a.move.fact.id == "freshness"
    assert fresh.answer.strip() in a.text
    b = engine.take_turn(sid, "How many engineers will be on my team?")
    assert b.move.kind == "assume" and "assumption" in b.text.lower()
    c = engine.take_turn(sid, "Does this need to be real time, or is batch fine?")
    assert c.move.kind == "answer_fact" and c.move.fact.id == "freshness"
    assert engine.state(sid).facts_revealed == ["freshness"]
