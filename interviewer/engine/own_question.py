"""What an interview on the candidate's own question is probed on, decided once at its start.

In order: the sheet drafted for the same question before (``storage.drafts``: the same
question gets the same sheet, no second call); with an LLM set, a new draft (``engine.draft``:
one structured call), kept for next time; else, or when the draft fails, the offline path: the
key points of the most similar bank problem (``engine.borrow``), announced in one line. The
result becomes the session's problem, saved in its state: resume, report and regrade read it
there, and the voice sees its facts only as answer_fact moves, exactly like a bank problem's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from interviewer.engine.borrow import borrow, sheet_line
from interviewer.engine.draft import DraftError, draft_problem
from interviewer.errors import describe_error
from interviewer.llm.errors import ProviderError
from interviewer.problems import Problem
from interviewer.storage.drafts import get_draft, save_draft

if TYPE_CHECKING:
    from interviewer.services import Services


def _draft(services: "Services", problem: Problem) -> Problem:
    from interviewer.llm.retry import RetryPolicy

    model = services.grader_model()          # the temperature-0 model for structured calls
    if model is None:
        raise DraftError("no model is configured")
    retry = RetryPolicy.from_settings(services.settings, timeout_retries=0)
    return draft_problem(model, problem, services.flow, services.settings.prompts_dir, retry,
                         model_name=services.settings.effective_model())


def _borrowed(services: "Services", problem: Problem) -> tuple[Problem, str]:
    try:
        return borrow(problem, services.bank, services.embedder(), services.settings.prompts_dir), ""
    except Exception as exc:  # the embedding model failed to load: the generic key points still work
        return problem, f"could not compare it with the question bank ({describe_error(exc)})"


def prepare(services: "Services", problem: Problem) -> tuple[Problem, str]:
    """(the problem to interview on, the one line that says where its sheet comes from)."""
    if not problem.custom:
        return problem, ""
    saved = get_draft(services.store, problem.id)
    if saved is not None:
        return saved, sheet_line(saved)
    failed = ""
    if not services.settings.is_offline:
        try:
            drafted = _draft(services, problem)
        except (DraftError, ProviderError) as exc:
            failed = describe_error(exc)
        else:
            save_draft(services.store, drafted)
            return drafted, sheet_line(drafted)
    result, trouble = _borrowed(services, problem)
    line = sheet_line(result)
    if trouble:
        line = f"The offline interviewer {trouble}. {line}"
    if failed:
        line = f"Could not draft a fact sheet for your question ({failed}); offline instead. {line}"
    return result, line
