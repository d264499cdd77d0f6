"""End to end in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright):
start `interviewer ui` on 127.0.0.1, run a short offline interview, ask for a hint, end it, see
the report. Screenshots go to artifacts/ (and, with UPDATE_SCREENSHOT=1, to docs/screenshot.png for the README)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from ui_harness import REPO, browser_page, chromium_path, running_app, wait_idle

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

ARTIFACTS = REPO / "artifacts"
SCREENSHOT = REPO / "docs" / "screenshot.png"
SLOW = 180_000  # ms: a cold first turn loads the embedding model and indexes the guides


def _need_browser() -> None:
    missing = []
    if chromium_path() is None:
        missing.append("chromium (apt-get install chromium)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing.append("playwright (pip install playwright)")
    if missing:
        msg = "browser test needs " + ", ".join(missing)
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(msg)
        pytest.skip(msg)


def send(page, text: str) -> None:
    """Type into the chat box, press Enter, wait for the interviewer's reply to render."""
    before = page.get_by_test_id("stChatMessage").count()
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(text)
    box.press("Enter")
    page.wait_for_function(
        f"() => document.querySelectorAll('[data-testid=\"stChatMessage\"]').length >= {before + 2}",
        timeout=SLOW)


def test_offline_interview_in_a_real_browser(tmp_path):
    _need_browser()
    ARTIFACTS.mkdir(exist_ok=True)
    home = tmp_path / "home"
    with running_app(home, log_path=ARTIFACTS / "ui-browser-server.log") as url, browser_page() as page:
        page.goto(url)
        page.get_by_role("button", name="Start the interview").wait_for(timeout=60_000)
        page.get_by_text("My own question").click()
        page.get_by_role("textbox", name="Your own question").fill(
            "Design a system that recommends short videos to new users of a mobile app.")
        page.get_by_role("button", name="Start the interview").click()
        page.get_by_test_id("stChatMessage").first.wait_for(timeout=SLOW)
        assert re.search(r"[?&]session=\w+", page.url), page.url
        assert "recommends short videos" in page.get_by_test_id("stChatMessage").first.inner_text()

        send(page, "Who are the users, and is this for the home feed or a separate tab?")
        send(page, "I would optimise for watch time per session, with a guardrail on user retention "
                   "and on creator diversity; offline I would track recall at 50 and NDCG.")

        page.get_by_role("button", name="Hint").click()
        hint = page.get_by_test_id("stExpander").filter(has_text="Hint sources").last
        hint.wait_for(timeout=SLOW)
        hint.locator("summary").click()
        cited = hint.inner_text()
        assert ".md" in cited, cited
        # Streamlit scrolls inside its main container, so a tall viewport shows the whole chat
        page.set_viewport_size({"width": 1280, "height": 1700})
        page.wait_for_timeout(800)
        page.evaluate("() => document.querySelectorAll('*').forEach(e => { if (e.scrollTop > 0) e.scrollTop = 0; })")
        page.wait_for_timeout(300)
        page.screenshot(path=str(ARTIFACTS / "ui-interview.png"))
        if os.environ.get("UPDATE_SCREENSHOT"):  # refresh the README's picture on purpose only
            page.screenshot(path=str(SCREENSHOT))
        page.set_viewport_size({"width": 1280, "height": 900})

        # a reload (direct load of /?session=<id>) resumes the same interview from SQLite
        count = page.get_by_test_id("stChatMessage").count()
        page.reload()
        page.get_by_role("button", name="End interview").wait_for(timeout=SLOW)
        page.wait_for_function(
            f"() => document.querySelectorAll('[data-testid=\"stChatMessage\"]').length >= {count}",
            timeout=SLOW)
        assert "Who are the users" in page.get_by_test_id("stChatMessage").nth(1).inner_text()

        page.get_by_role("button", name="End interview").click()
        report = page.get_by_role("heading", name="Report")
        failed = page.get_by_test_id("stAlertContentError")
        report.or_(failed).first.wait_for(timeout=SLOW)
        assert failed.count() == 0, failed.first.inner_text()
        page.get_by_text("Score per stage").wait_for(timeout=SLOW)
        download = page.get_by_test_id("stDownloadButton")
        download.wait_for(timeout=SLOW)
        assert "Download the report" in download.inner_text()
        height = page.evaluate("() => Math.max(...[...document.querySelectorAll('*')]"
                               ".map(e => e.scrollHeight))")
        page.set_viewport_size({"width": 1280, "height": min(int(height) + 100, 6000)})
        page.wait_for_timeout(1000)
        page.screenshot(path=str(ARTIFACTS / "ui-report.png"))
        assert page.get_by_test_id("stException").count() == 0


def test_feedback_answer_loaded_from_a_file_in_a_real_browser(tmp_path):
    """Upload fills the answer box; a binary file is refused with a message and the box keeps its text."""
    _need_browser()
    good = tmp_path / "answer.md"
    good.write_text("Offline I'd use PR-AUC because fraud is rare; online, fraud loss per dollar in an A/B test.\n")
    bad = tmp_path / "photo.txt"
    bad.write_bytes(b"\x89PNG\x00\x00binary")
    with running_app(tmp_path / "home") as url, browser_page() as page:
        page.goto(url + "/feedback")
        box = page.get_by_role("textbox", name="Your answer")
        box.wait_for(timeout=60_000)
        page.locator("input[type=file]").set_input_files(str(good))
        page.wait_for_function("() => [...document.querySelectorAll('textarea')]"
                               ".some(t => t.value.includes('fraud loss per dollar'))", timeout=30_000)
        page.locator("input[type=file]").set_input_files(str(bad))
        alert = page.get_by_test_id("stAlertContentError")
        alert.wait_for(timeout=30_000)
        assert "binary input" in alert.inner_text() and "photo.txt" in alert.inner_text()
        assert "fraud loss per dollar" in box.input_value()               # nothing lost
        page.get_by_role("button", name="Score my answer").click()
        page.get_by_text("Strengths").first.wait_for(timeout=SLOW)
        assert page.get_by_test_id("stException").count() == 0


def test_design_stage_diagram_is_drawn_and_sent_in_a_real_browser(tmp_path):
    """The design stage's diagram box: the starter template drawn as an <svg> by the browser-side
    Graphviz Streamlit bundles (no network), an edited diagram redrawn, sent and answered."""
    _need_browser()
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with running_app(tmp_path / "home") as url, browser_page(height=1400) as page:
        page.goto(url)
        page.get_by_role("button", name="Start the interview").wait_for(timeout=60_000)
        page.get_by_role("button", name="Start the interview").click()
        page.get_by_test_id("stChatMessage").first.wait_for(timeout=SLOW)
        box = page.get_by_role("textbox", name="Diagram (Mermaid)")
        for _ in range(6):                      # on to the stage that offers the diagram box
            wait_idle(page, SLOW)
            try:    # drawn after the transcript in the same run: give a slow run time to reach it
                box.wait_for(timeout=10_000)
                break
            except PlaywrightTimeout:
                pass
            shown = page.locator("strong", has_text=re.compile(r"^Stage \d+ of \d+$")).first.inner_text()
            page.get_by_role("button", name="Next stage").click()
            # wait for the next stage to be drawn, not only the click to be answered: a box left on
            # the page by the stage before must not pass for this one's, nor a slow redraw for none
            page.wait_for_function(
                "(before) => [...document.querySelectorAll('strong')].some("
                "e => /^Stage \\d+ of \\d+$/.test(e.innerText) && e.innerText !== before)",
                arg=shown, timeout=SLOW)
        box.wait_for(timeout=SLOW)
        assert "flowchart LR" in box.input_value()
        svg = page.get_by_test_id("stGraphVizChart").locator("svg")
        try:        # in a full run on two cores the first drawing waited out 60 s once (CI)
            svg.first.wait_for(timeout=SLOW)
        except Exception:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "ui-diagram-preview-failed.png"), full_page=True)
            raise
        assert "Candidate generation" in svg.first.inner_html()

        box.fill("flowchart LR\n  user[Member] --> server[Feed server] --> model[Model] --> db[(Database)]")
        box.press("Control+Enter")
        page.wait_for_function("() => [...document.querySelectorAll('[data-testid=\"stGraphVizChart\"] svg')]"
                               ".some(s => s.innerHTML.includes('Feed server'))", timeout=60_000)
        before = page.get_by_test_id("stChatMessage").count()
        page.get_by_role("button", name="Send the diagram").click()
        ARTIFACTS.mkdir(exist_ok=True)
        try:        # the first answer of a fresh install may wait for the listener to be fitted
            page.wait_for_function(
                f"() => document.querySelectorAll('[data-testid=\"stChatMessage\"]').length >= {before + 2}",
                timeout=2 * SLOW)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "ui-diagram-failed.png"), full_page=True)
            raise
        wait_idle(page, SLOW)
        page.wait_for_function(        # the funnel probe, streamed into the last message
            "() => { const m = [...document.querySelectorAll('[data-testid=\"stChatMessage\"]')];"
            " return m.length && m[m.length - 1].innerText.includes('million'); }", timeout=60_000)
        reply = page.get_by_test_id("stChatMessage").last.inner_text()
        assert "diagram" in reply.lower(), reply
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "ui-diagram.png"))
        assert page.get_by_test_id("stException").count() == 0
