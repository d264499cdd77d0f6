"""Helpers shared by CLI commands: one-line errors, no tracebacks for the user."""

from __future__ import annotations

import contextlib
from typing import Iterator, NoReturn

import typer


def fail(message: str, code: int = 1) -> NoReturn:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


@contextlib.contextmanager
def user_errors(*types: type[BaseException]) -> Iterator[None]:
    """Turn expected exceptions into a one-line error and exit code 1."""
    from interviewer.config.datafiles import DataFileError

    try:
        yield
    except (DataFileError, ValueError, KeyError, FileNotFoundError, *types) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        fail(str(msg))
