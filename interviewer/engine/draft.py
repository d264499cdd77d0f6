"""A fact sheet and key points drafted for a free-text question, in one structured LLM call.

With an LLM set, "design podcast recommendations for Spotify's home screen" gets what a bank
problem has: 8-14 hidden facts with example asks and concrete, consistent answers, one or two
problem-specific key points per stage, and the generic points that do not apply. The reply's
JSON schema is built from the flow (stage ids, generic key point ids); it is asked for through
the shared structured-output paths (``llm.structured``: schema, tools, plain JSON) and checked
like a problem file (the ``Problem`` model and ``Problem.problems_with(flow)``), plus: 8-14
facts, every stage with a key point, no two answers that contradict each other
(``engine.contradiction``). Anything else is ``DraftError``: the engine then takes the offline
path and says so in one line. One call (no retry), at most ``BUDGET_TOKENS`` in all: the prompt
and schema are counted (``llm.tokens``) and the reply is capped at what is left.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from interviewer.engine.contradiction import conflicting_facts
from interviewer.flow import Flow
from interviewer.llm.chat import with_output_limit
from interviewer.llm.prompting import as_data, load_prompt
from interviewer.llm.retry import RetryPolicy
from interviewer.llm.structured import BadOutput, ask_structured, json_template
from interviewer.llm.tokens import count_message_tokens, count_tokens
from interviewer.problems import Problem

BUDGET_TOKENS = 4000          # prompt + schema + reply, for the whole draft
MIN_REPLY_TOKENS = 1500       # a prompt that leaves less than this is not sent
MIN_FACTS, MAX_FACTS = 8, 14
POINTS_PER_STAGE = (1, 2)
POINT_PREFIX = "own-"         # drafted key point ids never clash with the flow's
SCHEMA_TITLE = "ProblemDraft"
_SLUG = re.compile(r"[^a-z0-9]+")


class DraftError(RuntimeError):
    """No usable draft (the model failed, or its draft is not a valid problem). One line."""


def _strings(description: str, lo: int, hi: int) -> dict[str, Any]:
    return {"type": "array", "description": description, "items": {"type": "string"},
            "minItems": lo, "maxItems": hi}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties),
            "additionalProperties": False}


def draft_schema(flow: Flow) -> dict[str, Any]:
    """The JSON schema of a complete draft for ``flow``: every stage id a required key."""
    fact = _object({
        "id": {"type": "string", "description": "short slug, e.g. scale"},
        "topic": {"type": "string", "description": "a few words"},
        "asks": _strings("questions a candidate might ask", 2, 3),
        "answer": {"type": "string", "description": "one or two sentences with specific numbers"},
    })
    point = _object({
        "stage": {"type": "string", "enum": list(flow.stage_ids)},
        "id": {"type": "string", "description": "short slug"},
        "text": {"type": "string", "description": "what a strong candidate says for this problem"},
        "importance": {"type": "integer", "minimum": 1, "maximum": 3},
        "cues": _strings("sentences a candidate would say", 2, 2),
        "probes": _strings("the interviewer's question when it is missed", 1, 1),
    })
    lo, hi = POINTS_PER_STAGE
    n = len(flow.stages)
    stages = {"type": "array", "description": f"{lo}-{hi} per stage, every stage", "items": point,
              "minItems": lo * n, "maxItems": hi * n}
    generic = [p.id for s in flow.stages for p in s.key_points]
    return {"title": SCHEMA_TITLE, "description": "A hidden fact sheet and key points for the question.",
            **_object({
                "title": {"type": "string", "description": "a short title"},
                "tags": _strings("task and domain tags", 1, 5),
                "facts": {"type": "array", "items": fact, "minItems": MIN_FACTS, "maxItems": MAX_FACTS},
                "key_points": stages,
                "skip_points": {"type": "array", "items": {"type": "string", "enum": generic}},
            })}


def _slug(value: Any) -> str:
    return _SLUG.sub("-", str(value or "").lower()).strip("-")[:60]


def validate_draft(data: Any, base: Problem, flow: Flow, prompts_dir: Path | None = None,
                   model_name: str = "") -> Problem:
    """``data`` as the session's problem (``base``'s id and statement), or ``BadOutput``."""
    if not isinstance(data, dict):
        raise BadOutput("the draft is not a JSON object")
    facts = data.get("facts")
    if not isinstance(facts, list) or not MIN_FACTS <= len(facts) <= MAX_FACTS:
        n = len(facts) if isinstance(facts, list) else 0
        raise BadOutput(f"the draft has {n} facts (needs {MIN_FACTS}-{MAX_FACTS})")
    points = data.get("key_points")
    if isinstance(points, list):           # [{"stage": ..., ...}] -> {stage: [...]}
        by_stage: dict[str, list] = {}
        for p in points:
            if not isinstance(p, dict):
                raise BadOutput("the draft's key points are not objects")
            p = dict(p)
            by_stage.setdefault(str(p.pop("stage", "")), []).append(p)
        points = by_stage
    if not isinstance(points, dict) or any(not points.get(s) for s in flow.stage_ids):
        raise BadOutput(f"the draft needs key points for every stage ({', '.join(flow.stage_ids)})")
    cleaned = {
        "id": base.id, "statement": base.statement, "custom": True, "drafted_by": model_name or "an LLM",
        "title": " ".join(str(data.get("title") or "").split()).rstrip(" .") or base.title,
        "tags": [_slug(t) for t in data.get("tags") or [] if _slug(t)][:5],
        "facts": [dict(f, id=_slug(f.get("id"))) if isinstance(f, dict) else f for f in facts],
        "key_points": {s: [dict(p, id=POINT_PREFIX + _slug(p.get("id"))) if isinstance(p, dict) else p
                           for p in (pts if isinstance(pts, list) else [pts])]
                       for s, pts in points.items()},
        "skip_points": list(dict.fromkeys(data.get("skip_points") or [])),
    }
    try:
        problem = Problem.model_validate(cleaned)
    except Exception as exc:
        errors = getattr(exc, "errors", lambda: [])()
        where = ".".join(str(p) for p in errors[0].get("loc", ())) if errors else "draft"
        raise BadOutput(f"the draft is not a valid problem ({where}: "
                        f"{errors[0].get('msg', '') if errors else exc})") from None
    wrong = problem.problems_with(flow)
    if wrong:
        raise BadOutput(f"the draft is not a valid problem ({wrong})")
    if prompts_dir is not None:
        clash = conflicting_facts(problem.facts, prompts_dir)
        if clash:
            raise BadOutput(f"the draft's facts contradict each other ({clash})")
    return problem


def draft_messages(base: Problem, flow: Flow, prompts_dir: Path) -> list:
    prompt = load_prompt("drafter", prompts_dir)
    stages = "\n".join(f"- {s.id}: {s.name}" for s in flow.stages)
    return prompt.render(question=as_data(base.statement), stages=stages)


def prompt_tokens(messages: list, schema: dict) -> int:
    """What the request costs before the reply: the messages and the schema sent with them."""
    return count_message_tokens(messages) + count_tokens(json.dumps(schema))


def draft_problem(model: Any, base: Problem, flow: Flow, prompts_dir: Path, retry: RetryPolicy,
                  model_name: str = "") -> Problem:
    """The drafted problem for the free-text question ``base``, or ``DraftError``."""
    schema = draft_schema(flow)
    messages = draft_messages(base, flow, prompts_dir)
    used = prompt_tokens(messages, schema)
    if BUDGET_TOKENS - used < MIN_REPLY_TOKENS:
        raise DraftError(f"the draft prompt is too long ({used} tokens of {BUDGET_TOKENS})")
    prompt = load_prompt("drafter", prompts_dir)
    limited = with_output_limit(model, BUDGET_TOKENS - used)
    problem, _ = ask_structured(
        limited, messages, schema=schema,
        validate=lambda v: validate_draft(v, base, flow, prompts_dir, model_name),
        text_prompt=lambda: prompt.render_fragment("json_format", shape=json_template(schema)),
        retry=retry, who="the problem drafter", error=DraftError, attempts=1)
    return problem


def as_problem_file(problem: Problem, problem_id: str | None = None) -> dict[str, Any]:
    """``problem`` as the contents of a problem YAML file (loads back with ``load_problem_file``
    when saved as ``<id>.yaml``): the session-only fields left out."""
    data = problem.model_dump(mode="json", exclude={"custom", "drafted_by", "borrowed_from", "probed_as"})
    data["id"] = problem_id or _slug(problem.title) or problem.id
    return data
