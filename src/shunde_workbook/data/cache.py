"""The validated-ledger cache shared by the runner and the notebooks' input loader.

The runner validates each ledger once per run and pickles the validation
report (accepted rows, errors, warnings, fixes) into a per-run folder named by
:data:`CACHE_ENV`; every kernel then reads it instead of validating the file
again.  Entries are keyed by the file's bytes, so an edited ledger is never
served from a stale entry.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

CACHE_ENV = "SHUNDE_WORKBOOK_CACHE"
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


LEDGER_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".xls")


def file_hash(path: Path) -> str:
    """sha256 of a file's bytes: a shapefile's sibling parts included, and a ledger's column mapping file.

    A ledger ``grants.xlsx`` is read through ``grants.mapping.yaml`` when that file is beside it, so an edited
    mapping changes the ledger's hash: the reports built on it are not skipped as unchanged.
    """
    h = hashlib.sha256()
    suffix = path.suffix.lower()
    parts = [path.with_suffix(s) for s in SHAPEFILE_PARTS] if suffix == ".shp" else [path]
    if suffix in LEDGER_SUFFIXES:
        parts.append(path.with_name(path.stem + ".mapping.yaml"))
    for part in parts:
        if part.exists():
            h.update(part.name.encode())
            h.update(part.read_bytes())
    return h.hexdigest()


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


def ledger_cache_file(path: Path, cache_dir: Path) -> Path:
    """Where the runner keeps the validation report of the ledger at ``path``.

    Keyed by its bytes and those of its column mapping file (``grants.mapping.yaml`` beside ``grants.xlsx``).
    """
    return cache_dir / f"ledger-{file_hash(path)[:24]}.pkl"


def read_validation(path: str | Path):
    """The :class:`~shunde_workbook.data.ledger.ValidationReport` of ``path``: from the run's cache, else made here.

    A cached report is used only if it was made for the same path as written here, so
    every message names the file exactly as a fresh validation would.
    """
    import pandas as pd  # here, not at the top: the runner imports file_hash and CACHE_ENV without pandas

    from shunde_workbook.data.ledger import validate_ledger

    cache_dir = os.environ.get(CACHE_ENV)
    if cache_dir:
        cached = ledger_cache_file(Path(path), Path(cache_dir))
        if cached.exists():
            report = pd.read_pickle(cached)
            if report.path == str(Path(path)):
                return report
    return validate_ledger(path)


def read_ledger(path: Path) -> pd.DataFrame:
    """The validated ledger (as ``load_ledger``): from the run's cache when there is one, else validated here."""
    from shunde_workbook.errors import LedgerError

    report = read_validation(path)
    if not report.ok:
        raise LedgerError(report)
    return report.frame
