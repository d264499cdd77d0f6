"""A diagram in a chat answer, for the engine: the turn classified on its prose, the diagram's
labels heard as what the candidate said, the key points its graph shows plainly credited, the
diagram kept in the session state, and a probe for what it lacks.

The probe wording and the check → key point links are data (``probes`` in prompts/diagram.yaml);
a linked key point the session's flow or problem does not have is simply not credited.
"""

from __future__ import annotations

from interviewer.diagram.answer import DrawnAnswer, read_answer
from interviewer.diagram.roles import load_roles
from interviewer.engine.classify import Classification, classify
from interviewer.engine.moves import Move, Reason
from interviewer.engine.state import SessionState
from interviewer.flow import Flow, KeyPoint

# what a message that only draws (no prose, or a bare "let's move on") is taken as
_AS_ANSWER = ("empty", "offtopic", "hint", "help", "unknown_command", "reveal", "end", "next")


def classify_drawn(text: str) -> tuple[Classification, DrawnAnswer]:
    """The turn classified on its prose; a well-formed diagram makes it an answer (a prose
    "let's move on" beside it asks to move on after it is heard)."""
    drawn = read_answer(text)
    if not drawn.has_blocks:
        return classify(text), drawn
    turn = classify(drawn.prose)
    if drawn.diagram is not None and turn.kind in _AS_ANSWER:
        turn = Classification("answer", turn.text, answer=turn.text if turn.kind == "answer" else "",
                              wants_next=turn.kind == "next")
    turn.drawn = drawn if drawn.diagram is not None else None
    return turn, drawn


def heard(turn: Classification) -> str:
    """The words the listener hears for a turn: the prose, then the diagram's sentences."""
    drawn = getattr(turn, "drawn", None)
    if drawn is None or not drawn.sentences:
        return turn.text
    return " ".join(p for p in (turn.text, " ".join(drawn.sentences)) if p)


def spoken(text: str) -> str:
    """A saved candidate turn as words (its diagram read back as sentences)."""
    drawn = read_answer(text)
    return drawn.heard if drawn.has_blocks else text


def keep_diagram(flow: Flow, state: SessionState, turn: Classification) -> DrawnAnswer | None:
    """Keep the turn's diagram in the state and credit the key points of the checks it passes
    (to the stage each belongs to). Returns the diagram, or None when the turn has none."""
    drawn = getattr(turn, "drawn", None)
    if drawn is None or drawn.report is None:
        return None
    state.keep_diagram(drawn.source)
    probes = load_roles().vocab.probes
    stage_of = {p.id: sid for sid in flow.stage_ids for p in state.problem.points(flow, sid)}
    for finding in drawn.report.covered:
        pid = probes[finding.id].key_point if finding.id in probes else None
        if pid not in stage_of:
            continue
        sid = stage_of[pid]
        covered = state.covered.setdefault(sid, [])
        if pid not in covered:
            covered.append(pid)
            state.said[pid] = finding.text
        if pid in state.dismissed.get(sid, []):
            state.dismissed[sid].remove(pid)
    return drawn


def prose_points(state: SessionState) -> set[str]:
    """Key points covered so far by the candidate's words, not by a diagram (its sentences or
    its checks): a diagram probe is not asked about what the candidate has already said."""
    from_diagrams: set[str] = set()
    for source in state.diagrams.values():
        drawn = read_answer(source)
        if drawn.report is not None:
            from_diagrams.update(drawn.sentences)
            from_diagrams.update(f.text for f in drawn.report.covered)
    return {pid for pids in state.covered.values() for pid in pids
            if state.said.get(pid, "") not in from_diagrams}


def diagram_probe(flow: Flow, state: SessionState, drawn: DrawnAnswer,
                  known: set[str]) -> Move | None:
    """A probe for the first check the diagram fails that was not asked in this stage yet,
    unless the candidate covered its key point before this turn (``known``)."""
    report, diagram = drawn.report, drawn.diagram
    if report is None or diagram is None:
        return None
    probes = load_roles().vocab.probes
    asked = state.diagram_probes.setdefault(state.stage, [])
    points: dict[str, KeyPoint] = {p.id: p for p in state.problem.points(flow, state.stage)}
    for finding in report.missing:
        probe = probes.get(finding.id)
        if probe is None or finding.id in asked or (probe.key_point and probe.key_point in known):
            continue
        asked.append(finding.id)
        names = report.isolated if finding.id == "isolated" else [diagram.label(n) for n in finding.nodes]
        text = probe.ask.get(finding.reason or "default", probe.ask["default"])
        text = text.format(nodes=", ".join(" ".join(n.split()) for n in names))
        point = points.get(probe.key_point or "")
        if point is not None:
            probed = state.probes.setdefault(state.stage, [])
            if point.id not in probed:
                probed.append(point.id)
        return Move("probe", stage=state.stage, key_point=point, probe=text, reason=Reason.DIAGRAM)
    return None

