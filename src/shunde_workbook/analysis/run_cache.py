"""The run's cache folder (``SHUNDE_WORKBOOK_CACHE``): results the first kernel computes and the others read.

Entries are pickles written atomically (:func:`store`); a kernel computing one holds its lock
(:func:`computing`), so the others wait for it and read it instead of computing it again.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pandas as pd


def folder() -> Path | None:
    """The run's cache folder (None outside a run)."""
    from shunde_workbook.data.cache import CACHE_ENV

    value = os.environ.get(CACHE_ENV)
    return Path(value) if value else None


def once(cached: Path | None, compute, keep=lambda value: True):
    """``compute()``, or what the first kernel of the run stored at ``cached`` (None: computed here).

    A computed value is stored (for the other kernels) when ``keep(value)``.
    """
    with computing(cached):  # the kernels of a run wait for the first one, then read what it stored
        if cached is not None and cached.exists():
            return pd.read_pickle(cached)
        value = compute()
        if cached is not None and keep(value):
            store(value, cached)
    return value


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


def store(obj, path: Path) -> None:
    """Pickle ``obj`` to ``path`` atomically; a full disk only costs the next report the recomputation."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        pd.to_pickle(obj, tmp)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
