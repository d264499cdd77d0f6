"""The ``interviewer`` command. Each command group lives in its own module and registers itself."""

from __future__ import annotations

import logging
import sys

import typer

from interviewer.cli.common import set_root

app = typer.Typer(
    name="interviewer",
    help="Mock interviewer for ML system design interviews (offline by default).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(ctx: typer.Context,
          version: bool = typer.Option(False, "--version", help="Print the version and exit.")) -> None:
    """Mock interviewer for ML system design interviews (offline by default)."""
    set_root(ctx.obj)
    if version:
        from interviewer import __version__

        typer.echo(__version__)
        raise typer.Exit()


from interviewer.cli import (  # noqa: E402  (each module registers its commands)
    chat_cmds, config_cmds, feedback_cmds, grader_cmds, knowledge_cmds, listen_cmds, models_cmds, ui_cmds,
)

for _module in (config_cmds, knowledge_cmds, chat_cmds, feedback_cmds, grader_cmds, listen_cmds, models_cmds,
                ui_cmds):
    _module.register(app)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("\ninterrupted", err=True)
        sys.exit(130)
