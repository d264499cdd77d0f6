"""Reading a grade out of a model's reply, whichever path produced it.

- ``schema`` path: the reply's text is the JSON object (what ``response_format`` json_schema
  guarantees). A server that ignored the format and wrapped the JSON in prose is still read,
  but the grade is then recorded as read from ``text``.
- ``tools`` path: the forced function call's arguments; a reply without a tool call is read
  as text.
- ``text`` path: JSON found in the reply's text: the contents of a ```json fence, else the
  first balanced ``{...}`` object in the prose that is a complete grade. Reasoning blocks
  (``<think>...</think>``) are skipped.

The reading itself is shared with every structured call (``interviewer.llm.structured``);
every candidate goes through ``llm_schema.validate_grade``; the first complete grade wins.
"""

from __future__ import annotations

from typing import Any

from interviewer.grading.llm_schema import LLMGrade, validate_grade
from interviewer.llm.structured import (BadOutput, balanced_objects, json_candidates,  # noqa: F401
                                        read_structured, reply_text, value_from_text)


def grade_from_text(text: str, stage: Any) -> LLMGrade:
    """The first complete grade in ``text``, or ``BadOutput`` with the reason."""
    return value_from_text(text, lambda v: validate_grade(v, stage))


def read_reply(result: Any, path: str, stage: Any) -> tuple[LLMGrade, str]:
    """(grade, how it was read: "schema" | "tools" | "text") from one call's result, or ``BadOutput``."""
    return read_structured(result, path, lambda v: validate_grade(v, stage))
