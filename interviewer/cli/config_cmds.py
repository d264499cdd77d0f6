"""``interviewer config``: the effective settings, secrets masked."""

from __future__ import annotations

import json

import typer

from interviewer.config.settings import Settings


def register(app: typer.Typer) -> None:
    @app.command("config")
    def config(fmt: str = typer.Option("text", "--format", help="text or json")) -> None:
        """Print the effective settings (secrets masked)."""
        values = Settings().masked()
        if fmt == "json":
            typer.echo(json.dumps(values, indent=2))
            return
        width = max(len(k) for k in values)
        for key, value in values.items():
            typer.echo(f"{key.ljust(width)}  {value}")
