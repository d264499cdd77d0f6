"""Markdown export of the interview report."""

from __future__ import annotations

from interviewer.grading.grades import SCORE_LABELS
from interviewer.grading.render import criteria_markdown


def _cite(s) -> str:
    return f"{s.source} › {s.heading}" if s.heading else s.source


def report_markdown(report) -> str:
    o = report.overall
    lines = [f"# Interview report: {report.problem.get('title', '')}", "",
             f"Session `{report.session_id}` · {report.duration_minutes:g} minutes · "
             f"hints used: {report.hints_used}" + ("" if report.status == "ended" else " · (interview in progress)"),
             ""] + ([f"_{report.sheet}_", ""] if getattr(report, "sheet", "") else []) + [
             f"## Overall: {o.get('level', '')} ({o.get('score', 0):.2f}/4)", ""]
    lines += [f"- {r}" for r in o.get("reasons", [])]
    lines += ["", "| Stage | Score |", "| --- | --- |"]
    lines += [f"| {s.name} | {s.score}/4 {SCORE_LABELS[s.score]}{' — ' + s.note if s.note else ''} |"
              for s in report.stages]
    lines.append("")
    for s in report.stages:
        lines += [f"## {s.name} — {s.score}/4 ({SCORE_LABELS[s.score]})", ""]
        if s.note:
            lines += [f"_{s.note[:1].upper() + s.note[1:]}._", ""]
        for n in s.notices:
            lines.append(f"> **Note:** {n}")
        if s.notices:
            lines.append("")
        if s.strengths:
            lines += ["**Strengths**", ""] + [f"- {x}" for x in s.strengths] + [""]
        if s.improvements:
            lines += ["**To improve**", ""] + [f"- {x}" for x in s.improvements] + [""]
        if s.criteria:
            lines += criteria_markdown(s.criteria, level=3)
    lines += ["## Across the interview", ""]
    for c in report.cross_stage:
        lines.append(f"- **{c.name}**: {c.score}/4 — {c.rationale}")
    lines += ["", "## Facts", "", f"Drawn out ({len(report.facts_revealed)}):"]
    lines += [f"- {f['topic']}: {f['answer']}" for f in report.facts_revealed] or ["- none"]
    lines += ["", f"Never asked about ({len(report.facts_missed)}):"]
    lines += [f"- {t}" for t in report.facts_missed] or ["- none"]
    if report.assumptions:
        lines += ["", f"Assumptions you stated ({len(report.assumptions)}):"]
        lines += [f"- {a}" for a in report.assumptions]
    lines += ["", f"## Hints ({report.hints_used})", ""]
    if report.hints:
        for h in report.hints:
            cites = "; ".join(f"{x.get('source', '')} › {x.get('heading', '')}" for x in h.get("sources", []))
            about = f" on: {h['topic']}" if h.get("topic") else ""
            lines.append(f"- [{h['stage']}]{about}" + (f" (sources: {cites})" if cites else ""))
        if report.hint_note:
            lines.append(f"- {report.hint_note}")
    else:
        lines.append("- none")
    lines += ["", "## Study next", ""]
    lines += [f"- {_cite(s)}" for s in report.study_next] or ["- nothing specific"]
    lines += ["", "## Transcript", ""]
    for t in report.transcript:
        who = "Interviewer" if t["role"] == "interviewer" else "You"
        text = " ".join(t["text"].split())
        lines.append(f"**{who}** ({t['stage']}): {text}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
