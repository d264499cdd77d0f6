"""One cool-down for every LLM part (the voice, the listener): after a failure that will not
clear in seconds (timeout, unreachable server, retries used up, rate limit, rejected key), the
part works offline at once for ``COOL_DOWN_SECONDS`` instead of making the candidate wait for
the same failure again, then tries the model again.

    cooling = CoolDown("answering offline")
    cooling.check()            # raises LLMUnavailable(kind="cooling_down") while cooling down
    try: ...call the model...
    except LLMUnavailable as err: cooling.failed(err); raise
    cooling.succeeded()
"""

from __future__ import annotations

import time
from typing import Callable

from interviewer.llm.errors import LLMUnavailable

COOL_DOWN_SECONDS = 30.0
COOL_DOWN_KINDS = {"timeout", "connection", "server", "rate_limit", "auth"}


class CoolDown:
    def __init__(self, doing: str, seconds: float = COOL_DOWN_SECONDS,
                 clock: Callable[[], float] = time.monotonic):
        self.doing = doing              # what the part does meanwhile: "answering offline"
        self.seconds = seconds
        self.clock = clock
        self.until = 0.0
        self.reason = ""

    def check(self) -> None:
        """Raise ``LLMUnavailable`` (kind ``cooling_down``) while the last failure is recent."""
        wait = self.until - self.clock()
        if wait > 0:
            raise LLMUnavailable(f"{self.reason}; {self.doing}, the model is tried again in {wait:.0f} s",
                                 "cooling_down")

    def failed(self, err: BaseException) -> None:
        kind = getattr(err, "kind", "")
        if kind in COOL_DOWN_KINDS:
            self.until = self.clock() + self.seconds
            self.reason = str(err)

    def succeeded(self) -> None:
        self.until = 0.0
