"""A diagram in the product: the chat engine reads, probes and keeps it; feedback grades it with
the prose (JSON and card); the report shows it; probe data is checked against the flow."""

from __future__ import annotations

import json

import pytest

from candidates import FakeClock
from test_diagram_checks import BOX, FULL_FEED

BOX_ANSWER = f"Here is my design.\n\n```mermaid\n{BOX}\n```\n"
FULL_ANSWER = f"```mermaid\n{FULL_FEED}```\n"
BAD_ANSWER = "My sketch:\n\n```mermaid\nflowchart LR\n  A[User] -->\n  B --> C\n```\n"


@pytest.fixture
def services(settings, embedder):
    from interviewer.services import Services

    return Services.from_settings(settings, knowledge=None, embedder=embedder, clock=FakeClock())


def at_design(services) -> str:
    """A session moved on to the flow's stage that offers a diagram box."""
    engine = services.engine
    sid = engine.start("linkedin-feed").session_id
    target = next(s.id for s in services.flow.stages if s.diagram)
    while engine.state(sid).stage != target:
        engine.take_turn(sid, "/next").text
    return sid


def test_a_diagram_without_a_funnel_is_probed_for_one_and_kept(services):
    engine = services.engine
    sid = at_design(services)
    reply = engine.take_turn(sid, BOX_ANSWER)
    text = reply.text
    assert (reply.move.kind, reply.move.reason) == ("probe", "diagram")
    assert "millions of items" in text and "few hundred" in text          # the funnel probe
    state = engine.state(sid)
    assert state.diagrams == {state.stage: BOX} and state.latest_diagram == BOX
    assert state.diagram_probes[state.stage] == ["funnel"]
    assert "two-stage-architecture" in state.probes[state.stage]          # not asked again as prose
    # the same diagram again: the next thing it lacks, the loop back into training
    again = engine.take_turn(sid, BOX_ANSWER)
    assert again.move.reason == "diagram" and "back into training" in again.text
    turns = services.store.turns(sid)
    assert turns[-2].kind == "answer" and turns[-2].text == BOX_ANSWER.strip()


def test_the_checks_a_diagram_passes_credit_their_key_points(services):
    from interviewer.engine.diagram_probes import classify_drawn, keep_diagram
    from interviewer.engine.state import SessionState

    flow = services.flow
    stage = next(s.id for s in flow.stages if s.diagram)
    state = SessionState("s1", services.bank.get("linkedin-feed"), 45.0, stage=stage)
    turn, drawn = classify_drawn(FULL_ANSWER)
    assert turn.kind == "answer" and drawn.diagram is not None
    assert keep_diagram(flow, state, turn) is drawn            # no listener involved: the graph alone
    assert state.covered[stage] == ["two-stage-architecture", "data-flow", "feature-pipeline"]
    assert state.said["two-stage-architecture"].startswith("funnel: User opens the feed")
    assert state.latest_diagram == FULL_FEED.strip("\n")


def test_a_malformed_diagram_gets_one_line_and_loses_nothing(services):
    engine = services.engine
    sid = at_design(services)
    before = engine.state(sid).to_json()
    reply = engine.take_turn(sid, BAD_ANSWER)
    text = reply.text
    assert (reply.move.kind, reply.move.reason) == ("redirect", "diagram_error")
    assert "diagram line 2 (message line 5): expected a node after '-->'" in text
    assert "\n" not in text.strip()
    last = services.store.turns(sid)[-2]
    assert (last.role, last.kind, last.text) == ("candidate", "diagram_error", BAD_ANSWER.strip())
    after = engine.state(sid).to_json()
    assert {k: v for k, v in after.items() if k != "stage_started_at"} == \
           {k: v for k, v in before.items() if k != "stage_started_at"}


def test_a_diagram_only_message_with_move_on_is_heard_then_advances(services):
    engine = services.engine
    sid = at_design(services)
    stage = engine.state(sid).stage
    reply = engine.take_turn(sid, f"Let's move on.\n\n```mermaid\n{FULL_FEED}```")
    assert reply.move.kind == "advance"
    assert "two-stage-architecture" in engine.state(sid).covered[stage]


def test_old_state_json_without_diagram_fields_loads():
    from interviewer.engine.state import SessionState
    from interviewer.problems import Problem

    state = SessionState("s1", Problem.from_question("Design a feed"), 45.0)
    data = state.to_json()
    del data["diagrams"], data["diagram_probes"]
    loaded = SessionState.from_json(data)
    assert loaded.diagrams == {} and loaded.latest_diagram == ""


def test_every_probe_key_point_is_in_the_flow():
    from interviewer.diagram import load_roles
    from interviewer.flow import load_flow

    ids = {p.id for s in load_flow().stages for p in s.key_points}
    linked = [p.key_point for p in load_roles().vocab.probes.values() if p.key_point]
    assert linked and set(linked) <= ids


# ---------------------------------------------------------------- feedback and report

def test_full_feed_diagram_grades_above_the_box_and_the_box_card_names_the_gaps(services):
    problem = services.bank.get("linkedin-feed")
    stage = next(s.id for s in services.flow.stages if s.diagram)
    full = services.feedback.grade(stage=stage, text=FULL_ANSWER, problem=problem, knowledge=None)
    box = services.feedback.grade(stage=stage, text=BOX_ANSWER, problem=problem, knowledge=None)
    print(f"design stage: full feed diagram {full.score}/4, box diagram {box.score}/4")
    assert full.score > box.score
    assert full.to_json()["diagram"] == {
        "nodes": 13, "edges": 15, "covered": ["funnel", "logging_loop", "feature_paths", "isolated"],
        "missing": [], "notes": full.diagram.notes}
    d = box.to_json()["diagram"]
    assert (d["nodes"], d["edges"], d["covered"]) == (4, 3, ["isolated"])
    assert d["missing"] == ["funnel", "logging_loop", "feature_paths"]
    improvements = " ".join(box.improvements)
    assert "no funnel" in improvements and "back into training" in improvements
    missed = [m for c in box.criteria for m in c.missing]
    assert any(m.startswith("no funnel") for m in missed)
    assert any("back into training" in m for m in missed)


def test_a_diagram_never_lowers_a_strong_prose_answer(services):
    problem = services.bank.get("linkedin-feed")
    stage = next(s.id for s in services.flow.stages if s.diagram)
    prose = ("When a member opens the feed, the feed service asks two-tower ANN retrieval and a popular-items "
             "source for about 500 candidates, because we cannot afford to run the heavy ranker over millions "
             "of posts. The heavy ranker scores them with features read from the feature store, and a re-ranker "
             "applies business rules like author diversity before we return the top 50. Spark computes daily "
             "aggregates while Flink keeps streaming features fresh. Impressions and clicks are logged, joined "
             "into training data, and each new model goes through the registry back to the ranker.")
    alone = services.feedback.grade(stage=stage, text=prose, problem=problem, knowledge=None)
    drawn = services.feedback.grade(stage=stage, text=f"{prose}\n\n{FULL_ANSWER}", problem=problem, knowledge=None)
    assert drawn.score >= alone.score


def test_feedback_cli_json_and_card_hold_the_diagram(root_runner, tmp_path):
    from interviewer.cli import app

    path = tmp_path / "answer.md"
    path.write_text(BOX_ANSWER, encoding="utf-8")
    res = root_runner.invoke(app, ["feedback", str(path), "--stage", "design", "--problem", "linkedin-feed",
                                   "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["diagram"]["nodes"] == 4 and data["diagram"]["missing"][:2] == ["funnel", "logging_loop"]
    card = root_runner.invoke(app, ["feedback", str(path), "--stage", "design", "--problem", "linkedin-feed"])
    assert card.exit_code == 0, card.output
    assert "## Diagram" in card.stdout and "4 boxes, 3 links." in card.stdout
    assert "- missing: no funnel" in card.stdout and "```mermaid\n" + BOX in card.stdout
    path.write_text(BAD_ANSWER, encoding="utf-8")
    bad = root_runner.invoke(app, ["feedback", str(path), "--stage", "design", "--problem", "linkedin-feed"])
    assert bad.exit_code != 0
    assert "diagram line 2 (message line 5): expected a node after '-->'" in bad.output
    assert "Traceback" not in bad.output


def test_the_report_shows_the_design_stage_diagram(services):
    from interviewer.report.build import Report, render_markdown

    engine = services.engine
    sid = at_design(services)
    stage = engine.state(sid).stage
    engine.take_turn(sid, BOX_ANSWER).text
    engine.end(sid).text
    report = services.reports.build(sid, knowledge=None)
    part = next(s for s in report.stages if s.id == stage).diagram
    assert part is not None and part.source == BOX and part.missing[:2] == ["funnel", "logging_loop"]
    assert all(s.diagram is None for s in report.stages if s.id != stage)
    again = Report.from_json(json.loads(json.dumps(report.to_json())))      # saved and reloaded
    assert next(s for s in again.stages if s.id == stage).diagram == part
    md = render_markdown(report)
    assert "**Diagram**" in md and f"```mermaid\n{BOX}\n```" in md and "- missing: no funnel" in md


def test_terminal_help_lists_the_diagram_commands(root_runner):
    from interviewer.cli import app

    res = root_runner.invoke(app, ["chat", "--problem", "linkedin-feed"], input="/help\n/end\n")
    assert res.exit_code == 0, res.output
    helped = res.stdout.split("you> ")[1]          # the reply to /help, not the banner's line
    assert "/hint" in helped and "/diagram" in helped and "/diagram FILE" in helped
    assert "then /end" in helped and "flowchart LR" in helped


def test_every_help_variant_lists_the_diagram_commands(services):
    from interviewer.engine.moves import Move, VoiceContext
    from interviewer.voice.offline import OfflineVoice

    voice = OfflineVoice(services.settings.prompts_dir)
    move = Move("redirect", stage="design", reason="help")
    said = {voice.render(move, VoiceContext(problem_title="Feed", problem_statement="Rank the feed.",
                                            stage="design", stage_name="Design", seed=seed))
            for seed in range(16)}
    assert len(said) == len(voice.templates.variants("redirect", "help")[1])   # each variant seen
    for text in said:
        assert "/diagram" in text and "/diagram FILE" in text and "diagram box" in text
