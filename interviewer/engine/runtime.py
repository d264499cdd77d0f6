"""Process-level tuning for interactive use of the local embedding model."""

from __future__ import annotations

import os
import sys


def single_thread_inference() -> None:
    """Run the local embedding model on one intra-op thread.

    An interview turn encodes one or two short sentences: extra threads only add overhead and,
    on a busy 2-core machine, oversubscription made a one-sentence encode ~15x slower
    (570 ms vs 33 ms p50 measured). Call this in interactive processes (the chat CLI).

    Imports nothing heavy: the ONNX backend's sessions get one thread; torch, if already
    loaded, is set now, else reads OMP_NUM_THREADS when (and if) it is imported later.
    """
    from interviewer.knowledge.onnx_embeddings import set_default_threads

    set_default_threads(1)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)
    else:
        os.environ.setdefault("OMP_NUM_THREADS", "1")
