"""Against a real Chroma server: ``chroma run`` on 127.0.0.1, reached through INTERVIEWER_CHROMA_URL."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from kb_helpers import copy_corpus, write_guide

from interviewer.knowledge.service import KnowledgeBase
from interviewer.knowledge.vectors import collection_name, forget_client
from interviewer.config.settings import Settings

pytestmark = pytest.mark.slow

CHROMA = Path(sys.executable).parent / "chroma"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    if not CHROMA.exists():
        pytest.skip(f"{CHROMA} not installed")
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    log = open(data / "server.log", "wb")
    proc = subprocess.Popen([str(CHROMA), "run", "--host", "127.0.0.1", "--port", str(port),
                             "--path", str(data / "db")], stdout=log, stderr=subprocess.STDOUT,
                            env={"ANONYMIZED_TELEMETRY": "False", "PATH": "/usr/bin:/bin"})
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1) as resp:
                if resp.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            log.close()
            pytest.fail("chroma server did not start: " + (data / "server.log").read_text()[-2000:])
        time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()


def test_ingest_and_search_through_http_client(chroma_server, tmp_path, monkeypatch, embedder):
    import chromadb

    monkeypatch.setenv("INTERVIEWER_CHROMA_URL", chroma_server)
    builtin = tmp_path / "knowledge"
    write_guide(builtin, "serving.md", "Serving", ["design"], "## Caching\n\nCache embeddings near the ranker.")
    monkeypatch.setenv("INTERVIEWER_KNOWLEDGE_DIR", str(builtin))
    settings = Settings()
    assert settings.chroma_url == chroma_server
    guides = copy_corpus(tmp_path / "guides", ["mlsd-pymk.md", "mlsd-template.md"])

    kb = KnowledgeBase(settings, embeddings=embedder.embeddings, embeddings_name=embedder.name)
    first = kb.ingest([guides])
    assert first.errors == [] and first.added > 0
    assert kb.ingest([guides]).added == 0  # idempotent against the server too
    hits = kb.search("people you may know friend recommendation", k=3)
    assert hits[0].source == "mlsd-pymk.md"
    assert kb.search("cache embeddings near the ranker", k=1)[0].source == "serving.md"

    host, port = chroma_server.rsplit(":", 1)
    from chromadb.config import Settings as ChromaSettings

    remote = chromadb.HttpClient(host=host.split("//")[1], port=int(port),
                                 settings=ChromaSettings(anonymized_telemetry=False))
    col = remote.get_collection(collection_name(embedder.name))
    assert col.count() == kb.count() == first.added + 1
    assert not settings.chroma_dir.exists()  # nothing stored locally
    forget_client(settings)
