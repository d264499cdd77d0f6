"""Small rendering helpers shared by the pages. Display only: no interview logic."""

from __future__ import annotations

import contextlib
import logging
from typing import Any, Iterator

import streamlit as st

from ui import resources

log = logging.getLogger("interviewer.ui")
EXCERPT_CHARS = 320

CSS = """
<style>
  .block-container {padding-top: 2.2rem; max-width: 1150px;}
  [data-testid="stChatMessage"] {border-radius: 12px;}
  .iv-stages {display: flex; gap: .35rem; margin: .2rem 0 .6rem 0; flex-wrap: wrap;}
  .iv-stage {flex: 1 1 0; min-width: 90px; text-align: center; padding: .35rem .4rem;
             border-radius: 8px; font-size: .82rem; background: #eef1f7; color: #5b6478;
             border: 1px solid #e1e6f0;}
  .iv-stage.done {background: #e3f4ea; color: #1d6b3f; border-color: #c6e8d3;}
  .iv-stage.now {background: #2f5bea; color: #fff; border-color: #2f5bea; font-weight: 600;}
  .iv-clock {font-variant-numeric: tabular-nums; font-size: .92rem; color: #1c2333;
             display: flex; justify-content: space-between; padding: .1rem 0;}
  .iv-clock b {font-size: 1.1rem;}
  .iv-over {color: #c0392b;}
  .iv-muted {color: #6b7385; font-size: .86rem;}
</style>
"""


def style() -> None:
    st.html(CSS)


def sidebar_status() -> None:
    """Which model answers and whether a key is held (never the key itself)."""
    try:
        s = resources.settings()
        model = s.effective_model()
    except Exception as exc:  # bad environment settings: say so, keep the app usable
        st.sidebar.error(f"Settings problem: {exc}")
        return
    with st.sidebar:
        if model == "offline":
            st.badge("Offline interviewer", icon=":material/wifi_off:", color="green")
            st.caption("No model, no network: templates and the local grader.")
        else:
            st.badge(model, icon=":material/smart_toy:", color="blue")
        if resources.api_key():
            st.caption("API key held in this tab's memory only.")


@contextlib.contextmanager
def user_errors(what: str) -> Iterator[None]:
    """Show a one-line error instead of a traceback; the details go to the server log."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - the UI never shows a traceback (st.rerun is a BaseException)
        log.warning("%s failed: %s", what, exc, exc_info=True)
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        st.error(f"{what} failed: {msg or type(exc).__name__}")


def fmt_clock(seconds: float) -> str:
    sign = "-" if seconds < 0 else ""
    seconds = abs(int(round(seconds)))
    return f"{sign}{seconds // 60:d}:{seconds % 60:02d}"


def stage_bar(stages: list[tuple[str, str, str]], current: str, visited: list[str], ended: bool = False) -> None:
    """The stages (id, short label, full name) as a row of pills: done, now, to come."""
    from html import escape

    cells = []
    for i, (sid, label, name) in enumerate(stages, 1):
        cls = "done" if (sid in visited and (sid != current or ended)) else ""
        if sid == current and not ended:
            cls = "now"
        mark = "✓ " if cls == "done" else ""
        cells.append(f'<div class="iv-stage {cls}" title="{escape(name)}">{mark}{i}. {escape(label)}</div>')
    st.html('<div class="iv-stages">' + "".join(cells) + "</div>")


def sources_expander(title: str, sources: list[Any], expanded: bool = False) -> None:
    """Citations (source file › heading) with the cited text."""
    with st.expander(title, expanded=expanded, icon=":material/menu_book:"):
        if not sources:
            st.caption("No guidance found for this.")
        for hit in sources:
            source = _get(hit, "source")
            heading = _get(hit, "heading")
            st.markdown(f"**{source}** › {heading}" if heading else f"**{source}**")
            text = " ".join(str(_get(hit, "text") or "").replace("**", "").split())
            if text:
                st.caption(text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS].rsplit(" ", 1)[0] + " …")


def _get(obj: Any, name: str, default: Any = "") -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def ingest_with_progress(kb: Any, paths: list[Any]) -> Any:
    """Run ``kb.ingest`` with a progress bar that moves after each file."""
    bar = st.progress(0.0, text="Ingesting…")

    def report(done: int, total: int, name: str = "") -> None:
        frac = 1.0 if not total else min(1.0, done / total)
        bar.progress(frac, text=f"Ingesting {done}/{total} {name}".rstrip())

    summary = kb.ingest(paths, on_file=report)
    bar.progress(1.0, text="Done")
    return summary


_CLOCK_HTML = """
<div style="font-family: 'Source Sans Pro', 'Source Sans 3', sans-serif; color: #1c2333;">
  <div class="row"><span>Stage time left</span><b id="stage">{stage}</b></div>
  <div class="row"><span>Interview time left</span><b id="total">{total}</b></div>
</div>
<style>
  body {{margin: 0;}}
  .row {{display: flex; justify-content: space-between; padding: .1rem 0; font-size: .92rem;
         font-variant-numeric: tabular-nums;}}
  .row b {{font-size: 1.1rem;}}
  .over {{color: #c0392b;}}
</style>
<script>
  const deadlines = {{stage: {stage_ms}, total: {total_ms}}};
  function fmt(s) {{
    const sign = s < 0 ? "-" : ""; s = Math.abs(Math.round(s));
    return sign + Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }}
  function tick() {{
    for (const id of ["stage", "total"]) {{
      const left = Math.max(0, (deadlines[id] - Date.now()) / 1000);
      const el = document.getElementById(id);
      el.textContent = fmt(left);
      el.className = left <= 0 ? "over" : "";
    }}
  }}
  tick(); setInterval(tick, 1000);
</script>
"""


def live_clock(stage_deadline: float, total_deadline: float) -> None:
    """Time left in the stage and overall, ticking in the browser.

    The countdown runs in the page's own JavaScript: a ``st.fragment(run_every=...)`` clock
    would rerun Python every second, and such a rerun arriving while a slow turn is being
    processed can cut the run short and drop the message just typed.
    """
    import time

    from streamlit.components.v1 import html

    now = time.time()
    html(_CLOCK_HTML.format(stage=fmt_clock(stage_deadline - now), total=fmt_clock(total_deadline - now),
                            stage_ms=int(stage_deadline * 1000), total_ms=int(total_deadline * 1000)),
         height=56)


def diagram_chart(dot: str) -> None:
    """A diagram drawn by the browser-side Graphviz that Streamlit ships (no CDN, no server binary)."""
    if dot:
        st.graphviz_chart(dot, width="stretch")


def drawn_or_source(dot: str, source: str, error: str | None = None) -> None:
    """A diagram of a message: drawn by ``st.graphviz_chart``, else (no DOT, or the chart cannot
    be shown) its Mermaid source as code, with the reason under it."""
    if dot:
        try:
            st.graphviz_chart(dot, width="stretch")
            return
        except Exception as exc:  # the drawing is an extra: the words stay readable
            error = error or f"the diagram cannot be drawn here ({' '.join(str(exc).split())[:120]})"
    st.code(source, language="mermaid")
    if error:
        st.caption(error)


def diagram_checks(part) -> None:
    """What a graded diagram (a ``DiagramPart``) covers and lacks, one line per graph check."""
    st.caption(f"{part.nodes} boxes · {part.edges} links")
    for cid in part.covered:
        st.markdown(f":green[:material/check_circle:] {part.notes.get(cid, cid)}")
    for cid in part.missing:
        st.markdown(f":orange[:material/error:] {part.notes.get(cid, cid)}")
