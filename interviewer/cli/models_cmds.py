"""``interviewer models``: what model is configured (keys masked) and whether it answers."""

from __future__ import annotations

import json
from typing import Optional

import typer

from interviewer.cli.common import fail


def register(app: typer.Typer) -> None:
    @app.command("models")
    def models_cmd(
        check: bool = typer.Option(True, "--check/--no-check", help="Send a tiny request to the model."),
        model: Optional[str] = typer.Option(None, "--model", "-m",
                                            help="Check this 'provider:model' instead of INTERVIEWER_MODEL."),
        fmt: str = typer.Option("text", "--format", help="text or json"),
    ) -> None:
        """List the configured model, base URL and keys (masked), and check the connection."""
        from interviewer.llm.chat import check_connection, describe, list_providers
        from interviewer.llm.errors import redact
        from interviewer.config.settings import Settings

        if fmt not in ("text", "json"):
            fail(f"unknown format '{fmt}': use text or json")
        try:
            settings = Settings()
            if model:
                settings = settings.model_copy(update={"model": model})
            info = describe(settings)
        except Exception as exc:  # bad settings values (e.g. a negative timeout)
            fail(redact(_settings_error(exc)))
        ok, message, latency = True, "not checked (--no-check)", 0.0
        if check:
            try:
                ok, message, latency = check_connection(settings)
            except Exception as exc:  # never a traceback for the user
                ok, message = False, redact(f"connection check failed ({type(exc).__name__})")
        if fmt == "json":
            out = dict(info, providers=list_providers(),
                       connection={"checked": check, "ok": ok, "message": message,
                                   "latency_ms": round(latency * 1000, 1)})
            typer.echo(json.dumps(out, indent=2))
        else:
            _print_text(info, ok, message)
        if not ok:
            raise typer.Exit(1)


def _print_text(info: dict, ok: bool, message: str) -> None:
    from interviewer.llm.chat import list_providers

    rows = [("effective model", info["effective_model"]),
            ("INTERVIEWER_MODEL", info["configured_model"] or "(not set: OpenAI if OPENAI_API_KEY is set, else offline)"),
            ("INTERVIEWER_BASE_URL", info["base_url"] or "(not set)")]
    if info.get("provider"):
        state = "installed" if info["installed"] else f"missing: pip install {info['package']}"
        rows.append(("provider", f"{info['provider']} ({info['package']}, {state})"))
        rows.append(("key used", info["key_source"] or "(none)"))
    for var, masked in info["keys"].items():
        rows.append((var, masked or "not set"))
    rows.append(("connection", f"{'ok' if ok else 'failed'}: {message}"))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        typer.echo(f"{key.ljust(width)}  {value}")
    known = ", ".join(f"{p['id']} ({'installed' if p['installed'] else 'pip install ' + p['package']})"
                      for p in list_providers())
    typer.echo(f"{'providers'.ljust(width)}  {known}; any other LangChain provider as provider:model")


def _settings_error(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        try:
            first = errors()[0]
            name = "INTERVIEWER_" + "_".join(str(p) for p in first["loc"]).upper()
            return f"{name}: {first['msg']}"
        except Exception:
            pass
    return " ".join(str(exc).split())[:200]
