"""Process-level tuning for interactive use of the local embedding model."""

from __future__ import annotations


def single_thread_inference() -> None:
    """Run torch on one intra-op thread.

    An interview turn encodes one or two short sentences: extra threads only add overhead and,
    on a busy 2-core machine, oversubscription made a one-sentence encode ~15x slower
    (570 ms vs 33 ms p50 measured). Call this in interactive processes (the chat CLI).
    """
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a dependency
        return
    torch.set_num_threads(1)
