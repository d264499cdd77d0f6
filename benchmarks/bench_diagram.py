"""Design diagrams: a 200-node Mermaid flowchart parsed, read as a graph and graded, warm.

The diagram is several two-stage feeds side by side (request, service, candidate sources,
ranker, re-ranker, feature store with batch and streaming paths, impression log, training data,
trainer, registry), each in its own subgraph, with links across them.

Target: parsing and grading a 200-node diagram <= 200 ms warm. The headline step is
``services.feedback.grade`` on the design stage for an answer holding the diagram: parse,
graph checks, the labels read back as sentences, the offline grader (listener, fitted model)
and the diagram part of the card; no LLM, no guidance search (``knowledge=None``). Warm = the
services built, the embedder and listener loaded and one answer graded before timing. It is
timed twice: the same answer again (sentence vectors cached) and an answer whose every label
is new on each run (every sentence embedded afresh). p50 / p95 over the repeats; the parts
(parse, check, to_sentences, to_dot, read_answer) are timed alongside.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time

NAME = "diagram"
DESCRIPTION = "parse + graph + design-stage grading of a 200-node flowchart answer (warm)"

TARGET_MS = 200.0


_WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike november "
          "oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu").split()


def _word(i: int) -> str:
    """A name without digits for copy ``i``: alpha, bravo, ..., bravo alpha, ..."""
    return _WORDS[i] if i < len(_WORDS) else f"{_WORDS[i // len(_WORDS)]} {_WORDS[i % len(_WORDS)]}"


def make_diagram(n_nodes: int = 200, tag: str = "", distinct: bool = False) -> str:
    """A flowchart of exactly ``n_nodes`` nodes: repeated feeds, then a chain of extra steps.
    Copies are numbered ("Heavy ranker 3"), or with ``distinct`` named ("Heavy ranker delta"),
    so no label is a numbered copy of another; ``tag`` is appended to every label (new words
    for the embedding cache)."""
    lines, count, g = ["flowchart LR"], 0, 0
    mark = _word if distinct else str
    feed = [
        ("U", "([User {g}])"), ("API", "[Feed service {g}]"), ("C1", "[Two-tower ANN retrieval {g}]"),
        ("C2", "[Popular items candidates {g}]"), ("C3", "[Follow graph candidates {g}]"),
        ("R", "[Heavy ranker {g}]"), ("RR", "[[Re-ranker: business rules {g}]]"),
        ("FS", "[(Feature store {g})]"), ("B", "[Spark daily aggregates {g}]"),
        ("S", "[Flink streaming features {g}]"), ("L", "[Impression and click log {g}]"),
        ("TD", "[(Training data {g})]"), ("T", "(Training pipeline {g})"), ("MR", "[Model registry {g}]"),
    ]
    links = ["U --> API", "API --> C1 & C2 & C3", "C1 & C2 & C3 -->|top 500| R", "R ==> RR",
             "RR -- top 50 --> API", "FS -.->|features| R", "B --> FS", "S --> FS", "API --> L",
             "L --> TD --> T", "T --> MR --> R"]
    while count + len(feed) <= n_nodes:
        lines.append(f"  subgraph feed{g} [Feed {mark(g)}]")
        lines += [f"    {k}{g}{shape.format(g=f'{mark(g)}{tag}')}" for k, shape in feed]
        for link in links:
            lines.append("    " + " ".join(f"{w}{g}" if w.isalnum() and w.isupper() else w
                                           for w in link.split()))
        lines.append("  end")
        if g:
            lines.append(f"  L{g} --> TD{g - 1}")
        count += len(feed)
        g += 1
    prev = "API0"
    for i in range(n_nodes - count):
        lines.append(f"  {prev} --> X{i}[Extra step {mark(i)}{tag}]")
        prev = f"X{i}"
    return "\n".join(lines) + "\n"


def _time(fn, runs: int) -> list[float]:
    out = []
    for i in range(runs):
        t0 = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _row(name: str, times: list[float]) -> list:
    times = sorted(times)
    return [name, len(times), round(statistics.median(times), 2),
            round(times[int(0.95 * (len(times) - 1))], 2), round(times[-1], 2)]


def _fenced(text: str) -> str:
    return f"My design: a two-stage feed per region.\n\n```mermaid\n{text}```\n"


def _grader(home: str):
    """Services offline (no LLM) with the embedder and listener loaded: feedback.grade warm."""
    from interviewer.config.settings import Settings
    from interviewer.embedding.threads import interactive_inference
    from interviewer.services import Services

    interactive_inference()   # as the feedback and chat commands run
    # a fresh home, but the fitted listener of the usual cache (fitted once, not per run)
    settings = Settings(home=home, model="offline", cache_dir=Settings().models_cache)
    sv = Services.from_settings(settings, knowledge=None)
    problem = sv.bank.get("linkedin-feed")
    stage = next(s.id for s in sv.flow.stages if s.diagram)
    return sv, problem, stage


def run(args) -> dict:
    from interviewer.diagram import check, load_roles, parse, to_dot, to_sentences
    from interviewer.diagram.answer import read_answer

    runs = 10 if getattr(args, "quick", False) else 50
    text = make_diagram(200)
    fenced = _fenced(text)
    roles = load_roles()
    diagram = parse(text)
    report = check(diagram, roles)           # warm-up
    rows = [_row(name, _time(fn, runs)) for name, fn in [
        ("parse", lambda i: parse(text)),
        ("check (graph)", lambda i: check(diagram, roles)),
        ("parse+check", lambda i: check(parse(text), roles)),
        ("to_dot", lambda i: to_dot(diagram)),
        ("to_sentences", lambda i: to_sentences(diagram, roles)),
        # what a diagram adds to a graded or chat answer before the grader/listener
        ("read_answer+report", lambda i: read_answer(fenced).report)]]

    with tempfile.TemporaryDirectory(prefix="bench-diagram-") as home:
        sv, problem, stage = _grader(home)
        t0 = time.perf_counter()
        first = sv.feedback.grade(stage=stage, text=fenced, problem=problem, knowledge=None)
        first_ms = (time.perf_counter() - t0) * 1000
        fresh = [_fenced(make_diagram(200, tag=f" {_word(i)}")) for i in range(runs)]
        named = [_fenced(make_diagram(200, tag=f" {_word(i)}", distinct=True)) for i in range(runs)]

        def grade(t: str):
            return sv.feedback.grade(stage=stage, text=t, problem=problem, knowledge=None)

        same = _row(f"grade {stage}: same answer", _time(lambda i: grade(fenced), runs))
        new = _row(f"grade {stage}: new labels", _time(lambda i: grade(fresh[i]), runs))
        unique = _row(f"grade {stage}: new, no copies", _time(lambda i: grade(named[i]), runs))
        heard = read_answer(named[0]).sentences
    rows += [same, new, unique]
    headline = max(same, new, key=lambda r: r[3])
    figures = {
        "nodes": report.nodes, "edges": report.edges, "lines": text.count("\n"),
        "covered": ", ".join(report.covered_ids), "missing": ", ".join(report.missing_ids) or "none",
        "stage": stage, "grader": first.grader, "design_score": first.score,
        "diagram_part": f"{first.diagram.nodes} nodes, {first.diagram.edges} edges" if first.diagram else "none",
        "first_grade_ms (warm-up)": round(first_ms, 1),
        "sentences_heard (numbered copies)": len(read_answer(fenced).sentences),
        "sentences_heard (no copies)": len(heard),
        "parse_graph_grade_ms_p50": headline[2], "parse_graph_grade_ms_p95": headline[3],
        "target_ms": TARGET_MS, "within_target (p95)": headline[3] <= TARGET_MS,
        "no_copies_ms_p50 / p95": f"{unique[2]} / {unique[3]}",
        "no_copies_within_target (p95)": unique[3] <= TARGET_MS,
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    return {"headers": ["step", "runs", "p50_ms", "p95_ms", "max_ms"], "table": rows, "figures": figures}
