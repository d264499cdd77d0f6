"""Process-level tuning for interactive use of the local embedding model."""

from __future__ import annotations

import os
import sys


def interactive_inference() -> None:
    """Tune the local embedding model for an interactive process (chat, feedback, benchmarks).

    Only the torch backend needs it: on a busy 2-core machine torch's spinning threads made a
    one-sentence encode ~15x slower (570 ms vs 33 ms p50 measured), so it gets one thread. The
    ONNX backend (the default) is left alone: it runs one-thread batches on its own workers
    (``onnx.OnnxEncoder``; a 300-word answer's 47 texts in 135 ms on 2 cores, against 162 ms as
    one two-thread run per batch).

    Imports nothing heavy: torch, if already loaded, is set now, else reads OMP_NUM_THREADS
    when (and if) it is imported later.

    NumPy's BLAS gets one thread too: the listener's products are small (a few sentences by a
    thousand exemplars), and OpenBLAS threads waiting for a core made them ~10x slower on the
    busy machine (``listen --batch`` of 500 utterances: 34 s of CPU and 153 s wall with its
    default threads, 17 s and 65 s with one, identical output).
    """
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)
    else:
        os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")     # for a NumPy not yet imported
    if "numpy" in sys.modules:
        try:
            from threadpoolctl import threadpool_limits    # a scikit-learn dependency

            threadpool_limits(1, user_api="blas")
        except Exception:  # pragma: no cover - tuning only
            pass
