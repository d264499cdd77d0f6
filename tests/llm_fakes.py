"""Fakes and fixtures for the LLM tests: LangChain fake chat models and the local server.

Import fixtures into a test module with ``from llm_fakes import fake_server, server_settings``.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import RunnableLambda

from fake_openai_server import FakeOpenAIServer
from fake_server_parts import MODE_FLAGS, grade_from_prompt  # noqa: F401  (re-exported)

TEST_KEY = "sk-test-SECRET-0123456789abcdef"


def text_model(*replies: str) -> GenericFakeChatModel:
    """A fake chat model that streams the given replies in turn (cycling)."""
    return GenericFakeChatModel(messages=itertools.cycle([AIMessage(content=r) for r in replies]))


class FakeStructuredChatModel(GenericFakeChatModel):
    """GenericFakeChatModel plus ``with_structured_output`` (any method, include_raw) and plain calls.

    ``outputs`` is consumed one item per call, structured or plain: a dict (the grade the model
    writes: JSON text, or a tool call's arguments on ``function_calling``), a str (the reply's
    text, e.g. prose), ``None`` (an empty reply), an exception instance (raised), or a callable
    ``(messages) -> item``. ``unsupported`` lists methods that raise NotImplementedError, like a
    model without them. ``calls`` records each call's method ("text" for plain calls).
    """

    outputs: list = []
    unsupported: tuple[str, ...] = ()
    calls: list = []
    temperature: float | None = None

    def _next(self, method: str, messages: Any) -> Any:
        self.calls.append({"method": method, "messages": messages, "temperature": self.temperature})
        if not self.outputs:
            raise AssertionError("FakeStructuredChatModel ran out of outputs")
        item = self.outputs.pop(0)
        if callable(item) and not isinstance(item, dict):
            item = item(messages)
        if isinstance(item, BaseException):
            raise item
        return item

    def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any) -> ChatResult:
        item = self._next("text", messages)
        text = json.dumps(item) if isinstance(item, dict) else (item or "")
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def with_structured_output(self, schema: Any, *, method: str = "json_schema", include_raw: bool = False,
                               **kwargs: Any):
        if method in self.unsupported:
            raise NotImplementedError(f"{method} not supported")

        def run(messages: Any) -> Any:
            item = self._next(method, messages)
            if isinstance(item, dict) and method == "function_calling":
                raw = AIMessage(content="", tool_calls=[{"name": "LLMGrade", "args": item, "id": "call_1"}])
            else:
                raw = AIMessage(content=json.dumps(item) if isinstance(item, dict) else (item or ""))
            parsed = item if isinstance(item, dict) else None
            if isinstance(schema, type) and parsed is not None:
                parsed = schema.model_validate(parsed)
            return {"raw": raw, "parsed": parsed, "parsing_error": None} if include_raw else parsed

        return RunnableLambda(run)


def structured_model(*outputs: Any, unsupported: tuple[str, ...] = (), temperature: float | None = None,
                     ) -> FakeStructuredChatModel:
    return FakeStructuredChatModel(messages=iter([]), outputs=list(outputs), unsupported=unsupported,
                                   calls=[], temperature=temperature)


def prompt_text(messages: Any) -> str:
    return "\n".join(str(getattr(m, "content", m)) for m in messages)


@pytest.fixture(scope="module")
def fake_server():
    server = FakeOpenAIServer(hang_seconds=3.0).start()
    yield server
    server.stop()


@pytest.fixture
def server(fake_server, monkeypatch) -> FakeOpenAIServer:
    """The module's server, reset, with INTERVIEWER_* pointing at it (fast timeouts)."""
    fake_server.clear()
    fake_server.reply = _default_reply
    fake_server.structured = None
    fake_server.latency = 0.0
    fake_server.token_delay = 0.0
    for flag in MODE_FLAGS:
        setattr(fake_server, flag, False)
    monkeypatch.setenv("INTERVIEWER_MODEL", "openai:fake-model")
    monkeypatch.setenv("INTERVIEWER_BASE_URL", fake_server.base_url)
    monkeypatch.setenv("INTERVIEWER_API_KEY", TEST_KEY)
    monkeypatch.setenv("INTERVIEWER_REQUEST_TIMEOUT", "1")
    monkeypatch.setenv("INTERVIEWER_MAX_RETRIES", "2")
    # One LLM part at a time: the listener stays offline unless a test sets INTERVIEWER_LISTENER=llm
    # (tests/test_llm_listener.py), so the voice's and grader's tests count only their own requests.
    monkeypatch.setenv("INTERVIEWER_LISTENER", "offline")
    from interviewer.config.settings import reset_settings_cache

    reset_settings_cache()
    return fake_server


def _default_reply(body: dict) -> str:
    return "Good question. Let us look at that: how would you measure success here?"


def fast_retry(**overrides: Any):
    from interviewer.llm.retry import RetryPolicy

    values: dict[str, Any] = {"max_retries": 2, "base_delay": 0.01, "max_delay": 0.05, "timeout": 1.0}
    values.update(overrides)
    return RetryPolicy(**values)


class StubKnowledge:
    """Stands in for the knowledge base (its own tests cover retrieval)."""

    def search(self, query: str, stage: str | None = None, k: int = 5, **kw) -> list:
        from interviewer.knowledge.types import Hit

        return [Hit(source="metrics.md", heading="PR-AUC", text="Use PR-AUC when positives are rare.",
                    score=0.9, stages=("metrics",))][:k]


def files_containing(root, needle: bytes) -> list[str]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file() and needle in path.read_bytes():
            hits.append(str(path.relative_to(root)))
    return hits
