"""Structured output from any chat model: JSON schema, then tools, then JSON in plain text.

One helper for every call that needs a JSON object back (the LLM grader, the problem drafter):

1. ``schema``: structured output with the JSON schema (``response_format`` json_schema, strict).
2. ``tools``: when the server rejects ``response_format`` (HTTP 400/422, or an error naming
   response_format / json_schema) or the integration lacks json_schema: the same schema as one
   function's parameters, with tool_choice forcing that function.
3. ``text``: when tool calling is rejected or missing too: the caller's prompt asks for plain
   JSON, and the reply's text is searched for it (a ```json fence, else the first balanced
   ``{...}`` object that validates; ``<think>`` blocks skipped).

Every candidate value goes through the caller's ``validate`` (raises ``BadOutput`` with a
one-line reason). Unusable output may be retried on the same path (``attempts``), told why;
provider failures (after ``llm.retry``'s bounded retries) fail at once. Failures raise the
caller's error class with a one-line message naming ``who`` asked; a provider failure's
carries its ``kind`` (``timeout``, ``server``... as in ``LLMUnavailable``).
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Iterator

from interviewer.llm.errors import LLMUnavailable
from interviewer.llm.retry import RetryPolicy, call_with_retry

PATHS = ("schema", "tools", "text")
METHODS = {"schema": "json_schema", "tools": "function_calling"}
TRANSPORT_KINDS = {"timeout", "connection", "rate_limit", "server", "auth", "not_found", "setup"}
REJECT_STATUS = {400, 422}
FEATURE_WORDS = {"schema": ("response_format", "json_schema", "structured output"),
                 "tools": ("tool_choice", "tools", "tool call", "function call", "function_call")}
MAX_CANDIDATES = 20
_FENCE = re.compile(r"```[ \t]*(?:json|JSON|json5)?[ \t]*\n?(.*?)```", re.S)
_THINK = re.compile(r"<think>.*?</think>", re.S | re.I)

Validate = Callable[[Any], Any]


class BadOutput(Exception):
    """A reply that is not a usable value (the message says why, in one line)."""


class _Rejected(Exception):
    """The server or the integration does not support this path."""


# ---- reading replies -------------------------------------------------------------------------
def reply_text(message: Any) -> str:
    """The text of an AIMessage (string content or a list of content blocks)."""
    content = getattr(message, "content", message)
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for block in content:
            if isinstance(block, str):
                parts.append(block)
            elif isinstance(block, dict) and block.get("type") in (None, "text", "output_text"):
                parts.append(str(block.get("text", "")))
        return "".join(parts)
    return "" if content is None else str(content)


def balanced_objects(text: str) -> Iterator[str]:
    """Every balanced ``{...}`` span in ``text``, outermost first, left to right (strings respected)."""
    start = text.find("{")
    while start != -1:
        depth, in_str, esc = 0, False, False
        end = -1
        for i in range(start, len(text)):
            ch = text[i]
            if in_str:
                if esc:
                    esc = False
                elif ch == "\\":
                    esc = True
                elif ch == '"':
                    in_str = False
            elif ch == '"':
                in_str = True
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    end = i
                    break
        if end == -1:
            start = text.find("{", start + 1)
            continue
        yield text[start:end + 1]
        start = text.find("{", start + 1)


def json_candidates(text: str) -> Iterator[dict]:
    """JSON objects found in ``text``: fenced blocks first, then balanced objects in the prose."""
    text = _THINK.sub(" ", text or "")
    tried: set[str] = set()
    found = 0
    spans = [m.group(1) for m in _FENCE.finditer(text)]
    for span in [*spans, text]:
        for piece in [span.strip(), *balanced_objects(span)]:
            if found >= MAX_CANDIDATES or len(tried) >= 4 * MAX_CANDIDATES:
                return
            if piece in tried:
                continue
            tried.add(piece)
            try:
                value = json.loads(piece)
            except ValueError:
                continue
            if isinstance(value, dict):
                found += 1
                yield value


def value_from_text(text: str, validate: Validate) -> Any:
    """The first valid value in ``text``, or ``BadOutput`` with the reason."""
    if not (text or "").strip():
        raise BadOutput("the model returned no text")
    reason = "the reply contained no JSON object"
    for value in json_candidates(text):
        try:
            return validate(value)
        except BadOutput as err:
            reason = str(err)
    raise BadOutput(reason)


def read_structured(result: Any, path: str, validate: Validate) -> tuple[Any, str]:
    """(value, how it was read: "schema" | "tools" | "text") from one call's result, or ``BadOutput``.

    ``result``: ``{"raw": AIMessage, "parsed": ...}`` from ``with_structured_output(include_raw=True)``,
    or a plain AIMessage on the text path. A schema reply wrapped in prose is read as ``text``."""
    if result is None:
        raise BadOutput("the model returned no output")
    raw = result.get("raw") if path != "text" and isinstance(result, dict) and "raw" in result else None
    if path == "text":
        raw = result
    if raw is None:                                   # a model whose wrapper returns the parsed value
        parsed = result.get("parsed") if isinstance(result, dict) and "raw" in result else result
        if parsed is None:
            raise BadOutput("the model returned no structured output")
        return validate(parsed), path
    if (getattr(raw, "additional_kwargs", None) or {}).get("refusal"):
        raise BadOutput("the model refused")
    if path == "tools":
        calls = getattr(raw, "tool_calls", None) or []
        if calls:
            return validate(calls[0].get("args")), "tools"
        bad = getattr(raw, "invalid_tool_calls", None) or []
        if bad:
            return value_from_text(str(bad[0].get("args") or ""), validate), "tools"
    text = reply_text(raw)
    if path == "schema":
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if isinstance(value, dict):
            return validate(value), "schema"
    return value_from_text(text, validate), "text"


# ---- asking ------------------------------------------------------------------------------------
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
    last: Exception | None = None
    for kwargs in ({"strict": True}, {}):
        try:
            return model.with_structured_output(schema, method=method, include_raw=True, **kwargs)
        except NotImplementedError as exc:
            raise _Rejected(f"{method} unsupported ({type(exc).__name__})") from None
        except (ValueError, TypeError) as exc:
            last = exc
    raise _Rejected(f"{method} unsupported ({type(last).__name__})")


def _invoke(runnable: Any, messages: list, path: str, retry: RetryPolicy, who: str,
            error: type[Exception]) -> Any:
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
            failure = error(f"{who} could not reach the model: {err}")
            failure.kind = err.kind     # type: ignore[attr-defined]  (e.g. a cool-down keys on it)
            raise failure from None
        raise BadOutput(str(err)) from None


def ask_structured(model: Any, messages: list, *, schema: dict, validate: Validate,
                   text_prompt: Callable[[], str], retry: RetryPolicy, who: str,
                   error: type[Exception], retry_prompt: Callable[[str], str] | None = None,
                   attempts: int = 2) -> tuple[Any, str]:
    """(value, path that produced it: "schema" | "tools" | "text"), or ``error``.

    ``text_prompt()``: the message asking for plain JSON (text path only); ``retry_prompt(reason)``:
    the message after an unusable reply (when ``attempts`` > 1)."""
    from langchain_core.messages import HumanMessage

    notes: list[str] = []
    for path in PATHS:
        try:
            runnable = _runnable(model, path, schema)
        except _Rejected as why:
            notes.append(str(why))
            continue
        reason = ""
        failures: list[str] = []
        for _ in range(max(1, attempts)):
            sent = list(messages)
            if path == "text":
                sent.append(HumanMessage(content=text_prompt()))
            if reason and retry_prompt is not None:
                sent.append(HumanMessage(content=retry_prompt(reason)))
            try:
                result = _invoke(runnable, sent, path, retry, who, error)
                return read_structured(result, path, validate)
            except _Rejected as why:
                notes.append(str(why))
                break
            except BadOutput as bad:
                reason = str(bad)
                failures.append(reason)
        else:
            raise error(f"{who} gave no usable output on the {path} path ({'; '.join(failures)})")
    raise error(f"{who} found no way to get structured output ({'; '.join(notes[-3:])})")


# ---- the schema as a shape, for plain-JSON prompts ---------------------------------------------------
def _shape(node: dict[str, Any]) -> Any:
    kind = node.get("type")
    if kind == "object":
        return {k: _shape(v) for k, v in node.get("properties", {}).items()}
    if kind == "array":
        return [_shape(node.get("items", {}))]
    if kind == "integer":
        return f"<integer {node.get('minimum', '')}-{node.get('maximum', '')}>"
    if node.get("enum"):
        return "<one of: " + ", ".join(str(e) for e in node["enum"]) + ">"
    return "<" + (node.get("description") or "text") + ">"


def json_template(schema: dict[str, Any]) -> str:
    """A readable shape of ``schema``: every key it requires, with a hint for each value."""
    text = json.dumps(_shape(schema), indent=1, ensure_ascii=False)
    return re.sub(r'"(<integer [^"]*>)"', r"\1", text)
