"""``interviewer problems --save-draft SESSION``: a free-text question's sheet as a problem file.

The sheet a session on your own question was probed on (drafted by the LLM, or key points
borrowed offline) written as problem YAML; saved as ``<id>.yaml`` under
``$INTERVIEWER_HOME/problems/`` it joins the question bank, to keep and edit.
"""

from __future__ import annotations

import re
from pathlib import Path

import typer
import yaml

from interviewer.cli.common import fail, services, user_errors
from interviewer.engine.draft import as_problem_file
from interviewer.flow import SLUG
from interviewer.storage.sessions import StoreError


def save_draft(ref: str, out: Path | None) -> None:
    with user_errors(StoreError):
        root = services(interactive=False)
        sid = root.store.resolve(ref)
        problem = root.store.load_state(sid).problem
    if not problem.custom:
        fail(f"session {sid} is on the bank problem '{problem.id}': only your own questions have a sheet to save")
    problem_id = out.stem if out is not None else None
    if problem_id is not None and not re.match(SLUG, problem_id):
        fail(f"the file name '{out.name}' must be a problem id: lower-case letters, digits and dashes, e.g. podcast-recs.yaml")
    text = yaml.safe_dump(as_problem_file(problem, problem_id), sort_keys=False, allow_unicode=True, width=100)
    if out is None:
        typer.echo(text, nl=False)
        return
    if out.exists():
        fail(f"{out} already exists; nothing was written (choose another --out)")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    facts = len(problem.facts)
    typer.echo(f"saved {out} ({facts} facts, {sum(len(v) for v in problem.key_points.values())} key points); "
               f"put it in {root.settings.user_problems_dir} to add it to the question bank")
