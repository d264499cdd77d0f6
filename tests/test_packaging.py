"""A non-editable install (a built wheel) finds prompts/ and knowledge/ without the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _tracked(folder: str) -> set[str]:
    out = subprocess.run(["git", "ls-files", folder], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        pytest.skip("not a git checkout")
    return set(out.stdout.split())


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out), str(ROOT)], check=True, capture_output=True, timeout=300)
    return next(out.glob("interviewer-*.whl"))


def test_the_wheel_carries_every_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("prompts", "knowledge"):
        files = _tracked(folder)
        assert files, folder
        missing = sorted(f for f in files if f"interviewer/_data/{f}" not in names)
        assert missing == [], missing
    app = {f for f in _tracked("ui") if f.endswith((".py", ".toml"))}
    assert {"ui/app.py", "ui/streamlit.toml", "ui/views/interview.py"} <= app
    assert sorted(app - names) == []


def test_an_installed_wheel_reads_its_own_data_from_outside_the_checkout(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    site = subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    with zipfile.ZipFile(wheel) as z:               # what pip does for a pure-Python wheel
        z.extractall(site)
    probe = ("from interviewer.config import paths; "
             "print(paths.builtin_prompts_dir()); print(paths.builtin_knowledge_dir()); print(paths.ui_dir())")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}     # not the checkout
    out = subprocess.run([str(venv / "bin" / "python"), "-c", probe], cwd=tmp_path, check=True,
                         capture_output=True, text=True, env=env).stdout.split()
    prompts, knowledge, ui = map(Path, out)
    assert prompts == Path(site) / "interviewer" / "_data" / "prompts"
    assert (prompts / "flow.yaml").is_file() and (knowledge / "problems").is_dir()
    assert ROOT not in prompts.parents
    assert ui == Path(site) / "ui" and (ui / "app.py").is_file() and (ui / "streamlit.toml").is_file()
