"""A small on-disk cache of the grader's fixed texts' embeddings (key points, cues, problem facts).

A cold ``interviewer feedback`` otherwise spends a model call embedding ~100 fixed texts
before it looks at the answer. Only rubric, flow and built-in problem texts are stored (never
the candidate's answer, never a custom question). Keyed by text and by the embeddings' name;
unreadable or stale files are ignored and rewritten.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)
MAX_ENTRIES = 5000
_lock = threading.Lock()
_known: dict[str, set[str]] = {}      # cache file → texts it holds (this process's view)


def cache_path(home: Path, embedder_name: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", embedder_name)
    return Path(home) / "cache" / f"grading-vectors-{safe}.npz"


def load_into(embedder, home: Path) -> None:
    """Prime ``embedder`` with the vectors saved earlier (once per process and file)."""
    path = cache_path(home, embedder.name)
    with _lock:
        if str(path) in _known:
            return
        _known[str(path)] = set()
        if not path.is_file():
            return
        try:
            with np.load(path, allow_pickle=False) as data:
                texts, vecs = [str(t) for t in data["texts"]], data["vectors"]
            if len(texts) != len(vecs):
                return
            embedder.prime(texts, vecs)
            _known[str(path)] = set(texts)
        except Exception as exc:  # a damaged cache is only a slower start
            log.debug("ignoring grading vector cache %s: %s", path, exc)


def save_from(embedder, home: Path, texts: list[str]) -> None:
    """Add ``texts`` (already embedded) to the file if any is new to it."""
    path = cache_path(home, embedder.name)
    with _lock:
        known = _known.setdefault(str(path), set())
        if all(t in known for t in texts):
            return
        have = embedder.cached(sorted(known | set(texts)))
        if len(have) > MAX_ENTRIES:
            have = embedder.cached(texts)
        if not have:
            return
        keys = sorted(have)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp.npz")
            np.savez(tmp, texts=np.array(keys), vectors=np.stack([have[k] for k in keys]))
            os.replace(tmp, path)
            _known[str(path)] = set(keys)
        except OSError as exc:
            log.debug("cannot write grading vector cache %s: %s", path, exc)
