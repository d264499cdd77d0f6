"""The question bank: problems with hidden fact sheets and per-stage key points.

Built-in problems live in ``knowledge/problems/``; users add their own YAML files
under ``$INTERVIEWER_HOME/problems/``. A free-text question becomes a problem with
no facts, where the candidate is asked to state assumptions.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import BaseModel, Field, model_validator

from interviewer.config.datafiles import DataFileError, load_yaml_model
from interviewer.flow import SLUG, Flow, KeyPoint

MAX_QUESTION_CHARS = 2000


class Fact(BaseModel):
    """One hidden fact, revealed only when the candidate asks about it."""

    id: str = Field(pattern=SLUG)
    topic: str = Field(min_length=3)
    asks: list[str] = Field(min_length=2, description="Example questions this fact answers.")
    answer: str = Field(min_length=5)


class Problem(BaseModel):
    id: str = Field(pattern=SLUG)
    title: str = Field(min_length=3)
    statement: str = Field(min_length=10)
    tags: list[str] = Field(default_factory=list)
    facts: list[Fact] = Field(default_factory=list)
    key_points: dict[str, list[KeyPoint]] = Field(default_factory=dict)
    skip_points: list[str] = Field(default_factory=list, description=(
        "Ids of the flow's generic key points that do not apply to this problem (e.g. class "
        "imbalance for a regression task): never probed, never graded as missing."))
    custom: bool = Field(default=False, description="True for a free-text question.")
    # a free-text question's sheet: who drafted it, or whose key points it borrows offline
    drafted_by: str = Field(default="", description="The model that drafted this sheet (free-text question).")
    borrowed_from: list[str] = Field(default_factory=list, description=(
        "Bank problems whose key points (never facts) a free-text question borrows offline."))
    probed_as: str = Field(default="", description="What kind of problem it is probed as, e.g. 'a recommendation problem'.")

    @model_validator(mode="after")
    def _unique_fact_ids(self) -> "Problem":
        ids = [f.id for f in self.facts]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"duplicate fact ids: {sorted(dup)}")
        return self

    def stage_key_points(self, stage_id: str) -> list[KeyPoint]:
        """This problem's own key points for the stage (not the flow's generic ones)."""
        return list(self.key_points.get(stage_id, []))

    def points(self, flow: Flow, stage_id: str) -> list[KeyPoint]:
        """The stage's key points for this problem, most important first: the flow's generic
        ones minus ``skip_points``, plus the problem's own (before generic ones on ties).
        The one place this rule is written: the listener, the policy and the graders use it."""
        skip = set(self.skip_points)
        generic = [p for p in flow.stage(stage_id).key_points if p.id not in skip]
        ranked = [(-p.importance, 0, i, p) for i, p in enumerate(self.stage_key_points(stage_id))]
        ranked += [(-p.importance, 1, i, p) for i, p in enumerate(generic)]
        return [p for *_, p in sorted(ranked, key=lambda r: r[:3])]

    def problems_with(self, flow: Flow) -> str | None:
        """What is wrong with this problem against ``flow`` (unknown stages or skip_points)."""
        unknown = sorted(set(self.key_points) - set(flow.stage_ids))
        if unknown:
            return f"field 'key_points': unknown stages {', '.join(unknown)}: use {', '.join(flow.stage_ids)}"
        ids = {k.id for s in flow.stages for k in s.key_points}
        bad = sorted(set(self.skip_points) - ids)
        if bad:
            return f"field 'skip_points': unknown key point ids {', '.join(bad)} (see prompts/flow.yaml)"
        own = [k.id for pts in self.key_points.values() for k in pts]
        clash = sorted({i for i in own if own.count(i) > 1 or i in ids})
        if clash:
            return f"field 'key_points': ids {', '.join(clash)} repeat (each id once, none of prompts/flow.yaml's)"
        for stage_id, pts in self.key_points.items():
            generic = {k.id for k in flow.stage(stage_id).key_points}
            wrong = [f"{k.id} refines {k.refines}" for k in pts if k.refines and k.refines not in generic]
            if wrong:
                return (f"field 'key_points': {wrong[0]}, not a key point of the {stage_id} stage "
                        f"(use one of {', '.join(sorted(generic))})")
        return None

    def fact(self, fact_id: str) -> Fact:
        for f in self.facts:
            if f.id == fact_id:
                return f
        raise KeyError(fact_id)

    @classmethod
    def from_question(cls, question: str) -> "Problem":
        text = " ".join((question or "").split())
        if not text:
            raise ValueError("the question is empty")
        if len(text) > MAX_QUESTION_CHARS:
            raise ValueError(f"the question is too long ({len(text)} characters, limit {MAX_QUESTION_CHARS})")
        digest = hashlib.sha256(text.encode()).hexdigest()[:10]
        # the title is spoken inside sentences ("We were working on <title>, in ..."): no
        # trailing punctuation of its own; a long question is cut at a word with an ellipsis
        title = text.rstrip(" .!?;:,") or text
        if len(title) > 80:
            title = title[:79].rsplit(" ", 1)[0].rstrip(" .!?;:,") + "…"
        return cls(id=f"custom-{digest}", title=title, statement=text, custom=True)


class ProblemBank:
    """All problems: built-in first, then the user's own (which may not reuse a built-in id)."""

    def __init__(self, dirs: list[Path], flow: Flow | None = None):
        """``flow``: to check each problem's stages and ``skip_points`` against."""
        self.dirs = [Path(d) for d in dirs]
        self.problems: dict[str, Problem] = {}
        self.errors: list[DataFileError] = []
        for d in self.dirs:
            if not d.is_dir():
                continue
            for path in sorted(d.glob("*.y*ml")):
                try:
                    problem = load_problem_file(path)
                except DataFileError as err:
                    self.errors.append(err)
                    continue
                if problem.id in self.problems:
                    self.errors.append(DataFileError(path, f"problem id '{problem.id}' is already defined"))
                    continue
                wrong = problem.problems_with(flow) if flow is not None else None
                if wrong:
                    self.errors.append(DataFileError(path, wrong))
                    continue
                self.problems[problem.id] = problem

    def get(self, problem_id: str) -> Problem:
        try:
            return self.problems[problem_id]
        except KeyError:
            known = ", ".join(sorted(self.problems)) or "(none)"
            raise KeyError(f"unknown problem '{problem_id}'. Known problems: {known}") from None

    def list(self) -> list[Problem]:
        return [self.problems[k] for k in sorted(self.problems)]


def load_problem_file(path: Path) -> Problem:
    problem = load_yaml_model(Problem, Path(path))
    if problem.id != Path(path).stem:
        raise DataFileError(path, f"field 'id': '{problem.id}' must match the file name '{Path(path).stem}'")
    return problem


def load_bank(settings, flow: Flow | None = None) -> ProblemBank:
    """The built-in problems and the user's own, checked against ``flow`` (loaded from the
    settings' prompts when not given; a broken flow is reported where it is used)."""
    if flow is None:
        from interviewer.flow import load_flow

        try:
            flow = load_flow(settings.prompts_dir)
        except DataFileError:
            flow = None
    return ProblemBank([settings.problems_dir, settings.user_problems_dir], flow)
