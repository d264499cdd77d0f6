"""Drafted fact sheets of free-text questions, kept by question so the same question gets the
same sheet (and its facts the same answers) in every session, without a second model call.

The session itself holds its sheet in its state (resume, report and regrade read it there);
this table is what a new session on the same question starts from.
"""

from __future__ import annotations

import json
import time

from interviewer.problems import Problem


def save_draft(store, problem: Problem) -> None:
    """Keep ``problem`` (a drafted free-text question) for the next session on the same question."""
    with store._tx() as db:
        db.execute("INSERT OR REPLACE INTO drafts VALUES (?,?,?,?)",
                   (problem.id, json.dumps(problem.model_dump(mode="json")), problem.drafted_by, time.time()))


def get_draft(store, problem_id: str) -> Problem | None:
    """The sheet drafted earlier for this question, or ``None`` (also for a damaged row)."""
    with store._lock:
        row = store._db.execute("SELECT problem_json FROM drafts WHERE problem_id=?", (problem_id,)).fetchone()
    if row is None:
        return None
    try:
        return Problem.model_validate(json.loads(row[0]))
    except Exception:
        return None
