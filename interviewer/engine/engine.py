"""The ``Engine``: runs interview sessions turn by turn; decides moves, never phrases them.

    engine = Services.from_settings(settings).engine
    r = engine.start("linkedin-feed");  print(r.text)
    r = engine.take_turn(r.session_id, "How many daily active users are there?")

The candidate's turn is committed before any reply is produced; the interviewer's reply and
the session state are committed together when the reply is complete.
"""

from __future__ import annotations

import random
import threading
import uuid
from typing import TYPE_CHECKING, Iterator

from interviewer.engine.classify import Classification, Command, TurnKind
from interviewer.engine.diagram_probes import classify_drawn, spoken
from interviewer.engine.facts import FactMatcher
from interviewer.engine.policy import Policy
from interviewer.engine.wording import opening_for, seed_for, stage_points
from interviewer.engine.reply import TurnReply
from interviewer.engine.moves import Move, Turn, VoiceContext
from interviewer.problems import Problem
from interviewer.voice.offline import OfflineVoice
from interviewer.engine.state import SessionState
from interviewer.engine.turn_input import TurnError, clean_text
from interviewer.engine.transcript import Exchange, candidate_meta, exchange, interviewer_meta
from interviewer.errors import describe_error

if TYPE_CHECKING:
    from interviewer.services import Services

RECENT_TURNS = 8
RECENT_HEARD = 4          # turns before the candidate's, shown to the LLM listener
MIN_MINUTES, MAX_MINUTES = 1.0, 180.0
DEFAULT_PROBLEM = "linkedin-feed"


class Engine:
    """Runs sessions for one ``Services`` (the composition root builds it: ``services.engine``)."""

    def __init__(self, services: "Services"):
        self.services = services
        self.settings = services.settings
        self.store = services.store
        self.flow = services.flow
        self.bank = services.bank
        self.voice = services.voice
        self.offline = services.offline_voice
        self.clock = services.clock
        self._lock = threading.RLock()
        self._session_locks: dict[str, threading.RLock] = {}
        self._pending: dict[str, TurnReply] = {}
        self.policy = Policy(services.flow, services.embedder, services.matcher, services.knowledge,
                             services.listener, services.bank, services.settings.prompts_dir)

    def embedder(self):
        return self.services.embedder()

    def matcher(self) -> FactMatcher:
        return self.services.matcher()

    def knowledge(self):
        return self.services.knowledge()

    def warm(self, session_id: str | None = None) -> None:
        """Load the embedding model and the listener, and prepare the session's facts and key
        points ahead of time (so the first answer does not wait for them)."""
        emb = self.embedder()
        listener = self.services.listener()
        if session_id:
            state = self.state(session_id)
            self.matcher().warm(state.problem)
            listener.warm([p for sid in self.flow.stage_ids for p in stage_points(self.flow, state, sid)])
            emb.encode([state.problem.statement, state.problem.title])

    # ---- sessions ------------------------------------------------------------------------
    def _session_lock(self, session_id: str) -> threading.RLock:
        with self._lock:
            return self._session_locks.setdefault(session_id, threading.RLock())

    def _problem(self, problem_id: str | None, question: str | None) -> Problem:
        if problem_id and question:
            raise ValueError("give either a problem id or your own question, not both")
        if question is not None:
            return Problem.from_question(question)
        if problem_id:
            return self.bank.get(problem_id)
        problems = self.bank.list()
        if not problems:
            raise ValueError("the question bank is empty; pass your own question instead")
        return random.Random(self.clock()).choice(problems)

    def start(self, problem_id: str | None = None, question: str | None = None,
              minutes: float | None = None) -> TurnReply:
        problem = self._problem(problem_id, question)
        sheet = ""
        if problem.custom:       # drafted with an LLM, or key points borrowed offline
            from interviewer.engine.own_question import prepare

            problem, sheet = prepare(self.services, problem)
        minutes = float(minutes if minutes is not None else self.settings.interview_minutes)
        if not MIN_MINUTES <= minutes <= MAX_MINUTES:
            raise ValueError(f"interview length must be between {MIN_MINUTES:g} and {MAX_MINUTES:g} minutes")
        now = self.clock()
        state = SessionState(session_id=uuid.uuid4().hex[:12], problem=problem, minutes=minutes,
                             model=getattr(self.voice, "name", "offline"), started_at=now,
                             stage_started_at=now, stage=self.flow.stage_ids[0],
                             stages_visited=[self.flow.stage_ids[0]])
        self.store.create_session(state)
        stage = self.flow.stage(state.stage)
        notice = " ".join(filter(None, [getattr(self.voice, "notice", None), sheet])) or None
        move = Move("welcome", stage=state.stage, opening=opening_for(stage, state.session_id),
                    reason="custom" if problem.custom and not problem.facts else None, notice=notice)
        with self._session_lock(state.session_id):
            return self._reply(state, [move], seed_for(state.session_id, 0))

    def state(self, session_id: str) -> SessionState:
        """The saved state; a reply still streaming for the session is finished and saved first."""
        with self._session_lock(session_id):
            self._finish_pending(session_id)
        return self.store.load_state(session_id)

    def transcript(self, session_id: str) -> list[Turn]:
        return [Turn(t.role, t.text, t.stage) for t in self.store.turns(session_id)]

    def history(self, session_id: str) -> list[Exchange]:
        """The saved turns, typed (kinds, commands, cited sources, notices), once any reply
        still being produced is saved."""
        with self._session_lock(session_id):
            self._finish_pending(session_id)
        return [exchange(t) for t in self.store.turns(session_id)]

    def remaining(self, session_id: str) -> dict[str, float]:
        """Seconds left in the current stage and in the whole interview (never negative)."""
        state = self.state(session_id)
        now = self.clock()
        used = sum(v for k, v in state.stage_seconds.items() if k != state.stage or state.status == "ended")
        stage_used = state.stage_elapsed(now) if state.status != "ended" else 0.0
        return {"stage": max(0.0, self.policy.budget_seconds(state) - stage_used),
                "total": max(0.0, state.minutes * 60 - used - stage_used),
                "stage_elapsed": stage_used}

    # ---- turns -------------------------------------------------------------------------------
    def take_turn(self, session_id: str, text: str) -> TurnReply:
        """The candidate's words: classified, saved, decided on and answered.

        Raises ``TurnError`` with ``saved`` telling whether the words were kept."""
        text = clean_text(text)
        turn, drawn = classify_drawn(text)
        return self._take(session_id, turn, text, drawn.error)

    def command(self, session_id: str, command: Command) -> TurnReply:
        """A command without words (the app's Hint / Next stage / End buttons, the CLI's end of
        input): decided on directly, saved as a turn of that kind."""
        turn = Classification.of_command(command)
        return self._take(session_id, turn, turn.text, None)

    def hint(self, session_id: str) -> TurnReply:
        return self.command(session_id, Command.HINT)

    def next_stage(self, session_id: str) -> TurnReply:
        return self.command(session_id, Command.NEXT)

    def end(self, session_id: str) -> TurnReply:
        return self.command(session_id, Command.END)

    def _take(self, session_id: str, turn: Classification, text: str, diagram_error: str | None) -> TurnReply:
        with self._session_lock(session_id):
            self._finish_pending(session_id)
            state = self.state(session_id)
            if state.status == "ended":
                raise TurnError(f"session {session_id} has ended; start a new interview")
            now = self.clock()
            if diagram_error:   # saved as sent, the state untouched: one line on what to fix
                seq = self.store.append_turn(session_id, "candidate", state.stage, TurnKind.DIAGRAM_ERROR,
                                             text, meta={"error": diagram_error}, created_at=now)
                move = Move("redirect", stage=state.stage, reason="diagram_error", detail=diagram_error,
                            opening=self.policy.current_question(state))
                return self._reply(state, [move], seed_for(session_id, seq))
            seq = self.store.append_turn(session_id, "candidate", state.stage, turn.kind, text,
                                         meta=candidate_meta(turn), created_at=now)
            try:
                moves = self._decide(state, turn, now)
            except Exception as exc:   # e.g. the embedding model failed to load
                raise TurnError(f"{describe_error(exc, 300)} (your message was saved)", saved=True) from exc
            return self._reply(state, moves, seed_for(session_id, seq))

    def _decide(self, state: SessionState, turn: Classification, now: float) -> list[Move]:
        turns = self.store.turns(state.session_id)
        stage_turns = [spoken(t.text) for t in turns if t.role == "candidate" and t.stage == state.stage
                       and t.kind in (TurnKind.ANSWER, TurnKind.QUESTION)]
        last_text = stage_turns[-1] if stage_turns else ""
        recent = [(t.role, t.text) for t in turns[-1 - RECENT_HEARD:-1]]
        return self.policy.decide(state, turn, now, last_text=last_text, stage_text=" ".join(stage_turns),
                                  recent=recent)

    def resume(self, session_id: str) -> TurnReply:
        """A short 'welcome back' with where we were; time away does not count against the stage."""
        with self._session_lock(session_id):
            self._finish_pending(session_id)
            state = self.state(session_id)
            if state.status == "ended":
                move = Move("end", stage=state.stage, reason="already_ended")
                ctx = self._context(state, move, seed_for(session_id, "resume"))
                return TurnReply.fixed(session_id, [move], state.stage, True, self.offline.render(move, ctx))
            now = self.clock()
            turns = self.store.turns(session_id, limit=1)
            last_at = turns[-1].created_at if turns else state.stage_started_at
            away = max(0.0, now - max(last_at, state.stage_started_at))
            state.stage_started_at += away
            move = Move("welcome", stage=state.stage, reason="resume",
                        opening=self.policy.current_question(state),
                        notice=getattr(self.voice, "notice", None))
            return self._reply(state, [move], seed_for(session_id, "resume", now))

    # ---- replies ---------------------------------------------------------------------------------
    def _finish_pending(self, session_id: str) -> None:
        """Wait for the session's reply still being produced (it saves itself)."""
        pending = self._pending.pop(session_id, None)
        if pending is not None:
            pending.wait()

    def _context(self, state: SessionState, move: Move, seed: int) -> VoiceContext:
        facts = [state.problem.fact(fid) for fid in state.facts_revealed
                 if any(f.id == fid for f in state.problem.facts)]
        try:
            recent = [Turn(t.role, t.text, t.stage)
                      for t in self.store.turns(state.session_id, limit=RECENT_TURNS)]
        except KeyError:
            recent = []
        return VoiceContext(problem_title=state.problem.title, problem_statement=state.problem.statement,
                            stage=move.stage, stage_name=self.flow.stage(move.stage).name,
                            custom_problem=state.problem.custom, facts_revealed=facts,
                            recent_turns=recent, stage_summaries=dict(state.summaries),
                            guidance=list(move.sources), seed=seed)

    def _speak(self, state: SessionState, moves: list[Move], seed: int, saved: list[str]) -> Iterator[str]:
        voice = self.voice
        texts: list[str] = []
        for i, move in enumerate(moves):
            ctx = self._context(state, move, seed + i)
            if i:
                yield "\n\n"
            part: list[str] = []
            try:
                for chunk in voice.speak(move, ctx):
                    part.append(chunk)
                    yield chunk
            except Exception as exc:  # the provider went away mid-reply: finish offline
                name = getattr(voice, "name", "the model")
                moves[-1].notice = " ".join(filter(None, [
                    moves[-1].notice,
                    f"The model at {name} did not answer ({describe_error(exc)}); replied offline. "
                    "Your turn was saved."]))
                offline = self.offline.render(move, ctx)
                if part:
                    yield "\n"
                yield offline
                part = [offline]
                voice = self.offline
            texts.append("".join(part).strip())
        saved.append("\n\n".join(t for t in texts if t))

    def _reply(self, state: SessionState, moves: list[Move], seed: int) -> TurnReply:
        """The reply to ``moves``: the voice words them (now offline, on a worker thread with a
        model) and the interviewer turn and the state are saved when it has finished."""
        session_id = state.session_id
        saved: list[str] = []
        reply = TurnReply(session_id, moves, state.stage, state.status == "ended")

        def save(streamed: str) -> str:
            text = saved[0] if saved else streamed
            self.store.append_turn(session_id, "interviewer", state.stage, "+".join(m.kind for m in moves),
                                   text, meta=interviewer_meta(moves), state=state, created_at=self.clock())
            if self._pending.get(session_id) is reply:
                self._pending.pop(session_id, None)
            return text

        self._pending[session_id] = reply
        return reply.produce(self._speak(state, moves, seed, saved), save,
                             background=not isinstance(self.voice, OfflineVoice))
