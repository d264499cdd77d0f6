"""Reading a structured value out of a model's reply, whichever path produced it.

- ``schema`` path: the reply's text is the JSON object (what ``response_format`` json_schema
  guarantees). A server that ignored the format and wrapped the JSON in prose is still read,
  but the value is then recorded as read from ``text``.
- ``tools`` path: the forced function call's arguments; a reply without a tool call is read
  as text.
- ``text`` path: JSON found in the reply's text: the contents of a ```json fence, else the
  first balanced ``{...}`` object in the prose that validates. Reasoning blocks
  (``<think>...</think>``) are skipped.

Every candidate goes through the caller's ``validate`` (raising ``BadOutput``); the first
valid value wins. Used by the LLM grader and the LLM listener.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Iterator, TypeVar

from interviewer.llm.errors import BadOutput

T = TypeVar("T")
Validate = Callable[[Any], T]
_FENCE = re.compile(r"```[ \t]*(?:json|JSON|json5)?[ \t]*\n?(.*?)```", re.S)
_THINK = re.compile(r"<think>.*?</think>", re.S | re.I)
MAX_CANDIDATES = 20


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


def value_from_text(text: str, validate: Validate) -> T:
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


def _raw(result: Any) -> Any:
    return result.get("raw") if isinstance(result, dict) and "raw" in result else None


def _refusal(raw: Any) -> str:
    kwargs = getattr(raw, "additional_kwargs", None) or {}
    return str(kwargs.get("refusal") or "")


def read_structured(result: Any, path: str, validate: Validate) -> tuple[T, str]:
    """(value, how it was read: "schema" | "tools" | "text") from one call's result, or ``BadOutput``.

    ``result`` is what the runnable returned: ``{"raw": AIMessage, "parsed": ...}`` from
    ``with_structured_output(include_raw=True)``, or a plain AIMessage on the text path."""
    if result is None:
        raise BadOutput("the model returned no output")
    raw = _raw(result) if path != "text" else result
    if raw is None:                                   # a model whose wrapper returns the parsed value
        parsed = result.get("parsed") if isinstance(result, dict) and "raw" in result else result
        if parsed is None:
            raise BadOutput("the model returned no structured output")
        return validate(parsed), path
    if _refusal(raw):
        raise BadOutput("the model refused to answer")
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
