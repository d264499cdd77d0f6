"""What the engine decides (a Move) and what a voice needs to phrase it.

The engine owns the policy and is deterministic; a voice (offline templates or an LLM)
only words the move it is given, so it can never decide to reveal hidden facts or the rubric.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Iterator, Literal, Protocol

from interviewer.flow import KeyPoint
from interviewer.knowledge.types import Hit
from interviewer.problems import Fact

class MoveKind(StrEnum):
    """What the engine decided. Each kind has a template in ``prompts/voice.yaml`` (offline)
    and a fragment in ``prompts/llm/interviewer.yaml`` (LLM voice); both are checked at load."""

    WELCOME = "welcome"          # the problem statement and the first stage's opening (or resume)
    ANSWER_FACT = "answer_fact"  # a clarifying question answered from the fact sheet (fact is set)
    ASSUME = "assume"            # no fact answers it: "your call, state an assumption"
    PROBE = "probe"              # ask about the most important missed key point
    CHALLENGE = "challenge"      # the candidate dismissed or got a key point wrong: push back
    ADVANCE = "advance"          # stage covered / asked / time up: move to next_stage
    HINT = "hint"                # retrieved guidance with citations (sources set)
    REDIRECT = "redirect"        # off-topic, empty, help: bring the candidate back to the stage
    REFUSE = "refuse"            # asked to reveal the fact sheet, key points or rubric
    END = "end"                  # the interview is over; a report follows


class Reason(StrEnum):
    """Why a move was made; ``kind.reason`` selects a more specific template."""

    CUSTOM = "custom"                    # welcome/assume on the candidate's own question
    RESUME = "resume"                    # welcome back
    SECOND = "second"                    # a second fact answered in the same turn
    STATEMENT = "statement"              # assume: the problem statement settles it
    LEDGER = "ledger"                    # answer_fact: the candidate's own assumption, given back
    CONTRADICTS = "contradicts"          # answer_fact: a new statement contradicts an assumption
    UNSURE = "unsure"                    # probe after "I don't know"
    DIAGRAM = "diagram"                  # probe: what the candidate's diagram lacks
    DIAGRAM_ERROR = "diagram_error"      # redirect: a diagram block that could not be read
    COVERED = "covered"                  # advance: the stage is covered
    TIME_UP = "time_up"                  # advance/end: the stage's or interview's time is up
    CANDIDATE_ASKED = "candidate_asked"  # advance/end on request
    CONFIRM_SKIP = "confirm_skip"        # redirect: /next right after the interviewer moved on
    PROBES_DONE = "probes_done"          # advance: no probes left in the stage
    NONE = "none"                        # hint: nothing found in the guides
    EMPTY = "empty"                      # redirect: empty message
    OFFTOPIC = "offtopic"                # redirect: not about the problem
    HELP = "help"                        # redirect: /help
    UNKNOWN_COMMAND = "unknown_command"  # redirect: /something-else
    FINISHED = "finished"                # end: all stages done
    ALREADY_ENDED = "already_ended"      # end: resumed an ended session


# The reasons each kind may carry: a template key "kind.reason" must be one of these pairs.
KIND_REASONS: dict[MoveKind, frozenset[Reason]] = {
    MoveKind.WELCOME: frozenset({Reason.CUSTOM, Reason.RESUME}),
    MoveKind.ANSWER_FACT: frozenset({Reason.SECOND, Reason.LEDGER, Reason.CONTRADICTS}),
    MoveKind.ASSUME: frozenset({Reason.CUSTOM, Reason.STATEMENT}),
    MoveKind.PROBE: frozenset({Reason.UNSURE, Reason.DIAGRAM}),
    MoveKind.CHALLENGE: frozenset(),
    MoveKind.ADVANCE: frozenset({Reason.COVERED, Reason.TIME_UP, Reason.CANDIDATE_ASKED,
                                 Reason.PROBES_DONE}),
    MoveKind.HINT: frozenset({Reason.NONE}),
    MoveKind.REDIRECT: frozenset({Reason.EMPTY, Reason.OFFTOPIC, Reason.HELP, Reason.UNKNOWN_COMMAND,
                                  Reason.CONFIRM_SKIP, Reason.DIAGRAM_ERROR}),
    MoveKind.REFUSE: frozenset(),
    MoveKind.END: frozenset({Reason.TIME_UP, Reason.CANDIDATE_ASKED, Reason.FINISHED, Reason.ALREADY_ENDED}),
}


def template_keys() -> set[str]:
    """Every valid template key: each kind, and each kind.reason pair it may carry."""
    return {str(k) for k in MoveKind} | {f"{k}.{r}" for k, rs in KIND_REASONS.items() for r in rs}


def template_key(kind: str, reason: str | None, available) -> str:
    """The most specific key for a move that ``available`` holds (the one lookup rule)."""
    if reason and f"{kind}.{reason}" in available:
        return f"{kind}.{reason}"
    return str(kind)


def template_key_errors(keys) -> list[str]:
    """What is wrong with a template file's keys: missing kinds, and stray keys."""
    keys = set(keys)
    errors = []
    missing = sorted(str(k) for k in MoveKind if str(k) not in keys)
    if missing:
        errors.append(f"missing templates for move kinds {missing}")
    stray = sorted(keys - template_keys())
    if stray:
        errors.append(f"unknown template keys {stray} (kinds and reasons are listed in interviewer/engine/moves.py)")
    return errors


@dataclass
class Move:
    kind: MoveKind
    stage: str
    next_stage: str | None = None
    fact: Fact | None = None
    key_point: KeyPoint | None = None
    probe: str | None = None          # the probe question chosen for key_point
    opening: str | None = None        # the opening question of next_stage (advance/welcome)
    sources: list[Hit] = field(default_factory=list)
    reason: Reason | None = None      # why (selects a kind.reason template)
    notice: str | None = None         # a system notice to show as-is (e.g. fallback to offline)
    detail: str | None = None         # assume.statement: the option the problem statement names;
                                      # redirect.diagram_error: the one-line parse error

    def __post_init__(self) -> None:       # kinds and reasons are the enums above, never free text
        self.kind = MoveKind(self.kind)
        if self.reason is not None:
            self.reason = Reason(self.reason)
            if self.reason not in KIND_REASONS[self.kind]:
                raise ValueError(f"move {self.kind} cannot have reason {self.reason}")


@dataclass
class Turn:
    role: Literal["interviewer", "candidate"]
    text: str
    stage: str


@dataclass
class VoiceContext:
    """Everything a voice may see. Never the whole fact sheet, never the key-point list."""

    problem_title: str
    problem_statement: str
    stage: str
    stage_name: str
    custom_problem: bool = False
    facts_revealed: list[Fact] = field(default_factory=list)
    recent_turns: list[Turn] = field(default_factory=list)      # a bounded window
    stage_summaries: dict[str, str] = field(default_factory=dict)  # finished stages
    guidance: list[Hit] = field(default_factory=list)            # retrieved, for grounding
    seed: int = 0                                                # for varied template choice


class Voice(Protocol):
    name: str

    def speak(self, move: Move, ctx: VoiceContext) -> Iterator[str]:
        """Yield the reply in chunks (a single chunk for the offline voice)."""
        ...
