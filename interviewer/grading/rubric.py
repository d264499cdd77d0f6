"""The grading rubric (``prompts/rubric.yaml``) as validated data."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from interviewer.config.datafiles import load_cached
from interviewer.flow import SLUG

CROSS_STAGE_IDS = ("structure-communication", "trade-offs", "driving-the-interview", "clarifying-questions")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Anchor(_Strict):
    level: int = Field(ge=1, le=4)
    text: str = Field(min_length=3)
    signals: list[str] = Field(default_factory=list)


def _anchors_ok(anchors: list[Anchor]) -> list[Anchor]:
    levels = [a.level for a in anchors]
    if len(set(levels)) != len(levels):
        raise ValueError(f"duplicate anchor levels {levels}")
    return sorted(anchors, key=lambda a: a.level)


class Criterion(_Strict):
    id: str = Field(pattern=SLUG)
    name: str = Field(min_length=3)
    weight: int = Field(default=1, ge=1, le=5)
    key_points: list[str] = Field(default_factory=list, description="Key point ids from prompts/flow.yaml.")
    anchors: list[Anchor] = Field(min_length=1, max_length=4)

    _sorted = field_validator("anchors")(classmethod(lambda cls, v: _anchors_ok(v)))

    def anchor(self, level: int) -> Anchor | None:
        """The anchor for ``level`` or, if absent, the nearest one below it."""
        below = [a for a in self.anchors if a.level <= level]
        return below[-1] if below else self.anchors[0]


class RedFlag(_Strict):
    id: str = Field(pattern=SLUG)
    criterion: str
    claim: str = Field(min_length=5)
    correction: str = Field(min_length=5)
    cues: list[str] = Field(min_length=1)
    markers: list[str] = Field(min_length=1, description="The sentence must contain one of these (case-insensitive).")
    cap: int = Field(default=1, ge=1, le=3, description="Highest score the criterion can get.")
    stage_cap: int = Field(default=2, ge=1, le=3, description="Highest score the stage can get.")


    def marked(self, sentence: str) -> bool:
        low = sentence.lower().replace("’", "'")
        return any(m.lower() in low for m in self.markers)


class RubricStage(_Strict):
    id: str = Field(pattern=SLUG)
    criteria: list[Criterion] = Field(min_length=2, max_length=4)
    red_flags: list[RedFlag] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> "RubricStage":
        ids = [c.id for c in self.criteria]
        if len(set(ids)) != len(ids):
            raise ValueError(f"stage {self.id}: duplicate criterion ids")
        for flag in self.red_flags:
            if flag.criterion not in ids:
                raise ValueError(f"stage {self.id}: red flag '{flag.id}' names unknown criterion '{flag.criterion}'")
        return self

    def criterion(self, criterion_id: str) -> Criterion:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(f"unknown criterion '{criterion_id}' in stage '{self.id}'")


class CrossCriterion(_Strict):
    id: str = Field(pattern=SLUG)
    name: str
    anchors: list[Anchor] = Field(min_length=1, max_length=4)

    _sorted = field_validator("anchors")(classmethod(lambda cls, v: _anchors_ok(v)))

    def anchor(self, level: int) -> Anchor | None:
        below = [a for a in self.anchors if a.level <= level]
        return below[-1] if below else self.anchors[0]


class Scoring(_Strict):
    """How the interview report turns stage scores into the overall score."""

    hint_cost: float = Field(default=0.1, ge=0, le=1, description="Subtracted per hint used.")
    max_hint_cost: float = Field(default=0.5, ge=0, le=3, description="The most hints can cost.")
    offline_scope: str = Field(default="", max_length=400, description=(
        "One line on an offline card: what the offline grader can and cannot judge."))

    def hint_penalty(self, hints: int) -> float:
        return min(self.max_hint_cost, self.hint_cost * max(0, hints))

    def note(self) -> str:
        return f"Each hint costs {self.hint_cost:g} of the overall score (at most {self.max_hint_cost:g})."


class RedFlagWords(_Strict):
    """The words that decide whether a red flag's marker is claimed or rejected ("never a
    random split", "accuracy is meaningless here", "skip rate", "unseen items aren't
    negatives"). A word ending in ``*`` matches any ending ("mislead*")."""

    negations: list[str] = Field(min_length=1, description=(
        "Before a marker (within four words) they reject it; a marker holding one is negative itself. "
        "Words ending in n't always count."))
    rejected_after: list[str] = Field(min_length=1, description="Within two words after a marker: the claim is rejected.")
    denied_after: list[str] = Field(min_length=1, description="Within two words after a marker: its subject is denied.")
    metric_name_after: list[str] = Field(min_length=1, description="Right after a marker: it names a metric.")


class Rubric(_Strict):
    version: int = 1
    levels: dict[int, str]
    scoring: Scoring = Field(default_factory=Scoring)
    red_flag_words: RedFlagWords
    stages: list[RubricStage]
    cross_stage: list[CrossCriterion]

    @model_validator(mode="after")
    def _complete(self) -> "Rubric":
        ids = [s.id for s in self.stages]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate stage ids")
        if sorted(self.levels) != [1, 2, 3, 4]:
            raise ValueError("levels must be 1, 2, 3 and 4")
        if tuple(c.id for c in self.cross_stage) != CROSS_STAGE_IDS:
            raise ValueError(f"cross_stage must be exactly {list(CROSS_STAGE_IDS)} in that order")
        return self

    def stage(self, stage_id: str) -> RubricStage:
        for s in self.stages:
            if s.id == stage_id:
                return s
        raise KeyError(f"unknown stage '{stage_id}' (stages: {', '.join(s.id for s in self.stages)})")

    def cross(self, criterion_id: str) -> CrossCriterion:
        for c in self.cross_stage:
            if c.id == criterion_id:
                return c
        raise KeyError(criterion_id)

    def check_against_flow(self, flow) -> None:
        """The rubric grades the flow's stages, in its order, and every key point a criterion
        names exists in the flow's stage."""
        ids = tuple(s.id for s in self.stages)
        if ids != flow.stage_ids:
            raise ValueError(f"rubric stages {list(ids)} must be the flow's, in order: {list(flow.stage_ids)}")
        for s in self.stages:
            known = {k.id for k in flow.stage(s.id).key_points}
            for c in s.criteria:
                unknown = [k for k in c.key_points if k not in known]
                if unknown:
                    raise ValueError(f"rubric stage {s.id}, criterion {c.id}: unknown key points {unknown}")


def _load(path: str) -> Rubric:
    return load_cached(Rubric, path)


def load_rubric(prompts_dir: Path | None = None) -> Rubric:
    if prompts_dir is None:
        from interviewer.config.settings import get_settings

        prompts_dir = get_settings().prompts_dir
    return _load(str(Path(prompts_dir) / "rubric.yaml"))
