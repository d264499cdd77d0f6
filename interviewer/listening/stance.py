"""Lexical stance cues (``prompts/stance.yaml``): counts the listener's stance model weighs
beside the sentence's embedding. Data, not rules: no threshold here decides anything."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from interviewer.config.datafiles import load_cached


class StanceCues(BaseModel):
    dismissal_markers: list[str] = Field(min_length=1)
    negations: list[str] = Field(min_length=1)


class Concepts(BaseModel):
    concepts: dict[str, list[str]] = Field(default_factory=dict)


def load_concepts(prompts_dir: str) -> dict[str, list[str]]:
    """``prompts/concepts.yaml``: key point id → regular expressions (validated on load)."""
    data = load_cached(Concepts, Path(prompts_dir) / "concepts.yaml").concepts
    for pid, pats in data.items():
        for p in pats:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"concepts.yaml: {pid}: bad pattern {p!r} ({exc})") from None
    return data


def load_cues(prompts_dir: str) -> StanceCues:
    return load_cached(StanceCues, Path(prompts_dir) / "stance.yaml")


def _pattern(words: list[str]) -> re.Pattern:
    alts = sorted((re.escape(w.lower()) for w in words), key=len, reverse=True)
    return re.compile(r"(?<![a-z])(?:" + "|".join(alts) + r")(?![a-z])")


class StanceFeatures:
    """``features(texts)`` → (n, 3): dismissal markers, negations, and whether the text
    states a prescription ("just", "only", "always") or a contrast ("instead")."""

    size = 3

    def __init__(self, cues: StanceCues):
        self._markers = _pattern(cues.dismissal_markers)
        self._neg = _pattern(cues.negations)
        self._absolute = re.compile(r"\b(?:just|only|always|all|every|simply)\b")

    def features(self, texts: list[str]) -> np.ndarray:
        rows = []
        for t in texts:
            low = t.lower().replace("’", "'").replace("n't", " n't")
            rows.append([min(2, len(self._markers.findall(low))), min(3, len(self._neg.findall(low))),
                         min(2, len(self._absolute.findall(low)))])
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), self.size)
