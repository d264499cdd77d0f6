"""Retrieval quality and speed on the built-in guides and the third-party corpus.

For each corpus: ingest it into a fresh temporary ``INTERVIEWER_HOME`` (chunks/s), then run the
queries of ``queries_<corpus>.yaml`` (entries ``{query, source, heading}``) in each mode and
report recall@1, recall@5 and MRR@10. A hit is the right source file; the stricter "+heading"
figures also need the expected heading on the chunk's heading path. Warm query latency is
measured on the default mode with the model loaded and the index cached, but with the query
embedding cache cleared before each query (every query pays for its embedding).
"""

from __future__ import annotations

import os
import re
import statistics
import tempfile
import time
from pathlib import Path

import yaml

NAME = "retrieval"
DESCRIPTION = "knowledge search: recall@1/@5, MRR@10 (vector vs hybrid), ingest chunks/s, warm latency"

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPUS_DIR = Path(os.environ.get("INTERVIEWER_BENCH_CORPUS",
                                 REPO.parent / "shared" / "corpus" / "mlsd-guides-mit"))
MODES = ("vector", "hybrid", "bm25")
_DECOR = re.compile(r"[*_`#]+")


def _norm(h: str) -> str:
    return " ".join(_DECOR.sub("", h).strip().rstrip(":").lower().split())


def heading_matches(expected: str, heading_path: str) -> bool:
    want = _norm(expected)
    return any(_norm(part) == want for part in heading_path.split(" > "))


def load_queries(path: Path) -> list[dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [q for q in data if isinstance(q, dict) and q.get("query") and q.get("source")]


def score(ranked: list, q: dict, strict: bool) -> int | None:
    """1-based rank of the first relevant hit, or None."""
    for i, h in enumerate(ranked, 1):
        if h.source == q["source"] and (not strict or heading_matches(q.get("heading", ""), h.heading)):
            return i
    return None


def metrics(ranks: list[int | None]) -> dict[str, float]:
    n = max(len(ranks), 1)
    return {
        "r@1": sum(1 for r in ranks if r == 1) / n,
        "r@5": sum(1 for r in ranks if r is not None and r <= 5) / n,
        "mrr": sum(1.0 / r for r in ranks if r is not None and r <= 10) / n,
    }


def bench_corpus(label: str, folder: Path, queries: list[dict], quick: bool) -> tuple[list[list], dict]:
    from interviewer.embedding.local import get_embedder
    from interviewer.knowledge.service import KnowledgeBase
    from interviewer.config.settings import Settings

    with tempfile.TemporaryDirectory(prefix="bench-kb-") as tmp:
        empty = Path(tmp) / "no-builtin"
        empty.mkdir()
        settings = Settings(home=Path(tmp) / "home", knowledge_dir=empty)
        embedder = get_embedder(settings)
        kb = KnowledgeBase(settings)
        _ = kb.store  # open the collection (model already loaded)
        summary = kb.ingest([folder])
        kb.ensure_ready()
        figures = {
            f"{label}_files": summary.files,
            f"{label}_chunks": summary.added,
            f"{label}_ingest_seconds": round(summary.seconds, 2),
            f"{label}_ingest_chunks_per_s": round(summary.added / summary.seconds, 1) if summary.seconds else 0.0,
            f"{label}_queries": len(queries),
        }
        if summary.errors:
            figures[f"{label}_ingest_errors"] = summary.errors
        rows = []
        for mode in MODES:
            ranked = [kb.search(q["query"], k=10, mode=mode) for q in queries]
            loose = metrics([score(r, q, strict=False) for r, q in zip(ranked, queries)])
            strict = metrics([score(r, q, strict=True) for r, q in zip(ranked, queries)])
            rows.append([label, mode, loose["r@1"], loose["r@5"], loose["mrr"],
                         strict["r@1"], strict["r@5"], strict["mrr"]])
            for key, val in loose.items():
                figures[f"{label}_{mode}_{key}"] = round(val, 3)
            for key, val in strict.items():
                figures[f"{label}_{mode}_heading_{key}"] = round(val, 3)
        # warm latency, default mode, each query paying for its own embedding
        times = []
        for q in (queries[:10] if quick else queries) * (1 if quick else 2):
            embedder._cache.clear()
            t0 = time.perf_counter()
            kb.search(q["query"], k=5)
            times.append((time.perf_counter() - t0) * 1000)
        figures.update(_percentiles(f"{label}_latency_ms", times))
        # the same queries again with their embeddings cached: the retrieval part alone
        cached = []
        for q in (queries[:10] if quick else queries):
            kb.search(q["query"], k=5)
            t0 = time.perf_counter()
            kb.search(q["query"], k=5)
            cached.append((time.perf_counter() - t0) * 1000)
        figures.update(_percentiles(f"{label}_latency_ms_cached_embedding", cached))
        return rows, figures


def _percentiles(prefix: str, times: list[float]) -> dict[str, float]:
    times = sorted(times)
    return {f"{prefix}_p50": round(statistics.median(times), 1),
            f"{prefix}_p95": round(times[min(len(times) - 1, int(0.95 * len(times)))], 1)}


def run(args) -> dict:
    from interviewer.knowledge.search import DEFAULT_MODE
    from interviewer.config.paths import builtin_knowledge_dir

    corpora = [("builtin", builtin_knowledge_dir(), HERE / "queries_builtin.yaml"),
               ("corpus", CORPUS_DIR, HERE / "queries_corpus.yaml")]
    table: list[list] = []
    figures: dict = {"default_mode": DEFAULT_MODE, "cpus": os.cpu_count(),
                     "load_avg_1min_at_start": round(os.getloadavg()[0], 2)}
    for label, folder, qfile in corpora:
        if not folder.is_dir() or not qfile.exists():
            figures[f"{label}_skipped"] = f"missing {folder if not folder.is_dir() else qfile}"
            continue
        queries = load_queries(qfile)
        rows, figs = bench_corpus(label, folder, queries, getattr(args, "quick", False))
        table.extend(rows)
        figures.update(figs)
    figures["load_avg_1min_at_end"] = round(os.getloadavg()[0], 2)
    return {
        "headers": ["corpus", "mode", "recall@1", "recall@5", "MRR@10",
                    "+head r@1", "+head r@5", "+head MRR"],
        "table": table,
        "figures": figures,
    }
