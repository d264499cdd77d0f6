"""interviewer.llm.chat and interviewer.llm.retry: model strings, keys, one-line errors, bounded retries."""

from __future__ import annotations

import pytest

from interviewer.llm.chat import (
    build_chat_model,
    check_connection,
    describe,
    list_providers,
    parse_model_spec,
    resolve_api_key,
)
from interviewer.llm.errors import LLMUnavailable, ProviderError
from interviewer.llm.tokens import count_message_tokens, count_tokens
from interviewer.llm.retry import RetryPolicy, call_with_retry, classify_error, stream_with_retry
from interviewer.config.settings import DEFAULT_OPENAI_MODEL, Settings

KEY = "sk-unit-SECRET-abcdef0123456789"


# ---- model strings and construction -----------------------------------------------------------
def test_parse_model_spec_keeps_tags_after_the_first_colon():
    spec = parse_model_spec("ollama:llama3.1:8b")
    assert (spec.provider, spec.model) == ("ollama", "llama3.1:8b")
    assert str(parse_model_spec(" OpenAI:gpt-4o-mini ")) == "openai:gpt-4o-mini"


@pytest.mark.parametrize("bad", ["gpt-4o", "openai:", ":gpt", ""])
def test_bad_model_string_is_one_line(bad):
    with pytest.raises(ProviderError) as err:
        parse_model_spec(bad)
    assert "\n" not in str(err.value) and "provider:model" in str(err.value)


def test_effective_model_defaults(monkeypatch):
    assert Settings().effective_model() == "offline"
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    assert Settings().effective_model() == DEFAULT_OPENAI_MODEL
    monkeypatch.setenv("INTERVIEWER_MODEL", "anthropic:claude-x")
    assert Settings().effective_model() == "anthropic:claude-x"


def test_offline_and_missing_keys_say_what_to_set():
    with pytest.raises(ProviderError, match="offline"):
        build_chat_model(Settings(model="offline"))
    with pytest.raises(ProviderError, match="OPENAI_API_KEY"):
        build_chat_model(Settings(model="openai:gpt-4o-mini"))
    with pytest.raises(ProviderError, match="ANTHROPIC_API_KEY"):
        build_chat_model(Settings(model="anthropic:claude-3-5-haiku-latest"))


def test_unknown_provider_and_missing_package_are_one_line():
    with pytest.raises(ProviderError) as err:
        build_chat_model(Settings(model="nosuchprovider:model"), api_key=KEY)
    assert "unknown provider 'nosuchprovider'" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(ProviderError) as err:
        build_chat_model(Settings(model="groq:llama-3"), api_key=KEY)   # langchain-groq is not installed
    assert "pip install langchain-groq" in str(err.value)


def test_key_precedence_explicit_then_interviewer_then_provider_var(monkeypatch, tmp_path):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-openai-var-000")
    s = Settings(model="openai:m")
    assert resolve_api_key(s, "openai") == ("sk-from-openai-var-000", "OPENAI_API_KEY")
    s = Settings(model="openai:m", api_key="sk-from-interviewer-111")
    assert resolve_api_key(s, "openai")[1] == "INTERVIEWER_API_KEY"
    assert resolve_api_key(s, "openai", api_key=KEY) == (KEY, "entered in the app")
    monkeypatch.delenv("OPENAI_API_KEY")
    (tmp_path / ".env").write_text("ANTHROPIC_API_KEY=sk-ant-from-dotenv-222\n")
    assert resolve_api_key(Settings(), "anthropic") == ("sk-ant-from-dotenv-222", "ANTHROPIC_API_KEY")


def test_openai_model_is_built_with_timeout_no_client_retries_and_base_url():
    s = Settings(model="openai:fake-model", base_url="http://127.0.0.1:9/v1", api_key=KEY, request_timeout=7)
    chat = build_chat_model(s, temperature=0, streaming=True)
    assert chat.openai_api_key.get_secret_value() == KEY
    assert chat.openai_api_base == "http://127.0.0.1:9/v1"
    assert chat.request_timeout == 7 and chat.max_retries == 0
    assert chat.temperature == 0 and chat.streaming is True
    # a local server needs no key
    local = build_chat_model(Settings(model="openai:m", base_url="http://127.0.0.1:9/v1"))
    assert local.openai_api_key.get_secret_value() == "not-needed"


def test_anthropic_and_ollama_build():
    chat = build_chat_model(Settings(model="anthropic:claude-3-5-haiku-latest"), api_key=KEY)
    assert type(chat).__name__ == "ChatAnthropic" and chat.max_retries == 0
    chat = build_chat_model(Settings(model="ollama:llama3.1:8b", request_timeout=5))
    assert type(chat).__name__ == "ChatOllama" and chat.model == "llama3.1:8b"
    assert chat.client_kwargs["timeout"] == 5


def test_describe_masks_keys_and_lists_providers(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    d = describe(Settings(model="openai:gpt-4o-mini"))
    assert d["effective_model"] == "openai:gpt-4o-mini" and d["key_source"] == "OPENAI_API_KEY"
    assert KEY not in repr(d) and d["keys"]["OPENAI_API_KEY"].startswith("sk-")
    assert d["keys"]["ANTHROPIC_API_KEY"] == ""
    ids = [p["id"] for p in list_providers()]
    assert ids == ["openai", "anthropic", "ollama"] and all(p["installed"] for p in list_providers())


def test_check_connection_offline_is_ok_without_network():
    ok, message, latency = check_connection(Settings())
    assert ok and "offline" in message and latency == 0.0


def test_check_connection_reports_setup_problem_without_the_key():
    ok, message, _ = check_connection(Settings(model="anthropic:claude-x"))
    assert not ok and "ANTHROPIC_API_KEY" in message


def test_token_counts_are_exact_cl100k_and_grow_with_text():
    assert count_tokens("hello world") == 2
    assert count_tokens("") == 0
    from langchain_core.messages import HumanMessage, SystemMessage

    short = count_message_tokens([SystemMessage("be brief"), HumanMessage("hi")])
    long = count_message_tokens([SystemMessage("be brief"), HumanMessage("hi " * 100)])
    assert long - short == 100


# ---- retries --------------------------------------------------------------------------------------
class _Resp:
    def __init__(self, status: int, headers: dict | None = None):
        self.status_code = status
        self.headers = headers or {}


class StatusError(Exception):
    def __init__(self, status: int, headers: dict | None = None):
        super().__init__(f"HTTP {status} Incorrect API key provided: {KEY}")
        self.status_code = status
        self.response = _Resp(status, headers)


class APITimeoutError(Exception):
    pass


def _policy(**kw):
    sleeps: list[float] = []
    values = dict(max_retries=3, base_delay=0.5, max_delay=8.0, retry_after_cap=20.0, timeout=2.0,
                  sleep=sleeps.append, rand=lambda: 1.0)
    values.update(kw)
    return RetryPolicy(**values), sleeps


def _failing(errors: list[BaseException], result: str = "ok"):
    calls = []

    def fn():
        calls.append(1)
        if errors:
            raise errors.pop(0)
        return result

    return fn, calls


def test_backoff_is_exponential_capped_and_jittered():
    p, _ = _policy(rand=lambda: 1.0)
    assert [p.backoff(i) for i in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    p, _ = _policy(rand=lambda: 0.0)
    assert p.backoff(2) == 1.0          # jitter takes the delay down to half


def test_429_honours_retry_after_then_succeeds():
    p, sleeps = _policy()
    fn, calls = _failing([StatusError(429, {"retry-after": "2"}), StatusError(503)])
    assert call_with_retry(fn, p) == "ok"
    assert len(calls) == 3
    assert 2.0 <= sleeps[0] <= 2.1 and sleeps[1] == 1.0


def test_retry_after_beyond_the_cap_fails_at_once_with_the_wait():
    p, sleeps = _policy()
    fn, calls = _failing([StatusError(429, {"retry-after": "300"})])
    with pytest.raises(LLMUnavailable) as err:
        call_with_retry(fn, p)
    assert len(calls) == 1 and sleeps == [] and "wait 300 s" in str(err.value)


def test_5xx_retries_are_bounded_and_message_is_clean():
    p, sleeps = _policy(max_retries=3)
    fn, calls = _failing([StatusError(500) for _ in range(10)])
    with pytest.raises(LLMUnavailable) as err:
        call_with_retry(fn, p)
    assert len(calls) == 4 and len(sleeps) == 3
    msg = str(err.value)
    assert "HTTP 500" in msg and "after 4 attempts" in msg and KEY not in msg and "\n" not in msg


def test_timeouts_retry_once_and_auth_errors_not_at_all():
    p, _ = _policy(max_retries=3)
    fn, calls = _failing([APITimeoutError("read timed out") for _ in range(5)])
    with pytest.raises(LLMUnavailable, match="did not answer within 2 s"):
        call_with_retry(fn, p)
    assert len(calls) == 2
    fn, calls = _failing([StatusError(401)])
    with pytest.raises(LLMUnavailable) as err:
        call_with_retry(fn, p)
    assert len(calls) == 1 and err.value.kind == "auth" and KEY not in str(err.value)


def test_stream_retries_before_the_first_chunk_only():
    p, _ = _policy()
    attempts = []

    def start():
        attempts.append(1)
        if len(attempts) == 1:
            raise StatusError(502)
        yield "a"
        yield "b"

    assert list(stream_with_retry(start, p)) == ["a", "b"] and len(attempts) == 2

    def dropping():
        yield "a"
        raise ConnectionError("peer closed")

    got = []
    with pytest.raises(LLMUnavailable, match="cut off"):
        for item in stream_with_retry(dropping, p):
            got.append(item)
    assert got == ["a"]


def test_classify_error_never_repeats_the_provider_message():
    err = classify_error(StatusError(403))
    assert KEY not in str(err) and err.kind == "auth"
    assert classify_error(ValueError("boom")).kind == "unknown"


def test_openai_key_in_dotenv_selects_the_openai_default(tmp_path):
    (tmp_path / ".env").write_text(f"OPENAI_API_KEY={KEY}\n")
    s = Settings()
    assert s.effective_model() == DEFAULT_OPENAI_MODEL
    assert resolve_api_key(s, "openai") == (KEY, "OPENAI_API_KEY")
    assert KEY not in repr(s.masked()) and KEY not in repr(describe(s))
