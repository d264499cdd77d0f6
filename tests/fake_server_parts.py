"""Parts of the fake OpenAI-compatible server: its modes, the payloads it sends (stdlib only).

``fill_schema`` answers like a server with constrained decoding (vLLM, llama.cpp, Ollama):
exactly the required properties of the request's schema, nothing more. ``grade_from_prompt``
answers like a well-behaved grader that reads the criterion ids from the prompt.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

MODES: dict[str, dict[str, bool]] = {
    "openai": {},                                               # answers ``structured`` as given
    "schema-exact": {"schema_exact": True},                     # vLLM / llama.cpp / Ollama constrained decoding
    "fenced-prose": {"fenced": True},                           # ignores the format, JSON in ```json fences
    "no-response-format": {"reject_response_format": True},     # HTTP 400 to response_format
    "no-structured-output": {"reject_response_format": True, "reject_tools": True, "fenced": True},
}
MODE_FLAGS = ("schema_exact", "fenced", "reject_response_format", "reject_tools")


def completion(model: str, message: dict, finish: str = "stop", prompt_tokens: int = 0) -> dict:
    completion_tokens = len(str(message.get("content") or "").split())
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }


def chunk(cid: str, model: str, delta: dict, finish: str | None = None) -> dict:
    return {"id": cid, "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]}


def request_schema(body: dict) -> dict | None:
    """The JSON schema a request asks for: response_format's, else the first tool's parameters."""
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return (fmt.get("json_schema") or {}).get("schema")
    tools = body.get("tools") or []
    if tools:
        return tools[0].get("function", {}).get("parameters")
    return None


def answer_quote(body: dict, words: int = 12) -> str:
    """The first words of the first sentence inside <candidate_answer> tags (what a model might quote)."""
    user = "\n".join(str(m.get("content", "")) for m in body.get("messages", []) if m.get("role") == "user")
    if "<candidate_answer>" not in user:
        return ""
    answer = user.split("<candidate_answer>", 1)[1].split("</candidate_answer>", 1)[0].strip()
    first = re.split(r"(?<=[.!?])\s", answer, maxsplit=1)[0]
    return " ".join(first.split()[:words])


def fill_schema(schema: dict, quote: str = "", name: str = "") -> Any:
    """A value with exactly the schema's required properties and nothing else. Integers take 3
    within their bounds, enums their first value, strings "", arrays their minItems (a
    ``quotes`` array gets ``quote``, like a model copying the answer)."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {key: fill_schema(props.get(key, {}), quote, key) for key in schema.get("required", [])}
    if kind == "array":
        if name == "quotes" and quote:
            return [quote]
        return [fill_schema(schema.get("items", {}), quote) for _ in range(schema.get("minItems", 0))]
    if kind == "integer":
        return min(max(3, schema.get("minimum", 3)), schema.get("maximum", 3))
    if kind == "number":
        return float(schema.get("minimum", 0))
    if kind == "boolean":
        return False
    return ""


def grade_from_prompt(body: dict, score: int = 3) -> dict:
    """A well-behaved grade for whatever stage the grader prompt shows: every criterion id listed
    in the prompt, each quoting the answer's first sentence verbatim."""
    user = "\n".join(str(m.get("content", "")) for m in body.get("messages", []) if m.get("role") == "user")
    ids = re.findall(r"^- id: ([a-z0-9-]+)", user, flags=re.M)
    quote = answer_quote(body)
    return {"criteria": {i: {"quotes": [quote], "missing": "", "rationale": "ok", "score": score} for i in ids},
            "red_flags": [], "improvements": [{"text": "Add numbers.", "source": "G1"}]}
