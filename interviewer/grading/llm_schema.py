"""The LLM grader's output contract, built from the rubric stage (data), never by hand.

``grade_schema(stage)`` is the JSON schema the model fills. Every criterion of the stage is a
required property named by its id, each with required ``quotes`` (verbatim, at most three),
``missing`` (text), ``rationale`` and an integer ``score`` bounded 1..4; every object has
``additionalProperties: false`` and lists all its properties as required (OpenAI strict mode).
So a server that fills the schema exactly (constrained decoding in vLLM, llama.cpp, Ollama)
cannot produce an incomplete grade. Evidence comes before the score in property order:
constrained decoders generate in that order, so the score is written after the quotes.

``validate_grade(data, stage)`` checks any reply (structured, tool call or parsed text)
against the pydantic model ``LLMGrade``, with the stage's criterion ids required.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from interviewer.grading.grades import SCORE_MAX, SCORE_MIN
from interviewer.llm.structured import BadOutput

MAX_QUOTES = 3
MAX_IMPROVEMENTS = 3
SCHEMA_TITLE = "LLMGrade"          # the function name on the tool-calling path
SCHEMA_DESCRIPTION = "Grade one answer against the stage's rubric criteria."


# ---- the JSON schema, from the rubric stage ----------------------------------------------------
def _object(properties: dict[str, Any], description: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object"}
    if description:
        out["description"] = description
    out.update(properties=properties, required=list(properties), additionalProperties=False)
    return out


def _strings(description: str, max_items: int | None = None, enum: list[str] | None = None,
             item_description: str = "") -> dict[str, Any]:
    item: dict[str, Any] = {"type": "string"}
    if item_description:
        item["description"] = item_description
    if enum:
        item["enum"] = enum
    out: dict[str, Any] = {"type": "array", "description": description, "items": item}
    if max_items is not None:
        out["maxItems"] = max_items
    return out


def _criterion(name: str) -> dict[str, Any]:
    return _object({
        "quotes": _strings("Verbatim quotes from the answer that support the score; none if nothing does.",
                           MAX_QUOTES, item_description="a verbatim quote"),
        "missing": {"type": "string", "description": "what a stronger answer would add"},
        "rationale": {"type": "string", "description": "one sentence: why this score"},
        "score": {"type": "integer", "minimum": SCORE_MIN, "maximum": SCORE_MAX,
                  "description": "anchor level reached: 1 poor, 2 weak, 3 solid, 4 strong"},
    }, name)


@lru_cache(maxsize=32)
def _schema_json(stage_json: str) -> str:
    stage = json.loads(stage_json)
    criteria = _object({c["id"]: _criterion(c["name"]) for c in stage["criteria"]},
                       "One entry per criterion id; every id is required.")
    flags = [f["id"] for f in stage["red_flags"]]
    improvement = _object({"text": {"type": "string", "description": "a concrete next step"},
                           "source": {"type": "string", "description": "guidance id (G1, G2...) or empty"}})
    schema = {"title": SCHEMA_TITLE, "description": SCHEMA_DESCRIPTION, **_object({
        "criteria": criteria,
        "red_flags": _strings("Ids of the red flags the answer asserts.", enum=flags or None),
        "improvements": {"type": "array", "description": "At most three.", "items": improvement,
                         "maxItems": MAX_IMPROVEMENTS},
    })}
    return json.dumps(schema)


def _stage_data(stage: Any) -> str:
    return json.dumps({
        "criteria": [{"id": c.id, "name": c.name} for c in stage.criteria],
        "red_flags": [{"id": f.id} for f in (getattr(stage, "red_flags", None) or [])],
    })


def grade_schema(stage: Any) -> dict[str, Any]:
    """The JSON schema of a complete grade for ``stage`` (a ``RubricStage``); a fresh copy."""
    return json.loads(_schema_json(_stage_data(stage)))


def criterion_ids(stage: Any) -> list[str]:
    return [c.id for c in stage.criteria]


# ---- the pydantic model every reply is validated against -----------------------------------------
class LLMCriterion(BaseModel):
    model_config = ConfigDict(extra="ignore")
    quotes: list[str]
    missing: str
    rationale: str = ""
    score: int = Field(ge=SCORE_MIN, le=SCORE_MAX)

    @field_validator("missing", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        if isinstance(value, list):                  # plain-JSON replies sometimes list it
            return "; ".join(str(v) for v in value if str(v).strip())
        return "" if value is None else value


class LLMImprovement(BaseModel):
    model_config = ConfigDict(extra="ignore")
    text: str
    source: str = ""


class LLMGrade(BaseModel):
    """A grade as the model proposes it; validated with ``context={"criteria": ids}``."""

    model_config = ConfigDict(extra="ignore")
    criteria: dict[str, LLMCriterion]
    red_flags: list[str] = Field(default_factory=list)
    improvements: list[LLMImprovement] = Field(default_factory=list)

    @field_validator("criteria", mode="before")
    @classmethod
    def _by_id(cls, value: Any) -> Any:
        if isinstance(value, list):                  # [{"id": ..., ...}]: the older, list shape
            out: dict[str, Any] = {}
            for item in value:
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    out.setdefault(item["id"], item)
            return out
        return value

    @model_validator(mode="after")
    def _complete(self, info: ValidationInfo) -> "LLMGrade":
        required = (info.context or {}).get("criteria") or []
        skipped = [cid for cid in required if cid not in self.criteria]
        if skipped:
            raise ValueError(f"the output skipped criteria {skipped}")
        return self


def validate_grade(data: Any, stage: Any) -> LLMGrade:
    """``data`` as a complete ``LLMGrade`` for ``stage``, or ``BadOutput``."""
    if isinstance(data, LLMGrade):
        data = data.model_dump()
    if not isinstance(data, dict):
        raise BadOutput("the output is not a JSON object")
    try:
        return LLMGrade.model_validate(data, context={"criteria": criterion_ids(stage)})
    except Exception as exc:
        errors = getattr(exc, "errors", lambda: [])()
        if errors:
            first = errors[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "output"
            raise BadOutput(f"the output did not match the schema ({where}: {first.get('msg', '')})") from None
        raise BadOutput("the output did not match the schema") from None
