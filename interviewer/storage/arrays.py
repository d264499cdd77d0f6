"""Fitted models kept as plain arrays under the cache folder (``.npz``, no pickles), by the hash
of their inputs: read if readable, else fitted and written atomically."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Callable

import numpy as np

log = logging.getLogger(__name__)


def load_arrays(path: Path, what: str) -> dict[str, np.ndarray] | None:
    """The arrays at ``path``; None when missing or damaged (then refitted)."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except Exception as exc:  # a damaged cache is refitted
        log.warning("%s cache %s unreadable (%s); refitting", what, path, exc)
        return None


def save_arrays(path: Path, arrays: dict[str, np.ndarray], what: str) -> None:
    """Write atomically (a reader never sees half a file); a read-only cache is not an error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.stem}.{threading.get_ident()}.tmp.npz")
        np.savez(tmp, **arrays)
        tmp.replace(path)
    except OSError as exc:
        log.warning("cannot cache the %s at %s: %s", what, path, exc)


def cached_arrays(path: Path, fit: Callable[[], dict[str, np.ndarray]], what: str) -> dict[str, np.ndarray]:
    arrays = load_arrays(path, what)
    if arrays is None:
        arrays = fit()
        save_arrays(path, arrays, what)
    return arrays
