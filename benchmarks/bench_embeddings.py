"""Local embedding backends: cold `interviewer feedback` wall time and warm grading, ONNX vs torch.

Same figures as bench_grading's latency part (cold = subprocess wall time of `interviewer
feedback` on a 300-word answer, model load included, the guides' index already built; warm =
in-process `grade_answer` on 300-word answers whose every sentence is new to the embedding
cache, one inference thread), once per backend (INTERVIEWER_EMBEDDINGS_BACKEND). The first run
in a fresh data directory exports the ONNX model (once) and builds the index; it is reported
apart. Targets: cold <= 6 s, warm <= 200 ms.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NAME = "embeddings"
DESCRIPTION = "local embeddings ONNX vs torch: cold/warm feedback latency, one-time export"
BACKENDS = ("onnx", "torch")
HEAVY = ("torch", "transformers", "sklearn", "sentence_transformers")


def _env(home: Path, backend: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTERVIEWER_")}
    return dict(env, INTERVIEWER_HOME=str(home), INTERVIEWER_EMBEDDINGS_BACKEND=backend)


def _cmd(answer: Path) -> list[str]:
    return [str(Path(sys.executable).parent / "interviewer"), "feedback", str(answer), "--stage", "metrics",
            "--problem", "linkedin-feed", "--format", "json"]


def _timed(cmd: list[str], env: dict) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    res = subprocess.run(cmd, env=env, capture_output=True, text=True)
    return time.perf_counter() - t0, res


def _warm(home: Path, text: str, backend: str, runs: int) -> float:
    from interviewer.embedding.threads import interactive_inference
    from benchmarks.bench_grading import warm_feedback_ms
    from interviewer.embedding.local import Embedder, LocalEmbeddings
    from interviewer.problems import load_bank
    from interviewer.config.settings import Settings

    interactive_inference()
    settings = Settings(home=home)
    embedder = Embedder(LocalEmbeddings(backend=backend, home=home), LocalEmbeddings.name)
    problem = load_bank(settings).get("linkedin-feed")
    times = warm_feedback_ms(settings, problem, text, runs, tag=f"{backend} ", embedder=embedder, knowledge=None)
    return round(statistics.median(times), 1)


def run(args) -> dict:
    from benchmarks.bench_grading import _answer_300

    quick = bool(getattr(args, "quick", False))
    runs = 2 if quick else 5
    text = _answer_300()
    figures: dict = {"latency_answer_words": len(text.split())}
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-embeddings-") as tmp:
        home, answer = Path(tmp) / "home", Path(tmp) / "answer.txt"
        answer.write_text(text)
        first_s, first = _timed(_cmd(answer), _env(home, "auto"))
        if first.returncode != 0:
            return {"figures": {"cold_error": first.stderr.strip()[-200:]}}
        figures["cold_first_run_with_export_and_indexing_s"] = round(first_s, 2)
        outputs = {}
        for backend in BACKENDS:
            times = []
            for _ in range(runs):
                took, res = _timed(_cmd(answer), _env(home, backend))
                if res.returncode != 0:
                    return {"figures": {"cold_error": f"{backend}: {res.stderr.strip()[-200:]}"}}
                times.append(took)
                outputs[backend] = res.stdout
            warm = _warm(home, text, backend, runs=5 if quick else 20)
            rows.append([backend, round(statistics.median(times), 2), round(max(times), 2), warm])
            figures[f"cold_feedback_s_median_{backend}"] = round(statistics.median(times), 2)
            figures[f"warm_feedback_ms_median_{backend}"] = warm
        figures["same_feedback_output_both_backends"] = outputs["onnx"] == outputs["torch"]
    figures["cold_target_s"], figures["warm_target_ms"] = 6.0, 200
    figures["load_average_1m"] = round(os.getloadavg()[0], 2)
    return {"headers": ["backend", "cold_feedback_s_median", "cold_feedback_s_max", "warm_feedback_ms_median"],
            "table": rows, "figures": figures}
