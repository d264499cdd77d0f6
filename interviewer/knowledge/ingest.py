"""Ingest files and folders into the knowledge store, idempotently.

Built on LangChain's indexing API (``langchain_core.indexing.index``) with a persistent
SQLite record manager (records.py). Each file is indexed with ``cleanup="scoped_full"`` and
``source_id_key="source"``: unchanged chunks are skipped, a changed file's old chunks are
deleted, chunks of other files are untouched.

Removal: when a *folder* is ingested, sources recorded for that folder that are no longer in it
lose their chunks. Records are namespaced per (collection, root folder), so ingesting folder B
never deletes folder A's chunks. A file that is still present but now fails to load (say it
became binary) keeps its previous chunks: bad input never costs what is already indexed.

Nested folders: a file keeps the deepest root it was first indexed under. Ingesting a subfolder
(or one file) of a folder ingested before, or a parent of one, re-uses those records instead of
indexing the same file twice; removal then covers the files under the folder just walked.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from langchain_core.indexing import index

from interviewer.errors import one_line
from interviewer.flow import load_flow
from interviewer.knowledge.loaders import Candidate, LoadError, collect, load
from interviewer.knowledge.records import SQLiteRecordManager, collection_roots, namespace
from interviewer.knowledge.splitting import split
from interviewer.knowledge.vectors import KnowledgeStore, open_store
from interviewer.config.settings import Settings

BATCH_SIZE = 64


@dataclass
class IngestSummary:
    files: int = 0            # files indexed (changed or not)
    chunks: int = 0           # chunks in those files
    added: int = 0            # new chunks
    updated: int = 0          # chunks of a changed file that replaced old ones
    removed: int = 0          # chunks deleted (changed or vanished files)
    skipped: int = 0          # chunks already indexed and unchanged
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def merge(self, other: "IngestSummary") -> None:
        for name in ("files", "chunks", "added", "updated", "removed", "skipped"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors.extend(other.errors)
        self.seconds += other.seconds

    def line(self) -> str:
        errs = f"; {len(self.errors)} error{'s' if len(self.errors) != 1 else ''}" if self.errors else ""
        return (f"{self.files} file{'s' if self.files != 1 else ''}: {self.added} chunks added, "
                f"{self.updated} updated, {self.removed} removed, {self.skipped} skipped{errs} "
                f"in {self.seconds:.1f} s")

    def to_dict(self) -> dict:
        return asdict(self)


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, file=sys.stderr, unit="file", desc="ingest", leave=False,
                disable=not enabled, delay=0.5, dynamic_ncols=True)


def _adopt(c: Candidate, roots: list[Path]) -> Candidate:
    """The candidate under the deepest already-indexed root that holds it (else unchanged)."""
    holders = [r for r in roots if c.path.is_relative_to(r)]
    if not holders:
        return c
    best = max(holders, key=lambda r: len(r.parts))
    return c if best == c.root else Candidate(c.path, best, c.explicit)


def _remove_missing(store: KnowledgeStore, root: Path, present: set[str], within: Path | None = None) -> int:
    """Drop the chunks of ``root``'s sources that are not ``present`` (only those under ``within``)."""
    rm = SQLiteRecordManager(namespace(store.record_key, root), store.records_db)
    gone = [g for g in rm.list_groups() if g not in present
            and (within is None or (root / g).is_relative_to(within))]
    if not gone:
        return 0
    keys = rm.list_keys(group_ids=gone)
    if keys:
        store.vectorstore.delete(ids=keys)
        rm.delete_keys(keys)
    return len(keys)


def _index_file(store: KnowledgeStore, c: Candidate, out: IngestSummary, stages: tuple[str, ...]) -> None:
    try:
        docs = split(load(c, stages))
    except LoadError as exc:
        out.errors.append(str(exc))
        return
    if not docs:
        out.errors.append(f"{c.path}: no text to index")
        return
    rm = SQLiteRecordManager(namespace(store.record_key, c.root), store.records_db)
    try:
        r = index(docs, rm, store.vectorstore, cleanup="scoped_full", source_id_key="source",
                  key_encoder="sha256", batch_size=BATCH_SIZE)
    except Exception as exc:  # embeddings provider or store failure: report, keep going
        out.errors.append(f"{c.path}: indexing failed ({type(exc).__name__}: {one_line(exc, ellipsis=True)})")
        return
    out.files += 1
    out.chunks += len(docs)
    # Within one file, a new chunk that replaces an old one counts as "updated".
    replaced = min(r["num_added"], r["num_deleted"])
    out.added += r["num_added"] - replaced
    out.updated += r["num_updated"] + replaced
    out.removed += r["num_deleted"] - replaced
    out.skipped += r["num_skipped"]


def _stage_ids(settings: Settings) -> tuple[str, ...]:
    return load_flow(settings.prompts_dir).stage_ids


def rebuild(sources: Iterable[tuple[str, str]], settings: Settings, store: KnowledgeStore,
            progress: bool = False) -> IngestSummary:
    """Re-ingest (root, source) pairs that still exist into ``store``, keeping their roots.

    Used when the embeddings change: the new collection gets what the old one had.
    """
    t0 = time.perf_counter()
    out = IngestSummary()
    cands = []
    for root, source in sources:
        path = Path(root) / source
        if path.is_file():
            cands.append(Candidate(path, Path(root), explicit=False))
    with _progress(len(cands), progress) as bar:
        for c in cands:
            _index_file(store, c, out, _stage_ids(settings))
            bar.update(1)
    out.seconds = time.perf_counter() - t0
    return out


def ingest(paths: Iterable[Path | str], settings: Settings, progress: bool = False,
           store: KnowledgeStore | None = None,
           on_file: Callable[[int, int, str], None] | None = None) -> IngestSummary:
    """Ingest files and folders; never raises for a bad file (see ``errors``).

    ``store`` defaults to the collection of the configured embeddings (``open_store``);
    ``progress`` draws a console bar; ``on_file(done, total, name)`` is called after each file
    (the app's progress bar).
    """
    t0 = time.perf_counter()
    store = store or open_store(settings)
    out = IngestSummary()
    found = collect(list(paths))
    out.errors.extend(str(e) for e in found.errors)
    roots = collection_roots(store.records_db, store.record_key)
    present: dict[Path, set[str]] = defaultdict(set)
    with _progress(len(found.candidates), progress) as bar:
        for done, c in enumerate(found.candidates, 1):
            c = _adopt(c, roots)
            present[c.root].add(c.source)
            _index_file(store, c, out, _stage_ids(settings))
            bar.update(1)
            if on_file is not None:
                on_file(done, len(found.candidates), Path(c.source).name)
    for walked in found.walked_roots:
        # the walked folder's own records, and those of indexed folders above or below it
        related = {walked} | {r for r in roots if walked.is_relative_to(r) or r.is_relative_to(walked)}
        for root in sorted(related):
            try:
                out.removed += _remove_missing(store, root, present[root], within=walked)
            except Exception as exc:
                out.errors.append(f"{walked}: removing deleted files failed ({type(exc).__name__}: {one_line(exc, ellipsis=True)})")
    out.seconds = time.perf_counter() - t0
    return out
