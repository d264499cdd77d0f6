"""How the grader asks the model for a grade: the three structured-output paths of
``interviewer.llm.structured`` (JSON schema, then tools, then plain JSON in the reply), with
the stage's grade schema (``llm_schema``). Any failure is ``GraderError``: the feedback
service then grades offline and says so.
"""

from __future__ import annotations

from typing import Any

from interviewer.grading.grades import GraderError
from interviewer.grading.llm_schema import LLMGrade, grade_schema, validate_grade
from interviewer.llm.errors import StructuredError
from interviewer.llm.retry import RetryPolicy
from interviewer.llm.structured import PATHS, ask_structured  # noqa: F401  (PATHS re-exported)


def ask_for_grade(model: Any, messages: list, *, stage: Any, prompt: Any, retry: RetryPolicy) -> tuple[LLMGrade, str]:
    """(grade, path that produced it: "schema" | "tools" | "text"), or ``GraderError``."""
    try:
        return ask_structured(model, messages, schema=grade_schema(stage),
                              validate=lambda value: validate_grade(value, stage), prompt=prompt,
                              retry=retry, who="the LLM grader")
    except StructuredError as err:
        raise GraderError(str(err)) from None
