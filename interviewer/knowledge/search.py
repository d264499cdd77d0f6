"""Retrieval over the knowledge store: vector (Chroma), BM25 (rank_bm25), or both fused.

Hybrid = reciprocal rank fusion (RRF, k=60) of the vector ranking and the BM25 ranking. BM25 is
built over every chunk's indexed text (context line + chunk) and cached; it is rebuilt when the
store's records change: at once after an ingest through the same ``KnowledgeBase``, and within
``RECHECK_SECONDS`` after an ingest by another process (the CLI while the app runs).

Scores: vector mode returns cosine similarity; hybrid returns the RRF score (higher is better,
only comparable within one result list). Hybrid lists are also diversified: at most
``PER_SOURCE`` chunks of one file come before other files' chunks (see ``diversify``).

The stage filter keeps chunks whose stages include the stage, plus stage-less chunks (files
without front-matter stages serve every stage).
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from typing import Literal

import numpy as np
from rank_bm25 import BM25Okapi

from interviewer.knowledge.splitting import clean_text, stages_of
from interviewer.knowledge.vectors import KnowledgeStore
from interviewer.knowledge.types import Hit

Mode = Literal["hybrid", "vector", "bm25"]
MODES: tuple[str, ...] = ("hybrid", "vector", "bm25")
# Hybrid won on benchmarks/bench_retrieval.py (56 + 57 queries): recall@1 0.857 vs 0.786 vector
# on the built-in guides, 0.965 vs 0.912 on the third-party corpus; MRR 0.917/0.973 vs 0.851/0.932.
DEFAULT_MODE: Mode = "hybrid"
RRF_K = 60
CANDIDATES = 50                 # depth of each ranking fed to the fusion
RECHECK_SECONDS = 1.0           # how often a warm searcher asks the records whether they changed
# Hybrid results keep at most this many chunks of one file ahead of other files' chunks, so one
# long guide that shares the query's vocabulary cannot fill the whole list (the surplus follows).
PER_SOURCE = 3
# results kept per searcher while the store is unchanged: feedback looks up the same few key
# point definitions again and again (one search per missed point, ~12 ms each)
RESULTS_CACHED = 256

_TOKEN = re.compile(r"[a-z0-9]+(?:[@.][a-z0-9]+)*")
STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further
had has have having he her here hers him his how i if in into is it its itself just me more
most my no nor not now of off on once only or other our ours out over own same she should so
some such than that the their theirs them then there these they this those through to too
under until up very was we were what when where which while who whom why will with would you
your yours should shall may might must also eg e.g etc vs
""".split())


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens without stopwords, with a light plural strip."""
    out = []
    for tok in _TOKEN.findall(text.lower()):
        if tok in STOPWORDS:
            continue
        if len(tok) > 4 and tok.endswith("s") and not tok.endswith("ss"):
            tok = tok[:-1]
        out.append(tok)
    return out


@dataclass
class _Chunk:
    id: str
    content: str
    meta: dict

    def hit(self, score: float) -> Hit:
        return Hit(source=str(self.meta.get("source", "")), heading=str(self.meta.get("heading", "")),
                   text=clean_text(self.content, self.meta), score=round(float(score), 6),
                   stages=stages_of(self.meta))

    def allowed(self, stage: str | None) -> bool:
        return stage is None or bool(self.meta.get("stageless")) or bool(self.meta.get(f"stage_{stage}"))


def stage_where(stage: str | None) -> dict | None:
    if stage is None:
        return None
    return {"$or": [{f"stage_{stage}": True}, {"stageless": True}]}


class Searcher:
    """Cached BM25 + chunk table over one ``KnowledgeStore``; thread-safe."""

    def __init__(self, store: KnowledgeStore, embed_query):
        self.store = store
        self.embed_query = embed_query      # str -> normalised vector (list or ndarray)
        self._lock = threading.RLock()
        self._state: tuple[int, float] | None = None
        self._chunks: dict[str, _Chunk] = {}
        self._order: list[str] = []
        self._bm25: BM25Okapi | None = None
        self._checked_at = 0.0
        self._results: dict[tuple, list[Hit]] = {}

    # ---- cache -----------------------------------------------------------------
    def invalidate(self) -> None:
        """Make the next search re-check the store (call after ingesting)."""
        self._checked_at = 0.0

    def forget_results(self) -> None:
        """Drop the kept results (benchmarks time a lookup the searcher has not seen)."""
        with self._lock:
            self._results = {}

    def refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and self._state is not None and now - self._checked_at < RECHECK_SECONDS:
            return
        state = self.store.state()
        self._checked_at = now
        with self._lock:
            if not force and state == self._state:
                return
            got = self.store.chroma.get(include=["documents", "metadatas"])
            chunks = {i: _Chunk(i, d or "", m or {})
                      for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])}
            order = sorted(chunks)
            corpus = [tokenize(chunks[i].content) for i in order]
            self._bm25 = BM25Okapi(corpus) if corpus and any(corpus) else None
            self._chunks, self._order, self._state = chunks, order, state
            self._results = {}

    def __len__(self) -> int:
        return len(self._chunks)

    # ---- rankings ----------------------------------------------------------------
    def vector_ranking(self, query: str, stage: str | None, n: int) -> list[tuple[str, float]]:
        if not self._chunks:
            return []
        vec = self.embed_query(query)
        vec = vec.tolist() if isinstance(vec, np.ndarray) else list(vec)
        res = self.store.chroma.query(query_embeddings=[vec], n_results=min(n, len(self._chunks)),
                                      where=stage_where(stage), include=["distances"])
        ids, dists = res["ids"][0], res["distances"][0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, dists)]

    def bm25_ranking(self, query: str, stage: str | None, n: int) -> list[tuple[str, float]]:
        if self._bm25 is None:
            return []
        toks = tokenize(query)
        if not toks:
            return []
        scores = self._bm25.get_scores(toks)
        top = np.argsort(-scores)
        out = []
        for j in top:
            if scores[j] <= 0 or len(out) >= n:
                break
            cid = self._order[j]
            if self._chunks[cid].allowed(stage):
                out.append((cid, float(scores[j])))
        return out

    # ---- search ------------------------------------------------------------------------
    def search(self, query: str, stage: str | None = None, k: int = 5,
               mode: Mode = DEFAULT_MODE) -> list[Hit]:
        if mode not in MODES:
            raise ValueError(f"unknown search mode '{mode}': choose one of {', '.join(MODES)}")
        self.refresh()
        key = (query, stage, k, mode)
        with self._lock:
            hits = self._results.get(key)
            if hits is None:
                hits = self._search(query, stage, k, mode)
                if len(self._results) >= RESULTS_CACHED:
                    self._results.pop(next(iter(self._results)))
                self._results[key] = hits
            return list(hits)

    def _search(self, query: str, stage: str | None, k: int, mode: Mode) -> list[Hit]:
        """The ranking itself; ``search`` holds the lock."""
        depth = max(CANDIDATES, k)
        if mode == "vector":
            ranked = self.vector_ranking(query, stage, k)
        elif mode == "bm25":
            ranked = self.bm25_ranking(query, stage, k)
        else:
            ranked = diversify(rrf([self.vector_ranking(query, stage, depth),
                                    self.bm25_ranking(query, stage, depth)]),
                               lambda cid: self._chunks[cid].meta.get("source", "") if cid in self._chunks else cid)
        return [self._chunks[cid].hit(score) for cid, score in ranked[:k] if cid in self._chunks]


def rrf(rankings: list[list[tuple[str, float]]], k: int = RRF_K) -> list[tuple[str, float]]:
    """Reciprocal rank fusion: sum of 1/(k + rank) over the rankings an item appears in.

    Exact ties are common (ranks 2 and 12 sum to the same as 12 and 2); they are ordered by
    chunk id here and re-ordered for diversity by ``diversify``."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, (cid, _) in enumerate(ranking, 1):
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (k + rank)
    return sorted(fused.items(), key=lambda kv: (-round(kv[1], 12), kv[0]))


def diversify(ranked: list[tuple[str, float]], source_of, per_source: int = PER_SOURCE
              ) -> list[tuple[str, float]]:
    """Re-order a fused ranking for diversity, keeping its order otherwise.

    - Among items with the same score, the one whose source has appeared least so far comes
      first (chunk ids hash the file path, so an id tie-break would differ between machines).
    - Each source's first ``per_source`` items keep their places; its further items move after
      every other source's leading items, still in ranked order.
    """
    seen: dict[str, int] = {}
    head, tail = [], []
    rest = list(ranked)
    while rest:
        top = round(rest[0][1], 12)
        tied = [j for j in range(len(rest)) if round(rest[j][1], 12) == top]
        j = min(tied, key=lambda j: (seen.get(source_of(rest[j][0]), 0), j))
        cid, score = rest.pop(j)
        src = source_of(cid)
        seen[src] = seen.get(src, 0) + 1
        (head if seen[src] <= per_source else tail).append((cid, score))
    return head + tail
