"""Provenance of a run: input hashes and status, package versions, git commit, cache keys."""

from __future__ import annotations

import hashlib
import json
import subprocess
from functools import cache
from importlib import metadata
from pathlib import Path

from shunde_workbook.data.cache import code_hash, file_hash  # noqa: F401  (re-exported for the runner)
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


#: The parameters naming an input file, and the kind of each (:func:`input_status`).
INPUT_KINDS = {
    "ledger_path": "ledger",
    "boundaries_path": "boundaries",
    "towns_path": "towns",
    "population_path": "population",
}


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


def cached_input_status(
    kind: str, path: Path, sha256: str, cache_file: Path | None, compute: bool = True
) -> str | None:
    """:func:`input_status`, remembered in ``cache_file`` by the file's content hash and the package code.

    The status is read from the file's bytes alone, so the same bytes give the same status; a run
    where nothing changed then needs neither pandas nor pyogrio to tell it.  Unreadable files are
    never remembered; a cache that cannot be read or written is ignored.  ``compute=False``: None
    when it is not remembered (:func:`fill_statuses` works it out later).
    """
    key = f"{kind}:{sha256}:{code_hash()[:16]}"
    known: dict = {}
    if cache_file is not None:
        try:
            known = json.loads(cache_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            known = {}
        if isinstance(known, dict) and isinstance(known.get(key), str):
            return known[key]
    if not compute:
        return None
    status = input_status(kind, path)
    if cache_file is not None and not status.startswith("unreadable"):
        known = {k: v for k, v in (known if isinstance(known, dict) else {}).items() if k.endswith(key[-16:])}
        known[key] = status
        try:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache_file.with_name(f".{cache_file.name}.tmp")
            tmp.write_text(json.dumps(known, ensure_ascii=False, indent=1), encoding="utf-8")
            tmp.replace(cache_file)
        except OSError:
            pass
    return status


def fill_statuses(inputs: dict, cache_file: Path | None) -> None:
    """Give every input of a run (``runner._inputs``) still without a status its :func:`cached_input_status`.

    Called by the runner's zygote child before the first report (``runner.precompute``), so the runner
    then reads the statuses from ``cache_file``.
    """
    for path, info in inputs.items():
        if info.get("status") is None:
            kind = INPUT_KINDS.get(info.get("parameter"), "published")
            info["status"] = cached_input_status(kind, Path(path), info["sha256"], cache_file)


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
