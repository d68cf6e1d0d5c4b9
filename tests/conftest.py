"""Shared fixtures: a copy of the fixture notebooks and a private outputs folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import FIXTURES


@pytest.fixture
def fixture_notebooks(tmp_path) -> Path:
    """The runner's test notebooks, copied so a test may edit them."""
    dest = tmp_path / "notebooks"
    shutil.copytree(FIXTURES / "notebooks", dest)
    return dest

