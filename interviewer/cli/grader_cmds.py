"""``interviewer refit-grader``: refit the offline grader's ordinal model from labelled answers
and write its coefficients (``prompts/grading_model.yaml``), with cross-validation figures."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from interviewer.cli.common import fail, services, user_errors
from interviewer.config.paths import PROJECT_DIR

DEFAULT_LABELLED = ("tune-a.yaml", "tune-b.yaml", "tune-c.yaml")
LABELLED_DIR = PROJECT_DIR / "tests" / "labelled" / "graded"


def register(app: typer.Typer) -> None:
    @app.command("refit-grader")
    def refit_cmd(
        files: Optional[List[Path]] = typer.Argument(
            None, help="Labelled answer files (YAML, part: tune). Default: the project's tune part."),
        out: Optional[Path] = typer.Option(None, "--out", "-o",
                                           help="Where to write the model (default: prompts/grading_model.yaml)."),
        c: float = typer.Option(1.0, "--C", min=1e-4, max=1e4, help="Inverse regularisation strength."),
    ) -> None:
        """Refit the offline grader from labelled answers (a held-out test part is refused)."""
        from interviewer.grading.refit import refit

        if not files and not LABELLED_DIR.is_dir():   # an installed wheel carries no tests/
            fail(f"no labelled answers at {LABELLED_DIR} (they ship with a source checkout); "
                 "pass the tune files: interviewer refit-grader FILE...")
        paths = list(files or [LABELLED_DIR / f for f in DEFAULT_LABELLED])
        sv = services()
        with user_errors():
            model = refit(sv, paths, C=c, out=out)
        weights = ", ".join(f"{f} {w:+.2f}" for f, w in zip(model.features, model.weights))
        cv = model.fit.cross_validation
        typer.echo(f"fitted on {model.fit.answers} answers from {', '.join(model.fit.files)}: {weights}")
        if cv:
            typer.echo(f"leave-one-question-out: Spearman {cv['spearman']:.2f}, exact {cv['exact']:.2f}, "
                       f"adjacent {cv['adjacent']:.2f}")
        target = out or Path(sv.settings.prompts_dir) / "grading_model.yaml"
        typer.echo(f"wrote {target} and, beside it, aboutness_model.yaml (answers about another product)")
