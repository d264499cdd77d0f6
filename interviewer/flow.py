"""The staged interview flow, loaded from ``prompts/flow.yaml`` and validated."""

from __future__ import annotations

from pathlib import Path

from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from interviewer.config.datafiles import load_cached

SLUG = r"^[a-z0-9][a-z0-9-]*$"


class KeyPoint(BaseModel):
    """Something a strong candidate covers in a stage."""

    id: str = Field(pattern=SLUG)
    text: str = Field(min_length=5, description="What a strong candidate says or decides.")
    importance: int = Field(ge=1, le=3, description="3 = must cover, 1 = nice to have.")
    cues: list[str] = Field(min_length=1, description="Phrasings that show the point is covered.")
    probes: list[str] = Field(min_length=1, description="Questions asked when it is missed.")
    refines: str | None = Field(default=None, pattern=SLUG, description=(
        "A problem's own point only: the generic key point of the same stage it makes concrete "
        "(its objective for this product, say). Heard affirmed, it credits that point too."))


class Stage(BaseModel):
    id: str = Field(pattern=SLUG)
    name: str
    goal: str
    openings: list[str] = Field(min_length=1)
    minutes: float = Field(gt=0, description="Suggested minutes in a default-length interview.")
    max_probes: int = Field(default=2, ge=0, le=5)
    diagram: bool = Field(default=False, description="The app offers a diagram box in this stage.")
    graded_turns: list[Literal["answer", "question"]] = Field(
        default=["answer"], min_length=1,
        description="Candidate turn kinds the report grades as the stage's answer.")
    key_points: list[KeyPoint] = Field(min_length=1)

    @field_validator("key_points")
    @classmethod
    def _unique_ids(cls, points: list[KeyPoint]) -> list[KeyPoint]:
        ids = [p.id for p in points]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"duplicate key point ids: {sorted(dup)}")
        return points


class Flow(BaseModel):
    default_minutes: int = Field(default=45, ge=5, le=180)
    stages: list[Stage]

    @model_validator(mode="after")
    def _unique_stages_and_points(self) -> "Flow":
        ids = [s.id for s in self.stages]
        if not ids:
            raise ValueError("the flow needs at least one stage")
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate stage ids: {sorted({i for i in ids if ids.count(i) > 1})}")
        points = [p.id for s in self.stages for p in s.key_points]
        dup = sorted({i for i in points if points.count(i) > 1})
        if dup:
            raise ValueError(f"key point ids must be unique across stages: {dup}")
        return self

    @property
    def stage_ids(self) -> tuple[str, ...]:
        """The stages, in interview order: the flow file is the only place they are named."""
        return tuple(s.id for s in self.stages)

    def parse_stage(self, value: str) -> str:
        """Normalise a user-typed stage id; raise ValueError with the choices."""
        v = (value or "").strip().lower()
        if v not in self.stage_ids:
            raise ValueError(f"unknown stage '{value}': choose one of {', '.join(self.stage_ids)}")
        return v

    def choices(self) -> str:
        """The stage ids as a user reads them in help text: "a, b or c"."""
        ids = self.stage_ids
        return ids[0] if len(ids) == 1 else f"{', '.join(ids[:-1])} or {ids[-1]}"

    def later_stages(self, stage_id: str) -> tuple[str, ...]:
        ids = self.stage_ids
        return ids[ids.index(stage_id) + 1:]

    def position(self, stage_id: str) -> int:
        """1-based position of ``stage_id`` in the flow (0 if unknown)."""
        return self.stage_ids.index(stage_id) + 1 if stage_id in self.stage_ids else 0

    def stage(self, stage_id: str) -> Stage:
        for s in self.stages:
            if s.id == stage_id:
                return s
        raise KeyError(f"unknown stage '{stage_id}' (stages: {', '.join(self.stage_ids)})")

    def next_stage(self, stage_id: str) -> str | None:
        later = self.later_stages(stage_id)
        return later[0] if later else None

    def minutes_for(self, stage_id: str, total_minutes: float | None = None) -> float:
        """A stage's time budget, scaled to the interview's length."""
        total = sum(s.minutes for s in self.stages)
        wanted = total_minutes if total_minutes is not None else self.default_minutes
        return self.stage(stage_id).minutes * wanted / total


def _load(path: str) -> Flow:
    return load_cached(Flow, path)


def load_flow(prompts_dir: Path | None = None) -> Flow:
    if prompts_dir is None:
        from interviewer.config.settings import get_settings

        prompts_dir = get_settings().prompts_dir
    return _load(str(Path(prompts_dir) / "flow.yaml"))
