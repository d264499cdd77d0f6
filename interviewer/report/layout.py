"""The report's layout, once: what is shown, in which order, worded how.

``report_layout(report)`` turns a ``Report`` into typed sections; the Markdown export
(``report/markdown.py``) and the app's report page (``ui/reportview.py``) both draw these
sections, so the two cannot drift apart. Nothing here knows about Markdown or Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from interviewer.grading.grades import SCORE_LABELS, CriterionScore, DiagramPart, SourceRef


def citation(source: str, heading: str = "") -> str:
    return f"{source} › {heading}" if heading else source


def score_label(score: int) -> str:
    return SCORE_LABELS.get(score, "")


@dataclass(frozen=True)
class Headline:
    level: str
    score: float
    reasons: list[str]
    facts_drawn: int
    facts_total: int
    hints_used: int


@dataclass(frozen=True)
class StageSection:
    id: str
    name: str
    position: int                   # 1-based place in the flow
    score: int
    note: str                       # e.g. "not reached"
    notices: list[str]
    strengths: list[str]
    improvements: list[str]
    criteria: list[CriterionScore]
    diagram: DiagramPart | None

    @property
    def label(self) -> str:
        return score_label(self.score)

    @property
    def note_sentence(self) -> str:
        return self.note[:1].upper() + self.note[1:] if self.note else ""


@dataclass(frozen=True)
class FactLine:
    topic: str
    answer: str


@dataclass(frozen=True)
class HintLine:
    stage: str
    stage_name: str
    topic: str
    cites: list[str]


@dataclass(frozen=True)
class ReportLayout:
    title: str
    session_id: str
    duration_minutes: float
    in_progress: bool
    sheet: str
    headline: Headline
    stages: list[StageSection]
    cross_stage: list[CriterionScore]
    facts_revealed: list[FactLine]
    facts_missed: list[str]
    assumptions: list[str]
    hints: list[HintLine]
    hint_note: str
    study_next: list[SourceRef]
    transcript: list[dict[str, str]] = field(default_factory=list)

    @property
    def has_fact_sheet(self) -> bool:
        return bool(self.facts_revealed or self.facts_missed)


def report_layout(report) -> ReportLayout:
    """The sections of ``report`` (a ``report.build.Report``), in the order they are shown."""
    names = {s.id: s.name for s in report.stages}
    o = report.overall
    headline = Headline(level=str(o.get("level", "")), score=float(o.get("score", 0) or 0),
                        reasons=list(o.get("reasons", [])), facts_drawn=len(report.facts_revealed),
                        facts_total=len(report.facts_revealed) + len(report.facts_missed),
                        hints_used=report.hints_used)
    stages = [StageSection(id=s.id, name=s.name, position=i, score=s.score, note=s.note,
                           notices=list(s.notices), strengths=list(s.strengths),
                           improvements=list(s.improvements), criteria=list(s.criteria), diagram=s.diagram)
              for i, s in enumerate(report.stages, 1)]
    hints = [HintLine(stage=h.get("stage", ""), stage_name=names.get(h.get("stage", ""), h.get("stage", "")),
                      topic=h.get("topic") or "",
                      cites=[citation(x.get("source", ""), x.get("heading", "")) for x in h.get("sources") or []])
             for h in report.hints]
    return ReportLayout(
        title=report.problem.get("title", ""), session_id=report.session_id,
        duration_minutes=report.duration_minutes, in_progress=report.status != "ended",
        sheet=getattr(report, "sheet", "") or "", headline=headline, stages=stages,
        cross_stage=list(report.cross_stage),
        facts_revealed=[FactLine(f.get("topic", ""), f.get("answer", "")) for f in report.facts_revealed],
        facts_missed=list(report.facts_missed), assumptions=list(report.assumptions), hints=hints,
        hint_note=report.hint_note, study_next=list(report.study_next), transcript=list(report.transcript))
