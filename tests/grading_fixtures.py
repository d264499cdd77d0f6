"""Fixtures for the grading tests: the offline grader's inputs and the labelled set graded once.

Import into a test module with ``from grading_fixtures import *``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.config.paths import builtin_problems_dir, builtin_prompts_dir

__all__ = ["grading_inputs", "graded_set", "grade_text"]


@pytest.fixture(scope="session")
def grading_inputs(embedder, models_cache):
    from interviewer.config.paths import builtin_knowledge_dir
    from interviewer.flow import load_flow
    from interviewer.grading.injection_screen import build_screen
    from interviewer.grading.rubric import load_rubric
    from interviewer.listening.listener import Listener, fitted_model
    from interviewer.problems import ProblemBank

    flow = load_flow(builtin_prompts_dir())
    model = fitted_model(flow, embedder, builtin_knowledge_dir() / "utterances", builtin_prompts_dir(), models_cache)
    return {"embedder": embedder, "flow": flow, "listener": Listener(model, embedder),
            "rubric": load_rubric(builtin_prompts_dir()), "bank": ProblemBank([builtin_problems_dir()]),
            "screen": build_screen(embedder, builtin_knowledge_dir(), builtin_prompts_dir(), models_cache)}


def grade_text(inputs, stage: str, text: str, problem_id: str = "linkedin-feed", **kw):
    from interviewer.grading.offline import grade_offline

    kw.setdefault("screen", inputs["screen"])
    return grade_offline(stage=stage, text=text, problem=inputs["bank"].get(problem_id),
                         embedder=inputs["embedder"], flow=inputs["flow"], rubric=inputs["rubric"],
                         listener=inputs["listener"], prompts_dir=str(builtin_prompts_dir()), **kw)


@pytest.fixture(scope="session")
def graded_set(grading_inputs):
    """[(labelled answer, Graded)] for the whole labelled set, graded once per test run."""
    from benchmarks.calibration import load_labelled

    return [(a, grade_text(grading_inputs, a.stage, a.text, a.problem)) for a in load_labelled()]
