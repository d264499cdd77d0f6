"""``interviewer ui``: start the Streamlit app (``ui/app.py``) on the offline default."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import typer

from interviewer.cli.common import fail
from interviewer.config.paths import ui_dir

UI_DIR = ui_dir()
APP_PATH = UI_DIR / "app.py"
CONFIG_PATH = UI_DIR / "streamlit.toml"
# Always applied, whatever the config file says: no telemetry, no browser popping up.
FORCED = {"server.headless": "true", "browser.gatherUsageStats": "false"}


def config_flags(path: Path = CONFIG_PATH) -> dict[str, str]:
    """The app's Streamlit config (``ui/streamlit.toml``) as ``section.option`` flags. Streamlit
    reads a config file only from the working directory or the home folder, so the app's own
    settings travel as flags and apply wherever the command is run, checkout or wheel."""
    flags: dict[str, str] = {}
    if path.is_file():
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        for section, options in data.items():
            if isinstance(options, dict):
                for key, value in options.items():
                    flags[f"{section}.{key}"] = str(value).lower() if isinstance(value, bool) else str(value)
    flags.update(FORCED)
    return flags


def streamlit_command(port: int, host: str, app_path: Path = APP_PATH) -> list[str]:
    cmd = [sys.executable, "-m", "streamlit", "run", str(app_path)]
    flags = config_flags()
    flags["server.port"] = str(port)
    flags["server.address"] = host
    for key, value in flags.items():
        cmd.append(f"--{key}={value}")
    return cmd


def register(app: typer.Typer) -> None:
    @app.command("ui")
    def ui(
        port: int = typer.Option(8501, "--port", min=1, max=65535, help="Port to listen on."),
        host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (127.0.0.1 = this machine only)."),
    ) -> None:
        """Start the web app (Streamlit) on the offline default."""
        if not APP_PATH.is_file():
            fail(f"the app is missing: {APP_PATH}")
        cmd = streamlit_command(port, host)
        typer.echo(f"interviewer: http://{host}:{port}  (Ctrl+C to stop)")
        env = dict(os.environ)
        env.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
        try:
            code = subprocess.call(cmd, env=env)
        except KeyboardInterrupt:
            code = 130
        raise typer.Exit(code)
