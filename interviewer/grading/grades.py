"""What a grader returns: per-criterion scores with evidence, and a stage grade.

Shared contract between the offline grader, the LLM grader, evidence verification,
the feedback service, the report and the UI. ``StageGrade.to_json()`` is the public
JSON shape of ``interviewer feedback --format json``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

SCORE_MIN = 1
SCORE_MAX = 4
SCORE_LABELS = {1: "poor", 2: "weak", 3: "solid", 4: "strong"}
OFFLINE_GRADER = "offline"
GraderVia = Literal["schema", "tools", "text"]


class GraderError(RuntimeError):
    """A grader could not produce a grade (provider failure, invalid output, no verifiable evidence)."""


class SourceRef(BaseModel):
    """A citable piece of guidance: the guide file and the heading path inside it."""

    source: str
    heading: str = ""

    def to_json(self) -> dict[str, str]:
        return {"source": self.source, "heading": self.heading}


class CriterionScore(BaseModel):
    """One rubric criterion, scored 1–4, with the candidate's own sentences as evidence."""

    id: str
    name: str
    score: int = Field(ge=SCORE_MIN, le=SCORE_MAX)
    evidence: list[str] = Field(default_factory=list, description="Exact quotes of the candidate's words.")
    missing: list[str] = Field(default_factory=list, description="What a stronger answer would have covered.")
    rationale: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "score": self.score,
                "evidence": list(self.evidence), "missing": list(self.missing)}


class StageGrade(BaseModel):
    """The grade of one answer (or all of a candidate's answers) in one stage."""

    stage: str
    score: int = Field(ge=SCORE_MIN, le=SCORE_MAX)
    criteria: list[CriterionScore] = Field(default_factory=list)
    strengths: list[str] = Field(default_factory=list)
    improvements: list[str] = Field(default_factory=list)
    sources: list[SourceRef] = Field(default_factory=list)
    grader: str = OFFLINE_GRADER   # "offline" | "llm:<provider:model>"
    notices: list[str] = Field(default_factory=list, description="E.g. truncation, fallback to offline.")
    scope: str = Field(default="", description="What this grader can and cannot judge (offline cards).")
    grader_via: GraderVia | None = Field(
        default=None, description="How the LLM's grade was obtained: 'schema' (structured output), 'tools' "
        "(a forced function call) or 'text' (JSON read from the reply's text). None for offline grades.")

    @field_validator("grader")
    @classmethod
    def _grader_kind(cls, value: str) -> str:
        if value != OFFLINE_GRADER and not value.startswith("llm:"):
            raise ValueError("grader must be 'offline' or 'llm:<provider:model>'")
        return value

    @property
    def label(self) -> str:
        return SCORE_LABELS[self.score]

    def to_json(self) -> dict[str, Any]:
        """The public JSON shape (exactly these keys, plus ``grader_via`` when the LLM graded and
        ``scope`` on an offline grade; notices are shown separately)."""
        out = {
            "stage": self.stage,
            "score": self.score,
            "criteria": [c.to_json() for c in self.criteria],
            "strengths": list(self.strengths),
            "improvements": list(self.improvements),
            "sources": [s.to_json() for s in self.sources],
            "grader": self.grader,
        }
        if self.grader_via is not None:
            out["grader_via"] = self.grader_via
        if self.scope:
            out["scope"] = self.scope
        return out
