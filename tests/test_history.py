"""interviewer.report.history: sessions with the scores of their saved reports, and scores over time."""

from __future__ import annotations

from interviewer.report.history import list_history, scores_from_report, stage_scores_over_time
from interviewer.problems import Problem
from interviewer.engine.state import SessionState
from interviewer.storage.sessions import Store


def _session(store: Store, sid: str, started: float, ended: bool) -> None:
    problem = Problem(id="p1", title="Design a feed", statement="Design a ranked home feed.")
    state = SessionState(session_id=sid, problem=problem, minutes=45, started_at=started,
                         stage="problem", stages_visited=["problem"])
    store.create_session(state)
    if ended:
        state.status, state.ended_at = "ended", started + 600
        store.save_state(state)


def _report(metrics: float, problem: float, level: str = "lean hire") -> dict:
    return {"stages": [{"id": "problem", "name": "Problem", "score": problem},
                       {"id": "metrics", "name": "Metrics", "score": metrics}],
            "overall": {"level": level, "score": (metrics + problem) / 2, "reasons": []}}


def test_history_lists_sessions_newest_first_with_report_scores(settings):
    store = Store(settings.db_path)
    _session(store, "old", 1000.0, ended=True)
    _session(store, "new", 2000.0, ended=True)
    _session(store, "open", 3000.0, ended=False)
    store.save_report("old", _report(metrics=2, problem=3))
    store.save_report("new", _report(metrics=4, problem=3, level="hire"))

    items = list_history(store)
    assert [i.id for i in items] == ["open", "new", "old"]
    by_id = {i.id: i for i in items}
    assert by_id["new"].level == "hire" and by_id["new"].overall == 3.5
    assert by_id["old"].stages == {"problem": 3.0, "metrics": 2.0}
    assert not by_id["open"].has_report and by_id["open"].stages == {}

    rows = stage_scores_over_time(items)
    # oldest first, flow order within a session, only sessions with scores
    assert [(r["session"], r["stage"], r["score"]) for r in rows] == [
        ("old", "problem", 3.0), ("old", "metrics", 2.0), ("new", "problem", 3.0), ("new", "metrics", 4.0)]


def test_scores_from_a_missing_or_odd_report():
    assert scores_from_report(None) == ("", None, {})
    level, overall, stages = scores_from_report({"stages": [{"id": "design", "score": "n/a"}],
                                                 "overall": {"level": "no hire"}})
    assert level == "no hire" and overall is None and stages == {"design": None}
