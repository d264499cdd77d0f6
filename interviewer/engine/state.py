"""Interview session state: plain data, JSON round-trip, persisted by the store after every turn."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from interviewer.problems import Problem


@dataclass
class HintRecord:
    stage: str
    query: str                      # the retrieval query (internal: never shown to the candidate)
    sources: list[dict[str, str]]   # [{"source", "heading"}]
    at: float = field(default_factory=time.time)
    topic: str = ""                 # what the hint pointed at: the missed key point or stage goal


@dataclass
class SessionState:
    session_id: str
    problem: Problem
    minutes: float                                   # total interview length
    model: str = "offline"                           # voice/grader used ("offline" or provider:model)
    stage: str = ""                                  # the flow's first stage at start
    status: str = "active"                           # active | ended
    started_at: float = field(default_factory=time.time)
    ended_at: float | None = None
    stage_started_at: float = field(default_factory=time.time)
    stage_seconds: dict[str, float] = field(default_factory=dict)   # finished stages' time
    stages_visited: list[str] = field(default_factory=list)
    facts_revealed: list[str] = field(default_factory=list)         # fact ids, in order asked
    hints: list[HintRecord] = field(default_factory=list)
    probes: dict[str, list[str]] = field(default_factory=dict)      # stage -> key point ids probed
    covered: dict[str, list[str]] = field(default_factory=dict)     # stage -> key point ids covered
    summaries: dict[str, str] = field(default_factory=dict)         # stage -> short summary
    # stage -> candidate sentences said in an earlier stage that already cover its key points
    # (credited ahead: not probed again, and graded with that stage in the report)
    early: dict[str, list[str]] = field(default_factory=dict)
    # stage -> key point ids the candidate dismissed or got wrong (challenged, never credited)
    dismissed: dict[str, list[str]] = field(default_factory=dict)
    said: dict[str, str] = field(default_factory=dict)              # key point id -> the sentence
    # stage -> key point id -> the listener's best topic probability for a point not (yet)
    # affirmed: of equally important missed points, the one nearer to being said is probed last
    near: dict[str, dict[str, float]] = field(default_factory=dict)
    auto_advanced: str = ""          # the stage the interviewer opened by itself (not on request)
    skip_confirmed: str = ""         # the stage whose skip the candidate was asked to confirm
    ledger: list[dict[str, Any]] = field(default_factory=list)      # assumptions stated (Fact dicts)
    contradicted: list[str] = field(default_factory=list)           # ledger ids already pointed out
    # stage -> the last diagram sent in it (Mermaid source); the most recent stage last
    diagrams: dict[str, str] = field(default_factory=dict)
    diagram_probes: dict[str, list[str]] = field(default_factory=dict)  # stage -> check ids asked

    # ---- derived -------------------------------------------------------------
    @property
    def latest_diagram(self) -> str:
        """The Mermaid source of the last diagram sent in the session ("" before any)."""
        return next(reversed(self.diagrams.values()), "")

    def keep_diagram(self, source: str) -> None:
        self.diagrams.pop(self.stage, None)        # re-inserted last: the latest stays last
        self.diagrams[self.stage] = source

    @property
    def hints_used(self) -> int:
        return len(self.hints)

    def elapsed(self, now: float | None = None) -> float:
        end = self.ended_at if self.ended_at else (now or time.time())
        return max(0.0, end - self.started_at)

    def stage_elapsed(self, now: float | None = None) -> float:
        if self.status == "ended":
            return self.stage_seconds.get(self.stage, 0.0)
        return max(0.0, (now or time.time()) - self.stage_started_at)

    # ---- serialisation -------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["problem"] = self.problem.model_dump(mode="json")
        return d

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "SessionState":
        data = dict(data)
        data["problem"] = Problem.model_validate(data["problem"])
        data["hints"] = [HintRecord(**h) for h in data.get("hints", [])]
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})
