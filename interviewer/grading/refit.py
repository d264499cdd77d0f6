"""Refit the offline grader's ordinal model from labelled answers (``interviewer refit-grader``).

A labelled file is YAML: ``part: tune`` and ``answers: [{id, problem | question, stage, label,
text, kind?}]``. A file marked ``part: test`` (or ``test-b``, any part named test…) is a held-out set and is
refused: no fit reads it.
The features are measured by the grader's own path (``grade_offline``), so what is fitted is
exactly what grading computes. Leave-one-question-out cross-validation figures are written
beside the coefficients.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import yaml

from interviewer.grading.aboutness import MODEL_FILE as ABOUTNESS_FILE, AboutnessModel
from interviewer.grading.aboutness_fit import fit_aboutness, question_pool
from interviewer.grading.fitted import MODEL_FILE, NEUTRAL, FitRecord, GradingModel, fit_model
from interviewer.grading.offline import grade_offline
from interviewer.problems import Problem

if TYPE_CHECKING:
    from interviewer.services import Services

DEFAULT_FEATURES = ("coverage", "quantities", "mechanisms", "terms")
HEADER = """\
# The offline grader's fitted ordinal model (see interviewer/grading/fitted.py).
# Written by `interviewer refit-grader` from the labelled tune answers named under `fit`;
# do not edit by hand: change the data or the features and refit.
#   P(level > k) = sigmoid(sum_i weights_i * (x_i - center_i) / scale_i + thresholds_k)
"""
ABOUTNESS_HEADER = """\
# Whether an answer is about this question's product or another one (interviewer/grading/aboutness.py).
# Written by `interviewer refit-grader` from the tune answers, each paired with its own question
# and with other products' questions from `pool`; do not edit by hand: refit.
#   P(another product) = sigmoid(sum_i weights_i * (x_i - center_i) / scale_i + intercept)
"""


def load_labelled(paths: list[Path]) -> list[dict]:
    """The answers of ``paths``; a held-out file (``part: test…``) is an error."""
    answers = []
    for path in paths:
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ValueError(f"{path}: cannot read labelled answers ({type(exc).__name__})") from None
        if not isinstance(data, dict) or not isinstance(data.get("answers"), list):
            raise ValueError(f"{path}: expected a mapping with an 'answers' list")
        if str(data.get("part", "")).startswith("test"):
            raise ValueError(f"{path} is a held-out test part: no fit may read it")
        for a in data["answers"]:
            missing = [k for k in ("id", "stage", "label", "text") if k not in a]
            if missing or not (a.get("problem") or a.get("question")):
                raise ValueError(f"{path}: answer {a.get('id', '?')} lacks {', '.join(missing) or 'problem/question'}")
            if a["label"] not in (1, 2, 3, 4):
                raise ValueError(f"{path}: answer {a['id']} has label {a['label']!r} (expected 1-4)")
            answers.append(a)
    if not answers:
        raise ValueError("no labelled answers given")
    return answers


def measured(services: "Services", answers: list[dict]) -> list[tuple[dict, list[float]]]:
    """(answer, feature vector) for each answer that is graded at all (injections are not) and
    not labelled off topic: the rules grade those 1 whatever their substance, and a fluent answer
    about another product would teach the fit that substance is worth nothing."""
    sv, out = services, []
    for a in answers:
        if a.get("kind") == "off_topic":
            continue
        problem = sv.bank.get(a["problem"]) if a.get("problem") else Problem.from_question(a["question"])
        graded = grade_offline(stage=sv.flow.parse_stage(a["stage"]), text=a["text"], problem=problem,
                               embedder=sv.embedder(), flow=sv.flow, rubric=sv.rubric,
                               listener=sv.offline_listener(), prompts_dir=sv.settings.prompts_dir,
                               model=NEUTRAL, screen=sv.injection_screen())
        if graded.substance is not None:
            out.append((a, graded.substance.vector()))
    return out


def _agreement(labels: list[int], scores: list[int]) -> dict[str, float]:
    from scipy.stats import spearmanr

    y, s = np.asarray(labels), np.asarray(scores)
    rho = spearmanr(y, s)[0] if len(set(s.tolist())) > 1 else 0.0
    return {"spearman": round(float(rho), 3), "exact": round(float(np.mean(y == s)), 3),
            "adjacent": round(float(np.mean(np.abs(y - s) <= 1)), 3)}


def refit(services: "Services", paths: list[Path], features=DEFAULT_FEATURES, C: float = 1.0,
          out: Path | None = None) -> GradingModel:
    """Fit on ``paths``, cross-validate by question, write ``out`` (prompts/grading_model.yaml)."""
    answers = load_labelled(paths)
    rows = measured(services, answers)
    question = [a.get("problem") or a["question"] for a, _ in rows]
    labels, vectors = [a["label"] for a, _ in rows], [v for _, v in rows]
    cv_labels, cv_scores = [], []
    for q in sorted(set(question)):
        train = [i for i, x in enumerate(question) if x != q]
        if len({labels[i] for i in train}) < 2:
            continue
        m = fit_model([vectors[i] for i in train], [labels[i] for i in train], features, C)
        for i, x in enumerate(question):
            if x == q:
                cv_labels.append(labels[i])
                cv_scores.append(m.score(vectors[i]))
    model = fit_model(vectors, labels, features, C)
    digest = hashlib.sha256(b"".join(Path(p).read_bytes() for p in paths)).hexdigest()
    model = model.model_copy(update={"fit": FitRecord(
        files=[Path(p).name for p in paths], answers=len(rows), data_sha256=digest, C=C,
        cross_validation=_agreement(cv_labels, cv_scores) if cv_labels else {})})
    target = out or Path(services.settings.prompts_dir) / MODEL_FILE
    body = yaml.safe_dump(model.model_dump(), sort_keys=False, default_flow_style=None, width=100)
    target.write_text(HEADER + body, encoding="utf-8")
    refit_aboutness(services, answers, target.parent / ABOUTNESS_FILE, digest)
    return model


def refit_aboutness(services: "Services", answers: list[dict], target: Path, data_sha256: str = "") -> AboutnessModel:
    """Fit the aboutness model on the same tune answers and write it beside the ordinal model."""
    from interviewer.config.paths import builtin_knowledge_dir

    sv = services
    pool = question_pool(builtin_knowledge_dir(), sv.bank)
    about = fit_aboutness(sv.embedder(), sv.flow, sv.bank, answers, pool, data_sha256)
    body = yaml.safe_dump(about.model_dump(), sort_keys=False, default_flow_style=None, width=100,
                          allow_unicode=True)
    target.write_text(ABOUTNESS_HEADER + body, encoding="utf-8")
    return about
