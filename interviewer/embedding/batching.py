"""Batching a text list for the ONNX encoder: batches of similar token length, shared among
the encoder's workers."""

from __future__ import annotations

import numpy as np

BATCH_SIZE = 16
BUCKET_FILL = 0.8               # a batch's shortest text is at least this share of its longest


def spread(batches: list[np.ndarray], lengths: np.ndarray, workers: int) -> list[list[np.ndarray]]:
    """The batches shared among at most ``workers`` runners, their padded sizes balanced
    (largest first, each to the least loaded); a batch is halved while there are fewer batches
    than workers, so two texts keep two cores busy. Empty shares are left out."""
    batches = list(batches)
    while len(batches) < workers:
        big = max(range(len(batches)), key=lambda k: len(batches[k]), default=None)
        if big is None or len(batches[big]) < 2:
            break
        b = batches.pop(big)
        batches += [b[: len(b) // 2], b[len(b) // 2:]]
    shares: list[list[np.ndarray]] = [[] for _ in range(max(1, workers))]
    load = [0] * len(shares)
    for b in sorted(batches, key=lambda b: -len(b) * int(lengths[b].max())):
        k = load.index(min(load))
        shares[k].append(b)
        load[k] += len(b) * int(lengths[b].max())
    return [s for s in shares if s]


def length_buckets(lengths: np.ndarray, batch_size: int = BATCH_SIZE,
                   fill: float = BUCKET_FILL) -> list[np.ndarray]:
    """Indices in batches of similar token length, longest first.

    Every text of a batch is padded to its longest, and the model's cost grows with the padded
    size: a turn's clauses (~10 tokens) batched with its sentences (~40) doubled the work. A
    batch takes texts while they are at least ``fill`` of its longest. Each row's vector does not
    depend on its batch (checked bit for bit against one-text batches), so results are unchanged.
    """
    order = np.argsort(-lengths, kind="stable")
    batches, start = [], 0
    while start < len(order):
        top = lengths[order[start]]
        end = start + 1
        while end < len(order) and end - start < batch_size and lengths[order[end]] >= fill * top:
            end += 1
        batches.append(order[start:end])
        start = end
    return batches

