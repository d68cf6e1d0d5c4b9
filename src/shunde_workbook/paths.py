"""Where things live in the project tree."""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
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


# ---------------------------------------------------------------- names and paths built from data
# A file or folder name that comes from data (a report name, a town, a parameter value) must be one
# plain path component, and every path the runner writes or removes must lie inside its root.

_COMPONENT = re.compile(r"\w[\w.\-]{0,99}")  # a letter, digit or _, then letters, digits, _ . - (≤ 100)


def safe_name(name: object, what: str = "name") -> str:
    """``name`` if it is one safe file-name component, else raise ParameterError.

    Letters (any script), digits, ``_``, ``.`` and ``-`` only (not first: ``.`` or ``-``), at most 100
    characters, no ``..``, and unchanged by NFKC normalisation (so full-width look-alikes are refused).

    >>> safe_name("06_town_profile-daliang")
    '06_town_profile-daliang'
    """
    from shunde_workbook.errors import ParameterError

    text = name if isinstance(name, str) else str(name)
    if _COMPONENT.fullmatch(text) and ".." not in text and unicodedata.normalize("NFKC", text) == text:
        return text
    shown = text if len(text) <= 60 else text[:57] + "..."
    raise ParameterError(
        f"{what} {shown!r} cannot name a file: use at most 100 letters, digits, '_', '.' or '-', "
        "starting with a letter, digit or '_', with no '..', path separators or look-alike characters"
    )


def inside(root: str | Path, path: str | Path) -> Path:
    """``path`` resolved, if it lies strictly inside ``root`` (resolved); else raise RunError.

    Call it before writing or removing anything whose path was built from names.
    """
    from shunde_workbook.errors import RunError

    base = Path(root).resolve()
    full = Path(path).resolve()
    if full == base or not full.is_relative_to(base):
        raise RunError(f"refusing to write or remove {path}: it lies outside {base}")
    return full


def remove_tree(path: str | Path, root: str | Path) -> None:
    """Remove the folder ``path`` (a link is only unlinked), after checking it lies inside ``root``."""
    p = Path(path)
    if p.is_symlink():
        inside(root, p.parent / "link")  # the link itself must sit inside root; its target is never followed
        p.unlink(missing_ok=True)
        return
    if not p.exists():
        return
    inside(root, p)
    shutil.rmtree(p, ignore_errors=True)
