"""Where things live in the project tree."""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The workbook's top folder (override with SHUNDE_WORKBOOK_ROOT)."""
    env = os.environ.get("SHUNDE_WORKBOOK_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").exists() and (parent / "notebooks").is_dir():
            return parent
    return Path.cwd().resolve()


ROOT = project_root()
DATA = ROOT / "data"
REFERENCE = DATA / "reference"
RAW = DATA / "raw"
SHAPEFILES = ROOT / "shapefiles"
NOTEBOOKS = ROOT / "notebooks"
OUTPUTS = ROOT / "outputs"
PARAMS = ROOT / "params"
SHARED_REFERENCE = ROOT.parent / "shared" / "reference"
