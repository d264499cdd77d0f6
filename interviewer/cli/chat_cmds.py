"""``interviewer chat``, ``problems``, ``sessions`` and ``resume``: the interview in the terminal.

Interactive with a live prompt on a terminal; with piped stdin, one candidate turn per line
(``/hint``, ``/next``, ``/end``, ``/help``), and end of input ends the interview. ``/diagram``
starts a Mermaid diagram that the lines up to ``/end`` complete; ``/diagram FILE`` sends a file.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import Optional

import typer

from interviewer.cli.common import fail, services, user_errors
from interviewer.engine.classify import Command
from interviewer.engine.turn_input import TurnError
from interviewer.errors import describe_error
from interviewer.report.build import render_markdown
from interviewer.storage.sessions import StoreError


DIAGRAM_PROMPT = "diagram> "


def _fmt_seconds(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}"


def _engine():
    return services().engine


def _warm(engine, session_id: str, knowledge: bool) -> threading.Thread:
    """Load the embedding model (and, at a live prompt, the guides' index) while the candidate reads."""
    def work():
        try:
            engine.warm(session_id)
            kb = engine.knowledge() if knowledge else None
            if kb is not None and hasattr(kb, "ensure_ready"):
                kb.ensure_ready()
        except Exception:  # warming is best effort; the turn that needs it reports errors
            pass
    thread = threading.Thread(target=work, name="interviewer-warm", daemon=True)
    thread.start()
    return thread


def _show(reply) -> None:
    out = sys.stdout
    out.write("\ninterviewer> ")
    for chunk in reply.stream():
        out.write(chunk)
        out.flush()
    out.write("\n")
    out.flush()
    if reply.notice:
        typer.secho(f"note: {reply.notice}", fg=typer.colors.YELLOW, err=True)


def _prompt(engine, session_id: str) -> str:
    state = engine.state(session_id)
    left = engine.remaining(session_id)
    name = engine.flow.stage(state.stage).name
    return f"\n[{name} · {_fmt_seconds(left['stage'])} left in stage · {_fmt_seconds(left['total'])} overall]\nyou> "


class _Lines:
    """Candidate lines: from a live prompt on a terminal, else one per stdin line. While a
    diagram is being entered the prompt is ``diagram>`` (piped lines are echoed the same way)."""

    def __init__(self, engine, session_id: str):
        self.engine, self.session_id = engine, session_id
        self.drawing = False

    def __iter__(self):
        if sys.stdin.isatty():
            while True:
                try:
                    yield input(DIAGRAM_PROMPT if self.drawing else _prompt(self.engine, self.session_id))
                except EOFError:
                    return
        else:
            for line in sys.stdin:
                line = line.rstrip("\r\n")
                sys.stdout.write(f"{DIAGRAM_PROMPT}{line}\n" if self.drawing else f"\nyou> {line}\n")
                yield line


def _diagram_file(name: str) -> str:
    """The answer in FILE: sent as written when it holds a diagram block, else as a diagram."""
    from pathlib import Path

    from interviewer.diagram.answer import read_answer
    from interviewer.grading.answer_input import answer_text

    path = Path(name).expanduser()
    if not path.is_file():
        raise ValueError(f"{name}: no such file")
    text = answer_text(path.read_bytes(), name)
    return text if read_answer(text).has_blocks else f"```mermaid\n{text.strip()}\n```"


def _turns(lines: _Lines):
    """Candidate turns: each line, except that ``/diagram`` gathers the lines up to ``/end``
    (an ``/end`` there closes the diagram, not the interview) and ``/diagram FILE`` reads FILE."""
    it = iter(lines)
    for line in it:
        word, _, arg = line.strip().partition(" ")
        if word.lower() != "/diagram":
            yield line
            continue
        if arg.strip():
            try:
                yield _diagram_file(arg.strip())
            except (OSError, ValueError) as exc:
                typer.secho(f"error: {describe_error(exc)}; nothing was sent", fg=typer.colors.RED, err=True)
            continue
        typer.echo("Type the diagram (a Mermaid flowchart, e.g. 'flowchart LR'); /end sends it.", err=True)
        body, closed = [], False
        lines.drawing = True
        try:
            for part in it:
                if part.strip().lower() == "/end":
                    closed = True
                    break
                body.append(part)
        finally:
            lines.drawing = False
        if not "".join(body).strip():
            typer.secho("note: the diagram was empty; nothing was sent", fg=typer.colors.YELLOW, err=True)
        else:
            if not closed:
                typer.secho("note: input ended inside the diagram; sending it as typed",
                            fg=typer.colors.YELLOW, err=True)
            yield "```mermaid\n" + "\n".join(body) + "\n```"
        if not closed:
            return


def _run(engine, reply) -> None:
    session_id = reply.session_id
    _show(reply)
    if reply.ended:
        return
    warming = _warm(engine, session_id, knowledge=sys.stdin.isatty())
    try:
        for line in _turns(_Lines(engine, session_id)):
            try:
                reply = engine.take_turn(session_id, line)
            except TurnError as exc:
                typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
                continue
            except Exception as exc:  # e.g. the embedding model failed to load; the turn is saved
                typer.secho(f"error: {describe_error(exc, 300)}", fg=typer.colors.RED, err=True)
                continue
            _show(reply)
            if reply.ended:
                break
        else:
            reply = engine.command(session_id, Command.END)      # end of input ends the interview
            _show(reply)
    except KeyboardInterrupt:
        typer.echo(f"\ninterrupted: the session is saved; continue with `interviewer resume {session_id}`",
                   err=True)
        raise typer.Exit(130)
    finally:
        # torch aborts the process if it exits while a thread is still encoding.
        warming.join()
    _finish(engine, session_id)


def _finish(engine, session_id: str) -> None:
    typer.echo("")
    try:
        typer.echo(render_markdown(engine.services.reports.build(session_id)))
    except Exception as exc:  # the report is extra; the session itself is saved
        typer.secho(f"note: could not build the report ({describe_error(exc)})", err=True,
                    fg=typer.colors.YELLOW)
        typer.echo(_summary(engine, session_id))
    typer.echo(f"\nSession {session_id} saved in {engine.settings.db_path}")
    typer.echo("List saved interviews with: interviewer sessions")


def _summary(engine, session_id: str) -> str:
    state = engine.state(session_id)
    names = [engine.flow.stage(s).name for s in state.stages_visited]
    covered = sum(len(v) for v in state.covered.values())
    lines = [f"## Interview summary: {state.problem.title}",
             f"- stages reached: {len(state.stages_visited)} of {len(engine.flow.stages)} ({', '.join(names)})",
             f"- clarifying facts drawn out: {len(state.facts_revealed)}",
             f"- key points covered: {covered}",
             f"- hints used: {state.hints_used}",
             f"- time used: {_fmt_seconds(sum(state.stage_seconds.values()))}"]
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    @app.command("chat")
    def chat(problem: Optional[str] = typer.Option(None, "--problem", "-p", help="Problem id (see `interviewer problems`)."),
             question: Optional[str] = typer.Option(None, "--question", "-q", help="Your own interview question."),
             minutes: Optional[float] = typer.Option(None, "--minutes", "-m", help="Interview length in minutes.")) -> None:
        """Run a mock interview in the terminal (pipe lines into it to script one)."""
        if problem and question:
            fail("give either --problem or --question, not both")
        with user_errors(StoreError):
            engine = _engine()
            reply = engine.start(problem_id=problem, question=question, minutes=minutes)
        state = engine.state(reply.session_id)
        typer.echo(f"Mock interview: {state.problem.title} · {state.minutes:g} minutes · session {reply.session_id}")
        typer.echo("Commands: /hint  /next  /end  /help  /diagram (lines up to /end) or /diagram FILE")
        _run(engine, reply)

    @app.command("resume")
    def resume(ref: str = typer.Argument(..., help="A session id, or 'latest'.")) -> None:
        """Continue a saved interview."""
        with user_errors(StoreError):
            engine = _engine()
            session_id = engine.store.resolve(ref)
            reply = engine.resume(session_id)
        if reply.ended:
            typer.echo(reply.text)
            typer.echo(f"See the report with: interviewer report {session_id}")
            return
        _run(engine, reply)

    @app.command("problems")
    def problems(fmt: str = typer.Option("text", "--format", help="text or json"),
                 save_draft: Optional[str] = typer.Option(None, "--save-draft", metavar="SESSION", help=(
                     "Write the sheet of a session on your own question as a problem YAML.")),
                 out: Optional[Path] = typer.Option(None, "--out", help="File for --save-draft (default: print it).")) -> None:
        """List the question bank, and report invalid problem files (or --save-draft a session's sheet)."""
        if save_draft is not None:
            from interviewer.cli.draft_cmds import save_draft as save

            return save(save_draft, out)
        bank = services(interactive=False).bank
        items = [{"id": p.id, "title": p.title, "facts": len(p.facts)} for p in bank.list()]
        if fmt == "json":
            typer.echo(json.dumps(items, indent=2))
        else:
            width = max((len(i["id"]) for i in items), default=2)
            for i in items:
                typer.echo(f"{i['id'].ljust(width)}  {i['title']}")
        for err in bank.errors:
            typer.secho(f"invalid problem file: {err}", fg=typer.colors.RED, err=True)
        if bank.errors:
            raise typer.Exit(1)

    @app.command("sessions")
    def sessions(fmt: str = typer.Option("text", "--format", help="text or json"),
                 limit: int = typer.Option(50, "--limit", help="Most recent N sessions.")) -> None:
        """List saved interviews (id, problem, started, stage, status)."""
        if fmt not in ("text", "json"):
            fail("--format must be text or json")
        with user_errors(StoreError):
            store = services(interactive=False).store
            rows = [s.summary() for s in store.list_sessions(limit=limit)]
        if fmt == "json":
            keys = ("id", "problem", "title", "started", "stage", "status", "minutes", "model")
            typer.echo(json.dumps([{k: r[k] for k in keys} for r in rows], indent=2))
            return
        if not rows:
            typer.echo("no sessions yet: start one with `interviewer chat`")
            return
        headers = ("id", "problem", "started", "stage", "status")
        widths = [max(len(h), *(len(str(r[h])) for r in rows)) for h in headers]
        typer.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths)))
        for r in rows:
            typer.echo("  ".join(str(r[h]).ljust(w) for h, w in zip(headers, widths)))
