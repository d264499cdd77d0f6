"""``interviewer ingest`` and ``interviewer search``: the knowledge base from the terminal."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import List, Optional

import typer

from interviewer.cli.common import fail, services, stage_choices, user_errors
from interviewer.embedding.local import EmbeddingsError
from interviewer.knowledge.vectors import StoreError
from interviewer.llm.errors import ProviderError


ERRORS = (EmbeddingsError, StoreError, ProviderError)


def _kb():
    return services().knowledge()


def register(app: typer.Typer) -> None:
    @app.command("ingest")
    def ingest_cmd(
        paths: Optional[List[Path]] = typer.Argument(
            None, help="Files or folders (Markdown, text, PDF). Default: the built-in knowledge/."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    ) -> None:
        """Ingest guides or notes into the search index (idempotent: unchanged files are skipped)."""
        with user_errors(*ERRORS):
            kb = _kb()
            targets = list(paths) if paths else [kb.settings.knowledge_dir]
            summary = kb.ingest(targets, progress=not quiet)
        for err in summary.errors:
            typer.secho(f"error: {err}", fg=typer.colors.RED, err=True)
        typer.echo(f"ingested {summary.line()}")
        if summary.errors and summary.files == 0:
            raise typer.Exit(1)

    @app.command("search")
    def search_cmd(
        query: str = typer.Argument(..., help="What to look for."),
        stage: Optional[str] = typer.Option(None, "--stage", "-s",
                                            help=f"Only guidance for this stage ({stage_choices()})."),
        k: int = typer.Option(5, "-k", "--k", help="Number of results."),
        fmt: str = typer.Option("text", "--format", "-f", help="text or json"),
        mode: Optional[str] = typer.Option(None, "--mode", help="hybrid (default), vector or bm25"),
    ) -> None:
        """Search the knowledge base; results cite their source file and heading."""
        if fmt not in ("text", "json"):
            fail(f"unknown format '{fmt}': use text or json")
        with user_errors(*ERRORS):
            kb = _kb()
            kb.ensure_ready(progress=True)  # first use: ingests the built-in guides
            hits = kb.search(query, stage=stage, k=k, mode=mode)
        if fmt == "json":
            typer.echo(json.dumps([h.to_dict() for h in hits], indent=2, ensure_ascii=False))
            return
        if not hits:
            typer.echo("no results")
            return
        for i, h in enumerate(hits, 1):
            stages = f"  [{', '.join(h.stages)}]" if h.stages else ""
            typer.secho(f"{i}. {h.citation}{stages}  (score {h.score:.3f})", bold=True)
            body = h.text if len(h.text) <= 600 else h.text[:600].rsplit(" ", 1)[0] + " …"
            typer.echo(textwrap.indent(body, "   "))
            typer.echo("")
