"""Strong words in clarifying questions (prompts/fact_terms.yaml), for a small lexical boost.

A question saying "real-time", "p99" or "DAU" is about one thing, but a short question embeds
poorly. Each group of words is matched on whole words (hyphens read as spaces); a fact's
affinity to a group is how many of its topic and asks use the group's words, relative to the
fact on the same sheet that uses them most.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, Field, field_validator

from interviewer.config.datafiles import load_cached
from interviewer.config.paths import builtin_prompts_dir

TERMS_FILE = "fact_terms.yaml"


class TermGroups(BaseModel):
    groups: dict[str, list[str]] = Field(min_length=1)

    @field_validator("groups")
    @classmethod
    def _non_empty(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, words in value.items():
            if not words or any(not str(w).strip() for w in words):
                raise ValueError(f"group '{name}' needs at least one non-empty word")
        return value


def _norm(text: str) -> str:
    return " " + re.sub(r"[^a-z0-9]+", " ", text.lower()) + " "


class TermIndex:
    """Which term groups a text uses."""

    def __init__(self, groups: dict[str, list[str]]):
        self.names = list(groups)
        self._words = [[_norm(w) for w in words] for words in groups.values()]

    def groups_in(self, text: str) -> set[int]:
        t = _norm(text)
        return {g for g, words in enumerate(self._words) if any(w in t for w in words)}

    def affinities(self, fact_texts: list[list[str]]) -> list[dict[int, float]]:
        """Per fact: group -> share of its texts using the group, over the sheet's highest."""
        counts = [{} for _ in fact_texts]
        for i, texts in enumerate(fact_texts):
            for text in texts:
                for g in self.groups_in(text):
                    counts[i][g] = counts[i].get(g, 0) + 1
        top: dict[int, int] = {}
        for c in counts:
            for g, n in c.items():
                top[g] = max(top.get(g, 0), n)
        return [{g: n / top[g] for g, n in c.items()} for c in counts]


_indexes: dict[int, TermIndex] = {}


def _load(path: Path) -> TermIndex:
    groups = load_cached(TermGroups, path)
    if id(groups) not in _indexes:                 # one index per loaded version of the file
        _indexes.clear()
        _indexes[id(groups)] = TermIndex(groups.groups)
    return _indexes[id(groups)]


def load_terms(prompts_dir: Path | None = None) -> TermIndex:
    """The term groups of ``prompts_dir``'s fact_terms.yaml (the built-in prompts by default);
    re-read when the file changes."""
    return _load(Path(prompts_dir or builtin_prompts_dir()) / TERMS_FILE)
