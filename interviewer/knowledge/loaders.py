"""Read files for ingestion: Markdown, plain text and PDF, each validated first.

Rules (each failure is a one-line ``LoadError`` naming the file; the batch goes on):

- Folders are walked recursively in sorted order; hidden files and folders are skipped, and so
  is any folder named ``problems`` and every ``*.yaml``/``*.yml`` file: problem files hold hidden
  fact sheets and are never ingested. In a walk, files of other types are skipped silently; a file
  named explicitly with an unsupported type is an error.
- A file larger than ``MAX_FILE_BYTES`` (10 MB) is rejected before it is read.
- Text must be UTF-8 (a UTF-8 or UTF-16 byte-order mark is honoured). Other encodings are
  *rejected* with a clear message rather than guessed: a wrong guess would silently index
  mojibake. Text containing NUL bytes is treated as binary and rejected.
- Empty or whitespace-only files (after front matter) are rejected.
- Markdown front matter (``title``, ``stages``) is parsed with ``datafiles.split_front_matter``.
  Unknown stage names are dropped. A file without stages serves every stage (see splitting.py).
"""

from __future__ import annotations

import codecs
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from interviewer.config.datafiles import split_front_matter

MAX_FILE_BYTES = 10 * 1024 * 1024
MARKDOWN_SUFFIXES = (".md", ".markdown")
TEXT_SUFFIXES = (".txt",)
PDF_SUFFIXES = (".pdf",)
SUPPORTED_SUFFIXES = MARKDOWN_SUFFIXES + TEXT_SUFFIXES + PDF_SUFFIXES
NEVER_INGESTED_SUFFIXES = (".yaml", ".yml")
SKIPPED_DIR_NAMES = ("problems",)


class LoadError(ValueError):
    """A file (or path) that cannot be ingested; ``str()`` is the one-line message."""

    def __init__(self, path: Path | str, message: str):
        self.path = Path(path)
        self.message = message
        super().__init__(f"{path}: {message}")


@dataclass(frozen=True)
class Candidate:
    """A file found for ingestion, with the root its ``source`` is relative to."""

    path: Path
    root: Path
    explicit: bool          # named directly (True) or found by walking a folder (False)

    @property
    def source(self) -> str:
        return self.path.relative_to(self.root).as_posix()


@dataclass
class LoadedFile:
    candidate: Candidate
    kind: str                                  # "markdown" | "text" | "pdf"
    title: str
    stages: tuple[str, ...]
    body: str = ""                             # text after front matter (markdown / text)
    pages: list[str] = field(default_factory=list)   # PDF only: text per page

    @property
    def source(self) -> str:
        return self.candidate.source


@dataclass
class Collected:
    candidates: list[Candidate] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)
    walked_roots: list[Path] = field(default_factory=list)   # folders given (for removal detection)


def _hidden(part: str) -> bool:
    return part.startswith(".") and part not in (".", "..")


def _walk(root: Path) -> list[Path]:
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not _hidden(d) and d not in SKIPPED_DIR_NAMES)
        for name in sorted(filenames):
            if _hidden(name):
                continue
            p = Path(dirpath) / name
            if p.suffix.lower() in SUPPORTED_SUFFIXES:
                found.append(p)
    return found


def collect(paths: list[Path | str]) -> Collected:
    """Expand paths into candidate files; missing or unsupported paths become errors."""
    out = Collected()
    seen: set[Path] = set()
    for raw in paths:
        p = Path(raw).expanduser()
        if not p.exists():
            out.errors.append(LoadError(p, "no such file or directory"))
            continue
        p = p.resolve()
        if p.is_dir():
            out.walked_roots.append(p)
            for f in _walk(p):
                if f not in seen:
                    seen.add(f)
                    out.candidates.append(Candidate(f, p, explicit=False))
            continue
        suffix = p.suffix.lower()
        if suffix in NEVER_INGESTED_SUFFIXES:
            out.errors.append(LoadError(p, "YAML files (problem fact sheets) are never ingested"))
        elif suffix not in SUPPORTED_SUFFIXES:
            out.errors.append(LoadError(
                p, f"unsupported file type '{p.suffix or '(none)'}' (use {', '.join(SUPPORTED_SUFFIXES)})"))
        elif p not in seen:
            seen.add(p)
            out.candidates.append(Candidate(p, p.parent, explicit=True))
    return out


def decode_text(raw: bytes, path: Path) -> str:
    """UTF-8 (BOMs honoured) or a ``LoadError``; NUL bytes mean binary."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(enc)
            except UnicodeDecodeError:
                raise LoadError(path, f"invalid {enc} text") from None
    if b"\x00" in raw:
        raise LoadError(path, "binary file (contains NUL bytes), not text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError(path, f"not UTF-8 text (invalid byte at offset {exc.start}); "
                              "convert it to UTF-8 and ingest again") from None


def _clean_stages(value: object, known: tuple[str, ...]) -> tuple[str, ...]:
    """The front matter's stages that the flow knows (``known``), in the flow's order."""
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    wanted = {str(s).strip().lower() for s in items}
    return tuple(s for s in known if s in wanted)


def _first_h1(body: str) -> str | None:
    for line in body.splitlines():
        if line.startswith("# "):
            return line[2:].strip() or None
    return None


def _check_size(path: Path) -> None:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise LoadError(path, f"file too large ({size / 1_048_576:.1f} MB; limit "
                              f"{MAX_FILE_BYTES // 1_048_576} MB)")


def _load_pdf(c: Candidate) -> LoadedFile:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(c.path))
        if reader.is_encrypted:
            raise LoadError(c.path, "encrypted PDF")
        pages = [(page.extract_text() or "") for page in reader.pages]
        meta_title = (reader.metadata.title if reader.metadata else None) or None
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise LoadError(c.path, f"unreadable PDF ({type(exc).__name__}: {exc})") from None
    if not any(p.strip() for p in pages):
        raise LoadError(c.path, "PDF has no extractable text (scanned images?)")
    return LoadedFile(c, "pdf", str(meta_title or c.path.stem), (), pages=pages)


def load(c: Candidate, stages: tuple[str, ...]) -> LoadedFile:
    """Read and validate one candidate file. ``stages``: the flow's stage ids (front matter
    stages outside them are dropped)."""
    path = c.path
    if not path.is_file():
        raise LoadError(path, "not a regular file")
    _check_size(path)
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        return _load_pdf(c)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LoadError(path, f"cannot read ({exc.strerror or exc})") from None
    text = decode_text(raw, path).replace("\r\n", "\n").replace("\r", "\n")
    meta: dict = {}
    body = text
    if suffix in MARKDOWN_SUFFIXES:
        try:
            meta, body = split_front_matter(text)
        except yaml.YAMLError as exc:
            raise LoadError(path, f"invalid YAML front matter ({getattr(exc, 'problem', exc)})") from None
    if not body.strip():
        raise LoadError(path, "empty file (no text to index)")
    title = meta.get("title")
    title = str(title).strip() if title else (_first_h1(body) or path.stem)
    kind = "markdown" if suffix in MARKDOWN_SUFFIXES else "text"
    return LoadedFile(c, kind, title, _clean_stages(meta.get("stages"), stages), body=body)
