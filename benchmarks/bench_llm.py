"""LLM seam: prompt tokens per turn over a 40-turn interview, and the overhead the app adds per turn,
for the voice and for the LLM listener (one structured call per candidate answer or question).

Runs the real Engine with the LLM voice (real openai + langchain-openai clients) against the
local OpenAI-compatible server from tests/fake_openai_server.py on 127.0.0.1. The server
waits ``SERVER_LATENCY`` before answering and ``TOKEN_DELAY`` between streamed chunks; it
records how long it spent on each request. Overhead = client wall time of the voice's reply
(prompt building, HTTP, SSE parsing) minus the server's own time for that request.
The listener's calls are answered like a model would: the first key point listed, affirmed
with the turn's first words as its quote. Targets: tokens at turn 40 ≤ 1.5 × turn 10; voice
overhead ≤ 50 ms at p95.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

NAME = "llm"
DESCRIPTION = "LLM voice: prompt tokens per turn (40 turns) and app overhead over the server's latency"

SERVER_LATENCY = 0.05
TOKEN_DELAY = 0.002
KEY = "sk-bench-0000000000000000"

ANSWERS = {
    "problem": ["How many daily active users are there?",
                "Is the feed ranked in real time, or can we precompute it in batch every few hours?",
                "I'd optimise for meaningful engagement: comments, shares and long dwell, not raw clicks, "
                "because clicks reward clickbait. The ML task is: given a member and a candidate post, "
                "predict the probability of each engagement type and rank by a weighted sum.",
                "New members with no connections are in scope for a first version, served by popularity "
                "and topic follows, because otherwise their feed would be empty."],
    "metrics": ["Offline I'd use PR-AUC per engagement head because positives are rare, plus NDCG@10 on "
                "the ranked list. Online, the primary metric is sessions with a meaningful interaction per "
                "member, tested with an A/B test randomised by member for two full weeks.",
                "Guardrails: feed latency p99, hides and reports per impression, and creator-side metrics so "
                "we don't starve small creators. Precision matters more at the top of the feed.",
                "What share of feed impressions get any engagement today?"],
    "requirements": ["Labels: a comment or share within 24 hours of the impression is positive; impressions "
                     "seen for over a second with no action are negatives, unseen ones are discarded.",
                     "Positives are maybe 2 percent, so I'd down-sample negatives ten to one and reweight the "
                     "loss so the predicted probabilities stay calibrated for the weighted sum.",
                     "What is the latency budget for ranking?"],
    "models": ["Baseline: logistic regression on hand-built features such as author affinity and post age; "
               "then a multi-task two-tower retrieval plus a gradient-boosted or DNN ranker.",
               "Evaluation must split by time, train on weeks one to three and test on week four, because a "
               "random split leaks future engagement into training."],
    "design": ["Two stages: candidate generation from connections, follows and an embedding ANN index brings "
               "a few thousand posts to about five hundred; the ranker scores those in under 100 ms.",
               "Features come from an online feature store fed by a streaming job for recent interactions "
               "and a daily batch job for long-term affinities; logging feeds the training pipeline."],
    "scale": ["At 60,000 QPS we cache candidate lists per member for a few minutes and batch ranker calls on "
              "GPUs; we shard the ANN index by embedding cluster.",
              "Monitor feature drift and calibration daily, retrain the ranker daily and the towers weekly, "
              "and alert when online CTR diverges from the offline estimate."],
}


QUESTIONS = ["How many daily active users are there?", "What is the latency budget for ranking?",
             "Can I assume we log every impression with its position?", "How fresh does the feed need to be?",
             "Do we have labels for hides and reports?", "What share of posts are from connections?"]
STAGE_TURNS = 7      # turns per stage before asking to move on (the last stage keeps going)


def next_line(stage: str, k: int) -> str:
    """The k-th line of a scripted candidate in ``stage``: answers interleaved with questions."""
    last = stage == list(ANSWERS)[-1]
    if k >= STAGE_TURNS - 1 and not last:
        return "/next"
    answers = ANSWERS[stage]
    if k % 2 == 0 and k // 2 < len(answers):
        return answers[k // 2]
    return QUESTIONS[(k + len(stage)) % len(QUESTIONS)]


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k]


def run(args) -> dict:
    repo = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(repo / "tests"))
    from fake_openai_server import FakeOpenAIServer

    n_turns = 40
    home = tempfile.mkdtemp(prefix="bench-llm-")
    server = FakeOpenAIServer(latency=SERVER_LATENCY, token_delay=TOKEN_DELAY).start()
    saved = {k: os.environ.get(k) for k in ("INTERVIEWER_HOME", "INTERVIEWER_MODEL", "INTERVIEWER_BASE_URL",
                                            "INTERVIEWER_API_KEY", "INTERVIEWER_REQUEST_TIMEOUT")}
    os.environ.update(INTERVIEWER_HOME=home, INTERVIEWER_MODEL="openai:fake-model",
                      INTERVIEWER_BASE_URL=server.base_url, INTERVIEWER_API_KEY=KEY,
                      INTERVIEWER_REQUEST_TIMEOUT="10")
    try:
        return _measure(server, n_turns)
    finally:
        server.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class _StubKnowledge:
    def search(self, query, stage=None, k=5, **kw):
        from interviewer.knowledge.types import Hit

        return [Hit(source="metrics.md", heading="PR-AUC", text="Use PR-AUC when positives are rare. " * 8,
                    score=0.9)][:k]


def _listener_reply(body: dict) -> dict:
    """A plausible listener answer: the first key point of the prompt, quoting the turn."""
    import re

    user = "\n".join(str(m.get("content", "")) for m in body.get("messages", []) if m.get("role") == "user")
    if "<candidate_turn>" not in user:
        return {}
    turn = user.split("<candidate_turn>", 1)[1].split("</candidate_turn>", 1)[0].split()
    ids = re.findall(r"^- ([a-z0-9-]+): ", user, re.M)
    return {"affirmed": [{"quote": " ".join(turn[:8]), "id": ids[0]}] if ids and turn else [], "dismissed": []}


def _is_listener(r) -> bool:
    return "<candidate_turn>" in r.all_text


def _measure(server, n_turns: int) -> dict:
    from interviewer.services import Services
    from interviewer.config.settings import Settings

    server.structured = _listener_reply
    engine = Services.from_settings(Settings(), knowledge=_StubKnowledge()).engine
    voice = engine.voice
    listener = engine.services.listener()
    heard: list[tuple[int, float]] = []          # (prompt tokens, client seconds) per listener call
    listener_overhead: list[float] = []
    notices = 0
    start = engine.start("linkedin-feed")
    sid = start.session_id
    start.text
    engine.warm(sid)
    tokens: dict[int, int] = {}
    voice_overhead: list[float] = []
    turn_overhead: list[float] = []
    per_stage: dict[str, int] = {}
    for i in range(1, n_turns + 1):
        stage = engine.state(sid).stage
        text = next_line(stage, per_stage.get(stage, 0))
        per_stage[stage] = per_stage.get(stage, 0) + 1
        before = len(server.chat_requests())
        spoken: list[float] = []
        inner = voice.speak

        def timed(move, ctx, _inner=inner, _spoken=spoken):
            t0 = time.perf_counter()
            yield from _inner(move, ctx)
            _spoken.append(time.perf_counter() - t0)

        voice.speak = timed
        calls_before = getattr(listener, "calls", 0)
        t0 = time.perf_counter()
        reply = engine.take_turn(sid, text)
        reply.text
        wall = time.perf_counter() - t0
        voice.speak = inner
        tokens[i] = voice.last_prompt_tokens
        notices += bool(reply.notice)
        reqs = server.chat_requests()[before:]
        deadline = time.time() + 1.0
        while any(r.duration == 0.0 for r in reqs) and time.time() < deadline:
            time.sleep(0.001)
        served = sum(r.duration for r in reqs)
        served_voice = sum(r.duration for r in reqs if not _is_listener(r))
        listened = [r for r in reqs if _is_listener(r)]
        if listened and getattr(listener, "calls", 0) > calls_before:
            heard.append((listener.last_prompt_tokens, listener.last_seconds))
            listener_overhead.append(max(0.0, listener.last_seconds - sum(r.duration for r in listened)))
        if reqs and spoken:
            voice_overhead.append(max(0.0, sum(spoken) - served_voice))
            turn_overhead.append(max(0.0, wall - served))
        if reply.ended:
            break
    grader_tokens = _grader_prompt_tokens()
    rows = [[t, tokens.get(t, 0)] for t in (1, 10, 20, 30, 40) if t in tokens]
    ratio = tokens[40] / tokens[10] if 40 in tokens and tokens.get(10) else float("nan")
    ms = 1000.0
    from interviewer.llm.tokens import count_tokens

    reply_tokens = count_tokens(server.reply({}))
    return {
        "headers": ["turn", "prompt tokens"],
        "table": rows,
        "figures": {
            "turns": len(tokens),
            "stages_reached": len(per_stage),
            "tokens_ratio_40_10": round(ratio, 3),
            "target_ratio": 1.5,
            "mean_prompt_tokens_per_voice_call": round(statistics.mean(tokens.values())),
            "max_prompt_tokens_per_voice_call": max(tokens.values()),
            "reply_tokens_per_voice_call (fake server)": reply_tokens,
            "grader_prompt_tokens_300_word_answer": grader_tokens,
            "server_latency_ms": SERVER_LATENCY * ms,
            "voice_overhead_p50_ms": round(_pct(voice_overhead, 0.5) * ms, 1),
            "voice_overhead_p95_ms": round(_pct(voice_overhead, 0.95) * ms, 1),
            "listener": getattr(listener, "name", "offline"),
            "listener_calls": len(heard),
            "listener_fallback_notices": notices,
            "mean_prompt_tokens_per_listener_call": round(statistics.mean(t for t, _ in heard)) if heard else 0,
            "max_prompt_tokens_per_listener_call": max((t for t, _ in heard), default=0),
            "listener_latency_p50_ms (client, server latency included)":
                round(_pct([s for _, s in heard], 0.5) * ms, 1),
            "listener_latency_p95_ms (client, server latency included)":
                round(_pct([s for _, s in heard], 0.95) * ms, 1),
            "listener_overhead_p95_ms (over the server's time)": round(_pct(listener_overhead, 0.95) * ms, 1),
            "turn_overhead_p50_ms (engine decision included)": round(_pct(turn_overhead, 0.5) * ms, 1),
            "turn_overhead_p95_ms (engine decision included)": round(_pct(turn_overhead, 0.95) * ms, 1),
            "target_overhead_p95_ms": 50,
        },
    }


def _grader_prompt_tokens() -> int:
    """Prompt tokens of one LLM grading call: a 300-word answer, the metrics rubric, 4 guidance passages."""
    from interviewer.grading.llm_grader import MAX_GUIDANCE, _criteria_block, _guidance_block, _red_flags_block
    from interviewer.grading.rubric import load_rubric
    from interviewer.knowledge.types import Hit
    from interviewer.llm.tokens import count_message_tokens
    from interviewer.llm.prompting import as_data, load_prompt

    stage = load_rubric().stage("metrics")
    answer = " ".join((ANSWERS["metrics"][0] + " " + ANSWERS["metrics"][1]).split() * 5).split()[:300]
    hits = [Hit(source="metrics.md", heading=f"Section {i}", text="guidance words " * 60, score=0.5)
            for i in range(MAX_GUIDANCE)]
    msgs = load_prompt("grader").render(
        problem_title="Design the LinkedIn feed", problem_statement="Rank posts in the LinkedIn feed. " * 4,
        stage_name="metrics", criteria=_criteria_block(stage), red_flags=_red_flags_block(stage),
        key_points="- " + "\n- ".join(["a key point of about ten words for this problem"] * 4),
        accepted="- " + "\n- ".join(["a key point the interviewer accepted, about ten words"] * 2),
        guidance=_guidance_block(hits), answer=as_data(" ".join(answer)))
    return count_message_tokens(msgs)
