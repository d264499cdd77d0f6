"""The saved transcript, typed: what the engine writes with each turn and reads back.

The engine saves a candidate turn with its ``TurnKind`` (and the ``Command`` when it was one)
and an interviewer turn with its moves (kinds, reasons, cited sources, notice). Pages and
commands read ``Exchange`` objects from ``Engine.history`` instead of the stored dicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from interviewer.engine.classify import COMMANDS, Classification, Command, TurnKind
from interviewer.engine.moves import Move, MoveKind
from interviewer.knowledge.types import Hit


@dataclass(frozen=True)
class Exchange:
    """One saved turn. Candidate turns have ``turn_kind`` (and ``command`` for a button or a
    typed command); interviewer turns have ``moves`` and the ``sources`` their hints cited."""

    role: str
    text: str
    stage: str
    turn_kind: TurnKind | None = None
    command: Command | None = None
    moves: tuple[MoveKind, ...] = ()
    sources: tuple[Hit, ...] = ()
    notice: str | None = None
    error: str | None = None              # a diagram that could not be read: why

    @property
    def is_hint(self) -> bool:
        return MoveKind.HINT in self.moves


def candidate_meta(turn: Classification) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    if turn.questions:
        meta["questions"] = turn.questions
    if turn.command is not None:
        meta["command"] = str(turn.command)
    return meta


def interviewer_meta(moves: list[Move]) -> dict[str, Any]:
    meta: dict[str, Any] = {"moves": [_move_meta(m) for m in moves]}
    notice = " ".join(dict.fromkeys(m.notice for m in moves if m.notice))
    if notice:
        meta["notice"] = notice
    return meta


def _move_meta(move: Move) -> dict[str, Any]:
    meta: dict[str, Any] = {"kind": str(move.kind), "stage": move.stage}
    if move.reason:
        meta["reason"] = str(move.reason)
    if move.next_stage:
        meta["next_stage"] = move.next_stage
    if move.fact is not None:
        meta["fact_id"] = move.fact.id
    if move.key_point is not None:
        meta["key_point_id"] = move.key_point.id
    if move.detail:
        meta["detail"] = move.detail
    if move.sources:
        meta["sources"] = [{"source": h.source, "heading": h.heading} for h in move.sources]
    return meta


def exchange(record: Any) -> Exchange:
    """A stored turn (``storage.sessions.TurnRecord``) as an ``Exchange``."""
    meta = record.meta or {}
    if record.role == "candidate":
        command = meta.get("command")
        if command is None and record.kind in set(Command):   # saved before commands were recorded
            command = COMMANDS.get(record.text.strip().lower())
        return Exchange("candidate", record.text, record.stage, turn_kind=_turn_kind(record.kind),
                        command=Command(command) if command in set(Command) else None,
                        error=meta.get("error"))
    moves = [m for m in meta.get("moves") or [] if isinstance(m, dict)]
    kinds = tuple(MoveKind(m["kind"]) for m in moves if m.get("kind") in set(MoveKind))
    sources = tuple(Hit(source=str(s.get("source", "")), heading=str(s.get("heading", "")), text="", score=0.0)
                    for m in moves for s in m.get("sources") or [] if isinstance(s, dict))
    return Exchange("interviewer", record.text, record.stage, moves=kinds, sources=sources,
                    notice=meta.get("notice") or None)


def _turn_kind(kind: str) -> TurnKind | None:
    try:
        return TurnKind(kind)
    except ValueError:
        return None
