"""The labelled calibration set (tests/labelled/answers.yaml) and agreement figures."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from interviewer.config.datafiles import load_yaml_model

from interviewer.config.paths import PROJECT_DIR

LABELLED_PATH = PROJECT_DIR / "tests" / "labelled" / "answers.yaml"
ADVERSARIAL_KINDS = ("keyword_list", "injection", "off_topic", "confident_wrong",
                     "verbose_shallow", "restated_question")
# the highest score each adversarial kind may get (the bounds)
KIND_BOUNDS = {"keyword_list": 2, "confident_wrong": 2, "verbose_shallow": 2,
               "injection": 1, "off_topic": 1, "restated_question": 1}

Kind = Literal["normal", "keyword_list", "injection", "off_topic", "confident_wrong",
               "verbose_shallow", "terse_excellent", "restated_question"]


class LabelledAnswer(BaseModel):
    id: str
    problem: str
    stage: str
    label: int = Field(ge=1, le=4)
    kind: Kind
    split: Literal["tune", "test"]
    text: str = Field(min_length=1)


class LabelledSet(BaseModel):
    answers: list[LabelledAnswer] = Field(min_length=1)


def load_labelled(path: Path = LABELLED_PATH) -> list[LabelledAnswer]:
    answers = load_yaml_model(LabelledSet, Path(path)).answers
    ids = [a.id for a in answers]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate ids in the labelled set")
    return answers


def agreement(labels: list[int], scores: list[int]) -> dict[str, float]:
    """Spearman rho, exact and adjacent (±1) agreement."""
    from scipy.stats import spearmanr

    n = len(labels)
    if not n:
        return {"n": 0, "spearman": float("nan"), "exact": float("nan"), "adjacent": float("nan")}
    rho = spearmanr(labels, scores).statistic if len(set(scores)) > 1 else float("nan")
    return {
        "n": n,
        "spearman": round(float(rho), 3),
        "exact": round(sum(a == b for a, b in zip(labels, scores)) / n, 3),
        "adjacent": round(sum(abs(a - b) <= 1 for a, b in zip(labels, scores)) / n, 3),
    }
