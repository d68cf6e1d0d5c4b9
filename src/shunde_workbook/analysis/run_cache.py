"""The run's cache folder (``SHUNDE_WORKBOOK_CACHE``): results the first kernel computes and the others read.

Entries are pickles written atomically (:func:`store`); a kernel computing one holds its lock
(:func:`computing`), so the others wait for it and read it instead of computing it again.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from shunde_workbook.data.cache import computing, run_folder  # kept where the runner takes them without pandas

folder = run_folder  # the run's cache folder (None outside a run)


def entry(kind: str, *parts) -> Path | None:
    """Where the run's cache keeps ``kind`` for ``parts`` (None outside a run).

    A :class:`~pathlib.Path` among ``parts`` stands for the file's bytes (``data.cache.input_hash``),
    anything else for its JSON text.
    """
    import hashlib
    import json

    from shunde_workbook.data.cache import input_hash

    cache = run_folder()
    if cache is None:
        return None
    key = json.dumps([input_hash(p) if isinstance(p, Path) else p for p in parts], default=str, ensure_ascii=False)
    return cache / f"{kind}-{hashlib.sha256(key.encode()).hexdigest()[:24]}.pkl"


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


def store(obj, path: Path) -> None:
    """Pickle ``obj`` to ``path`` atomically; a full disk only costs the next report the recomputation."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        pd.to_pickle(obj, tmp)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
