"""A full simulated interview, offline: per-turn latency (warm) and memory, in-process and CLI.

Targets: offline turn p95 <= 100 ms warm; the chat CLI under 1 GB resident.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NAME = "interview"
DESCRIPTION = "simulated interviews offline: per-turn latency (warm), hint latency, peak RSS in-process and CLI"

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def _model_ms(engine, text: str) -> float:
    """The embedding model's own time for a turn's sentences (uncached), for context."""
    from interviewer.textutil import sentences

    sents = sentences(text)
    if not sents or text.startswith("/"):
        return 0.0
    t0 = time.perf_counter()
    engine.embedder()._raw(sents)
    return (time.perf_counter() - t0) * 1000


def _timed_run(engine, candidate, clock, model_times: list[float] | None = None) -> list[float]:
    """One interview; the latency of each take_turn including the full reply text."""
    first = engine.start("linkedin-feed")
    first.text
    sid, stage, last = first.session_id, first.stage, first.text
    times = []
    for _ in range(150):
        message = candidate.respond(stage, last)
        clock.advance(candidate.seconds_per_turn)
        t0 = time.perf_counter()
        reply = engine.take_turn(sid, "/end" if message is None else message)
        last = reply.text
        times.append((time.perf_counter() - t0) * 1000)
        if model_times is not None:
            model_times.append(_model_ms(engine, message or ""))
        stage = reply.stage
        if reply.ended:
            break
    return times


# ru_maxrss survives exec, so a child forked from this (large) process would report our own peak:
# launch the CLI from a small helper process and read the helper's RUSAGE_CHILDREN instead.
_HELPER = """
import resource, subprocess, sys, time
t0 = time.perf_counter()
res = subprocess.run(sys.argv[1:], stdin=sys.stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.perf_counter() - t0
print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, res.returncode)
"""


def _cli_run(home: Path, lines: list[str]) -> tuple[float, float, int]:
    """Wall seconds and max RSS (MB) of a piped `interviewer chat` subprocess."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTERVIEWER_")}
    env["INTERVIEWER_HOME"] = str(home)
    cli = [str(Path(sys.executable).with_name("interviewer")), "chat", "--problem", "linkedin-feed"]
    res = subprocess.run([sys.executable, "-c", _HELPER, *cli], input="\n".join(lines) + "\n",
                         capture_output=True, text=True, env=env, timeout=600)
    wall, rss_kb, rc = res.stdout.split()
    return float(wall), int(rss_kb) / 1024, int(rc)


def run(args) -> dict:
    from candidates import (FakeClock, HostileCandidate, OffTopicCandidate, SilentCandidate,
                            StrongCandidate, WeakCandidate)
    from interviewer.services import Services
    from interviewer.config.settings import Settings

    from interviewer.embedding.threads import interactive_inference

    interactive_inference()          # as the chat CLI does
    quick = getattr(args, "quick", False)
    tmp = Path(tempfile.mkdtemp(prefix="bench-interview-"))
    settings = Settings(home=tmp / "home")
    clock = FakeClock()
    engine = Services.from_settings(settings, clock=clock).engine

    t0 = time.perf_counter()
    sid = engine.start("linkedin-feed").session_id
    engine.warm(sid)
    kb = engine.knowledge()
    if kb is not None:
        kb.ensure_ready()
    warmup_s = time.perf_counter() - t0
    # A short warm-up interview (its own lines, so the measured candidates' texts are all new to
    # the embedding cache, as a real candidate's are).
    class WarmUp(StrongCandidate):
        name = "warm-up"
        script = {"problem": ["What data do we log?", "We rank posts by engagement."],
                  "metrics": ["Offline AUC, online retention."]}
        when_done = "/next"

    _timed_run(engine, WarmUp(), clock)

    rows, all_times, all_model = [], [], []
    kinds = [StrongCandidate, WeakCandidate, HostileCandidate] if quick else \
        [StrongCandidate, WeakCandidate, SilentCandidate, OffTopicCandidate, HostileCandidate]
    for cls in kinds:
        model: list[float] = []
        times = _timed_run(engine, cls(), clock, model)
        all_times += times
        all_model += model
        rows.append([cls.name, len(times), round(_pct(times, 0.5), 1), round(_pct(times, 0.95), 1),
                     round(max(times), 1)])

    hint_times = []
    sid = engine.start("linkedin-feed").session_id
    for stage_answer in ("I'd use accuracy.", "We need data.", "A neural network."):
        engine.take_turn(sid, stage_answer).text
        t = time.perf_counter()
        engine.hint(sid).text
        hint_times.append((time.perf_counter() - t) * 1000)
        engine.next_stage(sid).text
    rows.append(["hint", len(hint_times), round(_pct(hint_times, 0.5), 1), round(_pct(hint_times, 0.95), 1),
                 round(max(hint_times), 1)])
    rows.append(["all turns", len(all_times), round(_pct(all_times, 0.5), 1), round(_pct(all_times, 0.95), 1),
                 round(max(all_times), 1)])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    lines = [line for stage in StrongCandidate.script.values() for line in stage] + ["/hint", "/end"]
    cli_wall, cli_rss, rc = _cli_run(tmp / "cli-home", lines)

    p95 = _pct(all_times, 0.95)
    overhead = [max(0.0, t - m) for t, m in zip(all_times, all_model)]
    return {
        "headers": ["candidate", "turns", "p50 ms", "p95 ms", "max ms"],
        "table": rows,
        "figures": {
            "offline_turn_p95_ms": round(p95, 1),
            "offline_turn_p95_target_ms": 100,
            "offline_turn_p95_ok": p95 <= 100,
            "model_encode_p95_ms": round(_pct(all_model, 0.95), 1),
            "engine_overhead_p95_ms": round(_pct(overhead, 0.95), 1),
            "load_average_1min": round(os.getloadavg()[0], 2),
            "cpus": os.cpu_count(),
            "warmup_seconds": round(warmup_s, 2),
            "peak_rss_mb_in_process": round(peak_mb, 1),
            "cli_chat_wall_seconds": round(cli_wall, 2),
            "cli_chat_max_rss_mb": round(cli_rss, 1),
            "cli_chat_under_1gb": cli_rss < 1024,
            "cli_chat_exit_code": rc,
        },
    }
