"""The Chroma vector store: embedded (PersistentClient under ``$INTERVIEWER_HOME/chroma``) or a
server (``INTERVIEWER_CHROMA_URL`` → HttpClient). Telemetry is off either way.

The collection name is derived from the embeddings' name, so switching embeddings opens a new,
empty collection that gets rebuilt; vectors of two models are never mixed. Older collections are
left in place (ignored), which makes switching back instant. Our embedding function is always
passed (LangChain computes vectors itself), so Chroma's default model is never downloaded.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from urllib.parse import urlparse

from langchain_core.embeddings import Embeddings

from interviewer.config.settings import Settings

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

COLLECTION_PREFIX = "kb"
_clients: dict[str, object] = {}
_lock = threading.Lock()


class StoreError(RuntimeError):
    """The vector store cannot be reached or opened."""


def collection_name(embeddings_name: str) -> str:
    """A valid Chroma collection name (3-512 chars of [a-zA-Z0-9._-]) unique per embeddings name."""
    slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", embeddings_name).strip("-._")[:40] or "emb"
    digest = hashlib.sha1(embeddings_name.encode("utf-8")).hexdigest()[:8]
    return f"{COLLECTION_PREFIX}-{slug}-{digest}"


def _chroma_settings():
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def location(settings: Settings) -> str:
    """Where vectors live: the server URL or the local folder (part of record namespaces)."""
    return settings.chroma_url or str(settings.chroma_dir)


def get_client(settings: Settings):
    """One client per location, shared by every store in the process."""
    import chromadb

    key = location(settings)
    with _lock:
        client = _clients.get(key)
        if client is not None:
            return client
        try:
            if settings.chroma_url:
                url = urlparse(settings.chroma_url if "://" in settings.chroma_url
                               else f"http://{settings.chroma_url}")
                if not url.hostname:
                    raise StoreError(f"INTERVIEWER_CHROMA_URL '{settings.chroma_url}' has no host")
                ssl = url.scheme == "https"
                client = chromadb.HttpClient(host=url.hostname, port=url.port or (443 if ssl else 8000),
                                             ssl=ssl, settings=_chroma_settings())
            else:
                settings.chroma_dir.mkdir(parents=True, exist_ok=True)
                client = chromadb.PersistentClient(path=str(settings.chroma_dir),
                                                   settings=_chroma_settings())
        except StoreError:
            raise
        except Exception as exc:  # chromadb raises ValueError / httpx errors / its own types
            raise StoreError(f"cannot open the Chroma store at {key}: {exc}") from None
        _clients[key] = client
        return client


def forget_client(settings: Settings) -> None:
    """Drop the cached client (e.g. after a server was stopped)."""
    with _lock:
        _clients.pop(location(settings), None)


def open_vectorstore(settings: Settings, embeddings: Embeddings, embeddings_name: str):
    """A ``langchain_chroma.Chroma`` over this embeddings' collection (created if missing)."""
    from langchain_chroma import Chroma

    client = get_client(settings)
    try:
        return Chroma(
            collection_name=collection_name(embeddings_name),
            embedding_function=embeddings,
            client=client,
            collection_metadata={"hnsw:space": "cosine", "embeddings": embeddings_name},
        )
    except Exception as exc:
        raise StoreError(f"cannot open the Chroma collection at {location(settings)}: {exc}") from None


RECORDS_DB_NAME = "knowledge-records.sqlite"


class KnowledgeStore:
    """One embeddings' collection plus the records that track what was ingested into it."""

    def __init__(self, settings: Settings, embeddings: Embeddings, embeddings_name: str):
        from interviewer.knowledge import records

        self.settings = settings
        self.embeddings = embeddings
        self.embeddings_name = embeddings_name
        self.collection = collection_name(embeddings_name)
        self.vectorstore = open_vectorstore(settings, embeddings, embeddings_name)
        self.records_db = settings.home / RECORDS_DB_NAME
        # Records are per (collection, location): a different server or folder starts empty.
        self.record_key = f"{self.collection}@{location(settings)}"
        if self.count() == 0 and records.collection_state(self.records_db, self.record_key)[0]:
            records.forget_collection(self.records_db, self.record_key)  # vectors were wiped

    @property
    def chroma(self):
        """The raw chromadb collection."""
        return self.vectorstore._collection

    def count(self) -> int:
        try:
            return self.chroma.count()
        except Exception as exc:
            raise StoreError(f"cannot read the Chroma collection at {location(self.settings)}: {exc}") from None

    def state(self) -> tuple[int, float]:
        from interviewer.knowledge import records

        return records.collection_state(self.records_db, self.record_key)


def open_store(settings: Settings, embeddings: Embeddings | None = None,
               embeddings_name: str | None = None) -> KnowledgeStore:
    """The store for the configured embeddings (``get_embedder``), or for the ones given."""
    if embeddings is None:
        from interviewer.embedding.local import get_embedder

        embedder = get_embedder(settings)
        embeddings, embeddings_name = embedder.embeddings, embedder.name
    name = embeddings_name or getattr(embeddings, "name", None) or type(embeddings).__name__
    return KnowledgeStore(settings, embeddings, name)
