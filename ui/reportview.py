"""Rendering of the end-of-interview report and of a feedback score card (display only)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from interviewer.report.build import render_markdown
from ui import components, resources

LEVEL_COLORS = {"strong hire": "green", "hire": "green", "lean hire": "orange", "lean no hire": "orange",
                "no hire": "red"}


def _label(score: Any) -> str:
    from interviewer.grading.grades import SCORE_LABELS

    try:
        return SCORE_LABELS.get(int(round(float(score))), "")
    except (TypeError, ValueError):
        return ""


def criteria_table(criteria: list[dict[str, Any]]) -> None:
    for c in criteria:
        score = c.get("score")
        with st.container(border=True):
            st.markdown(f"**{c.get('name', c.get('id', ''))}** · {score}/4 {_label(score)}")
            for quote in c.get("evidence") or []:
                st.markdown(f"> {quote}")
            if c.get("missing"):
                st.caption("Missing:\n" + "\n".join(f"- {m}" for m in c["missing"]))


def score_card(grade: dict[str, Any], notices: list[str] | None = None) -> None:
    """A StageGrade (its to_json()) as a card: score, criteria with evidence, strengths, improvements."""
    for notice in notices or []:
        st.info(notice, icon=":material/info:")
    m1, m2 = st.columns(2)
    m1.metric("Score", f"{grade['score']}/4", _label(grade["score"]), delta_color="off", delta_arrow="off")
    m2.metric("Grader", grade.get("grader", ""))
    if grade.get("scope"):
        st.caption(grade["scope"])
    left, right = st.columns(2)
    with left:
        st.markdown("**Strengths**")
        for s in grade.get("strengths") or ["—"]:
            st.markdown(f"- {s}")
    with right:
        st.markdown("**To improve**")
        for s in grade.get("improvements") or ["—"]:
            st.markdown(f"- {s}")
    st.markdown("**Criteria**")
    criteria_table(grade.get("criteria") or [])
    if grade.get("sources"):
        components.sources_expander(f"Sources to read ({len(grade['sources'])})", grade["sources"])


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


def load_report(settings, sid: str) -> tuple[dict[str, Any], str]:
    """(report JSON, Markdown) of a session; the report service saves an ended session's
    report and reuses it, so this is cheap after the first time."""
    with st.spinner("Grading the interview…"):
        rep = resources.services(settings).reports.build(sid)
    return rep.to_json(), render_markdown(rep)


def report_section(settings, sid: str) -> None:
    with components.user_errors("Building the report"):
        data, markdown = load_report(settings, sid)
        render_report(data, markdown, sid)


def render_report(data: dict[str, Any], markdown: str, sid: str) -> None:
    import pandas as pd

    st.divider()
    st.header("Report", anchor=False)
    if data.get("sheet"):
        st.caption(data["sheet"])
    overall = data.get("overall") or {}
    level = str(overall.get("level", ""))
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Overall", level.capitalize() or "—")
    score = overall.get("score")
    c2.metric("Score", f"{score:.1f}/4" if isinstance(score, (int, float)) else str(score or "—"))
    drawn, missed = len(data.get("facts_revealed") or []), len(data.get("facts_missed") or [])
    c3.metric("Facts drawn out", f"{drawn}/{drawn + missed}" if drawn + missed else "—",
              help="Facts from the problem's hidden fact sheet that your questions drew out.")
    c4.metric("Hints used", data.get("hints_used", 0))
    if level:
        st.badge(level, color=LEVEL_COLORS.get(level.lower(), "gray"), icon=":material/assessment:")
    for reason in overall.get("reasons") or []:
        st.markdown(f"- {reason}")

    stages = data.get("stages") or []
    if stages:
        df = pd.DataFrame({"stage": [f"{i}. {str(s.get('id', '')).capitalize()}" for i, s in enumerate(stages, 1)],
                           "score": [s.get("score") or 0 for s in stages]})
        st.subheader("Score per stage", anchor=False)
        score_chart(df)
        for s in stages:
            title = f"{s.get('name') or s.get('id')} · {s.get('score') or '—'}/4 {_label(s.get('score'))}"
            with st.expander(title, icon=":material/fact_check:"):
                if s.get("note"):
                    st.caption(s["note"].capitalize())
                for notice in s.get("notices") or []:
                    st.caption(notice)
                for key, label in (("strengths", "Strengths"), ("improvements", "To improve")):
                    if s.get(key):
                        st.markdown(f"**{label}**")
                        for item in s[key]:
                            st.markdown(f"- {item}")
                criteria_table(s.get("criteria") or [])
    if data.get("cross_stage"):
        with st.expander("Across the interview", icon=":material/insights:"):
            criteria_table(data["cross_stage"])

    left, right = st.columns(2)
    with left:
        st.subheader("Facts drawn out", anchor=False)
        for f in data.get("facts_revealed") or []:
            st.markdown(f":green[:material/check_circle:] {_fact(f)}")
        if not data.get("facts_revealed"):
            st.caption("None: ask clarifying questions early." if missed else "This question has no fact sheet.")
    with right:
        st.subheader("Facts missed", anchor=False)
        for f in data.get("facts_missed") or []:
            st.markdown(f":red[:material/cancel:] {_fact(f)}")
        if not data.get("facts_missed"):
            st.caption("None missed." if drawn else "This question has no fact sheet.")
    if data.get("assumptions"):
        st.subheader("Assumptions you stated", anchor=False)
        for a in data["assumptions"]:
            st.markdown(f":blue[:material/edit_note:] {a}")
    if data.get("hints"):
        with st.expander(f"Hints ({len(data['hints'])}): {data.get('hint_note', '')}",
                         icon=":material/lightbulb:"):
            for h in data["hints"]:
                cites = "; ".join(f"{x.get('source', '')} › {x.get('heading', '')}" for x in h.get("sources") or [])
                topic = f" on {h['topic']}" if h.get("topic") else ""
                st.markdown(f"- **{str(h.get('stage', '')).capitalize()}**{topic}" + (f" ({cites})" if cites else ""))
    if data.get("study_next"):
        st.subheader("Study next", anchor=False)
        for ref in data["study_next"]:
            heading = ref.get("heading") if isinstance(ref, dict) else ""
            source = ref.get("source") if isinstance(ref, dict) else str(ref)
            st.markdown(f"- **{source}** › {heading}" if heading else f"- **{source}**")
    st.download_button("Download the report (Markdown)", markdown, file_name=f"interview-{sid}.md",
                       mime="text/markdown", icon=":material/download:", type="primary")


def _fact(item: Any) -> str:
    if isinstance(item, dict):
        main = item.get("topic") or item.get("title") or item.get("id") or ""
        extra = item.get("answer") or item.get("heading") or item.get("source") or ""
        return f"**{main}** — {extra}" if extra and main else str(main or extra)
    return str(item)
