"""The ``interviewer`` command. Each command group lives in its own module and registers itself."""

from __future__ import annotations

import importlib
import logging
import sys

import typer

app = typer.Typer(
    name="interviewer",
    help="Mock interviewer for ML system design interviews (offline by default).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(version: bool = typer.Option(False, "--version", help="Print the version and exit.")) -> None:
    """Mock interviewer for ML system design interviews (offline by default)."""
    if version:
        from interviewer import __version__

        typer.echo(__version__)
        raise typer.Exit()


# Modules that define commands; each has ``register(app)``.
COMMAND_MODULES = (
    "interviewer.cli.config_cmds",
    "interviewer.cli.knowledge_cmds",
    "interviewer.cli.chat_cmds",
    "interviewer.cli.feedback_cmds",
    "interviewer.cli.models_cmds",
    "interviewer.cli.ui_cmds",
)

for _name in COMMAND_MODULES:
    try:
        _mod = importlib.import_module(_name)
    except ModuleNotFoundError as _exc:
        if _exc.name != _name:
            raise
        continue
    _mod.register(app)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("\ninterrupted", err=True)
        sys.exit(130)
