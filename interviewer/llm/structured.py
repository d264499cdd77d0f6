"""Asking a model for a structured value (a JSON schema's object): three paths, tried in order.

1. ``schema``: structured output with the JSON schema (``response_format`` json_schema,
   strict), so a server with constrained decoding can only produce a complete value.
2. ``tools``: when the server rejects ``response_format`` (HTTP 400/422, or an error naming
   response_format / json_schema) or the integration lacks json_schema: the same schema as one
   function's parameters, with tool_choice forcing that function.
3. ``text``: when tool calling is rejected or missing too: the prompt asks for plain JSON (the
   shape comes from the same schema, ``json_template``) and the reply's text is parsed
   (``json_reply``).

A path that returns unusable output (no JSON, malformed, incomplete, refusal) is retried once
on the same path, told why; unusable twice is ``StructuredError("bad_output")``. Provider
failures (timeouts, connection, 429, 5xx, auth, after ``retry``'s bounded retries) are
``StructuredError`` at once, with the failure's kind. The prompt file must have the fragments
``json_format`` (variable ``shape``) and ``retry`` (variable ``reason``).
Used by the LLM grader (``grading/llm_paths.py``) and the LLM listener.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, TypeVar

from interviewer.llm.errors import BadOutput, LLMUnavailable, StructuredError
from interviewer.llm.json_reply import read_structured
from interviewer.llm.retry import RetryPolicy, call_with_retry

T = TypeVar("T")
PATHS = ("schema", "tools", "text")
METHODS = {"schema": "json_schema", "tools": "function_calling"}
ATTEMPTS = 2                 # unusable output is retried once on the same path
TRANSPORT_KINDS = {"timeout", "connection", "rate_limit", "server", "auth", "not_found", "setup"}
REJECT_STATUS = {400, 422}
FEATURE_WORDS = {"schema": ("response_format", "json_schema", "structured output"),
                 "tools": ("tool_choice", "tools", "tool call", "function call", "function_call")}


class _Rejected(Exception):
    """The server or the integration does not support this path."""


def _status(exc: BaseException | None) -> int | None:
    for obj in (exc, getattr(exc, "response", None)):
        code = getattr(obj, "status_code", None)
        if isinstance(code, int):
            return code
    return None


def _names_feature(path: str, exc: BaseException | None, err: LLMUnavailable) -> bool:
    text = f"{err} {exc or ''}".lower()
    return any(word in text for word in FEATURE_WORDS.get(path, ()))


def _runnable(model: Any, path: str, schema: dict) -> Any:
    if path == "text":
        return model
    method = METHODS[path]
    for kwargs in ({"strict": True}, {}):
        try:
            return model.with_structured_output(schema, method=method, include_raw=True, **kwargs)
        except NotImplementedError as exc:
            raise _Rejected(f"{method} unsupported ({type(exc).__name__})") from None
        except (ValueError, TypeError) as exc:
            last = exc
    raise _Rejected(f"{method} unsupported ({type(last).__name__})")


def _invoke(runnable: Any, messages: list, path: str, retry: RetryPolicy, who: str) -> Any:
    """One call with bounded retries for provider failures; classifies what went wrong."""
    seen: dict[str, BaseException] = {}

    def call() -> Any:
        try:
            return runnable.invoke(messages)
        except Exception as exc:
            seen["exc"] = exc
            raise

    try:
        return call_with_retry(call, retry)
    except LLMUnavailable as err:
        exc = seen.get("exc")
        if path != "text" and (_names_feature(path, exc, err)
                               or (err.kind == "request" and _status(exc) in REJECT_STATUS)):
            raise _Rejected(f"{path} rejected by the server ({err})") from None
        if err.kind in TRANSPORT_KINDS:
            raise StructuredError(f"{who} could not reach the model: {err}", err.kind) from None
        raise BadOutput(str(err)) from None


def _messages(base: list, path: str, prompt: Any, schema: dict, reason: str) -> list:
    from langchain_core.messages import HumanMessage

    out = list(base)
    if path == "text":
        out.append(HumanMessage(content=prompt.render_fragment("json_format", shape=json_template(schema))))
    if reason:
        out.append(HumanMessage(content=prompt.render_fragment("retry", reason=reason)))
    return out


def ask_structured(model: Any, messages: list, *, schema: dict, validate: Callable[[Any], T], prompt: Any,
                   retry: RetryPolicy, who: str = "the model") -> tuple[T, str]:
    """(value, path that produced it: "schema" | "tools" | "text"), or ``StructuredError``.
    ``validate`` turns a JSON value into ``T`` or raises ``BadOutput``; ``who`` names the
    caller in messages ("the LLM grader")."""
    notes: list[str] = []
    for path in PATHS:
        try:
            runnable = _runnable(model, path, schema)
        except _Rejected as why:
            notes.append(str(why))
            continue
        reason = ""
        failures: list[str] = []
        for _ in range(ATTEMPTS):
            try:
                result = _invoke(runnable, _messages(messages, path, prompt, schema, reason), path, retry, who)
                return read_structured(result, path, validate)
            except _Rejected as why:
                notes.append(str(why))
                break
            except BadOutput as bad:
                reason = str(bad)
                failures.append(reason)
        else:
            raise StructuredError(f"{who} gave no usable output on the {path} path ({'; '.join(failures)})")
    raise StructuredError(f"{who} found no way to get structured output ({'; '.join(notes[-3:])})",
                          "unsupported")


# ---- the schema as a shape, for the plain-JSON prompt -------------------------------------------
def _shape(node: dict[str, Any]) -> Any:
    kind = node.get("type")
    if kind == "object":
        return {k: _shape(v) for k, v in node["properties"].items()}
    if kind == "array":
        return [_shape(node["items"])]
    if kind == "integer":
        return f"<integer {node.get('minimum', '')}-{node.get('maximum', '')}>"
    if node.get("enum"):
        return "<one of: " + ", ".join(node["enum"]) + ">"
    return "<" + (node.get("description") or "text") + ">"


def json_template(schema: dict[str, Any]) -> str:
    """A readable shape of ``schema``: every key it requires, with a hint for each value."""
    text = json.dumps(_shape(schema), indent=1, ensure_ascii=False)
    return re.sub(r'"(<integer [^"]*>)"', r"\1", text)
