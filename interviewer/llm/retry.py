"""Bounded retries for model calls, for every provider, and one-line error messages.

Retried: timeouts (at most ``timeout_retries`` times: a hung server rarely recovers in
seconds), connection failures, HTTP 429 (``Retry-After`` honoured up to ``retry_after_cap``;
a longer wait is reported at once instead of blocking the candidate) and 5xx. Delays grow
exponentially from ``base_delay`` up to ``max_delay`` with 50–100 % jitter. Everything else
(401, 404, 400, malformed output) is not retried here.

Errors are classified from attributes every SDK exposes (``status_code``, ``response.headers``,
exception class names), so no provider package is imported.
"""

from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, TypeVar

from interviewer.llm.errors import LLMUnavailable, ProviderError
from interviewer.config.settings import Settings

T = TypeVar("T")


@dataclass
class RetryPolicy:
    max_retries: int = 3
    timeout_retries: int = 1
    base_delay: float = 0.5
    max_delay: float = 8.0
    retry_after_cap: float = 20.0
    timeout: float | None = None                       # the per-request timeout, for messages
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    rand: Callable[[], float] = field(default=random.random, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> "RetryPolicy":
        values: dict[str, Any] = {"max_retries": settings.max_retries, "timeout": settings.request_timeout}
        values.update(overrides)
        return cls(**values)

    def backoff(self, attempt: int) -> float:
        """Delay before retry number ``attempt`` (0-based): exponential, capped, jittered."""
        base = min(self.base_delay * (2 ** attempt), self.max_delay)
        return base * (0.5 + 0.5 * self.rand())

    def delay_for(self, err: LLMUnavailable, attempt: int) -> float:
        retry_after = getattr(err, "retry_after", None)
        if retry_after is not None:
            return max(0.0, retry_after) + 0.1 * self.rand()
        return self.backoff(attempt)


# ---- classification ----------------------------------------------------------------------
def _class_names(exc: BaseException) -> list[str]:
    return [c.__name__ for c in type(exc).__mro__]


def _status(exc: BaseException) -> int | None:
    for obj in (exc, getattr(exc, "response", None)):
        code = getattr(obj, "status_code", None)
        if isinstance(code, int) and code >= 400:   # a 200 with unparseable content is not an HTTP error
            return code
    return None


def parse_retry_after(exc: BaseException) -> float | None:
    headers = getattr(getattr(exc, "response", None), "headers", None)
    if not headers:
        return None
    try:
        ms = headers.get("retry-after-ms")
        if ms is not None:
            return float(ms) / 1000.0
        value = headers.get("retry-after")
    except Exception:
        return None
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time())
    except Exception:
        return None


def classify_error(exc: BaseException, timeout: float | None = None) -> LLMUnavailable:
    """A one-line, key-free ``LLMUnavailable`` describing ``exc``."""
    if isinstance(exc, LLMUnavailable):
        return exc
    if isinstance(exc, ProviderError):
        return LLMUnavailable(str(exc), "setup", False)
    names = _class_names(exc)
    status = _status(exc)
    if any("Timeout" in n for n in names) or status == 408:
        wait = f" within {timeout:g} s" if timeout else ""
        return LLMUnavailable(f"the model did not answer{wait} (timeout)", "timeout", True)
    if status is None and any(n in names for n in ("APIConnectionError", "ConnectError", "ConnectionError",
                                                  "RemoteProtocolError", "ReadError", "NetworkError")):
        return LLMUnavailable("cannot reach the model server (connection failed)", "connection", True)
    if status == 429:
        err = LLMUnavailable("the provider is rate-limiting requests (HTTP 429)", "rate_limit", True)
        err.retry_after = parse_retry_after(exc)  # type: ignore[attr-defined]
        return err
    if status is not None and status >= 500:
        return LLMUnavailable(f"the model server failed (HTTP {status})", "server", True)
    if status in (401, 403):
        return LLMUnavailable(f"the provider rejected the API key (HTTP {status}): check INTERVIEWER_API_KEY "
                              "or the provider's key variable", "auth", False)
    if status == 404:
        return LLMUnavailable("the model was not found on the server (HTTP 404): check INTERVIEWER_MODEL "
                              "and INTERVIEWER_BASE_URL", "not_found", False)
    if status is not None:
        return LLMUnavailable(f"the provider refused the request (HTTP {status})", "request", False)
    return LLMUnavailable(f"unexpected error from the model ({type(exc).__name__})", "unknown", False)


def _give_up(err: LLMUnavailable, attempts: int) -> LLMUnavailable:
    if attempts > 1:
        out = LLMUnavailable(f"{err} after {attempts} attempts", err.kind, err.retryable)
        out.__cause__ = None
        return out
    return err


def _should_retry(err: LLMUnavailable, policy: RetryPolicy, retries: int, timeouts: int) -> bool:
    if not err.retryable or retries >= policy.max_retries:
        return False
    if err.kind == "timeout" and timeouts >= policy.timeout_retries:
        return False
    retry_after = getattr(err, "retry_after", None)
    if retry_after is not None and retry_after > policy.retry_after_cap:
        return False
    return True


def _final(err: LLMUnavailable, policy: RetryPolicy, attempts: int) -> LLMUnavailable:
    """The error to raise when giving up: says so when the server asked for too long a wait."""
    retry_after = getattr(err, "retry_after", None)
    if retry_after is not None and retry_after > policy.retry_after_cap:
        return LLMUnavailable(f"{err}: the provider asks to wait {retry_after:.0f} s", err.kind, False)
    return _give_up(err, attempts)


def call_with_retry(fn: Callable[[], T], policy: RetryPolicy) -> T:
    """Run ``fn`` with bounded retries; raise ``LLMUnavailable`` when it keeps failing."""
    retries = timeouts = 0
    while True:
        try:
            return fn()
        except Exception as exc:
            err = classify_error(exc, policy.timeout)
            if not _should_retry(err, policy, retries, timeouts):
                raise _final(err, policy, retries + 1) from None
        policy.sleep(policy.delay_for(err, retries))
        timeouts += err.kind == "timeout"
        retries += 1


def stream_with_retry(start: Callable[[], Iterable[T]], policy: RetryPolicy) -> Iterator[T]:
    """Iterate ``start()``; failures before the first item are retried, later ones raise."""
    retries = timeouts = 0
    while True:
        started = False
        try:
            for item in start():
                started = True
                yield item
            return
        except GeneratorExit:
            raise
        except Exception as exc:
            err = classify_error(exc, policy.timeout)
            if started:
                raise LLMUnavailable(f"the reply was cut off: {err}", err.kind, False) from None
            if not _should_retry(err, policy, retries, timeouts):
                raise _final(err, policy, retries + 1) from None
        policy.sleep(policy.delay_for(err, retries))
        timeouts += err.kind == "timeout"
        retries += 1
