"""Fact matching: the right fact, the same fact every time, at most two, none when nothing fits."""

from __future__ import annotations

import pytest

from interviewer.engine.facts import FactMatcher
from interviewer.problems import Problem, load_bank


@pytest.fixture(scope="module")
def feed():
    from interviewer.config.settings import Settings

    return load_bank(Settings()).get("linkedin-feed")


@pytest.fixture(scope="module")
def matcher(embedder):
    return FactMatcher(embedder)


@pytest.mark.parametrize("question,fact_id", [
    ("ok how do we want to balance content vs ads", "ads-balance"),
    ("How many users are on the platform?", "scale"),
    ("Roughly how many people use it every day?", "scale"),
    ("What labels do we have?", "engagement-signals"),
    ("What about new users with no connections?", "cold-start"),
    ("Is there a baseline system today?", "existing-system"),
    ("What does recent mean, 5 minutes or 24 hours?", "freshness"),
])
def test_question_gets_its_fact(matcher, feed, question, fact_id):
    found = matcher.match(feed, [question])
    assert found and found[0].fact.id == fact_id


@pytest.mark.parametrize("question,fact_id", [
    ("north star metric?", "business-objective"),
    ("p99 budget?", "latency"),
    ("DAU?", "scale"),
    ("labels?", "engagement-signals"),
    ("any ads?", "ads-balance"),
])
def test_terse_questions_get_their_fact(matcher, feed, question, fact_id):
    found = matcher.match(feed, [question])
    assert found and found[0].fact.id == fact_id, found


def test_every_problem_answers_what_success_means(matcher):
    from interviewer.config.settings import Settings

    bank = load_bank(Settings())
    problems = [p for p in bank.list() if not p.custom]
    assert len(problems) >= 10
    for problem in problems:
        for q in ("North star metric?", "What are we optimising for?"):
            found = matcher.match(problem, [q])
            assert found and found[0].fact.id == "business-objective", (problem.id, q, found)


def test_same_question_same_fact_every_time(matcher, feed):
    q = "What scale are we talking about?"
    first = [m.fact.id for m in matcher.match(feed, q)]
    assert first == ["scale"]
    for _ in range(3):
        assert [m.fact.id for m in matcher.match(feed, q)] == first


def test_multi_part_question_reveals_at_most_two(matcher, feed):
    found = matcher.match(feed, ["What's the latency budget and how many users do we have?"])
    assert {m.fact.id for m in found} == {"latency", "scale"}
    many = matcher.match(feed, ["How many users, what latency, what labels, how fresh, and any privacy rules?"])
    assert 1 <= len(many) <= 2


@pytest.mark.parametrize("question", [
    "Should I use a transformer?", "What's the weather like?", "Does that make sense?",
    "How many engineers are on the team?",
])
def test_no_matching_fact(matcher, feed, question):
    assert matcher.match(feed, [question]) == []


def test_custom_problem_has_no_facts(matcher):
    custom = Problem.from_question("Design a spam filter for email")
    assert custom.custom and matcher.match(custom, ["How many users?"]) == []


def test_a_free_text_question_is_titled_without_its_own_end_punctuation():
    p = Problem.from_question("Design a spam filter for email.")
    assert p.title == "Design a spam filter for email" and p.statement == "Design a spam filter for email."
    long = Problem.from_question("How would you design " + "a very large " * 20 + "system?")
    assert len(long.title) <= 80 and long.title.endswith("…") and not long.title[:-1].endswith(" ")
