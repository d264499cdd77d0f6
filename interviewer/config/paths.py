"""Where the project's data folders (knowledge/, prompts/) live.

In a source checkout (the usual, editable install) they sit beside the package.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]
PROJECT_DIR = PACKAGE_DIR.parent


def builtin_knowledge_dir() -> Path:
    return PROJECT_DIR / "knowledge"


def builtin_prompts_dir() -> Path:
    return PROJECT_DIR / "prompts"


def builtin_problems_dir() -> Path:
    return builtin_knowledge_dir() / "problems"
