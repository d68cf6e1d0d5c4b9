"""Before any report runs: each ledger validated once, and what every kernel would otherwise redo.

:func:`cache_ledgers` keeps each ledger's validation report and the inputs' hashes in the run's cache
folder (``SHUNDE_WORKBOOK_CACHE``), which the kernels inherit.
"""

from __future__ import annotations

import os
from pathlib import Path

from shunde_workbook.runner.memory import ARROW_POOL, release_memory


def cache_ledgers(inputs: dict, cache_dir: Path) -> None:
    """Validate each ledger once for the whole run and let every kernel read the result.

    The same folder holds the run's Monte Carlo evidence (``analysis.evidence.for_params``), the
    reconciliation (``analysis.reconciled``), each scope's rows and facts (``analysis.inputs``,
    ``analysis.ledger_facts``) and their split by town (``analysis.by_town``); all are cleared at the start
    of every run.  The inputs' hashes taken by the runner are kept there too
    (``data.cache.input_hash``).

    The validation report is pickled under a name keyed by the file's bytes; kernels
    find it through the SHUNDE_WORKBOOK_CACHE variable they inherit.  A ledger with
    errors is cached too: each notebook then raises the same LedgerError, and the
    audit lists the same problems, without validating the file again.
    """
    from shunde_workbook.analysis.run_cache import store
    from shunde_workbook.data.cache import ledger_cache_file, save_input_hashes
    from shunde_workbook.data.ledger import validate_ledger

    open_run_cache(cache_dir)
    for path, info in inputs.items():
        if info.get("parameter") != "ledger_path":
            continue
        try:
            report = validate_ledger(Path(path))
        except (OSError, ValueError):
            continue
        store(report, ledger_cache_file(Path(path), cache_dir))  # on a full disk the kernels validate it
        if report.ok:
            try:
                _reconcile(Path(path), report.frame)
            except Exception:  # noqa: BLE001 - the kernels then reconcile it themselves and report what fails
                pass
        del report
    save_input_hashes(cache_dir, [Path(p) for p in inputs])  # the kernels reuse the hashes of unchanged inputs
    release_memory()  # the runner lives as long as the run: it keeps none of the validation's memory


def _reconcile(path: Path, frame) -> None:
    """Keep the reconciliation of a valid ledger in the run's cache (``analysis.reconciled``) for the kernels."""
    from shunde_workbook.analysis.reconciled import run_file
    from shunde_workbook.analysis.run_cache import store
    from shunde_workbook.data.reconcile import reconcile

    target = run_file(path)
    if target is not None:
        store(reconcile(frame), target)


def open_run_cache(cache_dir: Path) -> None:
    """Empty the run's cache folder of the last run's entries and name it to the kernels started from now on.

    The runner calls this before it starts the workers, so their kernels boot while it validates the
    ledgers (:func:`cache_ledgers`); no report runs before that is done.
    """
    from shunde_workbook.data.cache import CACHE_ENV

    cache_dir.mkdir(parents=True, exist_ok=True)
    per_run = ("ledger-*.pkl", "evidence-*.*", "reconciled-*.*", "scoped-*.*", "facts-*.*", "bytown-*.*")
    for pattern in per_run:  # per run: never stale
        for old in cache_dir.glob(pattern):
            old.unlink(missing_ok=True)
    os.environ[CACHE_ENV] = str(cache_dir)
    os.environ.setdefault(*ARROW_POOL)  # Arrow's allocator in every kernel (runner.memory)
