"""Design diagrams: parse + check of a generated 200-node Mermaid flowchart, warm.

The diagram is several two-stage feeds side by side (request, service, candidate sources,
ranker, re-ranker, feature store with batch and streaming paths, impression log, training data,
trainer, registry), each in its own subgraph, with links across them. Warm = the role
vocabulary already loaded (the first call reads prompts/diagram.yaml). Target: parse + check
of 200 nodes <= 200 ms; to_dot, to_sentences and read_answer (an answer's diagram parsed,
checked and read back as sentences: what the engine and the grader add) are timed alongside.
"""

from __future__ import annotations

import os
import statistics
import time

NAME = "diagram"
DESCRIPTION = "parse + check of a generated 200-node flowchart (warm), to_dot, to_sentences"

TARGET_MS = 200.0


def make_diagram(n_nodes: int = 200) -> str:
    """A flowchart of exactly ``n_nodes`` nodes: repeated feeds, then a chain of extra steps."""
    lines, count, g = ["flowchart LR"], 0, 0
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
        lines.append(f"  subgraph feed{g} [Feed {g}]")
        lines += [f"    {k}{g}{shape.format(g=g)}" for k, shape in feed]
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
        lines.append(f"  {prev} --> X{i}[Extra step {i}]")
        prev = f"X{i}"
    return "\n".join(lines) + "\n"


def _time(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def run(args) -> dict:
    from interviewer.diagram import check, load_roles, parse, to_dot, to_sentences
    from interviewer.diagram.answer import read_answer

    runs = 10 if getattr(args, "quick", False) else 50
    text = make_diagram(200)
    fenced = f"My design:\n\n```mermaid\n{text}```\n"
    roles = load_roles()
    diagram = parse(text)
    report = check(diagram, roles)           # warm-up
    rows = []
    for name, fn in [("parse", lambda: parse(text)),
                     ("check", lambda: check(diagram, roles)),
                     ("parse+check", lambda: check(parse(text), roles)),
                     ("to_dot", lambda: to_dot(diagram)),
                     ("to_sentences", lambda: to_sentences(diagram, roles)),
                     # what a diagram adds to a graded or chat answer before the grader/listener
                     ("read_answer+report", lambda: read_answer(fenced).report)]:
        times = sorted(_time(fn, runs))
        rows.append([name, runs, round(statistics.median(times), 2),
                     round(times[int(0.95 * (len(times) - 1))], 2), round(times[-1], 2)])
    total = rows[2]
    figures = {
        "nodes": report.nodes, "edges": report.edges, "lines": text.count("\n"),
        "covered": ", ".join(report.covered_ids), "missing": ", ".join(report.missing_ids) or "none",
        "parse_check_ms_median": total[2], "parse_check_ms_max": total[4],
        "target_ms": TARGET_MS, "within_target": total[4] <= TARGET_MS,
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    return {"headers": ["step", "runs", "median_ms", "p95_ms", "max_ms"], "table": rows, "figures": figures}
