"""Settings page in AppTest: offline test-connection, model choice in memory only, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui_apptest import open_page, ui_home  # noqa: F401

pytestmark = pytest.mark.usefixtures("ui_home")


def settings_page() -> AppTest:
    return open_page("views/settings.py")


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_test_connection_offline_says_offline():
    at = settings_page()
    button(at, "Test connection").click().run()
    assert not at.exception
    assert any("offline" in s.value for s in at.success), [e.value for e in at.error]


def test_model_and_key_are_kept_in_memory_only(ui_home):
    at = settings_page()
    at.selectbox[0].select("openai")
    at.text_input[0].input("gpt-4o-mini")
    at.text_input[1].input("http://127.0.0.1:9/v1")      # nothing listens: a provider that fails
    at.text_input[2].input("sk-test-secret-123456789")
    next(b for b in at.button if b.label == "Apply").click().run()
    assert not at.exception
    assert at.session_state["settings_overrides"]["model"] == "openai:gpt-4o-mini"
    assert "sk-test-secret-123456789" not in str(at.session_state["settings_overrides"])
    shown = " ".join(str(e.value) for e in [*at.markdown, *at.caption, *at.toast])
    assert "openai:gpt-4o-mini" in shown and "sk-test" not in shown
    button(at, "Test connection").click().run()
    assert not at.exception
    assert at.error, "a provider that cannot be reached shows an error"
    assert "sk-test-secret" not in at.error[0].value
    # nothing about the key was written under the data directory
    for path in Path(ui_home).rglob("*"):
        if path.is_file():
            assert b"sk-test-secret-123456789" not in path.read_bytes(), path


def test_provider_embeddings_need_provider_and_model():
    at = settings_page()
    at.radio[0].set_value("provider")
    at.text_input[3].input("nonsense")
    next(b for b in at.button if b.label == "Apply embeddings").click().run()
    assert not at.exception
    assert any("provider:model" in e.value for e in at.error)


def test_ingest_of_a_missing_folder_is_a_clear_error(tmp_path):
    at = settings_page()
    at.text_input[4].input(str(tmp_path / "nope"))
    button(at, "Re-ingest knowledge").click().run()
    assert not at.exception
    assert any("Not found" in e.value for e in at.error)


def test_ingest_a_folder_of_notes_reports_what_was_indexed(tmp_path, ui_home):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "feature-store.md").write_text(
        "# Feature stores\n\n## Point-in-time joins\n\nTraining features must be joined as of the "
        "label's timestamp, or the model sees the future and offline metrics lie.\n")
    at = settings_page()
    at.text_input[4].input(str(notes))
    button(at, "Re-ingest knowledge").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("1 file" in s.value and "chunks added" in s.value for s in at.success), \
        [s.value for s in at.success]
