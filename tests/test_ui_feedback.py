"""Feedback page in AppTest: an answer gets a score card; empty input is refused with a message."""

from __future__ import annotations

import pytest

from ui_apptest import button, open_page, texts, ui_home  # noqa: F401

pytestmark = pytest.mark.usefixtures("ui_home")

ANSWER = ("I would optimise for long-term engagement, not raw clicks. Offline I would measure NDCG@10 "
          "and recall@50 on a time-based split; online, a two-week A/B test on sessions per user, "
          "with guardrails on retention, hide rate and latency. Clicks are a biased proxy, so I "
          "would weight dwell time and correct for position bias.")


def test_an_answer_gets_a_score_card():
    at = open_page("views/feedback.py")
    stage = next(s for s in at.selectbox if s.label == "Stage")
    stage.select(next(o for o in stage.options if o.lower().startswith("metrics")))
    at.text_area(key="feedback_answer").input(ANSWER)
    button(at, "Score my answer").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    scores = [m for m in at.metric if m.label == "Score"]
    assert scores and scores[0].value.endswith("/4")
    shown = texts(at)
    assert "Strengths" in shown and "To improve" in shown and "Criteria" in shown
    # evidence quotes come from the answer itself
    quotes = [m.value[2:] for m in at.markdown if m.value.startswith("> ")]
    assert quotes and all(q.strip().rstrip(".")[:20] in ANSWER for q in quotes)


def test_empty_answer_and_missing_question_are_clear_messages():
    at = open_page("views/feedback.py")
    button(at, "Score my answer").click().run()
    assert any("answer is empty" in w.value for w in at.warning)

    at.radio[0].set_value("own").run()
    at.text_area(key="feedback_answer").input(ANSWER)
    button(at, "Score my answer").click().run()
    assert any("Type the question" in w.value for w in at.warning)
    assert at.text_area(key="feedback_answer").value == ANSWER          # nothing lost


def test_a_huge_paste_is_graded_on_its_start_with_a_notice_and_kept():
    at = open_page("views/feedback.py")
    huge = (ANSWER + " ") * 2500                                        # ~1 MB
    at.text_area(key="feedback_answer").input(huge)
    button(at, "Score my answer").click().run()
    assert not at.exception, at.exception
    assert any("truncated" in i.value for i in at.info), [i.value for i in at.info]
    assert [m for m in at.metric if m.label == "Score"]
    assert at.text_area(key="feedback_answer").value == huge
