"""The LLM as listener: one structured call per candidate turn, the offline listener as fallback.

Same interface as the offline ``Listener`` (``hear(text, points, in_stage=, context=)`` →
``Hearing``). The model sees the problem, the stage's key points (ids and text), the last few
turns and the candidate's turn, and returns the ids the turn affirms and dismisses, each with a
quote (``prompts/llm/listener.yaml``; JSON schema, then tools, then plain JSON:
``llm/structured.py``, shared with the grader). The code decides: ids that are not the stage's are dropped, and so is
every quote that is not the candidate's exact words in this turn (``grading/evidence``); the
evidence is the whole sentence holding the quote. Points of the other stages are heard by the
offline listener (credited wherever they are said), which also gives the off-topic signal.

Any failure (unreachable server, garbage twice, no structured output) → the offline hearing,
with a one-line notice; after a transport failure the offline listener answers at once for a
while (the voice's cool-down, ``llm/cooldown.py``). The interviewer's voice never sees any of
this: it gets the move the engine chose, never the key points.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Iterable

from pydantic import BaseModel, ConfigDict, Field

from interviewer.flow import KeyPoint
from interviewer.grading.evidence import clean_quote, contains_exact
from interviewer.listening.hearing import Hearing, HearingContext, PointHearing, credit_refined
from interviewer.listening.listener import Listener
from interviewer.llm.cooldown import CoolDown
from interviewer.llm.errors import LLMUnavailable
from interviewer.llm.prompting import as_data, load_prompt
from interviewer.llm.retry import RetryPolicy
from interviewer.llm.structured import BadOutput, ask_structured, json_template
from interviewer.llm.tokens import count_message_tokens
from interviewer.textutil import normalize_ws, sentences, truncate_words

log = logging.getLogger(__name__)
MAX_RECENT = 4              # turns before this one shown to the model
RECENT_WORDS = 60
ANSWER_WORDS = 600
PROBLEM_WORDS = 120
MIN_QUOTE_WORDS = 3         # a shorter quote counts only when it is the whole turn
SCHEMA_TITLE = "Hearing"


class ListenerError(Exception):
    """The model gave no usable hearing (``kind`` set when it could not be reached)."""

    kind = "bad_output"


class _Heard(BaseModel):
    model_config = ConfigDict(extra="ignore")
    quote: str = ""
    id: str


class LLMHearing(BaseModel):
    model_config = ConfigDict(extra="ignore")
    affirmed: list[_Heard] = Field(default_factory=list)
    dismissed: list[_Heard] = Field(default_factory=list)


def hearing_schema(ids: list[str]) -> dict[str, Any]:
    """The reply's JSON schema: two lists of {quote, id}, ids limited to ``ids`` (OpenAI strict)."""
    item = {"type": "object", "additionalProperties": False, "required": ["quote", "id"], "properties": {
        "quote": {"type": "string", "description": "the candidate's exact words that show it"},
        "id": {"type": "string", "enum": list(ids), "description": "a key point id"}}}
    return {"title": SCHEMA_TITLE, "description": "Key points the candidate's turn affirms or dismisses.",
            "type": "object", "additionalProperties": False, "required": ["affirmed", "dismissed"],
            "properties": {
                "affirmed": {"type": "array", "description": "Points the turn affirms.", "items": item},
                "dismissed": {"type": "array", "description": "Points the turn rejects or gets wrong.",
                              "items": item}}}


def validate_hearing(data: Any) -> LLMHearing:
    if isinstance(data, LLMHearing):
        return data
    if not isinstance(data, dict) or not ({"affirmed", "dismissed"} & set(data)):
        raise BadOutput("the output has no 'affirmed' or 'dismissed' list")
    try:
        return LLMHearing.model_validate(data)
    except Exception:
        raise BadOutput("the output did not match the schema (lists of {quote, id})") from None


def verified_quote(quote: str, text: str) -> str | None:
    """``quote`` cleaned, if it is the candidate's exact words in ``text`` (else ``None``)."""
    q, whole = clean_quote(quote or ""), normalize_ws(text)
    if not q or not contains_exact(whole, q):
        return None
    if len(q.split()) < MIN_QUOTE_WORDS and q.strip(" .!?") != whole.strip(" .!?"):
        return None
    return q


class LLMListener:
    """``hear`` with the model; ``offline`` (the fitted ``Listener``) on any failure."""

    def __init__(self, chat_model: Any, offline: Listener, *, model_name: str, retry: RetryPolicy,
                 prompts_dir: Any = None):
        self.chat = chat_model
        self.offline = offline
        self.model_name = model_name
        self.name = f"llm:{model_name}"
        self.retry = retry
        self.prompt = load_prompt("listener", prompts_dir)
        self.cooling = CoolDown("listening offline")
        self.last_prompt_tokens = 0
        self.last_seconds = 0.0          # wall time of the last model call
        self.last_dropped = 0            # ids or quotes dropped from the last reply
        self.calls = 0                   # model calls made (not counting cool-down skips)

    def warm(self, points: list[KeyPoint]) -> None:
        self.offline.warm(points)

    def prepare(self, texts: Iterable[str]) -> None:
        self.offline.prepare(texts)

    def messages(self, text: str, points: list[KeyPoint], context: HearingContext | None) -> list:
        ctx = context or HearingContext()
        recent = "\n".join(f"{'Candidate' if role == 'candidate' else 'Interviewer'}: "
                           f"{as_data(truncate_words(normalize_ws(t), RECENT_WORDS)[0])}"
                           for role, t in ctx.recent[-MAX_RECENT:] if normalize_ws(t)) or "(none)"
        return self.prompt.render(
            problem=truncate_words(normalize_ws(ctx.problem), PROBLEM_WORDS)[0] or "(not given)",
            stage_name=ctx.stage_name or "(not given)",
            key_points="\n".join(f"- {p.id}: {normalize_ws(p.text)}" for p in points),
            recent=recent, answer=as_data(truncate_words(normalize_ws(text), ANSWER_WORDS)[0]))

    def hear(self, text: str, points: Iterable[KeyPoint], in_stage: Iterable[str] | None = None,
             context: HearingContext | None = None) -> Hearing:
        points = list(points)
        current = set(in_stage) if in_stage is not None else {p.id for p in points}
        base = self.offline.hear(text, points, in_stage=current)   # other stages, off-topic, fallback
        stage_points = [p for p in points if p.id in current]
        if not normalize_ws(text) or not stage_points:
            return base
        try:
            self.cooling.check()
            reply = self._ask(text, stage_points, context)
        except (ListenerError, LLMUnavailable) as err:
            self.cooling.failed(err)
            base.notice = (f"The model at {self.model_name} did not listen ({err}); "
                           "your answer was heard offline.")
            return base
        self.cooling.succeeded()
        return self._merge(base, reply, text, current)

    def _ask(self, text: str, points: list[KeyPoint], context: HearingContext | None) -> LLMHearing:
        msgs = self.messages(text, points, context)
        self.last_prompt_tokens = count_message_tokens(msgs)
        self.calls += 1
        t0 = time.perf_counter()
        try:
            schema = hearing_schema([p.id for p in points])
            out, _ = ask_structured(
                self.chat, msgs, schema=schema, validate=validate_hearing,
                text_prompt=lambda: self.prompt.render_fragment("json_format", shape=json_template(schema)),
                retry_prompt=lambda reason: self.prompt.render_fragment("retry", reason=reason),
                retry=self.retry, who="the LLM listener", error=ListenerError, attempts=2)
        except (LLMUnavailable, ListenerError):
            raise
        except Exception as exc:   # anything unexpected from a provider integration
            from interviewer.llm.retry import classify_error

            raise classify_error(exc, self.retry.timeout) from None
        finally:
            self.last_seconds = time.perf_counter() - t0
        return out

    def _merge(self, base: Hearing, reply: LLMHearing, text: str, current: set[str]) -> Hearing:
        """The offline hearing with the stage's points replaced by the model's verified ones."""
        whole = sentences(text)
        heard: dict[str, tuple[str, str]] = {}
        dropped = 0
        for status, items in (("affirmed", reply.affirmed), ("dismissed", reply.dismissed)):
            for item in items:
                quote = verified_quote(item.quote, text)
                if item.id not in current or quote is None:
                    dropped += 1
                    continue
                evidence = next((s for s in whole if contains_exact(normalize_ws(s), quote)), quote)
                if item.id not in heard or status == "dismissed":   # a point both ways is challenged
                    heard[item.id] = (status, evidence)
        self.last_dropped = dropped
        if dropped:
            log.info("LLM listener: %d id(s) or quote(s) dropped (unknown id or not the candidate's words)",
                     dropped)
        out = []
        for h in base.points:
            if h.point.id not in current:
                out.append(h)
                continue
            status, evidence = heard.get(h.point.id, ("absent", None))
            out.append(PointHearing(h.point, status, evidence, 1.0 if evidence else 0.0,  # type: ignore[arg-type]
                                    1.0 if status == "dismissed" else 0.0, challenge=status == "dismissed"))
        best = max(base.best_match, 1.0 if heard else 0.0)
        return Hearing(credit_refined(out), listener=self.name, units=base.units, best_match=best)


def build_llm_listener(services, offline: Listener) -> LLMListener | Listener:
    """The LLM listener for ``services``' model; the offline one if the model cannot be set up."""
    s = services.settings
    try:
        chat = services.listener_model()
    except Exception as exc:  # provider missing, bad model string, missing key
        from interviewer.errors import describe_error

        log.warning("LLM listener unavailable (%s); listening offline", describe_error(exc))
        return offline
    if chat is None:
        return offline
    return LLMListener(chat, offline, model_name=s.effective_model(),
                       retry=RetryPolicy.from_settings(s, timeout_retries=0), prompts_dir=s.prompts_dir)
