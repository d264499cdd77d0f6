"""History: past interviews with their scores; resume one or open its report; scores over time."""

from __future__ import annotations

import streamlit as st

from ui import components, reportview, resources

st.title("History", anchor=False)
settings = resources.settings()


def open_session(sid: str) -> None:
    st.session_state["session_id"] = sid
    st.switch_page("views/interview.py", query_params={"session": sid})


with components.user_errors("Reading past interviews"):
    import pandas as pd

    from interviewer.report.history import list_history, stage_scores_over_time

    items = list_history(resources.store(settings))
    flow = resources.flow(settings)
    names = {s.id: s.id.capitalize() for s in flow.stages}        # short column labels
    if not items:
        st.info("No interviews yet. Start one on the Interview page.", icon=":material/forum:")
        st.page_link("views/interview.py", label="Start an interview", icon=":material/play_arrow:")
    else:
        table = pd.DataFrame([{
            "started": i.started, "problem": i.title,
            "status": "ended" if i.status == "ended" else f"in progress · {names.get(i.stage, i.stage)}",
            "level": i.level or "—", "score": i.overall,
            **{names[s]: i.stages.get(s) for s in names},
        } for i in items])
        stage_cols = {names[s]: st.column_config.NumberColumn(names[s], format="%d", width="small")
                      for s in names}
        st.dataframe(table, hide_index=True, width="stretch", column_config={
            "problem": st.column_config.TextColumn("problem", width="medium"),
            "score": st.column_config.ProgressColumn("score", min_value=1.0, max_value=4.0, format="%.1f"),
            **stage_cols})

        rows = stage_scores_over_time(items)
        if rows:
            st.subheader("Scores per stage over time", anchor=False)
            df = pd.DataFrame(rows)
            df["stage"] = df["stage"].map(names)
            wide = df.pivot_table(index="started_at", columns="stage", values="score", aggfunc="mean")
            wide.index = pd.to_datetime(wide.index, unit="s")
            st.line_chart(wide[[n for n in names.values() if n in wide.columns]], y_label="score (1–4)",
                          x_label="interview")
        else:
            st.caption("Scores appear here once an interview has ended with a report.")

        st.subheader("Open an interview", anchor=False)
        labels = {i.id: f"{i.started} · {i.title} · {i.status}" for i in items}
        chosen = st.selectbox("Interview", list(labels), format_func=lambda k: labels.get(k, k))
        item = next(i for i in items if i.id == chosen)
        with st.container(horizontal=True):
            if item.status != "ended":
                if st.button("Resume", type="primary", icon=":material/play_arrow:"):
                    open_session(chosen)
            elif st.button("Open report", type="primary", icon=":material/description:"):
                st.session_state["history_report"] = chosen
        if st.session_state.get("history_report") == chosen:
            reportview.report_section(settings, chosen)
