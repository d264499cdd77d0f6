"""Feedback: grade one answer for one stage against the rubric (the score card of `interviewer feedback`)."""

from __future__ import annotations

import streamlit as st

from interviewer.diagram.answer import preview_answer
from interviewer.grading.answer_input import ANSWER_SUFFIXES, EMPTY_ANSWER, answer_text
from interviewer.problems import Problem
from ui import components, reportview, resources

st.title("Feedback on an answer", anchor=False)
st.caption("Paste an answer for one stage (or load it from a file); it is scored 1–4 per rubric "
           "criterion, with your own sentences as evidence and what a stronger answer would add.")

UPLOAD_ERROR = "feedback_upload_error"


def _load_upload() -> None:
    """Put an uploaded file's text in the answer box (the box stays the one source of truth)."""
    st.session_state[UPLOAD_ERROR] = None
    upload = st.session_state.get("feedback_file")
    if upload is None:
        return
    try:
        st.session_state["feedback_answer"] = answer_text(upload.getvalue(), upload.name)
    except ValueError as exc:     # the box keeps what it had
        st.session_state[UPLOAD_ERROR] = str(exc)


settings = resources.settings()
with components.user_errors("Loading the question bank"):
    problems = resources.bank(settings).list()
    flow = resources.flow(settings)
    stage_names = {s.id: s.name for s in flow.stages}

    source = st.radio("Question", ["bank", "own"], horizontal=True,
                      format_func={"bank": "From the question bank", "own": "My own question"}.get)
    titles = {p.id: p.title for p in problems}
    if source == "bank":
        problem_id = st.selectbox("Problem", list(titles), format_func=lambda k: titles.get(k, k))
        question = ""
    else:
        problem_id = None
        question = st.text_area("Your question", placeholder="Design a system that …", height=80)
    stage = st.selectbox("Stage", list(stage_names), format_func=lambda k: stage_names.get(k, k))
    answer = st.text_area("Your answer", height=220, key="feedback_answer",
                          placeholder="Write the answer you would give in this stage…")
    drawn = preview_answer(answer)
    if drawn is not None:             # a diagram in the answer: drawn as it stands, or its error
        if drawn.error:
            st.error(drawn.error, icon=":material/error:")
        else:
            with st.expander("Your diagram", expanded=True, icon=":material/account_tree:"):
                components.diagram_chart(drawn.dot)
    st.file_uploader("…or load it from a file", type=[s.lstrip(".") for s in ANSWER_SUFFIXES],
                     key="feedback_file", on_change=_load_upload,
                     help="A text or Markdown file (UTF-8, up to 1 MB); its text replaces the box above.")
    if st.session_state.get(UPLOAD_ERROR):
        st.error(st.session_state[UPLOAD_ERROR], icon=":material/error:")
    go = st.button("Score my answer", type="primary", icon=":material/grading:")

if go:
    if not answer.strip():
        st.warning(EMPTY_ANSWER[0].upper() + EMPTY_ANSWER[1:] + ".", icon=":material/edit:")
    elif source == "own" and not question.strip():
        st.warning("Type the question the answer is for (or pick one from the question bank).",
                   icon=":material/edit:")
    else:
        with components.user_errors("Scoring"):
            problem = resources.bank(settings).get(problem_id) if source == "bank" else Problem.from_question(question)
            with st.spinner("Scoring against the rubric…"):
                grade = resources.services(settings).feedback.grade(stage=stage, text=answer, problem=problem)
            st.subheader(f"{stage_names[stage]} · {problem.title}", anchor=False)
            reportview.score_card(grade)
