"""Offline grader calibration against hand labels, adversarial bounds, and feedback latency.

- Agreement with the outside writers' labels (tests/labelled/graded/, see bench_graded_sets):
  the tune part the model was fit on and the held-out test part, overall and per question,
  with each adversarial kind's lowest and highest grade. Targets on test: rho >= 0.75,
  adjacent >= 90%. Then the project's own older set (tests/labelled/answers.yaml) for comparison.
- The highest score each adversarial kind got (bounds: keyword lists, confident-but-wrong,
  verbose-but-shallow <= 2; injections, off-topic, restated <= 1).
- `interviewer feedback` on a 300-word answer: cold = subprocess wall time (model load
  included; the guides' index already built, as after first use), target <= 6 s; warm =
  in-process `grade_answer` on a 300-word answer whose sentences and clauses are all new to
  the embedding cache (model loaded; they are evicted before each run), target <= 200 ms.
- LLM grader paths: ``grade_answer`` against the fake OpenAI-compatible server of
  tests/fake_openai_server.py in each of its modes (OpenAI-like, schema filled exactly as
  constrained decoding does, JSON in ```json fences in prose, HTTP 400 to response_format,
  neither response_format nor tools) and two failing ones (HTTP 500, hung): which path graded
  (``grader_via``), whether the grade was the LLM's or the announced offline fallback, the
  requests made and the wall time (1 s request timeout, 2 retries).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NAME = "grading"
DESCRIPTION = "offline grader vs labels (tune/test), adversarial maxima, feedback latency cold/warm"
REPO = Path(__file__).resolve().parent.parent


def _answer_300() -> str:
    from benchmarks.calibration import load_labelled

    by_id = {a.id: a.text for a in load_labelled()}
    words = (by_id["lf-metrics-4"] + " " + by_id["hc-metrics-4"]).split()
    return " ".join(words[:300])


def _calibration() -> tuple[list[list], dict]:
    from benchmarks.calibration import KIND_BOUNDS, agreement, load_labelled
    from interviewer.grading.offline import grade_offline
    from interviewer.config.settings import Settings
    from interviewer.services import Services

    sv = Services.from_settings(Settings(), knowledge=None)
    listener = sv.listener()
    rows, figures, results = [], {}, []
    t0 = time.perf_counter()
    for a in load_labelled():
        g = grade_offline(stage=a.stage, text=a.text, problem=sv.bank.get(a.problem), embedder=sv.embedder(),
                          flow=sv.flow, rubric=sv.rubric, listener=listener, prompts_dir=sv.settings.prompts_dir,
                          screen=sv.injection_screen())
        results.append((a, g.grade.score))
    figures["grade_all_seconds"] = round(time.perf_counter() - t0, 2)
    for split in ("tune", "test"):
        sub = [(a.label, s) for a, s in results if a.split == split]
        ag = agreement([x for x, _ in sub], [y for _, y in sub])
        rows.append([split, ag["n"], ag["spearman"], ag["exact"], ag["adjacent"]])
        for k, v in ag.items():
            figures[f"{split}_{k}"] = v
    for kind, bound in KIND_BOUNDS.items():
        got = [s for a, s in results if a.kind == kind]
        figures[f"max_{kind}"] = f"{max(got)} (bound {bound}, n={len(got)})" if got else "n/a"
    figures["adversarial_within_bounds"] = all(s <= KIND_BOUNDS[a.kind] for a, s in results if a.kind in KIND_BOUNDS)
    misses = [f"{a.id}:{a.label}->{s}" for a, s in results if a.split == "test" and abs(a.label - s) > 1]
    figures["test_off_by_more_than_one"] = ", ".join(misses) or "none"
    return rows, figures


def _cold(home: Path, answer: Path, runs: int) -> dict:
    env = dict(os.environ, INTERVIEWER_HOME=str(home))
    cmd = [str(Path(sys.executable).parent / "interviewer"), "feedback", str(answer), "--stage", "metrics",
           "--problem", "linkedin-feed", "--format", "json"]
    t0 = time.perf_counter()
    first = subprocess.run(cmd, env=env, capture_output=True, text=True)   # builds the guides' index once
    first_s = time.perf_counter() - t0
    if first.returncode != 0:
        return {"cold_error": first.stderr.strip()[-200:]}
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
        times.append(time.perf_counter() - t0)
    return {"cold_first_run_with_indexing_s": round(first_s, 2),
            "cold_feedback_s_median": round(statistics.median(times), 2),
            "cold_feedback_s_max": round(max(times), 2), "cold_target_s": 6.0}


def warm_feedback_ms(settings, problem, text: str, runs: int, tag: str = "", new_lookups: bool = False,
                     **kwargs) -> list[float]:
    """Milliseconds per in-process feedback call after a warm-up. Before each run the answer's
    own texts (its sentences and clauses) leave the embedding cache, so every run encodes them
    as a new answer would, while the stage's and problem's fixed texts stay cached as in a warm
    process. (Runs used to append "(take N)" to each sentence instead: that left the clauses
    before the last one cached, 21 of a 300-word answer's 47 texts, and added tokens to the rest.)
    The guide lookups for the missed points are answered from the searcher's kept results (the
    warm-up's, as for any answer missing the same points); ``new_lookups`` drops them before
    each run too. ``kwargs`` go to the services; ``tag`` names the run in errors."""
    from interviewer.services import Services

    services = Services.from_settings(settings, **kwargs)
    feedback, embedder = services.feedback, services.embedder()
    feedback.grade(stage="metrics", text=text, problem=problem)   # warm-up
    own = [t for t in embedder.cached_texts() if t in text]
    if not own:
        raise RuntimeError(f"warm feedback {tag}: the answer's texts were not found in the cache")
    times = []
    for _ in range(runs):
        embedder.forget(own)
        if new_lookups and kwargs.get("knowledge") is not None:
            kwargs["knowledge"].searcher.forget_results()
        t0 = time.perf_counter()
        feedback.grade(stage="metrics", text=text, problem=problem)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def _warm(home: Path, text: str, runs: int) -> dict:
    from interviewer.knowledge.service import KnowledgeBase
    from interviewer.problems import load_bank
    from interviewer.config.settings import Settings

    from interviewer.embedding.threads import interactive_inference

    interactive_inference()   # as the feedback and chat commands run
    settings = Settings(home=home)
    kb = KnowledgeBase(settings)
    problem = load_bank(settings).get("linkedin-feed")
    times = warm_feedback_ms(settings, problem, text, runs, knowledge=kb)
    fresh = warm_feedback_ms(settings, problem, text, runs, knowledge=kb, new_lookups=True)
    return {"warm_feedback_ms_median": round(statistics.median(times), 1),
            "warm_feedback_ms_p90": round(sorted(times)[int(0.9 * (len(times) - 1))], 1),
            "warm_feedback_ms_median_guide_lookups_not_kept": round(statistics.median(fresh), 1),
            "warm_feedback_ms_p90_guide_lookups_not_kept": round(sorted(fresh)[int(0.9 * (len(fresh) - 1))], 1),
            "warm_target_ms": 200}


LLM_MODES = ("openai", "schema-exact", "fenced-prose", "no-response-format", "no-structured-output",
             "down-500", "down-hang")


def llm_paths(timeout: float = 1.0) -> dict:
    """Per server mode: "<path> · LLM grade | offline fallback · N request(s) · S s"."""
    sys.path.insert(0, str(REPO / "tests"))
    from fake_openai_server import FakeOpenAIServer
    from fake_server_parts import grade_from_prompt

    from interviewer.config.settings import get_settings, reset_settings_cache
    from interviewer.services import Services

    text = _answer_300()
    out: dict[str, str] = {}
    names = ("INTERVIEWER_HOME", "INTERVIEWER_MODEL", "INTERVIEWER_BASE_URL", "INTERVIEWER_API_KEY",
             "INTERVIEWER_REQUEST_TIMEOUT", "INTERVIEWER_MAX_RETRIES")
    saved = {k: os.environ.get(k) for k in names}
    with tempfile.TemporaryDirectory(prefix="bench-llm-paths-") as tmp, \
            FakeOpenAIServer(hang_seconds=2 * timeout + 1) as server:
        # the grader's retry policy reads the process settings, so configure through the environment
        os.environ.update(INTERVIEWER_HOME=tmp, INTERVIEWER_MODEL="openai:fake-model",
                          INTERVIEWER_BASE_URL=server.base_url, INTERVIEWER_API_KEY="sk-bench-0000000000000000",
                          INTERVIEWER_REQUEST_TIMEOUT=str(timeout), INTERVIEWER_MAX_RETRIES="2")
        reset_settings_cache()
        try:
            sv = Services.from_settings(get_settings(), knowledge=None)
            problem = sv.bank.get("linkedin-feed")
            sv.feedback.grade(stage="metrics", text=text, problem=problem, knowledge=None)   # warm-up
            for mode in LLM_MODES:
                server.clear()
                server.set_mode("openai" if mode.startswith("down") else mode)
                server.structured = grade_from_prompt
                if mode.startswith("down"):
                    server.fail("500" if mode == "down-500" else "hang", times=20)
                t0 = time.perf_counter()
                g = sv.feedback.grade(stage="metrics", text=text, problem=problem, knowledge=None)
                seconds = time.perf_counter() - t0
                verdict = "LLM grade" if g.grader.startswith("llm:") else "offline fallback"
                n = len(server.chat_requests())
                out[f"llm_path[{mode}]"] = (f"{g.grader_via or '-'} · {verdict} · {n} request{'s' if n != 1 else ''}"
                                            f" · {seconds:.2f} s")
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            reset_settings_cache()
    return out


def run(args) -> dict:
    from benchmarks import bench_graded_sets

    quick = bool(getattr(args, "quick", False))
    outside = bench_graded_sets.run(args)          # outside writers: tune and held-out test parts
    own_rows, figures = _calibration()            # the project's own older set, for comparison
    figures = {**{f"own_{k}": v for k, v in figures.items()}, **outside["figures"]}
    rows = outside["table"] + [["own " + r[0], "answers.yaml", *r[1:]] for r in own_rows]
    text = _answer_300()
    figures["latency_answer_words"] = len(text.split())
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        home = Path(tmp) / "home"
        answer = Path(tmp) / "answer.txt"
        answer.write_text(text)
        figures.update(_cold(home, answer, runs=1 if quick else 3))
        figures.update(_warm(home, text, runs=5 if quick else 20))
    figures.update(llm_paths())
    figures["load_average_1m"] = round(os.getloadavg()[0], 2)
    return {"headers": outside["headers"], "table": rows, "figures": figures}
