"""Helpers shared by CLI commands: one-line errors, no tracebacks for the user."""

from __future__ import annotations

import contextlib
from typing import Iterator, NoReturn

import contextvars

import typer

from interviewer.config.datafiles import DataFileError
from interviewer.errors import one_line


def stage_choices() -> str:
    """The stage ids for help text, read from the configured prompts/flow.yaml."""
    from interviewer.config.settings import get_settings
    from interviewer.flow import load_flow

    try:
        return load_flow(get_settings().prompts_dir).choices()
    except Exception:  # a bad settings or flow file is reported when a command runs, not in --help
        return "a stage id from prompts/flow.yaml"


def fail(message: str, code: int = 1) -> NoReturn:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


@contextlib.contextmanager
def user_errors(*types: type[BaseException]) -> Iterator[None]:
    """Turn expected exceptions into a one-line error and exit code 1."""
    try:
        yield
    except (DataFileError, ValueError, KeyError, FileNotFoundError, *types) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        fail(one_line(msg, 500))


# What the caller of the app passed as the root context's ``obj`` (set by the root callback).
_ROOT_OBJ: contextvars.ContextVar = contextvars.ContextVar("interviewer_root_obj", default=None)


def set_root(obj) -> None:
    _ROOT_OBJ.set(obj)


def services(interactive: bool = True):
    """The command's services: the composition root built from the environment's settings, or
    what the caller passed as the click context's ``obj`` (a ``Services`` or a factory of one;
    tests pass fakes this way). A data file error is a one-line error."""
    from interviewer.embedding.threads import interactive_inference
    from interviewer.services import Services

    obj = _ROOT_OBJ.get()
    if interactive:
        interactive_inference()
    with user_errors():
        if isinstance(obj, Services):
            return obj
        if callable(obj):
            return obj()
        return Services.from_settings()
