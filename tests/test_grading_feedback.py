"""The feedback service: offline by default, the LLM grader when configured, fallback with a notice."""

from __future__ import annotations

import pytest

from interviewer.grading.rubric import load_rubric
from interviewer.problems import load_bank
from interviewer.config.paths import builtin_prompts_dir
from llm_fakes import StubKnowledge, structured_model

ANSWER = ("Offline I'd use PR-AUC because comments are rare and ROC-AUC looks good anyway. "
          "Online I'd run an A/B test randomized by member on sessions with a comment, for two weeks.")


@pytest.fixture
def problem(settings):
    return load_bank(settings).get("linkedin-feed")


def _grade(settings, problem, embedder, **kw):
    from interviewer.services import Services

    kw.setdefault("text", ANSWER)
    root = {"knowledge": kw.pop("knowledge", None)}      # no guidance unless a test gives some
    if "chat_model" in kw:
        root["grader_model"] = kw.pop("chat_model")
    services = Services.from_settings(settings, embedder=embedder, **root)
    return services.feedback.grade(stage=kw.pop("stage", "metrics"), problem=problem, **kw)


def test_offline_grade_cites_retrieved_guidance(settings, problem, embedder):
    g = _grade(settings, problem, embedder, knowledge=StubKnowledge())
    assert g.grader == "offline" and not g.notices
    assert [s.to_json() for s in g.sources] == [{"source": "metrics.md", "heading": "PR-AUC"}]
    assert any("(see metrics.md › PR-AUC)" in i for i in g.improvements)


def test_without_knowledge_there_are_no_sources(settings, problem, embedder):
    g = _grade(settings, problem, embedder)
    assert g.sources == [] and g.improvements


def test_search_failure_still_grades(settings, problem, embedder):
    class Broken:
        def search(self, *a, **k):
            raise RuntimeError("index is locked")

    g = _grade(settings, problem, embedder, knowledge=Broken())
    assert g.score >= 1 and any("guidance search unavailable" in n for n in g.notices)


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_empty_answer_is_a_clear_error(settings, problem, embedder, text):
    with pytest.raises(ValueError, match="empty"):
        _grade(settings, problem, embedder, text=text)


def test_unknown_stage_is_a_clear_error(settings, problem, embedder):
    with pytest.raises(ValueError, match="unknown stage"):
        _grade(settings, problem, embedder, stage="deployment")


def test_failing_llm_falls_back_to_offline_with_a_notice(settings, problem, embedder):
    model = structured_model(None, None, None, None)   # every structured call returns None
    g = _grade(settings, problem, embedder, chat_model=model)
    assert g.grader == "offline"
    assert g.notices[0].startswith("LLM grader unavailable (") and g.notices[0].endswith("graded offline")


def test_unconfigured_provider_falls_back(settings, problem, embedder, monkeypatch):
    from interviewer.config.settings import Settings

    monkeypatch.setenv("INTERVIEWER_MODEL", "openai:gpt-4o-mini")
    online = Settings()
    assert not online.is_offline
    g = _grade(online, problem, embedder)
    assert g.grader == "offline" and "LLM grader unavailable" in g.notices[0]


def test_working_llm_grade_is_used(settings, problem, embedder):
    ids = [c.id for c in load_rubric(builtin_prompts_dir()).stage("metrics").criteria]
    quote = "Offline I'd use PR-AUC because comments are rare and ROC-AUC looks good anyway."
    out = {"criteria": [{"id": i, "score": 3, "quotes": [quote], "missing": [], "rationale": "ok"} for i in ids],
           "red_flags": [], "strengths": ["clear"], "improvements": []}
    g = _grade(settings, problem, embedder, chat_model=structured_model(out, out), knowledge=StubKnowledge())
    assert g.grader.startswith("llm:")
    assert g.score == 3 and all(quote in ANSWER for c in g.criteria for quote in c.evidence)
    assert g.sources  # the retrieved guidance is kept


def test_fixed_vectors_are_cached_on_disk_without_the_answer(settings, problem, embedder):
    import numpy as np

    from interviewer.grading import vector_cache
    from interviewer.grading.offline import fixed_texts

    _grade(settings, problem, embedder)
    path = vector_cache.cache_path(settings.home, embedder.name)
    with np.load(path) as data:
        texts = set(str(t) for t in data["texts"])
        vectors = data["vectors"]
    from interviewer.flow import load_flow

    wanted = set(fixed_texts("metrics", problem, load_flow(builtin_prompts_dir()), load_rubric(builtin_prompts_dir())))
    assert wanted <= texts and vectors.shape == (len(texts), 384)
    assert not any(s in texts for s in ANSWER.split(". "))       # the candidate's words are never stored
    text = sorted(wanted)[0]
    row = sorted(texts).index(text)
    assert np.allclose(vectors[row], embedder.encode([text])[0], atol=1e-5)
