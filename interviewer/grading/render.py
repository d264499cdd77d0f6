"""Markdown for a stage grade: the readable score card of ``interviewer feedback``."""

from __future__ import annotations

from interviewer.grading.grades import SCORE_LABELS, StageGrade


def _quote(text: str) -> str:
    return "> " + " ".join(text.split())


def criteria_markdown(criteria, level: int = 3) -> list[str]:
    lines: list[str] = []
    for c in criteria:
        lines.append(f"{'#' * level} {c.name} — {c.score}/4 ({SCORE_LABELS[c.score]})")
        if c.evidence:
            lines += [_quote(q) for q in c.evidence]
        elif c.score >= 3:
            lines.append("_Judged on the answer as a whole; no single sentence carries it._")
        else:
            lines.append("_Nothing in the answer speaks to this yet._")
        if c.missing:
            lines += ["", "Missing:"]
            lines += [f"- {m}" for m in c.missing]
        lines.append("")
    return lines


def grade_markdown(grade: StageGrade, title: str) -> str:
    lines = [f"# {title}", "",
             f"**Score: {grade.score}/4 ({SCORE_LABELS[grade.score]})** · grader: {grade.grader}", ""]
    if grade.scope:
        lines += [f"_{grade.scope}_", ""]
    for notice in grade.notices:
        lines.append(f"> **Note:** {notice}")
    if grade.notices:
        lines.append("")
    lines.append("## Strengths")
    lines += [f"- {s}" for s in grade.strengths] or ["- (none yet)"]
    lines += ["", "## To improve"]
    lines += [f"- {s}" for s in grade.improvements] or ["- (nothing major)"]
    lines += ["", "## Criteria", ""]
    lines += criteria_markdown(grade.criteria)
    if grade.sources:
        lines.append("## Read next")
        lines += [f"- {s.source} › {s.heading}" if s.heading else f"- {s.source}" for s in grade.sources]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
