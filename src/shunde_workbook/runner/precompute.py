"""Before any report runs: each ledger validated once, and what every kernel would otherwise redo.

:func:`cache_ledgers` keeps each ledger's validation report and the inputs' hashes in the run's cache
folder (``SHUNDE_WORKBOOK_CACHE``), which the kernels inherit.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from shunde_workbook.runner.memory import ARROW_POOL, release_memory


def before_reports(state, cache_dir: Path) -> None:
    """What the run does once before its first report (``state``: the runner's ``session.State``).

    Validate the ledgers and keep their rows and facts in the run's scope (:func:`cache_ledgers`), read
    the inputs' provenance statuses (``manifest.fill_statuses``) and draw the index map's towns
    (``publish.site.cache_town_shapes``).  Meanwhile a thread of the runner cuts the pages' base font
    (``report.webfonts.warm_base``), which the first index page would otherwise cut while reports run.
    Done in a child forked from the run's zygote (``runner.zygote.call``), which has pandas and geopandas
    imported already: the runner then never loads them, and what the validation allocates goes with the
    child.  Without a zygote, or if the child fails, the runner does it itself.
    """
    from shunde_workbook.data.cache import save_input_hashes
    from shunde_workbook.params import scope_of
    from shunde_workbook.runner import zygote

    inputs, merged = state.inputs, state.merged
    where = (str(cache_dir), str(state.outputs), merged.get("boundaries_path"), merged.get("language", "zh"))
    args = (inputs, *where, list(scope_of(merged)))  # the run's scope: its rows and facts are kept too
    save_input_hashes(cache_dir, [Path(p) for p in inputs])  # the child, and the kernels, reuse the runner's hashes
    # The pages' base font, cut here while the zygote imports on the other core (the index page needs it first).
    font = threading.Thread(target=_warm_font, name="font-base", daemon=True)
    font.start()
    try:
        forked = zygote.call(f"{__name__}:_in_child", *args, str(state.status_cache))
    except (OSError, RuntimeError, ValueError):  # the zygote gone or the child failed: done here instead
        forked = False
    finally:
        font.join()
    if not forked:
        _in_child(*args, None)
        release_memory()  # the runner lives as long as the run: it keeps none of the validation's memory
    state.fill_statuses()  # what the child read, from the status cache (or read here if it could not)


def _warm_font() -> None:
    from shunde_workbook.report.webfonts import warm_base

    warm_base()
    release_memory()  # what the cut allocated: the runner keeps only the base's bytes


def _in_child(
    inputs: dict,
    cache_dir: str,
    outputs: str,
    boundaries: str | None,
    lang: str,
    scope: list,
    status_cache: str | None,
) -> None:
    from shunde_workbook.publish.site import cache_town_shapes
    from shunde_workbook.runner.manifest import fill_statuses

    _validate(inputs, Path(cache_dir), tuple(scope))  # the runner opened the cache and saved the hashes
    if status_cache is not None:  # in the zygote's child: the statuses go to the runner through the cache file
        fill_statuses(inputs, Path(status_cache))
    cache_town_shapes(Path(outputs), boundaries, lang)  # the index page's map, drawn once


def cache_ledgers(inputs: dict, cache_dir: Path, scope: tuple | None = None) -> None:
    """Validate each ledger once for the whole run and let every kernel read the result.

    With ``scope`` (``params.scope_of`` of the run's parameters), a valid ledger's rows in the
    scope and its facts are kept too (``analysis.inputs.describe_once``).

    The same folder holds the run's Monte Carlo evidence (``analysis.evidence.for_params``), the
    reconciliation (``analysis.reconciled``), each scope's rows and facts (``analysis.inputs``,
    ``analysis.ledger_facts``), their split by town (``analysis.by_town``) and the checked boundaries
    (``analysis.inputs``); all are cleared at the start of every run.

    The validation report is pickled under a name keyed by the file's bytes, once whole and once without
    its rows (``data.cache.read_validation``); kernels find it through the SHUNDE_WORKBOOK_CACHE variable
    they inherit.  A ledger with errors is cached too: each notebook then raises the same LedgerError, and
    the audit lists the same problems, without validating the file again.
    """
    from shunde_workbook.data.cache import save_input_hashes

    open_run_cache(cache_dir)
    _validate(inputs, cache_dir, scope)
    save_input_hashes(cache_dir, [Path(p) for p in inputs])  # the kernels reuse the hashes of unchanged inputs
    release_memory()  # the runner lives as long as the run: it keeps none of the validation's memory


def _validate(inputs: dict, cache_dir: Path, scope: tuple | None) -> None:
    """The work of :func:`cache_ledgers` on a cache folder already open."""
    from shunde_workbook.analysis.inputs import describe_once
    from shunde_workbook.analysis.run_cache import store
    from shunde_workbook.data.cache import ledger_cache_file, summary_cache_file
    from shunde_workbook.data.ledger import validate_ledger

    for path, info in inputs.items():
        if info.get("parameter") != "ledger_path":
            continue
        try:
            report = validate_ledger(Path(path))
        except (OSError, ValueError):
            continue
        store(report, ledger_cache_file(Path(path), cache_dir))  # on a full disk the kernels validate it
        store(report.without_rows(), summary_cache_file(Path(path), cache_dir))
        if report.ok:
            try:
                _reconcile(Path(path), report.frame)
                if scope is not None:
                    describe_once(report.frame, Path(path), scope)
            except Exception:  # noqa: BLE001 - the kernels then do it themselves and report what fails
                pass
        del report


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

    The runner calls this before it starts the zygote and the workers, so their kernels boot while the
    ledgers are validated (:func:`before_reports`); no report runs before that is done.
    """
    from shunde_workbook.data.cache import CACHE_ENV

    cache_dir.mkdir(parents=True, exist_ok=True)
    per_run = (
        "ledger-*.pkl",
        "evidence-*.*",
        "reconciled-*.*",
        "scoped-*.*",
        "facts-*.*",
        "bytown-*.*",
        "towns-*.*",
        "boundaries-*.*",
    )
    for pattern in per_run:  # per run: never stale
        for old in cache_dir.glob(pattern):
            old.unlink(missing_ok=True)
    os.environ[CACHE_ENV] = str(cache_dir)
    os.environ.setdefault(*ARROW_POOL)  # Arrow's allocator in every kernel (runner.memory)
