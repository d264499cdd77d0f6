"""Interview: choose a problem, talk through the flow's stages, get the report at the end.

The browser session holds only the session id (also in ``?session=<id>``, so a reload
resumes from SQLite); the engine decides and the voice words every reply.
"""

from __future__ import annotations

import time

import streamlit as st

from interviewer.diagram.answer import message_pieces
from interviewer.engine.classify import Command
from interviewer.engine.turn_input import MAX_TURN_CHARS, TurnError
from interviewer.engine.moves import MoveKind
from ui import components, reportview, resources

SID = "session_id"
DRAFT = "draft"                       # a message that was not sent (too long, refused), kept for editing
CHAT_KEY = "chat_box"
DIAGRAM_KEY = "diagram_box"
LENGTHS = [20, 30, 45, 60, 90]
AVATAR_IV = ":material/record_voice_over:"
AVATAR_ME = ":material/person:"
ACTIONS = {Command.HINT: ":material/lightbulb: You asked for a hint",
           Command.NEXT: ":material/skip_next: You moved to the next stage",
           Command.END: ":material/flag: You ended the interview",
           Command.HELP: ":material/help: You asked for help"}


def current_session_id() -> tuple[str | None, bool]:
    """This tab's interview and whether it was just attached from ``?session=<id>``
    (a reload, or a link from History): the URL wins over memory."""
    from_url = st.query_params.get("session")
    attached = bool(from_url) and from_url != st.session_state.get(SID)
    if attached:
        st.session_state[SID] = from_url
    sid = st.session_state.get(SID)
    if sid and st.query_params.get("session") != sid:
        st.query_params["session"] = sid
    return sid, attached


def forget_session() -> None:
    st.session_state.pop(SID, None)
    st.session_state.pop(DRAFT, None)
    st.query_params.pop("session", None)


def start_form(settings) -> None:
    st.title("Mock interview", anchor=False)
    stages = len(resources.flow(settings).stages)
    st.caption(f"ML system design · {stages} stages · clarifying questions answered from a hidden fact sheet · "
               "hints with cited sources · a scored report at the end")
    problems = resources.bank(settings).list()
    default_minutes = settings.interview_minutes
    with st.form("start", border=True):
        source = st.radio("Problem", ["bank", "own"], horizontal=True,
                          format_func={"bank": "From the question bank", "own": "My own question"}.get)
        titles = {p.id: p.title for p in problems}
        problem_id = st.selectbox("Question bank", list(titles), format_func=lambda k: titles.get(k, k),
                                  disabled=not problems, help="Used when 'From the question bank' is chosen.")
        question = st.text_area("Your own question", placeholder="Design a system that recommends …",
                                help="Used when 'My own question' is chosen. With an LLM set, a hidden "
                                     "fact sheet is drafted for it; offline, state your assumptions.")
        options = sorted(set(LENGTHS + [default_minutes]))
        minutes = st.select_slider("Length (minutes)", options=options, value=default_minutes)
        go = st.form_submit_button("Start the interview", type="primary", icon=":material/play_arrow:")
    if go:
        kwargs = {"minutes": minutes}
        if source == "own":
            if not question.strip():
                st.error("Type your question first (or choose one from the question bank).")
                return
            kwargs["question"] = question
        else:
            if not problem_id:
                st.error("The question bank is empty: type your own question.")
                return
            kwargs["problem_id"] = problem_id
        with components.user_errors("Starting the interview"):
            with st.spinner("Preparing the interview…"):
                reply = resources.engine(settings).start(**kwargs)
                reply.wait()                    # the welcome is shown from the saved transcript
            st.session_state[SID] = reply.session_id
            st.query_params["session"] = reply.session_id
            st.rerun()
    if problems:
        with st.expander("What is in the question bank?", icon=":material/list:"):
            for p in problems:
                st.markdown(f"**{p.title}** — {p.statement}")


def header(state, flow) -> None:
    stages = [(s.id, s.id.capitalize(), s.name) for s in flow.stages]
    st.subheader(state.problem.title, anchor=False)
    components.stage_bar(stages, state.stage, state.stages_visited, ended=state.status == "ended")
    with st.expander("Problem statement", icon=":material/description:"):
        st.markdown(state.problem.statement)


def controls(engine, state, flow) -> tuple[bool, bool, bool]:
    """The sidebar while interviewing: where we are, time left, Hint / Next stage / End."""
    with st.sidebar:
        number = [s.id for s in flow.stages].index(state.stage) + 1
        st.markdown(f"**Stage {number} of {len(flow.stages)}** · {flow.stage(state.stage).name}")
        left = engine.remaining(state.session_id)
        now = time.time()
        components.live_clock(now + left["stage"], now + left["total"])
        hint = st.button("Hint", icon=":material/lightbulb:", width="stretch",
                         help="Guidance from the knowledge base, with its sources.")
        nxt = st.button("Next stage", icon=":material/skip_next:", width="stretch",
                        disabled=flow.next_stage(state.stage) is None)
        end = st.button("End interview", icon=":material/flag:", width="stretch", type="primary",
                        help="End now and get the report.")
    return hint, nxt, end


def diagram_box(sid: str, state) -> str | None:
    """The diagram box of a stage that offers one: a Mermaid flowchart (the starter template,
    or the last diagram sent) beside its drawing; returns the message to send when asked."""
    from interviewer.diagram import STARTER_TEMPLATE
    from interviewer.diagram.answer import as_message, preview

    key = f"{DIAGRAM_KEY}_{sid}"
    if key not in st.session_state:
        st.session_state[key] = state.latest_diagram or STARTER_TEMPLATE
    with st.expander("Diagram", expanded=True, icon=":material/account_tree:"):
        st.caption("Draw the design as a Mermaid flowchart: boxes `A[Ranker]`, databases `B[(Store)]`, "
                   "links `A --> B` or `A -->|features| B`. The drawing updates as you edit "
                   "(Ctrl+Enter); the interviewer reads it when you send it.")
        left, right = st.columns(2)
        with left:
            text = st.text_area("Diagram (Mermaid)", key=key, height=280, label_visibility="collapsed")
            drawn = preview(text)
            if drawn.error:
                st.error(drawn.error, icon=":material/error:")
            send = st.button("Send the diagram", icon=":material/send:", disabled=bool(drawn.error))
        with right:
            components.diagram_chart(drawn.dot)
    return as_message(text) if send and not drawn.error else None


def show_reply(reply) -> None:
    """Stream an interviewer reply into the chat, with its notice and citations."""
    with st.chat_message("assistant", avatar=AVATAR_IV):
        st.write_stream(reply.stream())
        sources = [h for m in reply.moves for h in m.sources]
        if MoveKind.HINT in reply.kinds or sources:
            components.sources_expander(f"Hint sources ({len(sources)})", sources)
        if reply.notice:
            st.info(reply.notice, icon=":material/info:")


def candidate_message(text: str) -> None:
    """The candidate's words, with each diagram in them drawn in its place (Graphviz in the
    browser, offline), or shown as its Mermaid source when it cannot be drawn."""
    with st.chat_message("user", avatar=AVATAR_ME):
        for piece in message_pieces(text):
            if piece.kind == "diagram":
                components.drawn_or_source(piece.dot, piece.text, piece.error)
            else:
                st.markdown(piece.text)


def transcript(engine, sid: str) -> None:
    for t in engine.history(sid):
        if t.role == "candidate":
            if t.command is not None:       # a button press or a typed command, not words
                st.caption(ACTIONS[t.command])
                continue
            candidate_message(t.text)
            continue
        with st.chat_message("assistant", avatar=AVATAR_IV):
            st.markdown(t.text)
            if t.is_hint or t.sources:
                components.sources_expander(f"Hint sources ({len(t.sources)})", list(t.sources))
            if t.notice:
                st.info(t.notice, icon=":material/info:")


def interview(sid: str, settings) -> None:
    """The page for one session, top to bottom: header, controls, transcript, the diagram box
    in the design stage, then the chat input and its reply. Kept in one function because
    Streamlit draws in call order and each part reads the controls' clicks."""
    engine = resources.engine(settings)
    state = engine.state(sid)
    flow = resources.flow(settings)
    header(state, flow)
    ended = state.status == "ended"
    hint, nxt, end = (False, False, False) if ended else controls(engine, state, flow)
    with st.sidebar:
        if st.button("New interview", icon=":material/add:", width="stretch"):
            forget_session()
            st.rerun()

    transcript(engine, sid)

    if ended:
        unsent = st.session_state.get(CHAT_KEY)
        if isinstance(unsent, str) and unsent.strip():   # typed while it ended (e.g. in another tab)
            st.warning("This interview had already ended, so your last message was not sent. "
                       "Here it is to copy:", icon=":material/warning:")
            st.code(unsent, language=None, wrap_lines=True)
        reportview.report_section(settings, sid)
        return

    limit = MAX_TURN_CHARS
    draft = st.session_state.get(DRAFT)            # {"text", "why"}: a message that was not sent
    if draft is not None:
        st.warning(f"Your last message was not sent: {draft['why']} It is kept below: "
                   "edit it if needed and send it from there.", icon=":material/warning:")
        edited = st.text_area("Unsent message", value=draft["text"], height=200, key="draft_box")
        with st.container(horizontal=True):
            if st.button("Send", type="primary"):
                st.session_state[DRAFT] = {**draft, "text": edited}
                st.session_state["send_draft"] = True
                st.rerun()
            if st.button("Discard"):
                st.session_state.pop(DRAFT, None)
                st.rerun()

    drawn = diagram_box(sid, state) if flow.stage(state.stage).diagram else None
    prompt = st.chat_input("Answer, or ask a clarifying question…", key=CHAT_KEY)
    if prompt is None and drawn is not None:
        prompt = drawn
    if st.session_state.pop("send_draft", False):
        prompt = st.session_state[DRAFT]["text"]
    with components.user_errors("The interviewer"):
        if prompt is not None:
            if not prompt.strip():
                st.warning("That message is empty: type an answer or a question.", icon=":material/edit:")
            elif len(prompt) > limit:
                st.session_state[DRAFT] = {"text": prompt, "why": f"it has {len(prompt):,} characters and "
                                                                  f"the limit is {limit:,}."}
                st.rerun()
            else:
                st.session_state.pop(DRAFT, None)
                candidate_message(prompt)
                try:
                    reply = engine.take_turn(sid, prompt)
                except Exception as exc:                # keep the words unless they were saved
                    if not (isinstance(exc, TurnError) and exc.saved):
                        st.session_state[DRAFT] = {"text": prompt, "why": f"{str(exc).rstrip('.')}."}
                    raise
                show_reply(reply)                       # saved by the engine, read or not
                if reply.ended or reply.stage != state.stage:
                    st.rerun()
        elif hint:
            show_reply(engine.command(sid, Command.HINT))
        elif nxt:
            show_reply(engine.command(sid, Command.NEXT))
            st.rerun()
        elif end:
            show_reply(engine.command(sid, Command.END))
            st.rerun()


settings = resources.settings()

sid, attached = current_session_id()
if not sid:
    with components.user_errors("Loading the question bank"):
        start_form(settings)
else:
    try:
        record = resources.store(settings).get_session(sid)
    except KeyError:
        st.error(f"No interview with id '{sid}' here. Start a new one.")
        forget_session()
        if st.button("Start a new interview"):
            st.rerun()
    else:
        with components.user_errors("Showing the interview"):
            if attached and record.status != "ended":
                resources.engine(settings).resume(sid)   # "welcome back"; time away not counted
            interview(sid, settings)
