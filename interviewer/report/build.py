"""The interview report: per-stage grades with quoted evidence, an overall level with reasons,
facts drawn out and missed, hints used, what to study next, and the transcript.

How it is computed (documented for candidates in README "Feedback and reports"):
- A stage's score grades the candidate's own answers in that stage (turns classified as
  answers; in the problem stage also the clarifying questions, which are the stage's task),
  through the feedback service (``services.feedback``). A stage never reached, or reached without
  any answer, scores 1 with a note.
- Overall score = mean of the stage scores minus the hint penalty (``scoring`` in
  ``prompts/rubric.yaml``: 0.1 per hint, at most 0.5).
  Level: ≥ 3.25 strong hire, ≥ 2.5 lean hire, ≥ 1.75 lean no hire, else no hire; a stage
  scored 1 caps the level at lean hire.
- Cross-stage criteria: structure and trade-offs average the per-stage judgments; driving
  the interview comes from stages reached, hints and probes; clarifying questions from the
  share of the problem's facts drawn out.
The report of an ended session is saved in the store and reused (``regrade=True`` rebuilds it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from interviewer.engine.borrow import sheet_line
from interviewer.grading.feedback import USE_SERVICES
from interviewer.grading.grades import SCORE_LABELS, CriterionScore, DiagramPart, SourceRef
from interviewer.knowledge.search import diversify
from interviewer.report.parts import cross_stage, overall, stage_texts

if TYPE_CHECKING:
    from interviewer.services import Services

MAX_STUDY = 6
STUDY_PER_FILE = 2


def spread(refs: list, per_file: int) -> list:
    """``refs`` in order, except that at most ``per_file`` sections of one guide come ahead of
    other guides' sections (the rest follow, in order)."""
    order = diversify([(str(i), -float(i)) for i in range(len(refs))],
                      lambda i: refs[int(i)].source, per_source=per_file)
    return [refs[int(i)] for i, _ in order]


class StageReport(BaseModel):
    id: str
    name: str
    score: int = Field(ge=1, le=4)
    reached: bool = True
    note: str = ""
    criteria: list[CriterionScore] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)
    strengths: list[str] = Field(default_factory=list)
    improvements: list[str] = Field(default_factory=list)
    sources: list[SourceRef] = Field(default_factory=list)
    grader: str = "offline"
    hints_used: int = 0
    notices: list[str] = Field(default_factory=list)
    diagram: DiagramPart | None = None        # the stage's last diagram, with what it covers

    def to_json(self) -> dict[str, Any]:
        diagram = {"diagram": self.diagram.to_json(with_source=True)} if self.diagram else {}
        return diagram | {"id": self.id, "name": self.name, "score": self.score, "reached": self.reached,
                "note": self.note, "criteria": [c.to_json() for c in self.criteria],
                "evidence": list(self.evidence), "strengths": list(self.strengths),
                "improvements": list(self.improvements), "sources": [s.to_json() for s in self.sources],
                "grader": self.grader, "hints_used": self.hints_used, "notices": list(self.notices)}


class Report(BaseModel):
    session_id: str
    problem: dict[str, str]
    stages: list[StageReport]
    overall: dict[str, Any]
    cross_stage: list[CriterionScore]
    facts_revealed: list[dict[str, str]]
    facts_missed: list[str]
    hints_used: int
    hints: list[dict[str, Any]]
    transcript: list[dict[str, str]]
    study_next: list[SourceRef]
    duration_minutes: float
    status: str = "ended"
    hint_note: str = ""                 # how hints count, worded from the rubric's scoring
    assumptions: list[str] = Field(default_factory=list)   # what the candidate assumed, in order
    sheet: str = ""      # own question: drafted, or probed as a similar bank problem (one line)

    def to_json(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "problem": dict(self.problem),
            "stages": [s.to_json() for s in self.stages],
            "overall": dict(self.overall),
            "cross_stage": [c.to_json() | {"rationale": c.rationale} for c in self.cross_stage],
            "facts_revealed": list(self.facts_revealed),
            "facts_missed": list(self.facts_missed),
            "hints_used": self.hints_used,
            "hints": list(self.hints),
            "transcript": list(self.transcript),
            "study_next": [s.to_json() for s in self.study_next],
            "duration_minutes": self.duration_minutes,
            "status": self.status,
            "hint_note": self.hint_note,
            "assumptions": list(self.assumptions),
            "sheet": self.sheet,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Report":
        return cls.model_validate(data)


class Reports:
    """End-of-interview reports (``services.reports``): built from the session in the store,
    each stage graded by the same feedback service as a written answer."""

    def __init__(self, services: "Services"):
        self.services = services

    def build(self, session_id: str, regrade: bool = False, knowledge: Any = USE_SERVICES) -> Report:
        """The report of ``session_id`` ('latest' or an id prefix works too). An ended session's
        report is saved and reused; ``regrade=True`` rebuilds it."""
        store = self.services.store
        sid = store.resolve(session_id)
        state = store.load_state(sid)
        if not regrade and state.status == "ended":
            saved = store.get_report(sid)
            if saved:
                try:
                    return Report.from_json(saved)
                except Exception:  # an older or damaged report is rebuilt
                    pass
        report = self._build(state, store.turns(sid), knowledge)
        if state.status == "ended":
            store.save_report(sid, report.to_json())
        return report

    def _grade_stage(self, stage_id: str, name: str, text: str, reached: bool, problem,
                     knowledge, hints: int, credited: list[str] | None = None) -> StageReport:
        if not reached or not text.strip():
            note = "stage not reached" if not reached else "no answer given in this stage"
            return StageReport(id=stage_id, name=name, score=1, reached=reached, note=note, hints_used=hints,
                               improvements=[f"{name}: {note}; manage time so every stage gets an answer."])
        g = self.services.feedback.grade(stage=stage_id, text=text, problem=problem, knowledge=knowledge,
                                         credited=credited or ())
        evidence: list[str] = []
        for c in g.criteria:
            evidence += [q for q in c.evidence if q not in evidence]
        return StageReport(id=stage_id, name=name, score=g.score, criteria=g.criteria, evidence=evidence[:6],
                           strengths=g.strengths, improvements=g.improvements, sources=g.sources,
                           grader=g.grader, hints_used=hints, notices=g.notices, diagram=g.diagram)

    def _build(self, state, turns, knowledge) -> Report:
        """Grades every stage of the flow, then the overall level, cross-stage criteria, facts,
        hints and what to study next (one pass over the session; long but flat)."""
        flow, rubric = self.services.flow, self.services.rubric
        problem = state.problem
        texts = stage_texts(turns, flow, state.early)
        hints_by_stage = {s: sum(1 for h in state.hints if h.stage == s) for s in flow.stage_ids}
        stages = [
            self._grade_stage(s.id, s.name, texts.get(s.id, ""), s.id in state.stages_visited, problem,
                              knowledge, hints_by_stage[s.id], state.covered.get(s.id))
            for s in flow.stages
        ]
        hint_cost = rubric.scoring.hint_penalty(state.hints_used)
        facts_revealed = []
        for fid in state.facts_revealed:
            try:
                f = problem.fact(fid)
            except KeyError:
                continue
            facts_revealed.append({"id": f.id, "topic": f.topic, "answer": " ".join(f.answer.split())})
        facts_missed = [f.topic for f in problem.facts if f.id not in state.facts_revealed]
        questions = [t.text for t in turns if t.role == "candidate" and t.kind == "question"]
        probes = sum(len(v) for v in state.probes.values())
        cross = cross_stage(rubric, flow, stages, questions, len(facts_revealed), len(problem.facts),
                            len(state.stages_visited), state.hints_used, probes)
        study: list[SourceRef] = []
        for s in sorted(stages, key=lambda s: s.score):
            for src in s.sources:
                if all((src.source, src.heading) != (x.source, x.heading) for x in study):
                    study.append(src)
        for h in state.hints:
            for src in h.sources:
                ref = SourceRef(source=src.get("source", ""), heading=src.get("heading", ""))
                if ref.source and all((ref.source, ref.heading) != (x.source, x.heading) for x in study):
                    study.append(ref)
        study = spread(study, STUDY_PER_FILE)
        return Report(
            session_id=state.session_id,
            problem={"id": problem.id, "title": problem.title},
            stages=stages,
            overall=overall(stages, hint_cost, state.hints_used, len(facts_revealed), len(problem.facts)),
            cross_stage=cross,
            facts_revealed=facts_revealed,
            facts_missed=facts_missed,
            hints_used=state.hints_used,
            hints=[{"stage": h.stage, "topic": h.topic, "sources": list(h.sources)} for h in state.hints],
            transcript=[{"role": t.role, "text": t.text, "stage": t.stage} for t in turns
                        if t.role in ("candidate", "interviewer")],
            study_next=study[:MAX_STUDY],
            duration_minutes=round(state.elapsed() / 60, 1),
            status=state.status,
            hint_note=rubric.scoring.note(),
            assumptions=[e["asks"][-1] for e in state.ledger],
            sheet=sheet_line(problem, report=True),
        )


def render_markdown(report: Report) -> str:
    from interviewer.report.markdown import report_markdown

    return report_markdown(report)


__all__ = ["Report", "Reports", "StageReport", "render_markdown", "SCORE_LABELS"]
