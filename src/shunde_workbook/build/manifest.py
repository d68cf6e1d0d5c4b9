"""Provenance of a run: input hashes and status, package versions, git commit, cache keys."""

from __future__ import annotations

import hashlib
import json
import subprocess
from functools import cache
from importlib import metadata
from pathlib import Path

from shunde_workbook.data.cache import file_hash  # noqa: F401  (re-exported for the runner)
from shunde_workbook.paths import ROOT

PACKAGES = (
    "shunde-workbook",
    "pandas",
    "numpy",
    "geopandas",
    "shapely",
    "pyproj",
    "pyogrio",
    "matplotlib",
    "seaborn",
    "mapclassify",
    "papermill",
    "nbconvert",
    "nbformat",
    "ipykernel",
    "noto-cjk-sans-otc",
)


@cache
def package_versions() -> dict[str, str]:
    """Installed version of each package in :data:`PACKAGES` ("not installed" when missing)."""
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


@cache
def code_hash() -> str:
    """Hash of the package's own source: a code change invalidates cached reports."""
    h = hashlib.sha256()
    pkg = Path(__file__).resolve().parents[1]
    for path in sorted(pkg.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".j2", ".css", ".json", ".yaml", ".csv"):
            h.update(str(path.relative_to(pkg)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def git_commit(root: Path = ROOT) -> str | None:
    """The commit checked out at ``root`` (``-dirty`` if tracked files changed), or None outside git."""
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def input_status(kind: str, path: Path) -> str:
    """Simulated / approximate / official / published / mixed, read from the file itself."""
    try:
        if kind == "ledger":
            import pandas as pd

            reader = pd.read_excel if path.suffix.lower() in (".xlsx", ".xls") else pd.read_csv
            kwargs = {} if reader is pd.read_excel else {"encoding_errors": "replace"}
            cols = reader(path, nrows=0, **kwargs).columns
            if "provenance" not in cols:
                return "unknown (no provenance column)"
            values = set(reader(path, usecols=["provenance"], **kwargs)["provenance"].dropna().astype(str))
            if len(values) == 1:
                return values.pop()
            return "mixed: " + ", ".join(sorted(values)) if values else "unknown"
        if kind == "boundaries":
            import pyogrio

            df = pyogrio.read_dataframe(path, read_geometry=False)
            if "approx" in df.columns and (df["approx"].astype(int) == 1).any():
                return "approximate"
            return "official"
    except Exception as exc:  # noqa: BLE001 - status is informative, the notebooks do the real checks
        return f"unreadable ({type(exc).__name__})"
    return "published"


def cache_key(notebook: Path, parameters: dict, inputs: dict[str, str]) -> str:
    """Key that changes whenever the report could change."""
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    cells = [(c["cell_type"], "".join(c["source"])) for c in nb["cells"]]
    payload = json.dumps(
        {
            "cells": cells,
            "parameters": parameters,
            "inputs": inputs,
            "packages": package_versions(),
            "code": code_hash(),
        },
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()
