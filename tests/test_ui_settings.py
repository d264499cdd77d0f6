"""Settings page in AppTest: offline test-connection, model choice in memory only, bad input."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "ui" / "app.py")


def settings_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("views/settings.py").run()
    assert not at.exception, at.exception
    return at


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_test_connection_offline_says_offline():
    at = settings_page()
    button(at, "Test connection").click().run()
    assert not at.exception
    assert any("offline" in s.value for s in at.success), [e.value for e in at.error]


def test_model_and_key_are_kept_in_memory_only(interviewer_home):
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
    for path in Path(interviewer_home).rglob("*"):
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
