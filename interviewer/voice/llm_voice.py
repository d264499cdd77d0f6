"""The LLM interviewer voice: phrases the Move the engine chose, streamed token by token.

What the model sees (and nothing else): the problem, the current stage, facts already
revealed plus only the fact answering the current question (never the whole sheet), the
probe the engine picked (never the key-point list), retrieved guidance, one-line summaries
of finished stages and a recent window of turns. Every part is bounded in count and words,
so the prompt stops growing once the window is full. Candidate text is escaped and placed
inside tags as data (``prompts/llm/interviewer.yaml``).

Failures raise ``LLMUnavailable`` (one line, no key): the engine then falls back to the
offline voice with a notice, and the candidate's turn is already saved. After a failure the
voice answers offline at once for a while (``llm/cooldown.py``: no second wait for a dead
server), then tries the model again.
"""

from __future__ import annotations

from typing import Any, Iterator

from interviewer.flow import load_flow
from interviewer.llm.cooldown import CoolDown
from interviewer.llm.errors import LLMUnavailable
from interviewer.llm.chat import build_chat_model
from interviewer.llm.tokens import count_message_tokens
from interviewer.llm.retry import RetryPolicy, stream_with_retry
from interviewer.engine.moves import Move, Turn, VoiceContext, template_key
from interviewer.llm.prompting import as_data, load_prompt
from interviewer.config.settings import Settings
from interviewer.textutil import normalize_ws, truncate_words

MAX_TURNS = 6              # recent turns shown besides the latest candidate message
TURN_WORDS = 80
MESSAGE_WORDS = 250        # the latest candidate message
MAX_FACTS = 10
FACT_WORDS = 50
MAX_SUMMARIES = 6
SUMMARY_WORDS = 50
MAX_GUIDANCE = 2
GUIDANCE_WORDS = 60
MAX_SOURCES = 3
SOURCE_WORDS = 90
TEMPERATURE = 0.4
_FINISH_KEYS = ("finish_reason", "stop_reason", "done_reason")
# Moves about the app itself (command help, unknown command, a finished session) keep the
# offline voice's exact wording: there is nothing for a model to phrase.
# A diagram that could not be read gets the parser's one line as it is.
OFFLINE_MOVES = {("redirect", "help"), ("redirect", "unknown_command"), ("end", "already_ended"),
                 ("redirect", "diagram_error")}


def _cut(text: str, words: int) -> str:
    cut, truncated = truncate_words(normalize_ws(text), words)
    return cut + (" …" if truncated else "")


def _bullets(lines: list[str], empty: str) -> str:
    return "\n".join(f"- {line}" for line in lines) if lines else empty


def _chunk_text(chunk: Any) -> str:
    text = getattr(chunk, "text", None)
    if isinstance(text, str):
        return str(text)
    content = getattr(chunk, "content", "")
    if isinstance(content, str):
        return content
    return "".join(b.get("text", "") for b in content if isinstance(b, dict))


class LLMVoice:
    """Voice protocol implementation backed by any LangChain chat model."""

    def __init__(self, settings: Settings, chat_model: Any = None, *, retry: RetryPolicy | None = None):
        self.settings = settings
        self.model = settings.effective_model()
        self.chat = chat_model if chat_model is not None else build_chat_model(
            settings, temperature=TEMPERATURE, streaming=True)
        self.name = self.model
        self.prompt = load_prompt("interviewer", settings.prompts_dir)
        self.flow = load_flow(settings.prompts_dir)
        # A hung server is not retried while the candidate waits: the engine answers offline.
        self.retry = retry or RetryPolicy.from_settings(settings, timeout_retries=0)
        self.last_prompt_tokens = 0
        self.notice: str | None = None
        self._offline_voice: Any = None
        self.cooling = CoolDown("answering offline")   # after a failure: offline at once for a while

    # ---- context ----------------------------------------------------------------------
    def _stage_name(self, stage_id: str | None) -> str:
        try:
            return self.flow.stage(stage_id or "").name
        except KeyError:
            return stage_id or ""

    def instruction(self, move: Move, ctx: VoiceContext) -> str:
        """The move rendered from its fragment (``kind.reason`` when the prompt file has one)."""
        kind = move.kind
        values: dict[str, object] = {}
        if kind in ("welcome",):
            values = {"opening": move.opening or ""}
        elif kind == "answer_fact":
            if move.fact is None:
                kind = "assume"
            else:
                values = {"fact": _cut(move.fact.answer, FACT_WORDS * 2)}
                if move.reason == "contradicts":   # the earlier assumption, and what was said now
                    values["said"] = as_data(move.detail or "")
        elif kind == "probe":
            values = {"probe": move.probe or ""}
        elif kind == "challenge":
            values = {"said": as_data(move.detail or ""), "probe": move.probe or ""}
        elif kind == "assume" and move.reason == "statement":
            values = {"option": move.detail or ""}
        elif kind == "advance":
            values = {"next_stage_name": self._stage_name(move.next_stage), "opening": move.opening or ""}
        elif kind == "hint":
            items = [f"[{h.citation}] {_cut(h.text, SOURCE_WORDS)}" for h in move.sources[:MAX_SOURCES]]
            values = {"sources": "\n".join(items) or "no passages found"}
        key = template_key(kind, move.reason, self.prompt.fragments)
        return self.prompt.render_fragment(key, **values)

    def _split_turns(self, turns: list[Turn]) -> tuple[list[Turn], str]:
        turns = list(turns)
        latest = ""
        if turns and turns[-1].role == "candidate":
            latest = turns.pop().text
        return turns[-MAX_TURNS:], latest

    def messages(self, move: Move, ctx: VoiceContext) -> list:
        """The bounded prompt for ``move`` as LangChain messages."""
        current = move.fact.id if move.fact is not None else None
        facts = [f for f in ctx.facts_revealed if f.id != current][-MAX_FACTS:]
        fact_lines = [f"{f.topic}: {_cut(f.answer, FACT_WORDS)}" for f in facts]
        summaries = list(ctx.stage_summaries.items())[-MAX_SUMMARIES:]
        summary_lines = [f"{self._stage_name(s)}: {as_data(_cut(t, SUMMARY_WORDS))}" for s, t in summaries if t]
        guidance = [f"[{h.citation}] {_cut(h.text, GUIDANCE_WORDS)}" for h in ctx.guidance[:MAX_GUIDANCE]]
        window, latest = self._split_turns(ctx.recent_turns)
        transcript = "\n".join(
            f"{'Candidate' if t.role == 'candidate' else 'Interviewer'}: {as_data(_cut(t.text, TURN_WORDS))}"
            for t in window) or "(the interview is starting)"
        stage_id = move.stage or ctx.stage
        try:
            goal = self.flow.stage(stage_id).goal
        except KeyError:
            goal = ""
        return self.prompt.render(
            problem_title=ctx.problem_title,
            problem_statement=_cut(ctx.problem_statement, 300),
            stage_name=self._stage_name(stage_id) or ctx.stage_name,
            stage_goal=normalize_ws(goal),
            facts_known=_bullets(fact_lines, "(none yet)"),
            summaries=_bullets(summary_lines, "(none yet)"),
            guidance=_bullets(guidance, "(none)"),
            transcript=transcript,
            candidate_message=as_data(_cut(latest, MESSAGE_WORDS), empty="(none)"),
            instruction=self.instruction(move, ctx),
        )

    # ---- speaking ---------------------------------------------------------------------
    def _offline(self) -> Any:
        if self._offline_voice is None:
            from interviewer.voice.offline import OfflineVoice

            self._offline_voice = OfflineVoice(self.settings.prompts_dir)
        return self._offline_voice

    def speak(self, move: Move, ctx: VoiceContext) -> Iterator[str]:
        if (move.kind, move.reason) in OFFLINE_MOVES:   # commands and system states: exact wording
            yield self._offline().render(move, ctx)
            return
        self.cooling.check()   # the model failed a moment ago: answer offline now, not wait again
        try:
            yield from self._stream(move, ctx)
        except LLMUnavailable as err:
            self.cooling.failed(err)
            raise
        self.cooling.succeeded()

    def _stream(self, move: Move, ctx: VoiceContext) -> Iterator[str]:
        msgs = self.messages(move, ctx)
        self.last_prompt_tokens = count_message_tokens(msgs)
        finished = False
        reports_finish = False
        produced = False
        try:
            for chunk in stream_with_retry(lambda: self.chat.stream(msgs), self.retry):
                meta = getattr(chunk, "response_metadata", None) or {}
                if meta.get("model_provider"):
                    reports_finish = True
                if any(meta.get(k) for k in _FINISH_KEYS) or meta.get("done") is True:
                    finished = True
                text = _chunk_text(chunk)
                if text:
                    produced = produced or bool(text.strip())
                    yield text
        except LLMUnavailable:
            raise
        except Exception as exc:  # anything unexpected from a provider integration
            from interviewer.llm.retry import classify_error

            raise classify_error(exc, self.retry.timeout) from None
        if reports_finish and not finished:
            raise LLMUnavailable("the reply was cut off (the connection closed mid-stream)", "connection")
        if not produced:
            raise LLMUnavailable("the model returned an empty reply", "empty")
