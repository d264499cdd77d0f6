"""What the engine decides (a Move) and what a voice needs to phrase it.

The engine owns the policy and is deterministic; a voice (offline templates or an LLM)
only words the move it is given, so it can never decide to reveal hidden facts or the rubric.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Literal, Protocol

from interviewer.flow import KeyPoint
from interviewer.knowledge.types import Hit
from interviewer.problems import Fact

MoveKind = Literal[
    "welcome",      # start of the interview: the problem statement and the first stage's opening
    "answer_fact",  # a clarifying question answered from the fact sheet (fact is set)
    "assume",       # a clarifying question with no matching fact: "your call, state an assumption"
    "probe",        # ask about the most important missed key point (key_point and probe set)
    "acknowledge",  # the answer is fine so far; invite the candidate to go on
    "advance",      # stage covered / asked / time up: move to next_stage with its opening
    "hint",         # retrieved guidance with citations (sources set)
    "redirect",     # off-topic or empty: bring the candidate back to the stage
    "refuse",       # asked to reveal the fact sheet, key points or rubric: politely decline
    "end",          # the interview is over; a report follows
]


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
    reason: str | None = None         # why (e.g. "time_up", "covered", "candidate_asked")
    notice: str | None = None         # a system notice to show as-is (e.g. fallback to offline)
    detail: str | None = None         # assume.statement: the option the problem statement names


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
