"""Shared fixtures: a copy of the fixture notebooks and a private outputs folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture
def fixture_notebooks(tmp_path) -> Path:
    """The runner's test notebooks, copied so a test may edit them."""
    dest = tmp_path / "notebooks"
    shutil.copytree(FIXTURES / "notebooks", dest)
    return dest


def cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the ``shunde-workbook`` command as a user would."""
    exe = Path(sys.executable).with_name("shunde-workbook")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT)
