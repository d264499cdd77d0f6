"""The end-of-interview report and a feedback score card on the page (display only).

Both draw typed objects: a ``StageGrade`` for a card, and the report's layout
(``interviewer.report.layout``, the same sections the Markdown export is drawn from).
"""

from __future__ import annotations

import streamlit as st

from interviewer.grading.grades import CriterionScore, DiagramPart, StageGrade
from interviewer.report.build import render_markdown
from interviewer.report.layout import FactLine, ReportLayout, report_layout, score_label
from ui import components, resources

LEVEL_COLORS = {"strong hire": "green", "hire": "green", "lean hire": "orange", "lean no hire": "orange",
                "no hire": "red"}


def criteria_table(criteria: list[CriterionScore]) -> None:
    for c in criteria:
        with st.container(border=True):
            st.markdown(f"**{c.name or c.id}** · {c.score}/4 {score_label(c.score)}")
            for quote in c.evidence:
                st.markdown(f"> {quote}")
            if c.missing:
                st.caption("Missing:\n" + "\n".join(f"- {m}" for m in c.missing))


def score_card(grade: StageGrade) -> None:
    """A grade as a card: notices, score, criteria with evidence, strengths, improvements."""
    for notice in grade.notices:
        st.info(notice, icon=":material/info:")
    m1, m2 = st.columns(2)
    m1.metric("Score", f"{grade.score}/4", grade.label, delta_color="off", delta_arrow="off")
    m2.metric("Grader", grade.grader)
    if grade.scope:
        st.caption(grade.scope)
    left, right = st.columns(2)
    with left:
        st.markdown("**Strengths**")
        for s in grade.strengths or ["—"]:
            st.markdown(f"- {s}")
    with right:
        st.markdown("**To improve**")
        for s in grade.improvements or ["—"]:
            st.markdown(f"- {s}")
    st.markdown("**Criteria**")
    criteria_table(grade.criteria)
    if grade.sources:
        components.sources_expander(f"Sources to read ({len(grade.sources)})", grade.sources)
    if grade.diagram is not None:
        diagram_section(grade.diagram)


def diagram_section(part: DiagramPart) -> None:
    """A graded diagram: drawn from its source, then what it covers and lacks."""
    from interviewer.diagram.answer import dot_of

    st.markdown("**Diagram**")
    if part.source:
        components.diagram_chart(dot_of(part.source))
    components.diagram_checks(part)


def score_chart(df) -> None:
    """Bars per stage on a fixed 0–4 axis (st.bar_chart would stretch the axis to the data)."""
    import altair as alt

    chart = (alt.Chart(df).mark_bar(color="#2f5bea", cornerRadiusTopLeft=4, cornerRadiusTopRight=4)
             .encode(x=alt.X("stage:N", sort=None, title=None, axis=alt.Axis(labelAngle=0)),
                     y=alt.Y("score:Q", scale=alt.Scale(domain=[0, 4]), title="score (1–4)",
                             axis=alt.Axis(values=[1, 2, 3, 4])),
                     tooltip=["stage", "score"])
             .properties(height=240))
    st.altair_chart(chart, width="stretch")


def report_section(settings, sid: str) -> None:
    with components.user_errors("Building the report"):
        with st.spinner("Grading the interview…"):
            # the report service saves an ended session's report and reuses it
            report = resources.services(settings).reports.build(sid)
        render_report(report_layout(report), render_markdown(report))


def _headline(r: ReportLayout) -> None:
    h = r.headline
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Overall", h.level.capitalize() or "—")
    c2.metric("Score", f"{h.score:.1f}/4")
    c3.metric("Facts drawn out", f"{h.facts_drawn}/{h.facts_total}" if h.facts_total else "—",
              help="Facts from the problem's hidden fact sheet that your questions drew out.")
    c4.metric("Hints used", h.hints_used)
    if h.level:
        st.badge(h.level, color=LEVEL_COLORS.get(h.level.lower(), "gray"), icon=":material/assessment:")
    for reason in h.reasons:
        st.markdown(f"- {reason}")


def _stages(r: ReportLayout) -> None:
    import pandas as pd

    if not r.stages:
        return
    df = pd.DataFrame({"stage": [f"{s.position}. {s.id.capitalize()}" for s in r.stages],
                       "score": [s.score for s in r.stages]})
    st.subheader("Score per stage", anchor=False)
    score_chart(df)
    for s in r.stages:
        with st.expander(f"{s.name} · {s.score}/4 {s.label}", icon=":material/fact_check:"):
            if s.note:
                st.caption(s.note_sentence)
            for notice in s.notices:
                st.caption(notice)
            for items, label in ((s.strengths, "Strengths"), (s.improvements, "To improve")):
                if items:
                    st.markdown(f"**{label}**")
                    for item in items:
                        st.markdown(f"- {item}")
            if s.diagram is not None:
                diagram_section(s.diagram)
            criteria_table(s.criteria)
    if r.cross_stage:
        with st.expander("Across the interview", icon=":material/insights:"):
            criteria_table(r.cross_stage)


def _fact(f: FactLine) -> str:
    return f"**{f.topic}** — {f.answer}" if f.answer and f.topic else f.topic or f.answer


def _facts(r: ReportLayout) -> None:
    none = "This question has no fact sheet."
    left, right = st.columns(2)
    with left:
        st.subheader("Facts drawn out", anchor=False)
        for f in r.facts_revealed:
            st.markdown(f":green[:material/check_circle:] {_fact(f)}")
        if not r.facts_revealed:
            st.caption("None: ask clarifying questions early." if r.has_fact_sheet else none)
    with right:
        st.subheader("Facts missed", anchor=False)
        for topic in r.facts_missed:
            st.markdown(f":red[:material/cancel:] {topic}")
        if not r.facts_missed:
            st.caption("None missed." if r.has_fact_sheet else none)
    if r.assumptions:
        st.subheader("Assumptions you stated", anchor=False)
        for a in r.assumptions:
            st.markdown(f":blue[:material/edit_note:] {a}")


def render_report(r: ReportLayout, markdown: str) -> None:
    st.divider()
    st.header("Report", anchor=False)
    if r.sheet:
        st.caption(r.sheet)
    _headline(r)
    _stages(r)
    _facts(r)
    if r.hints:
        with st.expander(f"Hints ({len(r.hints)}): {r.hint_note}", icon=":material/lightbulb:"):
            for h in r.hints:
                topic = f" on {h.topic}" if h.topic else ""
                cites = f" ({'; '.join(h.cites)})" if h.cites else ""
                st.markdown(f"- **{h.stage_name}**{topic}{cites}")
    if r.study_next:
        st.subheader("Study next", anchor=False)
        for ref in r.study_next:
            st.markdown(f"- **{ref.source}** › {ref.heading}" if ref.heading else f"- **{ref.source}**")
    st.download_button("Download the report (Markdown)", markdown, file_name=f"interview-{r.session_id}.md",
                       mime="text/markdown", icon=":material/download:", type="primary")
