"""SQLite store: migrations, sessions, turns, reports, unknown ids, durability across connections."""

from __future__ import annotations

import sqlite3

import pytest

from interviewer.problems import Problem
from interviewer.engine.state import SessionState
from interviewer.storage.migrations import MIGRATIONS
from interviewer.storage.sessions import Store, StoreError, UnknownSessionError


def _state(sid: str = "abc123", started: float = 100.0) -> SessionState:
    problem = Problem(id="toy", title="A toy problem", statement="Design a toy recommender system.")
    return SessionState(session_id=sid, problem=problem, minutes=45, started_at=started,
                        stage_started_at=started, stage="problem", stages_visited=["problem"])


def test_migrations_applied_once_and_wal(tmp_path):
    db = tmp_path / "s.db"
    store = Store(db)
    assert store.applied_migrations() == [name for name, _ in MIGRATIONS]
    store.close()
    store = Store(db)                      # reopening applies nothing twice
    assert store.applied_migrations() == [name for name, _ in MIGRATIONS]
    mode = sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    tables = {r[0] for r in sqlite3.connect(db).execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"schema_migrations", "sessions", "turns", "reports"} <= tables


def test_newer_database_is_a_clear_error(tmp_path):
    db = tmp_path / "s.db"
    Store(db).close()
    con = sqlite3.connect(db)
    con.execute("INSERT INTO schema_migrations VALUES ('m999_future', 0)")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="newer version"):
        Store(db)


def test_not_a_database_is_a_clear_error(tmp_path):
    db = tmp_path / "s.db"
    db.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="session database"):
        Store(db)


def test_sessions_turns_and_state_round_trip(tmp_path):
    store = Store(tmp_path / "s.db")
    state = _state()
    store.create_session(state)
    assert store.append_turn("abc123", "interviewer", "problem", "welcome", "Hello") == 1
    assert store.append_turn("abc123", "candidate", "problem", "question", "How many users?",
                             meta={"questions": ["How many users?"]}) == 2
    state.facts_revealed.append("scale")
    state.stage = "metrics"
    assert store.append_turn("abc123", "interviewer", "problem", "answer_fact", "A lot.", state=state) == 3
    turns = store.turns("abc123")
    assert [t.seq for t in turns] == [1, 2, 3]
    assert [t.role for t in turns] == ["interviewer", "candidate", "interviewer"]
    assert turns[1].meta == {"questions": ["How many users?"]}
    assert [t.text for t in store.turns("abc123", limit=2)] == ["How many users?", "A lot."]
    rec = store.get_session("abc123")
    assert rec.stage == "metrics" and rec.problem_id == "toy" and rec.status == "active"
    loaded = rec.state()
    assert loaded.facts_revealed == ["scale"] and loaded.problem.title == "A toy problem"


def test_list_latest_resolve(tmp_path):
    store = Store(tmp_path / "s.db")
    assert store.latest_session_id() is None
    store.create_session(_state("aaa111", 100.0))
    store.create_session(_state("bbb222", 200.0))
    assert store.latest_session_id() == "bbb222"
    assert [s.id for s in store.list_sessions()] == ["bbb222", "aaa111"]
    assert store.resolve("latest") == "bbb222"
    assert store.resolve("aaa") == "aaa111"
    summary = store.list_sessions()[0].summary()
    assert {"id", "problem", "started", "stage", "status"} <= set(summary)


def test_unknown_session_errors_are_clear(tmp_path):
    store = Store(tmp_path / "s.db")
    for call in (lambda: store.get_session("nope"), lambda: store.turns("nope"),
                 lambda: store.append_turn("nope", "candidate", "problem", "answer", "x"),
                 lambda: store.save_report("nope", {}), lambda: store.resolve("nope"),
                 lambda: store.resolve("latest")):
        with pytest.raises(UnknownSessionError) as err:
            call()
        assert "unknown session" in err.value.args[0]


def test_reports(tmp_path):
    store = Store(tmp_path / "s.db")
    store.create_session(_state())
    assert store.get_report("abc123") is None
    store.save_report("abc123", {"overall": "lean hire"})
    store.save_report("abc123", {"overall": "strong hire"})
    assert store.get_report("abc123") == {"overall": "strong hire"}


def test_each_append_is_committed_for_other_connections(tmp_path):
    db = tmp_path / "s.db"
    store = Store(db)
    store.create_session(_state())
    store.append_turn("abc123", "candidate", "problem", "answer", "first")
    other = sqlite3.connect(db)               # another process would see the same
    assert other.execute("SELECT text FROM turns").fetchall() == [("first",)]


def test_failed_transaction_leaves_no_partial_turn(tmp_path):
    store = Store(tmp_path / "s.db")
    store.create_session(_state())
    bad = _state("other")                     # not in the database: saving its state fails
    with pytest.raises(UnknownSessionError):
        store.append_turn("abc123", "interviewer", "problem", "probe", "half", state=bad)
    assert store.turns("abc123") == []
