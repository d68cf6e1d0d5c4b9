"""Process hygiene for a run: signals, worker parent-death watchdog, killing process trees, clean text.

Kernels are started by jupyter_client in their own session (process group),
so a terminal's Ctrl-C never reaches them and killing a worker does not kill
its kernel: every kill here goes to the kernel's whole process group.
"""

from __future__ import annotations

import os
import re
import signal
import threading

from shunde_workbook.runner.zygote import kill_mine

EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}

_CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.?|[\x00-\x08\x0b-\x1f\x7f\x9b]")


def clean_text(text: str) -> str:
    """``text`` without terminal escape sequences or control characters (newlines and tabs kept)."""
    return _CONTROL.sub("", str(text))


class Interrupted(BaseException):  # noqa: N818 - a signal, like KeyboardInterrupt, not an error
    """Raised in the runner's main thread when SIGINT or SIGTERM arrives."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


_TIMERS: list[threading.Timer] = []
STOP_WITHIN = 8.0  # seconds a stop may take before the process exits regardless (the summary is printed first)


def _exit_now(signum, _frame=None):
    """A second signal while stopping: kill this process's children at once and exit."""
    try:
        os.write(2, f"\nStopped again by {signal.Signals(signum).name}: exiting at once.\n".encode())
        kill_kernels()
    finally:
        os._exit(EXIT_CODES.get(signum, 1))


def _deadline(signum: int, seconds: float) -> None:
    """Exit after ``seconds`` if the stop that ``signum`` started has not ended the process by then."""

    def expire():
        os.write(2, f"\nThe stop after {signal.Signals(signum).name} took over {seconds:g} s: exiting now.\n".encode())
        _exit_now(signum)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    _TIMERS.append(timer)


def _raise(signum, _frame):
    """The first SIGINT/SIGTERM: every later one exits at once, a watchdog bounds the stop, then unwind."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _exit_now)
    _deadline(signum, STOP_WITHIN)
    raise Interrupted(signum)


class Signals:
    """Context manager turning SIGINT and SIGTERM into :class:`Interrupted` (main thread only).

    Only the first signal raises: a second one exits at once (:func:`_exit_now`), and a stop that
    takes longer than :data:`STOP_WITHIN` seconds ends the process too, so every interruption exits.
    """

    def __enter__(self) -> Signals:
        self.saved = {}
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self.saved[sig] = signal.signal(sig, _raise)
            # A sweep starts each set's run with both signals blocked (experiments.backends.start_set): lifted
            # now that the handlers are in place; one sent meanwhile is delivered here.
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
        return self

    def __exit__(self, *exc) -> None:
        for sig, handler in self.saved.items():
            signal.signal(sig, handler)
        while _TIMERS:  # the stop ended in time
            _TIMERS.pop().cancel()


def kill_group_or_process(pid: int, sig: int = signal.SIGKILL) -> None:
    """Signal ``pid``'s process group when it leads one (a kernel), else just the process."""
    try:
        if os.getpgid(pid) == pid and pid != os.getpgid(0):
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def kill_trees(pids, grace: float = 2.0) -> list[int]:
    """Terminate each process in ``pids`` and all its descendants; kernels by process group.

    Returns the ids that were signalled.
    """
    import psutil

    procs = {}
    for pid in pids:
        try:
            root = psutil.Process(pid)
            for p in [*root.children(recursive=True), root]:
                procs[p.pid] = p
        except psutil.Error:
            continue
    for p in procs.values():  # kernels (group leaders) at once, workers politely: they kill their kernel too
        try:
            leader = os.getpgid(p.pid) == p.pid
        except ProcessLookupError:
            continue
        kill_group_or_process(p.pid, signal.SIGKILL if leader else signal.SIGTERM)
    _, alive = psutil.wait_procs(list(procs.values()), timeout=grace)
    for p in alive:
        kill_group_or_process(p.pid, signal.SIGKILL)
    psutil.wait_procs(alive, timeout=grace)
    return list(procs)


def kill_kernels() -> None:
    """Kill every descendant of this process at once, kernels by process group.

    In a worker: its kernels (those forked by the run's zygote too: runner.zygote) and a browser printing
    a PDF.  In the runner: the pool workers, the zygote and all of theirs.
    """
    import psutil

    kill_mine()

    try:
        children = psutil.Process().children(recursive=True)
    except psutil.Error:
        return
    for child in children:
        try:
            if "resource_tracker" in " ".join(child.cmdline()):
                continue  # multiprocessing's tracker exits by itself with the runner
        except psutil.Error:
            continue
        kill_group_or_process(child.pid, signal.SIGKILL)


def _watch_parent(parent: int, interval: float) -> None:
    import time

    while True:
        time.sleep(interval)
        if os.getppid() != parent:
            try:
                kill_kernels()
            finally:
                os._exit(1)


def _on_term(signum, _frame):
    try:
        kill_kernels()
    finally:
        os._exit(128 + signum)  # never a traceback: the worker is going away either way


def worker_init(interval: float = 0.5) -> None:
    """Initialiser of each pool worker: ignore Ctrl-C, die with the runner, take the kernel along.

    Ctrl-C goes to the runner, which stops the workers itself; SIGTERM kills the
    worker's kernel group before the worker exits; a watchdog thread notices
    when the runner is gone (even after SIGKILL) and does the same.
    """
    import psutil  # noqa: F401 - imported now, so the SIGTERM handler and the watchdog never race to import it

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_term)
    # The runner starts its workers with both signals blocked (so a signal cannot land inside the pool's
    # start-up); the mask is inherited, and is lifted only now that the handlers are in place.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    threading.Thread(target=_watch_parent, args=(os.getppid(), interval), daemon=True, name="parent-watch").start()
