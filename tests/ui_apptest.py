"""Helpers for the AppTest-based UI tests.

All UI tests of a pytest run share one data directory (under pytest's base temp dir), so the
built-in guides are embedded and indexed once, and Streamlit's cached engine is reused.
Tests therefore look for their own session ids rather than assume an empty database.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "ui" / "app.py")
TIMEOUT = 180  # a cold first turn loads the embedding model and indexes the guides


@pytest.fixture
def ui_home(tmp_path_factory, monkeypatch, interviewer_home) -> Path:
    home = tmp_path_factory.getbasetemp() / "ui-shared-home"
    monkeypatch.setenv("INTERVIEWER_HOME", str(home))
    from interviewer.config.settings import reset_settings_cache

    reset_settings_cache()
    return home


def open_page(page: str | None = None, session: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if session:
        at.query_params["session"] = session
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def button(at: AppTest, label: str):
    matches = [b for b in at.button if b.label == label]
    assert matches, f"no button {label!r}; buttons: {[b.label for b in at.button]}"
    return matches[0]


def texts(at: AppTest) -> str:
    """All visible text of the common elements, for 'is it shown' assertions."""
    parts = [e.value for e in (*at.markdown, *at.caption, *at.error, *at.warning, *at.info, *at.success)]
    parts += [e.label for e in at.expander]
    return "\n".join(str(p) for p in parts)


def chat(at: AppTest) -> list[tuple[str, str]]:
    """(avatar/role name, first markdown) of every chat message shown."""
    out = []
    for m in at.chat_message:
        md = m.markdown
        out.append((m.name, md[0].value if len(md) else ""))
    return out


def start_interview(problem_index: int = 0) -> tuple[AppTest, str]:
    at = open_page()
    if problem_index:
        at.selectbox[0].select_index(problem_index)
    button(at, "Start the interview").click().run()
    assert not at.exception, at.exception
    sid = at.session_state["session_id"]
    return at, sid
