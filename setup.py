"""Packaging hook: a built wheel carries the data folders the package reads.

``prompts/`` and ``knowledge/`` stay at the top of the repository (data, edited by hand). A
non-editable install (``pip install .``) copies them into the package as
``interviewer/_data/prompts`` and ``interviewer/_data/knowledge``, where
``interviewer.config.paths`` finds them; an editable install reads them in place.
"""

from pathlib import Path
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
DATA_DIRS = ("prompts", "knowledge")


class build_py_with_data(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for name in DATA_DIRS:
            target = Path(self.build_lib) / "interviewer" / "_data" / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(ROOT / name, target,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"))


setup(cmdclass={"build_py": build_py_with_data})
