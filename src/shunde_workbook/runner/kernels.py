"""Warm kernels: the next report's kernel is forked, ready to run, while this report exports.

A pool worker builds one report at a time.  After a report's last cell,
:func:`prestart` launches a *fresh* kernel for the worker's next report and
queues one silent cell in it that imports what every notebook loads
(:data:`WARM_IMPORTS`: numpy, pandas, geopandas, matplotlib, the workbook's
stages).  The kernels are forked from the run's zygote
(:mod:`~shunde_workbook.runner.zygote`), which imported those modules once, so the
warm-up cell finds them loaded.  The libraries only some reports use load in those reports, on
first use: seaborn (and ``scipy.stats``) with the first chart drawn with it,
mapclassify (and scikit-learn) with the first classified map, jinja2 with the
explorer and the grant table, openpyxl with the first XLSX table.  The next
:func:`~shunde_workbook.runner.execute.run_job` takes the kernel with :func:`take`.

Isolation stays as strict as with cold kernels:

* every report gets its own kernel process; a kernel is never reused;
* the warm-up cell is run with ``silent=True, store_history=False`` and binds
  no name, so the notebook starts with the same empty namespace and
  execution count 1 (only ``sys.modules`` is already filled);
* the kernel gets the same arguments, working folder and environment as papermill would give it, and
  what a new process would not share is made afresh after the fork (runner.zygote).

Why a fork server, and not a reused kernel (``benchmarks/kernel_reuse.py``, issue #24; kernel CPU seconds on
the 2-core machine, quiet): a kernel launched the usual way costs 0.4 s to boot and 1.4 s to import
:data:`WARM_IMPORTS`, spent while the previous report exports, off the report's critical path but not off the
other worker's core.

* A kernel reused across the ten town profiles, its namespace reset between them (0.8 s), saves 2.7 s per
  profile: the 1.8 s of boot and imports, and 0.9 s of the package's in-memory state (inputs, draws) that the
  next profile finds, which is exactly what a report must not inherit.  A reset clears only what it lists:
  ``%reset`` leaves module attributes, environment variables and warning filters
  (``tests/test_kernel_isolation.py`` shows a probe seeing them in one kernel and not in the next report's).
  Rejected: it trades isolation for speed, and only the ten profiles would gain.
* A fork server keeps isolation (a new process per report, forked before any report code ran) and saves the
  1.8 s of boot and imports for every report: the 16 reports' summed ``setup`` fell from 14.6 s to 0.3 s and
  the run from 53 s to about 42 s; ten town profiles take 20.6 s of kernel CPU, against 37.6 s in fresh kernels
  and 19.4 s in one reused kernel (5113d1b).  One zygote serves the whole run (one per worker held 200 MB more).
  Its cost is memory as ``ps`` counts it: the zygote holds about 200 MB of RSS that its kernels share
  copy-on-write, so a sum of RSS counts those pages once more (runner.memory also measures the proportional
  share, PSS).  Its kernels are not its workers' children: each worker kills the kernels it was given
  (``hygiene.kill_kernels``), and a kernel exits by itself when its worker or the zygote dies.

A warm kernel that died in the meantime (a report timeout kills every kernel
of the worker) is discarded and the report starts a new one.  A kernel left
over when the worker exits is killed by :func:`discard`, registered with
``atexit``.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from shunde_workbook.runner import zygote

#: Modules the warm-up cell imports: what every notebook loads, nothing that only some do.  Seaborn (with
#: scipy.stats), mapclassify (with scikit-learn), jinja2 and openpyxl load in the notebooks that use them;
#: pyogrio (with GDAL, 29 MB) in the one kernel of a run that reads the boundaries (``analysis.inputs``)
#: (tests/test_light_kernels.py checks that every notebook loads each library the warm-up loads).
WARM_IMPORTS = (
    "numpy",
    "pandas",
    "matplotlib.pyplot",
    "matplotlib_inline.backend_inline",
    "geopandas",
    "shunde_workbook.params",
    "shunde_workbook.analysis",
    "shunde_workbook.analysis.evidence",
    "shunde_workbook.narrative",
    "shunde_workbook.report.notebook",
    "shunde_workbook.report.presenter",
    "shunde_workbook.report.display_tables",
    "shunde_workbook.report.charts",  # matplotlib only; seaborn loads with the first chart drawn with it
)

#: The warm-up cell: imports through importlib so that no name lands in the notebook's namespace.
WARM_UP_CODE = "[__import__('importlib').import_module(m) for m in {mods!r}]"

#: The arguments nbclient gives every kernel it starts (an in-memory IPython history).
KERNEL_ARGUMENTS = ["--HistoryManager.hist_file=:memory:"]


@dataclass
class WarmKernel:
    """A started kernel, its manager, the client that queued the warm-up cell, and its socket folder."""

    kernel_name: str
    manager: object
    client: object
    sockets: str
    msg_id: str


_WARM: dict[str, WarmKernel] = {}  # one per worker process


def ipc_kernel_manager(socket_dir: str):
    """A kernel manager class that talks to its kernel over Unix sockets in ``socket_dir``.

    IPC sockets need no TCP ports, so concurrent kernels cannot clash over
    ports (papermill issue #511), and each job's sockets live in its own
    folder.
    """
    from jupyter_client import AsyncKernelManager
    from traitlets import CaselessStrEnum, Unicode

    class IPCKernelManager(AsyncKernelManager):
        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)
        ip = Unicode(str(Path(socket_dir) / "kernel"), config=True)

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            # The kernel's own log (shutdown chatter, crash messages) goes to a file, not the terminal.
            log = Path(socket_dir) / "kernel.log"
            try:
                process = zygote.spawn(kernel_cmd, kw.get("env"), kw.get("cwd"), str(log))
            except (OSError, ValueError):  # the zygote failed: this kernel starts the usual way
                process = None
            if process is not None:
                prov = self.provisioner
                prov.process, prov.pid, prov.pgid, prov.cwd = process, process.pid, process.pid, kw.get("cwd")
                self._reconcile_connection_info(prov.connection_info)
                return None
            kw["stderr"] = open(log, "ab")  # noqa: SIM115 - owned by the process
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    return IPCKernelManager


def kernel_argv(kernel_name: str) -> list[str]:
    """The command line of the kernelspec ``kernel_name`` (empty if there is no such kernelspec)."""
    from jupyter_client.kernelspec import NoSuchKernel, get_kernel_spec

    try:
        return list(get_kernel_spec(kernel_name).argv)
    except NoSuchKernel:
        return []


def launch(kernel_name: str, sockets: str):
    """Start a kernel with the runner's IPC kernel manager in ``sockets``; return the manager.

    Only the process launch happens here (milliseconds); the kernel boots on its own.
    """
    from jupyter_core.utils import run_sync

    km = ipc_kernel_manager(sockets)(kernel_name=kernel_name)
    run_sync(km.start_kernel)(extra_arguments=list(KERNEL_ARGUMENTS))
    return km


def prestart(kernel_name: str, imports: tuple[str, ...] = WARM_IMPORTS) -> None:
    """Launch the worker's next kernel and queue the silent warm-up cell; no-op if one is waiting."""
    if "next" in _WARM:
        return
    sockets = tempfile.mkdtemp(prefix="swk-")
    try:
        km = launch(kernel_name, sockets)
        kc = km.client()
        kc.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        msg_id = kc.execute(WARM_UP_CODE.format(mods=tuple(imports)), silent=True, store_history=False)
    except Exception:  # noqa: BLE001 - a warm kernel is an optimisation; the next report starts a cold one
        shutil.rmtree(sockets, ignore_errors=True)
        return
    _WARM["next"] = WarmKernel(kernel_name, km, kc, sockets, msg_id)


def _warmed(warm: WarmKernel, timeout: float) -> bool:
    """Wait until the warm-up cell has run (normally it has, during the previous export); True if it ran."""
    import time

    from jupyter_core.utils import run_sync

    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        if not run_sync(warm.manager.is_alive)():
            return False
        try:
            msg = run_sync(warm.client.get_shell_msg)(timeout=min(left, 1.0))
        except Exception:  # noqa: BLE001, S112 - queue.Empty: not yet; check the kernel is alive and wait on
            continue
        if msg.get("parent_header", {}).get("msg_id") == warm.msg_id:
            return msg["content"].get("status") == "ok"
    return False


def take(kernel_name: str, timeout: float = 120) -> WarmKernel | None:
    """The waiting warm kernel, once its warm-up cell has run, if it runs ``kernel_name``; else None.

    A kernel that is for another kernelspec, died, failed its warm-up or is not
    ready within ``timeout`` seconds is killed, and the caller starts a cold one.
    """
    warm = _WARM.pop("next", None)
    if warm is None:
        return None
    try:
        alive = warm.kernel_name == kernel_name and _warmed(warm, timeout)
        warm.client.stop_channels()
    except Exception:  # noqa: BLE001 - treat any doubt as a dead kernel
        alive = False
    if not alive:
        stop(warm.manager, warm.sockets)
        return None
    return warm


def stop(km, sockets: str | None = None) -> None:
    """Kill the kernel of ``km`` at once (its report is finished) and remove its socket folder.

    A forked kernel is killed and waited for here, in steps of 5 ms: jupyter_client's shutdown polls a
    kernel every 0.1 s until it is gone, a tenth of a second per report.
    """
    from jupyter_core.utils import run_sync

    try:
        process = getattr(getattr(km, "provisioner", None), "process", None)
        if isinstance(process, zygote.ForkedKernel):
            process.kill()
            deadline = time.monotonic() + 2
            while process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.005)
        if km is not None and km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)
    except Exception:  # noqa: BLE001, S110 - the process may already be gone; kill_kernels is the backstop
        pass
    finally:
        if sockets:
            shutil.rmtree(sockets, ignore_errors=True)


def discard() -> None:
    """Kill the waiting warm kernel, if any (worker exit)."""
    warm = _WARM.pop("next", None)
    if warm is not None:
        try:
            warm.client.stop_channels()
        except Exception:  # noqa: BLE001, S110 - closing a client of a kernel about to be killed
            pass
        stop(warm.manager, warm.sockets)


atexit.register(discard)


def worker_start(kernel_name: str) -> None:
    """Initialiser of each pool worker: :func:`~shunde_workbook.runner.hygiene.worker_init`, then a warm kernel.

    The worker imports what building a report needs (papermill, nbconvert: :func:`_preload`) while the
    run's zygote (runner.zygote) finishes its imports; then its first kernel is forked.
    """
    from shunde_workbook.runner.hygiene import worker_init

    worker_init()
    _preload()
    prestart(kernel_name)


#: Optional dependencies of the libraries a worker uses, which its work never needs (``sys.modules`` entry
#: None, so importing them raises the ImportError those libraries expect):
#:
#: * ``rfc3987_syntax``: jsonschema, which nbformat validates notebooks with, checks the "iri" string format
#:   with it when installed (jupyter-events wants it); its grammars take about a second to build in every
#:   process, and no notebook schema uses a format;
#: * ``pyarrow``: papermill's ``hdfs://`` handler; the runner's notebooks are local files.  39 MB and 0.17 s a
#:   worker (the kernels, forked from the zygote or started anew, load it as usual).
NOT_IMPORTED = ("rfc3987_syntax", "pyarrow")


def _preload() -> None:
    """Import what ``execute.run_job`` uses to build a report (not :data:`NOT_IMPORTED`)."""
    import sys

    for name in NOT_IMPORTED:
        sys.modules.setdefault(name, None)  # an import of it raises ImportError, which jsonschema expects
    import nbformat  # noqa: F401
    import papermill  # noqa: F401

    from shunde_workbook.publish import citation, export  # noqa: F401
    from shunde_workbook.report import webfonts  # noqa: F401
