"""Markdown export of the interview report, drawn from its layout (``report/layout.py``)."""

from __future__ import annotations

from interviewer.grading.diagram_part import diagram_lines
from interviewer.grading.render import criteria_markdown
from interviewer.report.layout import citation, report_layout


def report_markdown(report) -> str:
    r = report_layout(report)
    h = r.headline
    lines = [f"# Interview report: {r.title}", "",
             f"Session `{r.session_id}` · {r.duration_minutes:g} minutes · "
             f"hints used: {h.hints_used}" + (" · (interview in progress)" if r.in_progress else ""),
             ""] + ([f"_{r.sheet}_", ""] if r.sheet else []) + [
             f"## Overall: {h.level} ({h.score:.2f}/4)", ""]
    lines += [f"- {x}" for x in h.reasons]
    lines += ["", "| Stage | Score |", "| --- | --- |"]
    lines += [f"| {s.name} | {s.score}/4 {s.label}{' — ' + s.note if s.note else ''} |" for s in r.stages]
    lines.append("")
    for s in r.stages:
        lines += [f"## {s.name} — {s.score}/4 ({s.label})", ""]
        if s.note:
            lines += [f"_{s.note_sentence}._", ""]
        for n in s.notices:
            lines.append(f"> **Note:** {n}")
        if s.notices:
            lines.append("")
        if s.strengths:
            lines += ["**Strengths**", ""] + [f"- {x}" for x in s.strengths] + [""]
        if s.improvements:
            lines += ["**To improve**", ""] + [f"- {x}" for x in s.improvements] + [""]
        if s.diagram is not None:
            lines += ["**Diagram**", ""] + diagram_lines(s.diagram) + [""]
        if s.criteria:
            lines += criteria_markdown(s.criteria, level=3)
    lines += ["## Across the interview", ""]
    for c in r.cross_stage:
        lines.append(f"- **{c.name}**: {c.score}/4 — {c.rationale}")
    lines += ["", "## Facts", "", f"Drawn out ({len(r.facts_revealed)}):"]
    lines += [f"- {f.topic}: {f.answer}" for f in r.facts_revealed] or ["- none"]
    lines += ["", f"Never asked about ({len(r.facts_missed)}):"]
    lines += [f"- {t}" for t in r.facts_missed] or ["- none"]
    if r.assumptions:
        lines += ["", f"Assumptions you stated ({len(r.assumptions)}):"]
        lines += [f"- {a}" for a in r.assumptions]
    lines += ["", f"## Hints ({h.hints_used})", ""]
    if r.hints:
        for hint in r.hints:
            about = f" on: {hint.topic}" if hint.topic else ""
            lines.append(f"- [{hint.stage}]{about}" + (f" (sources: {'; '.join(hint.cites)})" if hint.cites else ""))
        if r.hint_note:
            lines.append(f"- {r.hint_note}")
    else:
        lines.append("- none")
    lines += ["", "## Study next", ""]
    lines += [f"- {citation(s.source, s.heading)}" for s in r.study_next] or ["- nothing specific"]
    lines += ["", "## Transcript", ""]
    for t in r.transcript:
        who = "Interviewer" if t["role"] == "interviewer" else "You"
        text = " ".join(t["text"].split())
        lines.append(f"**{who}** ({t['stage']}): {text}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
