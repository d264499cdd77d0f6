"""How the grader asks the model for a grade: three paths, tried in order.

1. ``schema``: structured output with the stage's JSON schema (``response_format`` json_schema,
   strict), so a server with constrained decoding can only produce a complete grade.
2. ``tools``: when the server rejects ``response_format`` (HTTP 400/422, or an error naming
   response_format / json_schema) or the integration lacks json_schema: the same schema as one
   function's parameters, with tool_choice forcing that function.
3. ``text``: when tool calling is rejected or missing too: the prompt asks for plain JSON (the
   shape comes from the same schema) and the reply's text is parsed (``llm_parse``).

A path that returns unusable output (no JSON, malformed, incomplete, refusal) is retried once
on the same path, told why; unusable twice is ``GraderError``. Provider failures (timeouts,
connection, 429, 5xx, auth, after ``llm_retry``'s bounded retries) are ``GraderError`` at once:
the feedback service then grades offline and says so. The paths themselves are shared with
every structured call: ``interviewer.llm.structured.ask_structured``.
"""

from __future__ import annotations

from typing import Any

from interviewer.grading.grades import GraderError
from interviewer.grading.llm_schema import LLMGrade, grade_schema, json_template, validate_grade
from interviewer.llm.retry import RetryPolicy
from interviewer.llm.structured import PATHS, ask_structured  # noqa: F401  (PATHS re-exported)

ATTEMPTS = 2                 # unusable output is retried once on the same path


def ask_for_grade(model: Any, messages: list, *, stage: Any, prompt: Any, retry: RetryPolicy) -> tuple[LLMGrade, str]:
    """(grade, path that produced it: "schema" | "tools" | "text"), or ``GraderError``."""
    schema = grade_schema(stage)
    return ask_structured(
        model, messages, schema=schema, validate=lambda v: validate_grade(v, stage),
        text_prompt=lambda: prompt.render_fragment("json_format", shape=json_template(schema)),
        retry_prompt=lambda reason: prompt.render_fragment("retry", reason=reason),
        retry=retry, who="the LLM grader", error=GraderError, attempts=ATTEMPTS)
