"""What the listener hears, on the dev problems (thresholds chosen there) and on the held-out
test set (tests/labelled/hearing/: other writers, other styles, questions not in the corpus;
no fit or tuning reads it). Compared with the old single-threshold cue similarity (0.55).

Per split: precision / recall / F1 of affirmed key points (every generic key point is heard on
every utterance), the share of dismissed points credited as covered, the share of near misses
credited with anything, and the listener's time per utterance.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

NAME = "hearing"
DESCRIPTION = "listener: affirmed P/R/F1, dismissed and near misses credited, latency"
TEST_DIR = Path(__file__).resolve().parent.parent / "tests" / "labelled" / "hearing"


def _score(rows, heard) -> dict:
    tp = fp = fn = dis = dis_hit = near = near_hit = 0
    for u, said in zip(rows, heard):
        covers = set(u.covers)
        tp += len(said & covers)
        fp += len(said - covers)
        fn += len(covers - said)
        dis += len(u.dismisses)
        dis_hit += len(said & set(u.dismisses))
        if u.kind == "near_miss":
            near += 1
            near_hit += bool(said)
    p = tp / max(1, tp + fp)
    r = tp / max(1, tp + fn)
    return {"n": len(rows), "precision": round(p, 3), "recall": round(r, 3),
            "f1": round(2 * p * r / max(1e-9, p + r), 3),
            "dismissed_credited": round(dis_hit / max(1, dis), 3),
            "near_miss_credited": round(near_hit / max(1, near), 3)}


def run(args) -> dict:
    from interviewer.config.paths import builtin_knowledge_dir
    from interviewer.config.settings import Settings
    from interviewer.embedding.threads import interactive_inference
    from interviewer.listening.corpus import load_corpus, load_utterances
    from benchmarks.old_coverage import coverage
    from interviewer.services import Services

    interactive_inference()
    services = Services.from_settings(Settings(), knowledge=None)
    flow = services.flow
    points = [p for s in flow.stages for p in s.key_points]
    t0 = time.perf_counter()
    listener = services.listener()
    load_s = time.perf_counter() - t0
    ids = {p.id for p in points}
    _, dev = load_corpus(builtin_knowledge_dir() / "utterances", ids)
    test = [u for f in sorted(TEST_DIR.glob("*.jsonl")) for u in load_utterances(f)]
    rows, figures = [], {"listener_ready_s": round(load_s, 2)}
    emb = services.embedder()
    for split, data in (("dev", dev), ("test", test)):
        heard, times = [], []
        for u in data:
            t = time.perf_counter()
            h = listener.hear(u.text, points, in_stage=[p.id for p in flow.stage(u.stage).key_points])
            times.append((time.perf_counter() - t) * 1000)
            heard.append({p.point.id for p in h.affirmed})
        new = _score(data, heard)
        old = _score(data, [{m.point.id for m in coverage(emb, u.text, points, split_clauses=True).hit}
                            for u in data])
        for name, sc in (("listener", new), ("old 0.55 cue match", old)):
            rows.append([split, name, sc["n"], sc["precision"], sc["recall"], sc["f1"],
                         sc["dismissed_credited"], sc["near_miss_credited"]])
        figures.update({f"{split}_{k}": v for k, v in new.items()})
        figures[f"{split}_ms_p50"] = round(statistics.median(times), 1)
        figures[f"{split}_ms_p95"] = round(sorted(times)[int(0.95 * (len(times) - 1))], 1)
    return {"headers": ["split", "listener", "n", "precision", "recall", "F1", "dismissed credited",
                        "near misses credited"], "table": rows, "figures": figures}
