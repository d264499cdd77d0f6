"""The feedback service: grade one written answer for one stage.

Everyone calls this (CLI, UI, report). The offline grader always runs (it is cheap and
deterministic, and its missed key points drive the search for guidance); when an LLM is
configured or given, the LLM grader is tried and, if it fails, the offline grade is
returned with a notice saying so. Improvements cite retrieved guidance (``sources``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from interviewer.errors import one_line
from interviewer.grading.answer_input import check_answer
from interviewer.grading.diagram_part import read_for_grading, with_diagram
from interviewer.grading.llm_grader import grade_with_llm
from interviewer.llm.errors import ProviderError
from interviewer.grading.grades import GraderError, SourceRef, StageGrade
from interviewer.grading import vector_cache
from interviewer.grading.aboutness import pool_texts
from interviewer.grading.offline import Graded, fixed_texts, grade_offline
from interviewer.knowledge.types import Hit
from interviewer.problems import Problem

if TYPE_CHECKING:
    from interviewer.services import Services

log = logging.getLogger(__name__)

MAX_CITED_POINTS = 3
# "look guidance up in the services' knowledge base" (None means: no guidance)
USE_SERVICES: Any = object()


def guidance_for(knowledge: Any, stage: str, graded: Graded) -> tuple[list[tuple[str, Hit]], list[str]]:
    """One guide section per missed key point (most important first): [(point text, hit)]."""
    if knowledge is None or not graded.missed_points:
        return [], []
    out: list[tuple[str, Hit]] = []
    try:
        for point in graded.missed_points[:MAX_CITED_POINTS]:
            hits = knowledge.search(point.text, stage=stage, k=1)
            if hits:
                out.append((point.text, hits[0]))
    except Exception as exc:  # retrieval is an extra: the grade stands without it
        log.warning("guidance search failed: %s", one_line(exc))
        return out, [f"guidance search unavailable ({one_line(exc)})"]
    return out, []


def _cite(grade: StageGrade, cited: list[tuple[str, Hit]]) -> StageGrade:
    """Attach citations to the matching improvements and list the sources."""
    sources: list[SourceRef] = list(grade.sources)
    seen = {(s.source, s.heading) for s in sources}
    improvements = list(grade.improvements)
    for point_text, hit in cited:
        ref = SourceRef(source=hit.source, heading=hit.heading)
        if (ref.source, ref.heading) not in seen:
            seen.add((ref.source, ref.heading))
            sources.append(ref)
        for i, imp in enumerate(improvements):
            if point_text[:40].lower() in imp.lower() and "(see " not in imp:
                improvements[i] = f"{imp.rstrip('.')} (see {hit.citation})."
                break
    return grade.model_copy(update={"sources": sources, "improvements": improvements})


class Feedback:
    """Grades one written answer for one stage (``services.feedback``): the CLI's ``feedback``,
    the app's Feedback page and every stage of the interview report call this."""

    def __init__(self, services: "Services"):
        self.services = services

    def grade(self, *, stage: str, text: str, problem: Problem, credited: Any = (),
              knowledge: Any = USE_SERVICES) -> StageGrade:
        """Grade ``text`` as the candidate's answer in ``stage`` of ``problem``.

        ``credited``: key point ids an interview already counted as covered (see grade_offline).
        ``knowledge``: where guidance is looked up (the services' knowledge base by default).
        A diagram in ``text`` is graded with the prose (its labels read as sentences; see
        grading/diagram_part.py). Raises ValueError for an empty answer, an unknown stage or a
        diagram that cannot be read (one line naming its line).
        """
        sv = self.services
        stage = sv.flow.parse_stage(stage)
        check_answer(text)
        drawn = read_for_grading(text, stage=stage, problem=problem, flow=sv.flow)
        grade = self._grade(stage, drawn.text, problem, list(dict.fromkeys([*credited, *drawn.credited])),
                            knowledge)
        return with_diagram(grade, drawn, sv.rubric)

    def _grade(self, stage: str, text: str, problem: Problem, credited: list[str],
               knowledge: Any) -> StageGrade:
        sv = self.services
        embedder = sv.embedder()
        flow, rubric, settings = sv.flow, sv.rubric, sv.settings
        use_disk = hasattr(embedder, "prime") and hasattr(embedder, "cached")
        if use_disk:
            vector_cache.load_into(embedder, settings.home)
        graded = grade_offline(stage=stage, text=text, problem=problem, embedder=embedder, flow=flow,
                               rubric=rubric, listener=sv.offline_listener(), prompts_dir=settings.prompts_dir,
                               credited=credited, screen=sv.injection_screen())
        if use_disk and not problem.custom:
            vector_cache.save_from(embedder, settings.home,
                                   fixed_texts(stage, problem, flow, rubric) + pool_texts(settings.prompts_dir))
        kb = sv.knowledge() if knowledge is USE_SERVICES else knowledge
        cited, search_notices = guidance_for(kb, stage, graded)
        offline = _cite(graded.grade, cited)
        offline = offline.model_copy(update={"notices": [*offline.notices, *search_notices]})

        try:
            chat_model = sv.grader_model()
            if chat_model is None:
                return offline
            texts = {k.id: k.text for k in problem.points(flow, stage)}
            llm_grade = grade_with_llm(chat_model, rubric_stage=rubric.stage(stage), problem=problem,
                                       stage=stage, text=text, guidance=[h for _, h in cited],
                                       accepted=[texts[i] for i in credited if i in texts],
                                       screened=graded.injected)
        except GraderError as exc:
            return _fallback(offline, exc)
        except Exception as exc:  # provider set-up errors (missing key, package) land here too
            if not isinstance(exc, ProviderError):
                log.warning("LLM grader raised %s", type(exc).__name__)
            return _fallback(offline, exc)
        if not llm_grade.sources and offline.sources:
            llm_grade = llm_grade.model_copy(update={"sources": offline.sources})
        return llm_grade.model_copy(update={"notices": [*llm_grade.notices, *search_notices]})


def _fallback(offline: StageGrade, exc: BaseException) -> StageGrade:
    notice = f"LLM grader unavailable ({one_line(exc)}); graded offline"
    return offline.model_copy(update={"notices": [notice, *offline.notices]})
