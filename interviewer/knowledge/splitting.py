"""Split loaded files into citable chunks: headings first, then by size.

Each chunk is a LangChain ``Document`` whose ``page_content`` is the text that gets embedded and
BM25-indexed: the chunk's *context line* (title and heading path) followed by a blank line and
the clean chunk text. ``clean_text(doc)`` gives the clean text back for callers.

Metadata per chunk (flat, as Chroma requires):
  source   path relative to the ingested root, e.g. ``metrics.md``
  root     the ingested root folder (so two roots never share chunk ids or cleanup)
  heading  heading path, e.g. ``Offline and online metrics > ROC-AUC versus PR-AUC``;
           for PDFs ``page N``; empty for text without headings
  title    front-matter title, else the first ``# H1``, else the file name
  stages   comma-joined stage ids from front matter ("" when the file declares none)
  stage_<id> True for each declared stage; ``stageless`` True when none is declared.
           Decision: a file without front-matter stages serves *every* stage, so the stage
           filter keeps stage-less chunks (user notes rarely carry front matter).
  hash     sha256 (16 hex) of the clean chunk text
  prefix_len  length of the context prefix in ``page_content``

Plain-text files that use Markdown-style ``#`` headings (as many notes do) are split on them too.
"""

from __future__ import annotations

import hashlib
import re

from langchain_core.documents import Document
from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

from interviewer.knowledge.loaders import LoadedFile

CHUNK_SIZE = 800          # chars; keeps a chunk plus its heading line within MiniLM's 256-token window
CHUNK_OVERLAP = 100
HEADING_SEP = " > "
_HEADERS = [("#", "h1"), ("##", "h2"), ("###", "h3"), ("####", "h4")]
_HEADING_LINE = re.compile(r"^#{1,4} +\S", re.MULTILINE)
_DECOR = re.compile(r"[*_`]+")
_TRAILING_WS = re.compile(r"[ \t]+\n")


def _size_splitter() -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP,
                                          separators=["\n\n", "\n", ". ", " ", ""])


def _clean_heading(h: str) -> str:
    return _DECOR.sub("", h).strip().rstrip(":").strip()


def _sections(body: str, use_headings: bool) -> list[tuple[str, str]]:
    """(heading path, section text) pairs in document order."""
    if not use_headings or not _HEADING_LINE.search(body):
        return [("", body)]
    splitter = MarkdownHeaderTextSplitter(_HEADERS, strip_headers=True)
    out = []
    for d in splitter.split_text(body):
        path = HEADING_SEP.join(_clean_heading(d.metadata[k]) for _, k in _HEADERS
                                if d.metadata.get(k))
        out.append((path, _TRAILING_WS.sub("\n", d.page_content)))
    return out


def context_line(title: str, heading: str) -> str:
    if not heading:
        return title
    first = heading.split(HEADING_SEP, 1)[0]
    if first.strip().lower() == title.strip().lower():
        return heading
    return f"{title}{HEADING_SEP}{heading}"


def chunk_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def base_metadata(f: LoadedFile) -> dict:
    meta: dict = {
        "source": f.source,
        "root": str(f.candidate.root),
        "title": f.title,
        "stages": ",".join(f.stages),
        "stageless": not f.stages,
    }
    for s in f.stages:
        meta[f"stage_{s}"] = True
    return meta


def split(f: LoadedFile) -> list[Document]:
    """Chunks of one loaded file, in document order."""
    if f.kind == "pdf":
        sections = [(f"page {i}", text) for i, text in enumerate(f.pages, 1) if text.strip()]
    else:
        sections = _sections(f.body, use_headings=True)
    sizer = _size_splitter()
    base = base_metadata(f)
    docs: list[Document] = []
    for heading, text in sections:
        for piece in sizer.split_text(text):
            piece = piece.strip()
            if not piece:
                continue
            prefix = context_line(f.title, heading) + "\n\n"
            meta = dict(base, heading=heading, hash=chunk_hash(piece), prefix_len=len(prefix))
            docs.append(Document(page_content=prefix + piece, metadata=meta))
    return docs


def clean_text(content: str, metadata: dict) -> str:
    """The chunk text without its embedded context prefix."""
    n = metadata.get("prefix_len")
    return content[n:] if isinstance(n, int) and 0 <= n <= len(content) else content


def stages_of(metadata: dict) -> tuple[str, ...]:
    raw = metadata.get("stages") or ""
    return tuple(s for s in raw.split(",") if s)
