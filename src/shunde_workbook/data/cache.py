"""The validated-ledger cache shared by the runner and the notebooks' input loader.

The runner validates each ledger once per run (``runner.precompute``) and pickles the validation
report (accepted rows, errors, warnings, fixes), whole and without its rows, into a per-run folder
named by :data:`CACHE_ENV`; every kernel then reads it instead of validating the file again.
Entries are keyed by the file's bytes, so an edited ledger is never served from a stale entry.
"""

from __future__ import annotations

import contextlib
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


def _parts(path: Path) -> list[Path]:
    """The files whose bytes make ``path``'s hash: a shapefile's siblings, a ledger's column mapping file."""
    suffix = path.suffix.lower()
    parts = [path.with_suffix(s) for s in SHAPEFILE_PARTS] if suffix == ".shp" else [path]
    if suffix in LEDGER_SUFFIXES:
        parts.append(path.with_name(path.stem + ".mapping.yaml"))
    return parts


def file_hash(path: Path) -> str:
    """sha256 of a file's bytes: a shapefile's sibling parts included, and a ledger's column mapping file.

    A ledger ``grants.xlsx`` is read through ``grants.mapping.yaml`` when that file is beside it, so an edited
    mapping changes the ledger's hash: the reports built on it are not skipped as unchanged.
    """
    h = hashlib.sha256()
    for part in _parts(path):
        if part.exists():
            h.update(part.name.encode())
            h.update(part.read_bytes())
    return h.hexdigest()


#: The run's input hashes, written by the runner into the run's cache folder for the kernels.
HASHES_FILE = "input-hashes.json"
#: A file changed this recently may change again within the clock's resolution: its hash is not kept.
RACY_NS = 2_000_000_000
_KNOWN: dict[str, list] = {}  # path -> [stamp, digest]


def _stamp(path: Path) -> list:
    """Size, modification time and inode of each part (missing parts: None)."""
    out = []
    for part in _parts(path):
        try:
            st = part.stat()
        except OSError:
            out.append(None)
            continue
        out.append([st.st_size, st.st_mtime_ns, st.st_ino])
    return out


def input_hash(path: Path) -> str:
    """:func:`file_hash` of an input file, hashed once per process and per run while the file is unchanged.

    A hash is reused only while every part's size, modification time and inode are the same as when it
    was taken, and only if no part had changed in the :data:`RACY_NS` before (as git does for its index).
    Inside a run, the hashes the runner took are read from the run's cache (:data:`HASHES_FILE`).
    Integrity checks of written files use :func:`file_hash`, which always reads the bytes.
    """
    import json
    import time

    key = str(path)
    if not _KNOWN and os.environ.get(CACHE_ENV):
        try:
            _KNOWN.update(json.loads((Path(os.environ[CACHE_ENV]) / HASHES_FILE).read_text("utf-8")))
        except (OSError, ValueError):
            pass
    stamp = _stamp(path)
    held = _KNOWN.get(key)
    if held is not None and held[0] == stamp:
        return held[1]
    digest = file_hash(path)
    newest = max((s[1] for s in stamp if s), default=0)
    if _stamp(path) == stamp and time.time_ns() - newest > RACY_NS:
        _KNOWN[key] = [stamp, digest]
    return digest


def save_input_hashes(cache_dir: Path, paths: list[Path]) -> None:
    """Write the hashes of ``paths`` (:func:`input_hash`) to the run's cache folder, for the kernels.

    A file too recently changed to be kept when first hashed is hashed again here.
    """
    import json

    for path in paths:
        input_hash(path)
    target = cache_dir / HASHES_FILE
    tmp = target.with_suffix(".tmp")
    try:
        tmp.write_text(json.dumps(_KNOWN), "utf-8")
        os.replace(tmp, target)
    except OSError:  # the kernels then hash the files themselves
        tmp.unlink(missing_ok=True)


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
    return cache_dir / f"ledger-{input_hash(path)[:24]}.pkl"


def summary_cache_file(path: Path, cache_dir: Path) -> Path:
    """Where the runner keeps the validation report of ``path`` without its rows (``read_validation(rows=False)``)."""
    return cache_dir / f"ledger-{input_hash(path)[:24]}-summary.pkl"


def in_run_cache(path: Path) -> bool:
    """Whether the run's cache holds the validation report of the ledger at ``path``."""
    cache_dir = os.environ.get(CACHE_ENV)
    return bool(cache_dir) and ledger_cache_file(Path(path), Path(cache_dir)).exists()


def read_validation(path: str | Path, rows: bool = True):
    """The :class:`~shunde_workbook.data.ledger.ValidationReport` of ``path``: from the run's cache, else made here.

    A cached report is used only if it was made for the same path as written here, so
    every message names the file exactly as a fresh validation would.  ``rows=False`` gives the report
    without the accepted rows (``ValidationReport.without_rows``): its counts and messages only, a few
    kilobytes where the rows of a large ledger take a hundred megabytes.
    """
    import pandas as pd  # here, not at the top: the runner imports file_hash and CACHE_ENV without pandas

    from shunde_workbook.data.ledger import validate_ledger

    cache_dir = os.environ.get(CACHE_ENV)
    if cache_dir:
        where = ledger_cache_file if rows else summary_cache_file
        cached = where(Path(path), Path(cache_dir))
        if cached.exists():
            report = pd.read_pickle(cached)
            if report.path == str(Path(path)):
                return report
    report = validate_ledger(path)
    return report if rows else report.without_rows()


def read_ledger(path: Path) -> pd.DataFrame:
    """The validated ledger (as ``load_ledger``): from the run's cache when there is one, else validated here."""
    from shunde_workbook.errors import LedgerError

    report = read_validation(path)
    if not report.ok:
        raise LedgerError(report)
    return report.frame


def run_folder() -> Path | None:
    """The run's cache folder, named by :data:`CACHE_ENV` (None outside a run)."""
    value = os.environ.get(CACHE_ENV)
    return Path(value) if value else None


@contextlib.contextmanager
def computing(cached: Path | None):
    """Hold an exclusive lock on ``cached``'s lock file (POSIX; a no-op elsewhere or outside a run).

    The lock ends with the process, so a killed kernel never blocks the others.
    """
    try:
        import fcntl
    except ImportError:  # Windows: each kernel computes for itself
        fcntl = None
    if cached is None or fcntl is None:
        yield
        return
    try:
        handle = open(cached.with_suffix(".lock"), "a+b")  # noqa: SIM115 - closed below
    except OSError:
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
