"""Peak resident memory of a process tree, sampled in a background thread."""

from __future__ import annotations

import threading


class PeakMemory:
    """Sample the summed resident memory (RSS) of a process and all its descendants.

    Use as ``with PeakMemory() as mem: ...``; afterwards ``mem.peak`` is the largest sum seen, in bytes.

    Parameters
    ----------
    pid : int, optional
        The root process; this process when omitted.
    interval : float
        Seconds between samples.
    """

    def __init__(self, pid: int | None = None, interval: float = 0.2):
        import psutil

        self._psutil, self._interval, self.peak = psutil, interval, 0
        try:
            self._proc = psutil.Process(pid)
        except psutil.Error:  # the process has already exited
            self._proc = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def sample(self) -> int:
        """The summed RSS of the tree now, in bytes (0 once the root has exited)."""
        if self._proc is None:
            return 0
        try:
            procs = [self._proc, *self._proc.children(recursive=True)]
        except self._psutil.Error:
            return 0
        total = 0
        for p in procs:
            try:
                total += p.memory_info().rss
            except self._psutil.Error:  # a child may exit between listing and reading
                pass
        return total

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.sample())
            self._stop.wait(self._interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
