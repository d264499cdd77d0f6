"""Load data files (YAML, Markdown front matter) into pydantic models with clear errors.

Every error names the file and, for validation problems, the field.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

MAX_DATA_FILE_BYTES = 2_000_000


class DataFileError(ValueError):
    """A data file is missing, unreadable or does not match its schema."""

    def __init__(self, path: Path | str, message: str):
        self.path = Path(path)
        self.message = message
        super().__init__(f"{path}: {message}")


def read_text(path: Path, max_bytes: int = MAX_DATA_FILE_BYTES) -> str:
    path = Path(path)
    if not path.exists():
        raise DataFileError(path, "file not found")
    if not path.is_file():
        raise DataFileError(path, "not a file")
    size = path.stat().st_size
    if size > max_bytes:
        raise DataFileError(path, f"file too large ({size} bytes, limit {max_bytes})")
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise DataFileError(path, "binary file (contains NUL bytes)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataFileError(path, f"not UTF-8 text (byte {exc.start})") from None


def parse_yaml(text: str, path: Path | str = "<string>") -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise DataFileError(path, f"invalid YAML{where}: {getattr(exc, 'problem', exc)}") from None


def validate(model: type[M], data: Any, path: Path | str = "<string>") -> M:
    if data is None:
        raise DataFileError(path, "file is empty")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(top level)"
        more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise DataFileError(path, f"field '{field}': {first['msg']}{more}") from None


def load_yaml_model(model: type[M], path: Path) -> M:
    """Read a YAML file and validate it against ``model``."""
    return validate(model, parse_yaml(read_text(path), path), path)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split a Markdown document into (front matter dict, body). No front matter → ({}, text)."""
    if not text.startswith("---"):
        return {}, text
    lines = text.splitlines(keepends=True)
    if lines[0].strip() != "---":
        return {}, text
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            meta = yaml.safe_load("".join(lines[1:i])) or {}
            if not isinstance(meta, dict):
                return {}, text
            return meta, "".join(lines[i + 1:])
    return {}, text


def sha256_file(path: Path) -> str:
    """The sha256 of a file's bytes, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


_cache: dict[tuple[str, str, tuple[int, int] | None], Any] = {}
_cache_lock = threading.Lock()


def load_cached(model: type[M], path: Path | str) -> M:
    """``load_yaml_model``, cached until the file changes (its mtime and size): the one cache
    policy for every data file (flow, rubric, voice, prompts, terms, stance, concepts)."""
    path = Path(path)
    try:
        st = path.stat()
        stamp: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
    except OSError:
        stamp = None                     # load_yaml_model reports the missing file
    key = (model.__qualname__, str(path), stamp)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
    value = load_yaml_model(model, path)
    with _cache_lock:
        if len(_cache) > 64:
            _cache.clear()
        _cache[key] = value
    return value
