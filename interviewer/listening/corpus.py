"""The labelled utterances the listener learns from (``knowledge/utterances/*.jsonl``).

Each line is one thing a candidate says in a stage, labelled with the key points it covers
and those it dismisses or gets wrong: of its own stage only, or (``scope: all``) of every stage,
so that points said ahead or late can be scored. Written by people who saw only the key point
definitions; split by problem (``splits.yaml``) into train and dev.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from interviewer.config.datafiles import DataFileError, load_yaml_model

Kind = Literal["positive", "multi", "near_miss", "dismissal", "wrong", "filler"]


class Utterance(BaseModel):
    id: str
    text: str = Field(min_length=1)
    stage: str
    problem: str | None = None
    question: str | None = None
    covers: list[str] = Field(default_factory=list)
    dismisses: list[str] = Field(default_factory=list)
    kind: Kind
    style: str = ""
    reason: str = ""
    # "stage": labelled with the stage's own key points only (what it says of other stages'
    # points is unknown); "all": labelled with every stage's points, so hearing other stages'
    # points can be scored on it (the threshold for points said ahead or late is tuned there)
    scope: Literal["stage", "all"] = "stage"
    # the writer affirmed the point in negative or contrastive words ("we can't ship this
    # without an A/B test", "not accuracy: recall at the alert budget"); benchmarks report these
    # lines apart, as the offline stance model's known weak spot
    negative_wording: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> "Utterance":
        both = set(self.covers) & set(self.dismisses)
        if both:
            raise ValueError(f"{self.id}: {sorted(both)} both covered and dismissed")
        return self

    @property
    def group(self) -> str:
        """What the split and cross-validation group by: the problem (or the question)."""
        return self.problem or (self.question or "")


class Splits(BaseModel):
    dev_problems: list[str] = Field(min_length=1)


def load_utterances(path: Path) -> list[Utterance]:
    """One JSON Lines file; a bad line is a DataFileError naming the file and line."""
    out: list[Utterance] = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(path, f"cannot read ({exc})") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            out.append(Utterance.model_validate(json.loads(line)))
        except ValueError as exc:
            raise DataFileError(path, f"line {n}: {' '.join(str(exc).split())[:200]}") from None
    return out


def load_corpus(folder: Path, point_ids: set[str] | None = None) -> tuple[list[Utterance], list[Utterance]]:
    """(train, dev) utterances of every ``*.jsonl`` in ``folder``; ids checked against the flow."""
    folder = Path(folder)
    splits = load_yaml_model(Splits, folder / "splits.yaml")
    rows = [u for f in sorted(folder.glob("*.jsonl")) for u in load_utterances(f)]
    if point_ids is not None:
        for u in rows:
            unknown = set(u.covers + u.dismisses) - point_ids
            if unknown:
                raise DataFileError(folder, f"utterance {u.id}: unknown key points {sorted(unknown)}")
    dev = set(splits.dev_problems)
    return [u for u in rows if u.group not in dev], [u for u in rows if u.group in dev]


def corpus_hash(folder: Path, extra: str = "") -> str:
    """A hash of the corpus files (and ``extra``: the flow's cues, the model name), so a
    fitted listener is reused exactly while its inputs are unchanged."""
    h = hashlib.sha256(extra.encode())
    for f in sorted(Path(folder).glob("*.*")):
        if f.suffix in (".jsonl", ".yaml"):
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]
