"""``interviewer feedback`` (grade one written answer) and ``interviewer report`` (a session's report)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from interviewer.cli.common import fail, user_errors
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


class _LazyKnowledge:
    """The guides' index for citations, opened on the first search (a saved report needs none).

    If it cannot be opened, grading goes on without citations (with a note)."""

    def __init__(self, settings):
        self.settings = settings
        self._kb = None
        self._failed = False

    def search(self, query: str, stage: str | None = None, k: int = 5):
        if self._failed:
            return []
        if self._kb is None:
            try:
                from interviewer.knowledge.service import KnowledgeBase

                kb = KnowledgeBase(self.settings)
                if kb.count() == 0:
                    typer.secho("note: indexing the built-in guides once (used to cite sources)…", err=True)
                self._kb = kb
            except Exception as exc:  # citations are an extra: grade without them
                typer.secho(f"note: guidance unavailable ({' '.join(str(exc).split())[:120]})", err=True)
                self._failed = True
                return []
        return self._kb.search(query, stage=stage, k=k)


def _knowledge(settings):
    return _LazyKnowledge(settings)


def register(app: typer.Typer) -> None:
    @app.command("feedback")
    def feedback_cmd(
        source: str = typer.Argument(..., metavar="FILE|-", help="The written answer (a text file, or - for stdin)."),
        stage: str = typer.Option(..., "--stage", "-s", help="problem, metrics, requirements, models, design or scale"),
        problem_id: Optional[str] = typer.Option(None, "--problem", "-p", help="A problem id from the question bank."),
        question: Optional[str] = typer.Option(None, "--question", "-q", help="Your own question, as text."),
        fmt: str = typer.Option("md", "--format", "-f", help="md or json"),
    ) -> None:
        """Grade a written answer for one interview stage against the rubric."""
        from interviewer.flow import parse_stage

        fmt = _check_format(fmt)
        with user_errors():
            stage = parse_stage(stage)
        if bool(problem_id) == bool(question):
            fail("give exactly one of --problem ID or --question TEXT")
        with user_errors():
            from interviewer.problems import Problem, load_bank
            from interviewer.config.settings import get_settings

            settings = get_settings()
            problem = load_bank(settings).get(problem_id) if problem_id else Problem.from_question(question)
        text = _read_answer(source)
        with user_errors():
            from interviewer.embedding.threads import interactive_inference
            from interviewer.grading.feedback import grade_answer

            interactive_inference()

            grade = grade_answer(settings, stage=stage, text=text, problem=problem, knowledge=_knowledge(settings))
        if fmt == "json":
            for notice in grade.notices:
                typer.secho(f"note: {notice}", err=True)
            typer.echo(json.dumps(grade.to_json(), indent=2, ensure_ascii=False))
        else:
            from interviewer.flow import load_flow
            from interviewer.grading.render import grade_markdown

            name = load_flow(settings.prompts_dir).stage(stage).name
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
        from interviewer.storage.sessions import UnknownSessionError

        with user_errors(UnknownSessionError):
            from interviewer.report.build import build_report, render_markdown
            from interviewer.config.settings import get_settings

            settings = get_settings()
            report = build_report(settings, ref, knowledge=_knowledge(settings), regrade=regrade)
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
