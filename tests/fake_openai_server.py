"""A local OpenAI-compatible HTTP server for tests and benchmarks (stdlib only, 127.0.0.1).

Speaks ``GET /v1/models`` and ``POST /v1/chat/completions`` (plain, streaming SSE, tool calls,
``response_format`` json_schema). Faults are queued per request: ``server.fail("500")``,
``server.fail("429", retry_after=1)``, ``server.fail("hang")``, ``server.fail("malformed")``,
``server.fail("prose")``, ``server.fail("refusal")``, ``server.fail("ok")`` (served normally),
``server.fail("drop")`` (stream cut after a few chunks), ``server.fail("bad_json_body")`` (HTTP
200 with a body that is not JSON).
Every request is recorded with its headers and body.

Server behaviours (``server.set_mode(name)``, names in ``MODES``; or the flags directly):
``schema_exact`` fills the request's JSON schema (response_format or the tool's parameters)
with exactly its required properties, as constrained decoding does; ``fenced`` ignores
response_format and tools and answers prose around a ```json block; ``reject_response_format``
and ``reject_tools`` answer HTTP 400 to requests that carry them.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

from fake_server_parts import MODE_FLAGS, MODES, answer_quote, fill_schema, request_schema  # noqa: F401
from fake_server_parts import chunk as _chunk
from fake_server_parts import completion as _completion

Responder = Callable[[dict], Any]


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: dict | None
    at: float = field(default_factory=time.monotonic)
    duration: float = 0.0          # seconds the server spent on the request (its own latency)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def user_text(self) -> str:
        msgs = (self.body or {}).get("messages", [])
        return "\n".join(str(m.get("content", "")) for m in msgs if m.get("role") == "user")

    @property
    def all_text(self) -> str:
        return "\n".join(str(m.get("content", "")) for m in (self.body or {}).get("messages", []))


@dataclass
class Fault:
    kind: str
    retry_after: float | None = None


def _default_reply(body: dict) -> str:
    n = len(body.get("messages", []))
    return f"Thanks, that is a fair point. Could you say more about how you would measure it? ({n})"


class FakeOpenAIServer:
    def __init__(self, *, hang_seconds: float = 5.0, latency: float = 0.0, token_delay: float = 0.0):
        self.requests: list[Recorded] = []
        self.faults: deque[Fault] = deque()
        self.hang_seconds = hang_seconds
        self.latency = latency                 # seconds before every chat response
        self.token_delay = token_delay         # seconds between streamed chunks
        self.reply: Responder = _default_reply            # text replies
        self.structured: Responder | None = None          # dict for json_schema / tool calls
        self.models = ["fake-model", "fake-grader"]
        self.reject_response_format = False   # answer 400 to json_schema, like servers without it
        self.reject_tools = False             # answer 400 to tools, like servers without tool calling
        self.schema_exact = False             # fill the request's schema exactly (constrained decoding)
        self.fenced = False                   # ignore response_format/tools; prose + ```json block
        self._release = threading.Event()
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- control ---------------------------------------------------------------
    def fail(self, kind: str, times: int = 1, retry_after: float | None = None) -> None:
        for _ in range(times):
            self.faults.append(Fault(kind, retry_after))

    def set_mode(self, name: str) -> None:
        """One of ``MODES`` (the other behaviour flags are switched off)."""
        flags = MODES[name]
        for flag in MODE_FLAGS:
            setattr(self, flag, flags.get(flag, False))

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()
            self.faults.clear()

    def chat_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def start(self) -> "FakeOpenAIServer":
        server = self

        class Handler(_Handler):
            owner = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="fake-openai", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> "FakeOpenAIServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _next_fault(self) -> Fault | None:
        with self._lock:
            return self.faults.popleft() if self.faults else None

    def _record(self, rec: Recorded) -> None:
        with self._lock:
            self.requests.append(rec)


class _Handler(BaseHTTPRequestHandler):
    owner: FakeOpenAIServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    # ---- plumbing ------------------------------------------------------------
    def _headers(self) -> dict[str, str]:
        return {k.lower(): v for k, v in self.headers.items()}

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self._send_raw(status, data, headers)

    def _send_raw(self, status: int, data: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self._send_json(status, {"error": {"message": message, "type": "server_error", "code": status}}, headers)

    def do_GET(self) -> None:
        self.owner._record(Recorded("GET", self.path, self._headers(), None))
        if self.path.rstrip("/").endswith("/models"):
            data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in self.owner.models]
            self._send_json(200, {"object": "list", "data": data})
        else:
            self._error(404, "not found")

    def do_POST(self) -> None:
        t0 = time.perf_counter()
        rec = Recorded("POST", self.path, self._headers(), None)
        try:
            self._post(rec)
        finally:
            rec.duration = time.perf_counter() - t0

    def _post(self, rec: Recorded) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = None
        rec.body = body
        self.owner._record(rec)
        if not self.path.rstrip("/").endswith("/chat/completions"):
            return self._error(404, "not found")
        if body is None:
            return self._error(400, "invalid JSON body")
        fault = self.owner._next_fault()
        if fault and self._apply_transport_fault(fault):
            return
        if self.owner.reject_response_format and body.get("response_format"):
            return self._error(400, "response_format is not supported by this server")
        if self.owner.reject_tools and body.get("tools"):
            return self._error(400, "tools are not supported by this server")
        if self.owner.latency:
            time.sleep(self.owner.latency)
        if body.get("stream"):
            return self._stream(body, fault)
        return self._complete(body, fault)

    def _apply_transport_fault(self, fault: Fault) -> bool:
        if fault.kind == "ok":              # a placeholder: this request is served normally
            return False
        if fault.kind == "500":
            self._error(500, "internal error (injected)")
            return True
        if fault.kind == "503":
            self._error(503, "overloaded (injected)")
            return True
        if fault.kind == "401":  # like OpenAI, echo the key back in the error message
            token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
            self._error(401, f"Incorrect API key provided: {token}. You can find your API key in settings.")
            return True
        if fault.kind == "429":
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            self._error(429, "rate limited (injected)", headers)
            return True
        if fault.kind == "hang":
            self.owner._release.wait(self.owner.hang_seconds)
            try:
                self._error(504, "hung (injected)")
            except OSError:
                pass
            return True
        if fault.kind == "bad_json_body":
            self._send_raw(200, b"{this is not json")
            return True
        return False

    # ---- responses -----------------------------------------------------------
    def _structured_payload(self, body: dict) -> Any:
        schema = request_schema(body)
        if self.owner.schema_exact and schema is not None:
            return fill_schema(schema, quote=answer_quote(body))
        if self.owner.structured is None:
            return fill_schema(schema, quote=answer_quote(body)) if self.owner.fenced and schema else {}
        return self.owner.structured(body)

    def _complete(self, body: dict, fault: Fault | None) -> None:
        model = body.get("model", "fake-model")
        kind = fault.kind if fault else None
        prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in body.get("messages", []))
        if kind == "refusal":
            msg = {"role": "assistant", "content": None, "refusal": "I can't help with that."}
            return self._send_json(200, _completion(model, msg, prompt_tokens=prompt_tokens))
        if kind == "prose":
            msg = {"role": "assistant", "content": "Overall this answer looks quite good to me, I would say a 3."}
            return self._send_json(200, _completion(model, msg, prompt_tokens=prompt_tokens))
        if kind == "malformed":
            msg = {"role": "assistant", "content": '{"criteria": [{"id": "x", "score": '}
            return self._send_json(200, _completion(model, msg, prompt_tokens=prompt_tokens))
        if self.owner.fenced:
            payload = json.dumps(self._structured_payload(body), indent=2)
            text = f"Here is my assessment.\n\n```json\n{payload}\n```\n\nEach score follows the rubric's anchors."
            return self._send_json(200, _completion(model, {"role": "assistant", "content": text},
                                                    prompt_tokens=prompt_tokens))
        tools = body.get("tools") or []
        response_format = body.get("response_format") or {}
        if response_format.get("type") == "json_schema":
            content = json.dumps(self._structured_payload(body))
            msg = {"role": "assistant", "content": content}
        elif tools:
            name = tools[0]["function"]["name"]
            call = {"id": f"call_{uuid.uuid4().hex[:8]}", "type": "function",
                    "function": {"name": name, "arguments": json.dumps(self._structured_payload(body))}}
            msg = {"role": "assistant", "content": None, "tool_calls": [call]}
            return self._send_json(200, _completion(model, msg, "tool_calls", prompt_tokens))
        else:
            msg = {"role": "assistant", "content": str(self.owner.reply(body))}
        self._send_json(200, _completion(model, msg, prompt_tokens=prompt_tokens))

    def _stream(self, body: dict, fault: Fault | None) -> None:
        model = body.get("model", "fake-model")
        cid = f"chatcmpl-{uuid.uuid4().hex[:12]}"
        if (body.get("response_format") or {}).get("type") == "json_schema":
            text = json.dumps(self._structured_payload(body))
        else:
            text = str(self.owner.reply(body))
        words = text.split(" ")
        pieces = [w if i == 0 else " " + w for i, w in enumerate(words)]
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

        def send(obj: Any) -> None:
            self.wfile.write(f"data: {json.dumps(obj)}\n\n".encode())
            self.wfile.flush()

        try:
            send(_chunk(cid, model, {"role": "assistant", "content": ""}))
            for i, piece in enumerate(pieces):
                if fault and fault.kind == "drop" and i == 3:
                    return  # connection closes mid-stream
                if self.owner.token_delay:
                    time.sleep(self.owner.token_delay)
                send(_chunk(cid, model, {"content": piece}))
            send(_chunk(cid, model, {}, "stop"))
            if (body.get("stream_options") or {}).get("include_usage"):
                usage = {"prompt_tokens": 0, "completion_tokens": len(words), "total_tokens": len(words)}
                send({"id": cid, "object": "chat.completion.chunk", "created": int(time.time()),
                      "model": model, "choices": [], "usage": usage})
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
        except OSError:
            pass


def main() -> None:  # manual use: python tests/fake_openai_server.py
    with FakeOpenAIServer() as server:
        print(server.base_url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
