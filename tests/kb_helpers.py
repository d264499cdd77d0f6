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


def write_pdf(path: Path, pages: list[str]) -> Path:
    """A minimal valid PDF with one line of Helvetica text per page (ASCII, no parentheses)."""
    objs: list[bytes] = []
    n = len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n))
    objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objs.append(f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode())
    font = 3 + 2 * n
    for i, text in enumerate(pages):
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
                    f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode())
        objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path
