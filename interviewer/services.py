"""The composition root: every service of the interviewer is built here, once.

    services = Services.from_settings(settings)       # the CLI, the app, the benchmarks
    reply = services.engine.start("linkedin-feed")
    grade = services.feedback.grade(stage=services.flow.stage_ids[1], text=answer, problem=problem)
    report = services.reports.build(session_id)

The heavy parts (the embedding model, the knowledge base, the trained listener, an LLM for
the grader) are built on first use and shared by everyone holding this ``Services``. Tests
pass fakes here (``embedder=``, ``voice=``, ``knowledge=``, ``grader_model=``, ``clock=``);
nothing else builds a component.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

from interviewer.config.settings import Settings, get_settings
from interviewer.embedding.local import Embedder, get_embedder
from interviewer.engine.fact_terms import load_terms
from interviewer.engine.facts import FactMatcher
from interviewer.engine.engine import Engine
from interviewer.engine.moves import Voice
from interviewer.flow import Flow, load_flow
from interviewer.grading.rubric import Rubric, load_rubric
from interviewer.problems import ProblemBank, load_bank
from interviewer.storage.sessions import Store, open_store
from interviewer.grading.feedback import Feedback
from interviewer.report.build import Reports
from interviewer.voice import check_templates, make_voice
from interviewer.voice.offline import OfflineVoice

_UNSET: Any = object()


@dataclass(eq=False)
class Services:
    settings: Settings
    flow: Flow
    rubric: Rubric
    bank: ProblemBank
    store: Store
    voice: Voice
    offline_voice: OfflineVoice
    clock: Callable[[], float] = time.time
    _embedder: Embedder | None = None
    _knowledge: Any = _UNSET                       # a KnowledgeBase-like (.search), or None
    _knowledge_factory: Callable[[], Any] | None = None
    _grader_model: Any = _UNSET                     # a chat model for the grader, or None
    _listener: Any = None
    _listener_model: Any = _UNSET                   # a chat model for the LLM listener, or None
    _matcher: FactMatcher | None = None
    _screen: Any = None
    _lock: threading.RLock = field(default_factory=threading.RLock)

    @classmethod
    def from_settings(cls, settings: Settings | None = None, *, embedder: Embedder | None = None,
                      voice: Voice | None = None, knowledge: Any = _UNSET, grader_model: Any = _UNSET,
                      listener: Any = None, listener_model: Any = _UNSET, clock: Callable[[], float] = time.time) -> "Services":
        """Build every service from ``settings`` (the environment's when omitted).

        ``knowledge``: omitted = the real knowledge base, opened on first use; ``None`` = none.
        ``grader_model``: omitted = built from settings on first LLM grade (none offline).
        ``listener_model``: the same for the LLM listener (``settings.listener``)."""
        settings = settings or get_settings()
        flow = load_flow(settings.prompts_dir)
        rubric = load_rubric(settings.prompts_dir)
        rubric.check_against_flow(flow)
        check_templates(settings.prompts_dir)
        offline = OfflineVoice(settings.prompts_dir)
        if voice is None:
            voice = make_voice(settings)
        services = cls(settings=settings, flow=flow, rubric=rubric, bank=load_bank(settings, flow),
                       store=open_store(settings), voice=voice,
                       offline_voice=voice if isinstance(voice, OfflineVoice) else offline,
                       clock=clock, _embedder=embedder, _knowledge=knowledge,
                       _grader_model=grader_model, _listener=listener, _listener_model=listener_model)
        if knowledge is _UNSET:
            services._knowledge_factory = services._open_knowledge
        return services

    # ---- lazily built parts ---------------------------------------------------------------
    def embedder(self) -> Embedder:
        if self._embedder is None:
            with self._lock:
                if self._embedder is None:
                    self._embedder = get_embedder(self.settings)
        return self._embedder

    def matcher(self) -> FactMatcher:
        if self._matcher is None:
            with self._lock:
                if self._matcher is None:
                    self._matcher = FactMatcher(self.embedder(), terms=load_terms(self.settings.prompts_dir))
        return self._matcher

    def knowledge(self) -> Any:
        """The knowledge base (``None`` when there is none); opened once, on first use."""
        if self._knowledge is _UNSET:
            with self._lock:
                if self._knowledge is _UNSET:
                    factory = self._knowledge_factory
                    self._knowledge = factory() if factory is not None else None
        return self._knowledge

    def _open_knowledge(self) -> Any:
        from interviewer.knowledge.service import KnowledgeBase

        emb = self._embedder
        if emb is None:
            return KnowledgeBase(self.settings)
        return KnowledgeBase(self.settings, embeddings=emb.embeddings, embeddings_name=emb.name)

    def listener(self):
        """What the candidate's words cover, dismiss or get wrong: one listener for all. The
        only place the listener is chosen: ``settings.listener`` auto = the LLM listener
        (offline as its fallback) when a model is set, else the trained offline listener."""
        if self._listener is None:
            with self._lock:
                if self._listener is None:
                    from interviewer.listening.listener import build_listener

                    offline = build_listener(self)
                    if self.uses_llm_listener:
                        from interviewer.listening.llm_listener import build_llm_listener

                        offline = build_llm_listener(self, offline)
                    self._listener = offline
        return self._listener

    def injection_screen(self):
        """The learned screen for text addressed to the grader (beside the patterns), fitted on
        first use from ``knowledge/injections/`` and cached by the data's hash."""
        if self._screen is None:
            with self._lock:
                if self._screen is None:
                    from interviewer.config.paths import builtin_knowledge_dir
                    from interviewer.grading.injection_screen import build_screen

                    self._screen = build_screen(self.embedder(), builtin_knowledge_dir(),
                                                Path(self.settings.prompts_dir), self.settings.models_cache)
        return self._screen

    def offline_listener(self):
        """The trained listener alone, even when the LLM listens: the offline grader's fitted
        model weighs its probabilities (what the interview heard reaches it as ``credited``)."""
        listener = self.listener()
        return getattr(listener, "offline", listener)

    @property
    def uses_llm_listener(self) -> bool:
        mode = self.settings.listener
        return mode != "offline" and not self.settings.is_offline

    def listener_model(self) -> Any:
        """The chat model that listens, or ``None`` offline: the grader's (temperature 0, built
        once) unless one was given for listening."""
        if self._listener_model is _UNSET:
            return self.grader_model()
        return self._listener_model

    def grader_model(self) -> Any:
        """The chat model that grades (temperature 0), or ``None`` offline."""
        if self._grader_model is _UNSET:
            with self._lock:
                if self._grader_model is _UNSET:
                    if self.settings.is_offline:
                        self._grader_model = None
                    else:
                        from interviewer.llm.chat import build_chat_model

                        self._grader_model = build_chat_model(self.settings, temperature=0)
        return self._grader_model

    # ---- the services ---------------------------------------------------------------------
    @cached_property
    def engine(self):
        return Engine(self)

    @cached_property
    def feedback(self):
        return Feedback(self)

    @cached_property
    def reports(self):
        return Reports(self)

    def warm(self, session_id: str | None = None) -> None:
        """Load the embedding model (and the session's texts) ahead of the first turn."""
        self.engine.warm(session_id)

    def close(self) -> None:
        self.store.close()
