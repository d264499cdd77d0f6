"""``interviewer listen``: what the listener hears in a text, for problem authors and for
"why didn't it hear me?". One text, or a JSON Lines batch (one output line per input line)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from interviewer.cli.common import fail, services, user_errors
from interviewer.errors import one_line
from interviewer.listening.hearing import HearingContext
from interviewer.problems import Problem

MAX_BATCH_LINES = 100_000


def _problem(sv, problem_id: str | None, question: str | None) -> Problem:
    if problem_id and question:
        raise ValueError("give either a problem id or a question, not both")
    if problem_id:
        return sv.bank.get(problem_id)
    return Problem.from_question(question or "an ML system design question")


def hear_one(sv, text: str, stage: str, problem: Problem) -> dict:
    """Everything heard, credited to the stage each point belongs to, plus the stage asked."""
    stage = sv.flow.parse_stage(stage)
    by_stage = {sid: problem.points(sv.flow, sid) for sid in sv.flow.stage_ids}
    points = [p for pts in by_stage.values() for p in pts]
    context = HearingContext(problem=f"{problem.title}. {problem.statement}", stage_name=sv.flow.stage(stage).name)
    hearing = sv.listener().hear(text, points, in_stage=[p.id for p in by_stage[stage]], context=context)
    out = {"stage": stage, **hearing.to_json()}
    if hearing.notice:                 # the LLM listener fell back offline
        out["notice"] = hearing.notice
    return out


def _batch(sv, path: Path) -> None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{path}: cannot read ({one_line(exc)})")
    if len(lines) > MAX_BATCH_LINES:
        fail(f"{path}: too many lines ({len(lines):,}; limit {MAX_BATCH_LINES:,})")
    rows: list[tuple[int, object]] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            row = exc
        rows.append((n, row))
    # every line's sentences embedded in one batch, then heard one by one
    sv.listener().prepare(r["text"] for _, r in rows if isinstance(r, dict) and isinstance(r.get("text"), str))
    for n, row in rows:
        try:
            if isinstance(row, Exception):
                raise row
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                raise ValueError("expected an object with a 'text' string")
            problem = _problem(sv, row.get("problem"), row.get("question"))
            out = {"id": row.get("id"), **hear_one(sv, row["text"], str(row.get("stage", "")), problem)}
        except (ValueError, KeyError) as exc:
            msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
            out = {"id": row.get("id") if isinstance(row, dict) else None, "error": f"line {n}: {one_line(msg)}"}
        typer.echo(json.dumps(out, ensure_ascii=False))


def register(app: typer.Typer) -> None:
    @app.command("listen")
    def listen(
        text: Optional[str] = typer.Argument(None, help="What the candidate said."),
        stage: Optional[str] = typer.Option(None, "--stage", "-s", help="The stage it is said in."),
        problem_id: Optional[str] = typer.Option(None, "--problem", "-p", help="A problem id from the bank."),
        question: Optional[str] = typer.Option(None, "--question", "-q", help="Your own question."),
        batch: Optional[Path] = typer.Option(None, "--batch", help="JSON Lines: {id, text, stage, problem|question}."),
        fmt: str = typer.Option("text", "--format", "-f", help="text or json"),
    ) -> None:
        """Show which key points a text affirms or dismisses, with the sentence heard."""
        if fmt not in ("text", "json"):
            fail("--format must be text or json")
        sv = services()
        if batch is not None:
            if text is not None:
                fail("give a TEXT or --batch FILE, not both")
            _batch(sv, batch)
            return
        if not (text or "").strip():
            fail("nothing to listen to: give the candidate's words as TEXT (or --batch FILE)")
        if not stage:
            fail(f"give --stage: one of {', '.join(sv.flow.stage_ids)}")
        with user_errors():
            out = hear_one(sv, text, stage, _problem(sv, problem_id, question))
        if fmt == "json":
            typer.echo(json.dumps(out, indent=2, ensure_ascii=False))
            return
        for label, key in (("affirmed", "covered"), ("dismissed", "dismissed")):
            for item in out[key]:
                typer.echo(f"{label:9}  {item['id']}: \"{item['evidence']}\"")
        if not out["covered"] and not out["dismissed"]:
            typer.echo("nothing heard: no key point is affirmed or dismissed in this text")
        typer.echo(f"listener: {out['listener']}" + (f" ({out['notice']})" if out.get("notice") else ""))
