"""What a listener heard: per key point affirmed / dismissed (or wrong) / absent, with the
candidate's sentence as evidence. Made by the offline ``Listener`` and the ``LLMListener``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from interviewer.flow import KeyPoint

Status = Literal["affirmed", "dismissed", "absent"]


@dataclass
class PointHearing:
    point: KeyPoint
    status: Status
    evidence: str | None          # the candidate's exact sentence
    topic: float                  # P(the text is about this point)
    stance: float                 # P(dismissed or wrong | about it)
    challenge: bool = False       # dismissed surely enough to push back on (``t_challenge``)


@dataclass
class Hearing:
    points: list[PointHearing]
    listener: str = "offline"
    notice: str | None = None
    units: list[str] = field(default_factory=list)
    best_match: float = 0.0       # the best cue similarity of any unit to any point (off-topic)

    def _with(self, status: Status) -> list[PointHearing]:
        return [p for p in self.points if p.status == status]

    @property
    def affirmed(self) -> list[PointHearing]:
        return self._with("affirmed")

    @property
    def dismissed(self) -> list[PointHearing]:
        return self._with("dismissed")

    @property
    def challenged(self) -> list[PointHearing]:
        """The dismissed points heard surely enough to push back on (the rest are neither
        credited nor challenged: the interviewer may still ask for them)."""
        return [p for p in self.points if p.status == "dismissed" and p.challenge]

    def status(self, point_id: str) -> Status:
        return next((p.status for p in self.points if p.point.id == point_id), "absent")

    def to_json(self) -> dict:
        return {"covered": [{"id": p.point.id, "evidence": p.evidence} for p in self.affirmed],
                "dismissed": [{"id": p.point.id, "evidence": p.evidence} for p in self.dismissed],
                "listener": self.listener}


def heard_in(sentence: str, evidence) -> bool:
    """Whether ``sentence`` (an answer's sentence, as the grader splits it) is one of the
    listener's ``evidence`` sentences, part of one, or holds one (the two split a little
    differently: bullets, clauses)."""
    return any(sentence in e or e in sentence for e in evidence)


@dataclass
class HearingContext:
    """What an LLM listener is told besides the turn (the offline listener needs none of it)."""

    problem: str = ""                                            # title and statement
    stage_name: str = ""
    recent: list[tuple[str, str]] = field(default_factory=list)   # (role, text), oldest first


def credit_refined(heard: list[PointHearing]) -> list[PointHearing]:
    """A problem's own point heard affirmed credits the generic point it ``refines`` when that
    one was not heard at all ("I would optimise for watch time" names the objective in the
    problem's own words); a dismissal of the generic point stands."""
    by_id = {h.point.id: k for k, h in enumerate(heard)}
    out = list(heard)
    for h in heard:
        k = by_id.get(h.point.refines or "")
        if h.status == "affirmed" and k is not None and out[k].status == "absent":
            out[k] = PointHearing(out[k].point, "affirmed", h.evidence, h.topic, h.stance)
    return out
