"""``interviewer feedback`` (grade one written answer) and ``interviewer report`` (a session's report)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from interviewer.cli.common import fail, services, stage_choices, user_errors
from interviewer.errors import one_line
from interviewer.grading.render import grade_markdown
from interviewer.problems import Problem
from interviewer.report.build import render_markdown
from interviewer.storage.sessions import UnknownSessionError
from interviewer.grading.answer_input import MAX_ANSWER_BYTES, answer_text

FORMATS = ("md", "json")


def _read_answer(source: str) -> str:
    if source == "-":
        raw = sys.stdin.buffer.read(MAX_ANSWER_BYTES + 1)
        where = "standard input"
    else:
        path = Path(source)
        if not path.exists():
            fail(f"{source}: file not found")
        if not path.is_file():
            fail(f"{source}: not a file")
        if path.stat().st_size > MAX_ANSWER_BYTES:
            fail(f"{source}: file too large (limit {MAX_ANSWER_BYTES // 1000} kB)")
        raw = path.read_bytes()
        where = source
    try:
        return answer_text(raw, where)
    except ValueError as exc:
        fail(str(exc))


def _check_format(fmt: str) -> str:
    fmt = (fmt or "").strip().lower()
    if fmt == "markdown":
        fmt = "md"
    if fmt not in FORMATS:
        fail(f"unknown format '{fmt}': choose md or json")
    return fmt


def _note_first_index(sv) -> None:
    """Say so on stderr when the guides are about to be indexed (once, for citations)."""
    try:
        kb = sv.knowledge()
        if kb is not None and kb.count() == 0:
            typer.secho("note: indexing the built-in guides once (used to cite sources)…", err=True)
    except Exception as exc:  # citations are an extra: the grade says they are unavailable
        typer.secho(f"note: guidance unavailable ({one_line(exc, 120)})", err=True)


def register(app: typer.Typer) -> None:
    @app.command("feedback")
    def feedback_cmd(
        source: str = typer.Argument(..., metavar="FILE|-", help="The written answer (a text file, or - for stdin)."),
        stage: str = typer.Option(..., "--stage", "-s", help=stage_choices()),
        problem_id: Optional[str] = typer.Option(None, "--problem", "-p", help="A problem id from the question bank."),
        question: Optional[str] = typer.Option(None, "--question", "-q", help="Your own question, as text."),
        fmt: str = typer.Option("md", "--format", "-f", help="md or json"),
    ) -> None:
        """Grade a written answer for one interview stage against the rubric."""
        fmt = _check_format(fmt)
        sv = services()
        with user_errors():
            stage = sv.flow.parse_stage(stage)
        if bool(problem_id) == bool(question):
            fail("give exactly one of --problem ID or --question TEXT")
        with user_errors():
            problem = sv.bank.get(problem_id) if problem_id else Problem.from_question(question)
        text = _read_answer(source)
        with user_errors():
            _note_first_index(sv)
            grade = sv.feedback.grade(stage=stage, text=text, problem=problem)
        if fmt == "json":
            for notice in grade.notices:
                typer.secho(f"note: {notice}", err=True)
            typer.echo(json.dumps(grade.to_json(), indent=2, ensure_ascii=False))
        else:
            name = sv.flow.stage(stage).name
            typer.echo(grade_markdown(grade, f"{name} · {problem.title}"))

    @app.command("report")
    def report_cmd(
        ref: str = typer.Argument("latest", metavar="ID|latest", help="A session id (or prefix), or 'latest'."),
        fmt: str = typer.Option("md", "--format", "-f", help="md or json"),
        output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
        regrade: bool = typer.Option(False, "--regrade", help="Grade again instead of reusing the saved report."),
    ) -> None:
        """The interview report of a session: per-stage scores with evidence, overall level, what to study."""
        fmt = _check_format(fmt)
        with user_errors(UnknownSessionError):
            report = services().reports.build(ref, regrade=regrade)
            body = (json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n" if fmt == "json"
                    else render_markdown(report))
        if output is None:
            typer.echo(body, nl=False)
            return
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(body, encoding="utf-8")
        except OSError as exc:
            fail(f"{output}: cannot write ({exc.strerror or exc})")
        typer.echo(f"report written to {output}")
