"""The diagram in the app (AppTest): the design stage's box with the starter template and its
drawing, the one-line error of a malformed diagram, sending it; the Feedback page's preview and
diagram section."""

from __future__ import annotations

import pytest

from test_diagram_checks import BOX
from ui_apptest import button, open_page, start_interview, texts, ui_home  # noqa: F401

pytestmark = pytest.mark.usefixtures("ui_home")


def charts(at) -> list[str]:
    """The DOT of every graphviz chart on the page."""
    return [e.proto.spec for e in at.get("graphviz_chart")]


def store():
    from interviewer.config.settings import Settings
    from interviewer.storage.sessions import open_store

    return open_store(Settings())


def test_design_stage_box_previews_refuses_a_malformed_diagram_and_sends(ui_home):
    from interviewer.diagram import STARTER_TEMPLATE
    from interviewer.flow import load_flow

    at, sid = start_interview()
    key = f"diagram_box_{sid}"
    assert key not in [t.key for t in at.text_area]                  # no box before the design stage
    target = next(s.id for s in load_flow().stages if s.diagram)
    while store().load_state(sid).stage != target:
        button(at, "Next stage").click().run()
        assert not at.exception, at.exception
    box = at.text_area(key=key)
    assert box.value == STARTER_TEMPLATE
    dots = charts(at)
    assert dots and dots[-1].startswith("digraph") and '"Candidate generation: two-tower ANN"' in dots[-1]

    box.input("flowchart LR\n  A[User] -->").run()
    assert not at.exception
    assert any("diagram line 2: expected a node after '-->'" in e.value for e in at.error)
    assert button(at, "Send the diagram").disabled
    assert not charts(at)

    at.text_area(key=key).input(BOX).run()
    assert not at.error and '"server"' in charts(at)[-1]
    before = len(store().turns(sid))
    button(at, "Send the diagram").click().run()
    assert not at.exception, at.exception
    turns = store().turns(sid)
    assert len(turns) == before + 2
    assert turns[-2].text == f"```mermaid\n{BOX}\n```" and turns[-2].kind == "answer"
    assert turns[-1].meta["moves"][-1]["reason"] == "diagram"
    assert store().load_state(sid).latest_diagram == BOX
    assert at.text_area(key=key).value == BOX                         # kept in the box to edit


def test_feedback_page_previews_a_pasted_diagram_and_grades_it():
    at = open_page("views/feedback.py")
    stage = next(s for s in at.selectbox if s.label == "Stage")
    stage.select(next(o for o in stage.options if "design" in o.lower()))
    at.text_area(key="feedback_answer").input(f"My design:\n\n```mermaid\n{BOX}\n```\n").run()
    assert not at.exception and not at.error
    assert charts(at) and '"database"' in charts(at)[0]
    button(at, "Score my answer").click().run()
    assert not at.exception, at.exception
    shown = texts(at)
    assert "4 boxes · 3 links" in shown and "no funnel" in shown and "back into training" in shown
    assert len(charts(at)) == 2                                      # the preview and the graded diagram

    at.text_area(key="feedback_answer").input("```mermaid\nflowchart LR\n  A -->\n```").run()
    assert any("diagram line 2: expected a node after '-->'" in e.value for e in at.error)


def user_messages(at):
    return [m for m in at.chat_message if m.name == "user"]


def test_a_diagram_typed_in_the_chat_is_drawn_live_and_in_the_history():
    at, sid = start_interview()                      # the first stage: no diagram box on the page
    assert not charts(at)
    sent = f"Roughly this:\n\n```mermaid\n{BOX}\n```\n\nIs that the scope?"
    at.chat_input[0].set_value(sent).run()
    assert not at.exception, at.exception
    assert store().turns(sid)[-2].text == sent

    def shown(at):
        mine = user_messages(at)[-1]
        dots = [e.proto.spec for e in mine.get("graphviz_chart")]
        words = [m.value for m in mine.markdown]
        return dots, words, [c.value for c in mine.code]

    for page in (at, open_page(session=sid)):       # the live turn, then the history re-rendered
        dots, words, code = shown(page)
        assert len(dots) == 1 and dots[0].startswith("digraph") and '"database"' in dots[0]
        assert words == ["Roughly this:", "Is that the scope?"]      # the fence is drawn, not printed
        assert code == []


def test_a_chat_diagram_that_cannot_be_drawn_is_shown_as_its_source(monkeypatch):
    at, sid = start_interview()
    bad = "```mermaid\nflowchart LR\n  A[User] -->\n```"
    at.chat_input[0].set_value(bad).run()
    assert not at.exception, at.exception
    for page in (at, open_page(session=sid)):
        mine = user_messages(page)[-1]
        assert not mine.get("graphviz_chart")
        assert [c.value for c in mine.code] == ["flowchart LR\n  A[User] -->"]
        assert any("expected a node after '-->'" in c.value for c in mine.caption)

    import streamlit as st

    def unavailable(*args, **kwargs):
        raise RuntimeError("no graphviz here")

    monkeypatch.setattr(st, "graphviz_chart", unavailable)   # the drawing itself unavailable
    at.chat_input[0].set_value(f"```mermaid\n{BOX}\n```").run()
    assert not at.exception, at.exception
    mine = user_messages(at)[-1]
    assert not mine.get("graphviz_chart")
    assert [c.value for c in mine.code] == [BOX]
    assert any("cannot be drawn here (no graphviz here)" in c.value for c in mine.caption)


def test_help_in_the_app_lists_the_ways_to_send_a_diagram():
    at, sid = start_interview()
    at.chat_input[0].set_value("/help").run()
    assert not at.exception, at.exception
    helped = [m for m in at.chat_message if m.name == "assistant"][-1].markdown[0].value
    assert "/hint" in helped and "diagram box" in helped and "paste" in helped and "/diagram" in helped
