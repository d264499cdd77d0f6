"""``KnowledgeBase``: the facade the engine, the CLI and the app use.

    kb = KnowledgeBase(settings)
    kb.search("PR-AUC or ROC-AUC for rare positives?", stage=flow.stage_ids[1], k=5) -> list[Hit]
    kb.ingest(["~/notes"]) -> IngestSummary

The built-in guides (``settings.knowledge_dir``) are ingested on first use. When the embeddings
change, the new (empty) collection is rebuilt on first use from every file that had been
ingested under other embeddings and still exists; the old collection is left untouched. Whether they are
already indexed is decided from a fingerprint of their names, sizes and modification times
stored beside the records, so a warm start costs a few ``stat`` calls. One instance can be
shared between threads (e.g. Streamlit's ``st.cache_resource``): ingestion and cache rebuilds
are serialised by a lock; the embedding model loads lazily on first use.
"""

from __future__ import annotations

import hashlib
import threading
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

from langchain_core.embeddings import Embeddings

from interviewer.flow import load_flow
from interviewer.knowledge import records
from interviewer.knowledge.ingest import IngestSummary, ingest, rebuild
from interviewer.knowledge.loaders import collect
from interviewer.knowledge.search import DEFAULT_MODE, Mode, Searcher
from interviewer.knowledge.vectors import KnowledgeStore, open_store
from interviewer.knowledge.types import Hit
from interviewer.config.settings import Settings, get_settings

MAX_QUERY_CHARS = 2000
MAX_K = 50


def folder_fingerprint(folder: Path) -> str:
    """Hash of (path, size, mtime) of the ingestible files in ``folder``."""
    h = hashlib.sha256()
    for c in collect([folder]).candidates:
        st = c.path.stat()
        h.update(f"{c.source}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


class KnowledgeBase:
    def __init__(self, settings: Settings | None = None, embeddings: Embeddings | None = None,
                 embeddings_name: str | None = None):
        """``embeddings`` overrides the configured ones (tests inject small fakes)."""
        self.settings = settings or get_settings()
        self._embeddings = embeddings
        self._embeddings_name = embeddings_name
        self._lock = threading.RLock()
        self._store: KnowledgeStore | None = None
        self._searcher: Searcher | None = None
        self._ready = False

    # ---- lazily opened parts --------------------------------------------------
    @property
    def store(self) -> KnowledgeStore:
        with self._lock:
            if self._store is None:
                if self._embeddings is None:
                    from interviewer.embedding.local import get_embedder

                    embedder = get_embedder(self.settings)
                    self._store = open_store(self.settings, embedder.embeddings, embedder.name)
                    embed_query = lambda q: embedder.encode([q])[0]  # noqa: E731 (cached)
                else:
                    self._store = open_store(self.settings, self._embeddings, self._embeddings_name)
                    embed_query = lru_cache(maxsize=512)(self._embeddings.embed_query)
                self._searcher = Searcher(self._store, embed_query)
            return self._store

    @property
    def searcher(self) -> Searcher:
        _ = self.store
        assert self._searcher is not None
        return self._searcher

    @property
    def collection(self) -> str:
        return self.store.collection

    # ---- public API ------------------------------------------------------------
    def ensure_ready(self, progress: bool = False) -> IngestSummary | None:
        """Ingest the built-in guides unless already indexed; returns the summary if it ran."""
        if self._ready:
            return None
        with self._lock:
            if self._ready:
                return None
            store = self.store
            folder = Path(self.settings.knowledge_dir)
            summary = self._rebuild_if_new(progress=progress)
            if folder.is_dir():
                key = f"builtin-fingerprint:{store.record_key}:{folder.resolve()}"
                fp = folder_fingerprint(folder)
                if records.get_meta(store.records_db, key) != fp or store.count() == 0:
                    builtin = ingest([folder], self.settings, progress=progress, store=store)
                    if builtin.files:
                        records.set_meta(store.records_db, key, fp)
                    if summary is None:
                        summary = builtin
                    else:
                        summary.merge(builtin)
            if summary is not None:
                self.searcher.invalidate()
            self._ready = True
            return summary

    def _rebuild_if_new(self, progress: bool = False) -> IngestSummary | None:
        """A new collection (first run, or the embeddings changed) is rebuilt from whatever was
        ingested into other collections and still exists, so switching models loses nothing."""
        store = self.store
        if store.state()[0] != 0:
            return None
        known = records.known_sources(store.records_db, store.record_key)
        return rebuild(known, self.settings, store, progress=progress) if known else None

    def ingest(self, paths: Iterable[Path | str], progress: bool = False,
               on_file: Callable[[int, int, str], None] | None = None) -> IngestSummary:
        """``progress``: a console bar; ``on_file(done, total, name)`` after each file."""
        with self._lock:
            try:
                self._rebuild_if_new(progress=progress)
                return ingest(list(paths), self.settings, progress=progress, store=self.store, on_file=on_file)
            finally:
                self.searcher.invalidate()

    def search(self, query: str, stage: str | None = None, k: int = 5,
               mode: Mode | None = None) -> list[Hit]:
        """Best chunks first, each citable by source and heading."""
        query = (query or "").strip()
        if not query:
            raise ValueError("empty search query")
        if not 1 <= int(k) <= MAX_K:
            raise ValueError(f"k must be between 1 and {MAX_K}")
        stage = load_flow(self.settings.prompts_dir).parse_stage(stage) if stage else None
        self.ensure_ready()
        return self.searcher.search(query[:MAX_QUERY_CHARS], stage=stage, k=int(k),
                                    mode=mode or DEFAULT_MODE)

    def count(self) -> int:
        return self.store.count()
