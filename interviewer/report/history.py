"""Past interviews with their scores, for the History page: plain data from the store's sessions
and saved reports (no grading here; a session without a saved report has no scores yet)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any



@dataclass
class SessionScores:
    id: str
    title: str
    started_at: float
    status: str
    stage: str
    minutes: float
    model: str
    level: str = ""
    overall: float | None = None
    stages: dict[str, float | None] = field(default_factory=dict)   # stage id -> score (1–4)

    @property
    def started(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(self.started_at))

    @property
    def has_report(self) -> bool:
        return bool(self.level) or any(v is not None for v in self.stages.values())


def _number(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def scores_from_report(report: dict[str, Any] | None) -> tuple[str, float | None, dict[str, float | None]]:
    """(overall level, overall score, stage id -> score) from a saved report's JSON."""
    if not report:
        return "", None, {}
    overall = report.get("overall") or {}
    stages = {s.get("id"): _number(s.get("score")) for s in report.get("stages") or [] if s.get("id")}
    return str(overall.get("level") or ""), _number(overall.get("score")), stages


def list_history(store, limit: int | None = None) -> list[SessionScores]:
    """Sessions newest first, each with the scores of its saved report (if any)."""
    out = []
    for rec in store.list_sessions(limit=limit):
        report = store.get_report(rec.id) if rec.status == "ended" else None
        level, overall, stages = scores_from_report(report)
        out.append(SessionScores(id=rec.id, title=rec.title, started_at=rec.started_at, status=rec.status,
                                 stage=rec.stage, minutes=rec.minutes, model=rec.model, level=level,
                                 overall=overall, stages=stages))
    return out


def stage_scores_over_time(items: list[SessionScores]) -> list[dict[str, Any]]:
    """Long-format rows (oldest first) for a chart: one row per (session, stage) with a score."""
    rows = []
    for item in sorted(items, key=lambda i: i.started_at):
        for stage, score in item.stages.items():      # the report's stages, in flow order
            if score is not None:
                rows.append({"session": item.id, "started": item.started, "started_at": item.started_at,
                             "stage": stage, "score": score})
    return rows
