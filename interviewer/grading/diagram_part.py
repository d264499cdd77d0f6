"""A diagram in a graded answer: the grader hears the prose and the diagram's labels together,
the checks the graph passes credit their key points, and the checks it fails become missed
items and improvements on the card (with ``diagram`` in the feedback JSON).
"""

from __future__ import annotations

from dataclasses import dataclass

from interviewer.diagram.answer import DrawnAnswer, read_answer
from interviewer.diagram.roles import load_roles
from interviewer.flow import Flow
from interviewer.grading.grades import DiagramPart, StageGrade
from interviewer.grading.rubric import Rubric
from interviewer.problems import Problem

def _line(note: str) -> str:
    note = note.rstrip(" .")
    return f"Diagram: {note}" + ("" if note.endswith("?") else ".")


@dataclass
class DrawnForGrading:
    text: str                      # what the grader reads: prose, then the diagram as sentences
    credited: list[str]            # key point ids the graph shows plainly, for this stage
    drawn: DrawnAnswer

    @property
    def part(self) -> DiagramPart | None:
        report = self.drawn.report
        if report is None:
            return None
        d = report.as_dict()
        return DiagramPart(nodes=d["nodes"], edges=d["edges"], covered=d["covered"], missing=d["missing"],
                           notes=d["notes"], source=self.drawn.source)


def read_for_grading(text: str, *, stage: str, problem: Problem, flow: Flow) -> DrawnForGrading:
    """The answer as the grader reads it; ValueError (one line) for a diagram it cannot read."""
    drawn = read_answer(text)
    if drawn.error:
        raise ValueError(drawn.error)
    if drawn.report is None:
        return DrawnForGrading(text, [], drawn)
    points = {p.id for p in problem.points(flow, stage)}
    probes = load_roles().vocab.probes
    credited = [probes[c].key_point for c in drawn.report.covered_ids
                if c in probes and probes[c].key_point in points]
    return DrawnForGrading(drawn.heard, credited, drawn)


def with_diagram(grade: StageGrade, drawn: DrawnForGrading, rubric: Rubric) -> StageGrade:
    """The grade with its diagram part: each check passed a strength, each check failed an
    improvement and a missed item of the criterion that holds the check's key point."""
    part, report = drawn.part, drawn.drawn.report
    if part is None or report is None:
        return grade
    probes = load_roles().vocab.probes
    try:
        criteria_of = {k: c.id for c in rubric.stage(grade.stage).criteria for k in c.key_points}
    except KeyError:
        criteria_of = {}
    criteria = [c.model_copy(deep=True) for c in grade.criteria]
    for finding in report.missing:
        kp = probes[finding.id].key_point if finding.id in probes else None
        for c in criteria:
            if kp and c.id == criteria_of.get(kp) and finding.text not in c.missing:
                c.missing.insert(0, finding.text)
    strengths = [*grade.strengths, *(_line(f.text) for f in report.covered
                                     if f.id in probes and probes[f.id].key_point)]
    improvements = [_line(f.text) for f in report.missing] + list(grade.improvements)
    return grade.model_copy(update={"diagram": part, "criteria": criteria, "strengths": strengths,
                                    "improvements": improvements})


def diagram_lines(part: DiagramPart) -> list[str]:
    """A readable rendering for a text card: size, what the graph covers and lacks, the source."""
    lines = [f"{part.nodes} boxes, {part.edges} links."]
    lines += [f"- covers: {part.notes.get(c, c)}" for c in part.covered]
    lines += [f"- missing: {part.notes.get(c, c)}" for c in part.missing]
    if part.source:
        lines += ["", "```mermaid", part.source.rstrip("\n"), "```"]
    return lines
