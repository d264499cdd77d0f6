"""Helpers for the knowledge-base tests: a tiny deterministic fake embeddings, file makers."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from conftest import CORPUS_DIR


class HashEmbeddings(Embeddings):
    """Bag-of-words hashed into ``dim`` buckets, normalised. Deterministic, no model, instant."""

    def __init__(self, dim: int = 64, name: str = "fake:hash"):
        self.dim = dim
        self.name = f"{name}-{dim}"
        self.calls = 0

    def _vec(self, text: str) -> list[float]:
        v = np.zeros(self.dim, dtype=np.float32)
        for tok in text.lower().split():
            v[int(hashlib.md5(tok.encode()).hexdigest(), 16) % self.dim] += 1.0
        n = np.linalg.norm(v)
        return (v / n if n else v).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls += len(texts)
        return [self._vec(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vec(text)


def copy_corpus(dest: Path, names: list[str] | None = None) -> Path:
    """Copy third-party corpus files (all Markdown, or the named ones) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for p in sorted(CORPUS_DIR.glob("*.md")):
        if names is None or p.name in names:
            shutil.copy(p, dest / p.name)
    return dest


def write_guide(folder: Path, name: str, title: str, stages: list[str] | None, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    front = ""
    if stages is not None:
        front = f"---\ntitle: {title}\nstages: [{', '.join(stages)}]\n---\n\n"
    path = folder / name
    path.write_text(f"{front}# {title}\n\n{body}\n", encoding="utf-8")
    return path


def make_bad_files(folder: Path) -> dict[str, Path]:
    """One file of each kind of bad input; the 50 MB one is sparse (instant to create)."""
    folder.mkdir(parents=True, exist_ok=True)
    bad = {
        "binary": folder / "image.md",
        "empty": folder / "empty.md",
        "huge": folder / "huge.txt",
        "latin1": folder / "latin1.txt",
    }
    bad["binary"].write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    bad["empty"].write_text("---\ntitle: Empty\nstages: [metrics]\n---\n   \n\n", encoding="utf-8")
    with open(bad["huge"], "wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    bad["latin1"].write_bytes("Précision et rappel: le coût des faux positifs.".encode("latin-1"))
    return bad


def chunk_sources(kb) -> list[str]:
    got = kb.store.chroma.get(include=["metadatas"])
    return [m["source"] for m in got["metadatas"]]


def all_texts(kb, source: str | None = None) -> list[str]:
    where = {"source": source} if source else None
    return kb.store.chroma.get(where=where, include=["documents"])["documents"]
