"""The interviewer web app: ``interviewer ui`` (which passes ``ui/streamlit.toml``; a bare
``streamlit run ui/app.py`` runs it on Streamlit's defaults).

Thin: every page calls ``interviewer/`` services. The browser session holds only ids
(the interview's session id, mirrored in ``?session=<id>``) and the in-memory API key.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import components, resources   # the installed ``ui`` package (editable or wheel)

st.set_page_config(page_title="interviewer · ML system design", page_icon="🎯", layout="wide")

# Not "pages/": Streamlit would also auto-discover that folder and run a page without this
# script on a direct URL load (e.g. a reload of /interview?session=...).
VIEWS_DIR = Path(__file__).resolve().parent / "views"
pages = [
    st.Page(VIEWS_DIR / "interview.py", title="Interview", icon=":material/forum:", default=True),
    st.Page(VIEWS_DIR / "feedback.py", title="Feedback", icon=":material/grading:"),
    st.Page(VIEWS_DIR / "history.py", title="History", icon=":material/history:"),
    st.Page(VIEWS_DIR / "settings.py", title="Settings", icon=":material/settings:"),
]
nav = st.navigation(pages)
components.style()
components.sidebar_status()
with components.user_errors("Starting"):
    resources.warm_up()
nav.run()
