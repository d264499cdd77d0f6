"""`interviewer ui`: the Streamlit command line it runs (headless, no telemetry, chosen port/host)."""

from __future__ import annotations

from typer.testing import CliRunner

from interviewer.cli import app
from interviewer.cli.ui_cmds import APP_PATH, config_flags, streamlit_command


def test_command_runs_the_app_headless_without_telemetry_on_the_chosen_address():
    cmd = streamlit_command(8765, "127.0.0.1")
    assert cmd[1:4] == ["-m", "streamlit", "run"] and cmd[4] == str(APP_PATH)
    assert APP_PATH.is_file()
    assert "--server.port=8765" in cmd and "--server.address=127.0.0.1" in cmd
    assert "--server.headless=true" in cmd and "--browser.gatherUsageStats=false" in cmd


def test_project_config_is_passed_as_flags_and_cannot_turn_telemetry_on(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[browser]\ngatherUsageStats = true\n[theme]\nprimaryColor = "#123456"\n')
    flags = config_flags(cfg)
    assert flags["theme.primaryColor"] == "#123456"
    assert flags["browser.gatherUsageStats"] == "false" and flags["server.headless"] == "true"


def test_ui_help_and_bad_port():
    runner = CliRunner()
    assert "--port" in runner.invoke(app, ["ui", "--help"]).output
    result = runner.invoke(app, ["ui", "--port", "0"])
    assert result.exit_code != 0
