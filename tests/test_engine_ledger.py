"""The assumption ledger: an assumption the candidate states is given back when asked again,
on a bank problem and on the candidate's own question, and listed in the report."""

from __future__ import annotations

from engine_fixtures import *  # noqa: F401,F403


def test_a_stated_assumption_is_given_back_when_asked_again(engine):
    sid = engine.start(question="Design podcast episode recommendations for Spotify's home screen").session_id
    engine.take_turn(sid, "I'll assume 200 million monthly users and 5 million episodes in the catalog.").text
    r = engine.take_turn(sid, "Remind me, how many users did we say?")
    assert r.move.kind == "answer_fact" and r.move.reason == "ledger"
    assert "You assumed" in r.text and "200 million monthly users" in r.text


def test_on_a_bank_problem_the_sheet_answers_and_the_assumption_is_kept(engine):
    sid = engine.start(problem_id="linkedin-feed").session_id
    engine.take_turn(sid, "I'll assume we can only use on-platform activity, no third-party data.").text
    assert any("on-platform activity" in e["answer"] for e in engine.state(sid).ledger)
    r = engine.take_turn(sid, "How many daily active users do we have?")
    assert r.move.kind == "answer_fact" and r.move.reason is None      # the fact sheet, not the ledger


def test_assumptions_are_listed_in_the_report(engine):
    sid = engine.start(question="Design a spam filter for an email service").session_id
    engine.take_turn(sid, "Let's assume 1 billion emails a day, and about 10% of them are spam.").text
    engine.take_turn(sid, "/end").text
    report = engine.services.reports.build(sid, knowledge=None)
    assert any("1 billion emails a day" in a for a in report.assumptions)
    from interviewer.report.build import render_markdown

    assert "Assumptions you stated" in render_markdown(report)


def test_a_scoping_question_the_statement_does_not_settle_is_the_candidate_s_call():
    from interviewer.engine.statement_scope import option_in_statement

    statement = "Design a system that recommends podcasts episodes to Spotify users on the home screen"
    assert option_in_statement(statement, "Is this for all users or only those who already listen to podcasts?") is None
    assert option_in_statement("Our food delivery app shows customers an estimated delivery time.",
                               "Is this ETA for food delivery or ride hailing?") == "food delivery"
