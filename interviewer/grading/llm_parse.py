"""Reading a grade out of a model's reply, whichever path produced it: the generic reader of
``interviewer.llm.json_reply`` with ``llm_schema.validate_grade``."""

from __future__ import annotations

from typing import Any

from interviewer.grading.llm_schema import LLMGrade, validate_grade
from interviewer.llm.json_reply import balanced_objects, json_candidates, read_structured, reply_text, value_from_text

__all__ = ["balanced_objects", "json_candidates", "reply_text", "grade_from_text", "read_reply"]


def grade_from_text(text: str, stage: Any) -> LLMGrade:
    """The first complete grade in ``text``, or ``BadOutput`` with the reason."""
    return value_from_text(text, lambda value: validate_grade(value, stage))


def read_reply(result: Any, path: str, stage: Any) -> tuple[LLMGrade, str]:
    """(grade, how it was read: "schema" | "tools" | "text") from one call's result, or ``BadOutput``."""
    return read_structured(result, path, lambda value: validate_grade(value, stage))
