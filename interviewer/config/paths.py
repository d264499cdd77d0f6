"""Where the project's data folders (knowledge/, prompts/) live.

In a source checkout (and an editable install) they sit beside the package, at the top of the
repository. A wheel (``pip install .``) carries copies inside the package, under
``interviewer/_data/`` (see setup.py). Settings can point elsewhere
(``INTERVIEWER_PROMPTS_DIR``, ``INTERVIEWER_KNOWLEDGE_DIR``).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]
PROJECT_DIR = PACKAGE_DIR.parent
INSTALLED_DATA_DIR = PACKAGE_DIR / "_data"


def _data_dir(name: str) -> Path:
    installed = INSTALLED_DATA_DIR / name
    return installed if installed.is_dir() else PROJECT_DIR / name


def builtin_knowledge_dir() -> Path:
    return _data_dir("knowledge")


def builtin_prompts_dir() -> Path:
    return _data_dir("prompts")


def ui_dir() -> Path:
    """The web app's folder (the ``ui`` package), found without importing it (or Streamlit)."""
    spec = importlib.util.find_spec("ui")
    if spec is not None and spec.origin and Path(spec.origin).name == "__init__.py":
        folder = Path(spec.origin).parent
        if (folder / "app.py").is_file():
            return folder
    return PROJECT_DIR / "ui"


def builtin_problems_dir() -> Path:
    return builtin_knowledge_dir() / "problems"
