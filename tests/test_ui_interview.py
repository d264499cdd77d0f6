"""Interview page in AppTest (offline interviewer): start, chat, hint, next stage, end, bad input."""

from __future__ import annotations

import pytest

from ui_apptest import button, chat, open_page, start_interview, texts, ui_home  # noqa: F401

pytestmark = pytest.mark.usefixtures("ui_home")


def store():
    from interviewer.config.settings import Settings
    from interviewer.storage.sessions import open_store

    return open_store(Settings())


def test_start_chat_hint_next_stage(ui_home):
    at, sid = start_interview()
    assert at.query_params["session"] in (sid, [sid])
    messages = chat(at)
    assert len(messages) == 1 and messages[0][0] == "assistant"      # the welcome with the problem
    assert "Problem" in "".join(h.value for h in at.html)               # the stage bar

    at.chat_input[0].set_value("How many daily active users do we have?").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    messages = chat(at)
    assert messages[-2] == ("user", "How many daily active users do we have?")
    assert messages[-1][0] == "assistant" and messages[-1][1]
    turns = store().turns(sid)
    assert [t.role for t in turns[-2:]] == ["candidate", "interviewer"]

    button(at, "Hint").click().run()
    assert not at.exception
    hint_boxes = [e for e in at.expander if e.label.startswith("Hint sources")]
    assert hint_boxes, texts(at)
    cited = "\n".join(m.value for m in hint_boxes[-1].markdown)
    assert ".md" in cited and "›" in cited                            # source file › heading
    assert store().load_state(sid).hints_used == 1

    button(at, "Next stage").click().run()
    assert not at.exception
    assert store().load_state(sid).stage == "metrics"
    assert "iv-stage now\" title=\"Metrics\">2. Metrics" in "".join(h.value for h in at.html)


def test_empty_and_huge_messages_are_refused_and_kept(ui_home):
    at, sid = start_interview()
    before = len(store().turns(sid))
    at.chat_input[0].set_value("   ").run()
    assert not at.exception
    assert any("empty" in w.value for w in at.warning)
    assert len(store().turns(sid)) == before

    huge = "word " * 210_000                                          # ~1 MB paste
    at.chat_input[0].set_value(huge).run()
    assert not at.exception
    assert any("not sent" in w.value and "limit" in w.value for w in at.warning), [w.value for w in at.warning]
    assert at.text_area(key="draft_box").value == huge                 # kept in the box, nothing lost
    assert len(store().turns(sid)) == before

    at.text_area(key="draft_box").set_value("We should optimise for long-term engagement.")
    button(at, "Send").click().run()
    assert not at.exception
    assert chat(at)[-2] == ("user", "We should optimise for long-term engagement.")
    assert len(store().turns(sid)) == before + 2


def test_reload_resumes_and_tabs_are_separate(ui_home):
    at1, sid1 = start_interview()
    at1.chat_input[0].set_value("Is this for mobile or web?").run()
    at2, sid2 = start_interview(problem_index=1)
    assert sid1 != sid2

    reloaded = open_page(session=sid1)                                 # ?session=<id> after a reload
    assert reloaded.session_state["session_id"] == sid1
    shown = [text for _, text in chat(reloaded)]
    assert "Is this for mobile or web?" in shown
    assert store().turns(sid1)[-1].role == "interviewer"              # the welcome-back turn


def test_unknown_session_in_the_url_is_a_clear_message(ui_home):
    at = open_page(session="does-not-exist")
    assert any("No interview with id" in e.value for e in at.error)


def test_a_failing_provider_keeps_the_turn_and_says_so(ui_home):
    at, sid = start_interview()
    at.session_state["settings_overrides"] = {"model": "openai:gpt-4o-mini",
                                              "base_url": "http://127.0.0.1:9/v1"}
    at.session_state["api_key"] = "sk-never-shown-0123456789"
    at.chat_input[0].set_value("We want to maximise meaningful engagement on the feed.").run()
    assert not at.exception
    shown = texts(at)
    assert "sk-never-shown" not in shown
    assert at.info or at.error, shown                                  # a visible notice
    turns = store().turns(sid)
    assert any(t.role == "candidate" and "meaningful engagement" in t.text for t in turns)


def test_end_shows_the_report_with_chart_facts_and_download(ui_home):
    at, sid = start_interview()
    at.chat_input[0].set_value("How many daily active users do we have?").run()
    at.chat_input[0].set_value("The goal is more ad revenue with happy users: I would predict the "
                               "probability of a click, calibrated, and rank ads by bid times pCTR.").run()
    button(at, "Hint").click().run()
    button(at, "End interview").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert "Report" in [h.value for h in at.header]
    subheads = [h.value for h in at.subheader]
    assert {"Score per stage", "Facts drawn out", "Facts missed"} <= set(subheads)
    assert len(at.get("arrow_vega_lite_chart")) >= 1 or len(at.get("vega_lite_chart")) >= 1
    assert at.get("download_button")
    overall = {m.label: m.value for m in at.metric}
    assert overall["Overall"] and overall["Score"].endswith("/4")
    # the facts the candidate asked about are listed as drawn out
    assert any("check_circle" in m.value and "daily active" in m.value.lower() for m in at.markdown)
    saved = store().get_report(sid)
    assert saved and saved["overall"]["level"].lower() == overall["Overall"].lower()
    assert "Hint" not in [b.label for b in at.button]                  # the interview is over
    hints = [e for e in at.expander if e.label.startswith("Hints (1)")]
    assert hints, [e.label for e in at.expander]
    line = hints[0].markdown[0].value
    assert line.startswith("- **") and " on " in line and ".md ›" in line, line


def test_with_an_llm_the_reply_streams_from_the_model_using_the_key_typed_in_the_app(ui_home):
    from fake_openai_server import FakeOpenAIServer

    key = "sk-typed-in-the-app-0123456789"
    with FakeOpenAIServer() as server:
        at, sid = start_interview()
        at.session_state["settings_overrides"] = {"model": "openai:fake-model", "base_url": server.base_url}
        at.session_state["api_key"] = key
        at.chat_input[0].set_value("Should I optimise for clicks or for long-term retention?").run()
        assert not at.exception, at.exception
        assert "Thanks, that is a fair point" in chat(at)[-1][1]
        sent = server.chat_requests()
        assert sent and sent[-1].header("authorization") == f"Bearer {key}"
    for path in ui_home.rglob("*"):
        if path.is_file():
            assert key.encode() not in path.read_bytes(), path


def test_a_message_sent_after_the_interview_ended_elsewhere_is_shown_not_lost(ui_home):
    at, sid = start_interview()
    from interviewer.services import Services
    from interviewer.config.settings import Settings

    Services.from_settings(Settings(), knowledge=None).engine.end(sid).text        # ended in another tab meanwhile
    at.chat_input[0].set_value("My answer about metrics.").run()
    assert not at.exception
    assert any("not sent" in w.value for w in at.warning), [w.value for w in at.warning]
    assert any(c.value == "My answer about metrics." for c in at.code)
    assert "Report" in [h.value for h in at.header]
