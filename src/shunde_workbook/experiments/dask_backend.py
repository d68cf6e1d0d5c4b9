"""Run a sweep's sets on Dask: ``--dask local`` (a LocalCluster) or ``--dask tcp://HOST:8786``.

Each set is one Dask task calling :func:`shunde_workbook.experiments.backends.run_set`
(a ``shunde-workbook run`` child process on the worker).  The task carries the
set's parameters; the base parameter file, notebooks, inputs and the set's
outputs folder are paths that every worker must see at the same place (shared
storage; ``docs/sweeps.md``).  A worker that dies takes its child run with it;
the scheduler retries the task once (``distributed.scheduler.allowed-failures``
= 1 for a LocalCluster; set it on your own scheduler), then the set is reported
as failed and the other sets still finish.
"""

from __future__ import annotations

import time

from shunde_workbook.errors import RunError

#: Worker deaths a set survives before it is reported as failed (one retry).
ALLOWED_FAILURES = 1


class DaskBackend:
    """Sets as Dask tasks, one at a time per worker (one thread each)."""

    def __init__(self, address: str, jobs: int | None = None, client=None, fork: bool = False):
        try:
            import distributed  # noqa: F401 - checked here so the error comes before anything runs
        except ImportError:
            raise RunError(
                "--dask needs the dask and distributed packages (pinned in requirements.lock): "
                "pip install dask distributed"
            ) from None
        self.address, self.jobs, self.client, self.fork = address, jobs, client, fork

    def describe(self) -> str:
        """How the backend is shown in the progress line."""
        if self.client is not None:
            return "Dask (given client)"
        return "Dask LocalCluster" if self.address == "local" else f"Dask scheduler {self.address}"

    def _client(self, stack):
        import multiprocessing
        import os

        import dask
        from distributed import Client, LocalCluster

        if self.client is not None:
            return self.client
        if self.address == "local":
            settings = {"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}
            if self.fork and "fork" in multiprocessing.get_all_start_methods():
                # workers forked from this process inherit its imports and what it has loaded (measures-only)
                settings["distributed.worker.multiprocessing-method"] = "fork"
            with dask.config.set(settings):
                cluster = stack.enter_context(
                    LocalCluster(
                        n_workers=max(1, self.jobs or os.cpu_count() or 1),
                        threads_per_worker=1,
                        # A set of reports is a child process its task waits for: worker threads in this
                        # process serve it as well as worker processes would, without an interpreter each
                        # (about 110 MB).  Measures-only sets compute in the task: they need processes.
                        processes=self.fork,
                        dashboard_address=None,
                    )
                )
            return stack.enter_context(Client(cluster))
        return stack.enter_context(Client(self.address))

    def run(self, sweep, plans, force: bool) -> dict:
        """Submit every set, collect outcomes as they finish; a set lost twice to dead workers is failed."""
        from contextlib import ExitStack

        from distributed import as_completed

        from shunde_workbook.experiments.backends import _set_line, run_set, set_args

        t0 = time.perf_counter()
        total = sum(p.reports for p in plans)
        outcomes, reports = {}, 0
        with ExitStack() as stack:
            client = self._client(stack)
            futures = {
                client.submit(
                    run_set,
                    *set_args(sweep, p, force),
                    key=f"sweep-{p.folder.name}-{time.time_ns()}",
                    pure=False,
                ): p
                for p in plans
            }
            for fut in as_completed(list(futures)):
                p = futures[fut]
                try:
                    outcome = fut.result()
                except Exception as exc:  # noqa: BLE001 - KilledWorker or a lost connection: this set only
                    outcome = {
                        "status": "failed",
                        "returncode": None,
                        "tries": ALLOWED_FAILURES + 1,
                        "seconds": round(time.perf_counter() - t0, 2),
                        "log": [f"{type(exc).__name__}: {exc}"],
                        "error": f"{type(exc).__name__}: {exc}",
                    }
                outcomes[p.index] = outcome
                reports += p.reports if outcome["status"] == "ok" else 0
                print(
                    _set_line(len(outcomes), len(plans), p, outcome) + f" · reports {reports}/{total}",
                    flush=True,
                )
        return outcomes
