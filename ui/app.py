"""The interviewer web app: ``interviewer ui`` (or ``streamlit run ui/app.py``).

Thin: every page calls ``interviewer/`` services. The browser session holds only ids
(the interview's session id, mirrored in ``?session=<id>``) and the in-memory API key.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # so pages can `from ui import ...`
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from ui import components, resources  # noqa: E402

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
