"""History page in AppTest: sessions saved earlier are listed with scores; resume; scores chart."""

from __future__ import annotations

import pytest

from ui_apptest import button, open_page, texts, ui_home  # noqa: F401

pytestmark = pytest.mark.usefixtures("ui_home")


def _engine():
    from interviewer.services import Services
    from interviewer.config.settings import Settings

    return Services.from_settings(Settings(), knowledge=None).engine


def test_history_lists_a_session_saved_earlier_and_resumes_it():
    engine = _engine()
    reply = engine.start(problem_id="linkedin-feed", minutes=30)
    reply.text
    sid = reply.session_id

    at = open_page("views/history.py")
    table = at.dataframe[0].value
    assert "Design the LinkedIn feed" in set(table["problem"])
    labels = at.selectbox[0].options
    assert any("LinkedIn" in label for label in labels)

    at.selectbox[0].select(next(o for o in at.selectbox[0].options if "LinkedIn" in o))
    at.run()
    button(at, "Resume").click().run()
    assert not at.exception, at.exception
    assert at.session_state["session_id"] == sid


def test_scores_per_stage_over_time_are_charted():
    from interviewer.config.settings import Settings
    from interviewer.storage.sessions import open_store

    engine = _engine()
    store = open_store(Settings())
    for score in (2, 3):
        reply = engine.start(problem_id="linkedin-feed", minutes=30)
        reply.text
        engine.end(reply.session_id).text
        store.save_report(reply.session_id, {
            "stages": [{"id": "problem", "name": "Problem", "score": score},
                       {"id": "metrics", "name": "Metrics", "score": score + 1}],
            "overall": {"level": "lean hire", "score": score + 0.5, "reasons": []}})
    at = open_page("views/history.py")
    assert not at.exception
    assert "Scores per stage over time" in texts(at) or any(
        "Scores per stage over time" in s.value for s in at.subheader)
    assert "lean hire" in set(at.dataframe[0].value["level"])


def test_open_report_of_an_ended_session():
    engine = _engine()
    reply = engine.start(problem_id="linkedin-feed", minutes=30)
    reply.text
    sid = reply.session_id
    engine.take_turn(sid, "How many daily active members do we have?").text
    engine.end(sid).text

    at = open_page("views/history.py")
    box = at.selectbox[0]
    box.set_value(sid).run()
    button(at, "Open report").click().run()
    assert not at.exception, at.exception
    assert "Report" in [h.value for h in at.header]
    assert at.get("download_button")
