"""Peak resident memory of a process tree, sampled in a background thread."""

from __future__ import annotations

import sys
import threading


class PeakMemory:
    """Sample the summed memory of a process and all its descendants.

    Use as ``with PeakMemory() as mem: ...``; afterwards ``mem.peak`` is the largest sum of resident memory
    (RSS) seen, in bytes, and ``mem.peak_pss`` the largest sum of proportional set sizes (0 unless asked for).
    RSS counts a page shared by several processes once in each: the kernels forked by a zygote share most of
    their libraries with it (runner.zygote), so their RSS sum overstates the memory in use.  PSS divides each
    shared page among the processes sharing it, so its sum is the memory the tree really holds; but reading
    it costs about 7 ms per process on the 2-core machine (the kernel walks every page), against 0.2 ms for
    RSS, so it is read only every ``pss_interval`` seconds, and only where Linux offers it.

    Parameters
    ----------
    pid : int, optional
        The root process; this process when omitted.
    interval : float
        Seconds between RSS samples.
    pss_interval : float, optional
        Seconds between PSS samples (None: no PSS).
    """

    def __init__(self, pid: int | None = None, interval: float = 0.2, pss_interval: float | None = None):
        import psutil

        self._psutil, self._interval, self.peak, self.peak_pss = psutil, interval, 0, 0
        try:
            self._proc = psutil.Process(pid)
        except psutil.Error:  # the process has already exited
            self._proc = None
        self._pss_every = pss_interval if sys.platform.startswith("linux") else None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _tree(self) -> list:
        if self._proc is None:
            return []
        try:
            return [self._proc, *self._proc.children(recursive=True)]
        except self._psutil.Error:
            return []

    def sample(self) -> int:
        """The summed RSS of the tree now, in bytes (0 once the root has exited)."""
        total = 0
        for p in self._tree():
            try:
                total += p.memory_info().rss
            except self._psutil.Error:  # a child may exit between listing and reading
                pass
        return total

    def sample_pss(self) -> int:
        """The summed PSS of the tree now, in bytes, from ``/proc/PID/smaps_rollup`` (0 where there is none)."""
        total = 0
        for p in self._tree():
            try:
                with open(f"/proc/{p.pid}/smaps_rollup", "rb") as fh:
                    for line in fh:
                        if line.startswith(b"Pss:"):
                            total += int(line.split()[1]) * 1024
                            break
            except (OSError, ValueError, IndexError):  # exited meanwhile, or no smaps_rollup (Linux < 4.14)
                pass
        return total

    def _loop(self) -> None:
        import time

        last_pss = float("-inf")
        while not self._stop.is_set():
            self.peak = max(self.peak, self.sample())
            if self._pss_every is not None and time.monotonic() - last_pss >= self._pss_every:
                last_pss = time.monotonic()
                self.peak_pss = max(self.peak_pss, self.sample_pss())
            self._stop.wait(self._interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


#: Arrow's allocator for the run's kernels and workers (a user's own ``ARROW_DEFAULT_MEMORY_POOL`` wins).
#: The bundled mimalloc keeps freed memory: a kernel on a 200,000-row ledger held about 840 MB with it
#: and 660 MB with the system allocator, and filtered the ledger no slower.
ARROW_POOL = ("ARROW_DEFAULT_MEMORY_POOL", "system")


def release_memory() -> None:
    """Hand the memory freed by a large step (validating a ledger) back to the system.

    Python keeps freed blocks for reuse, Arrow's pool keeps its own, and glibc keeps the top of its heap: the
    runner held about 520 MB for the whole run after validating a 200,000-row ledger, 135 MB after this.
    """
    import ctypes
    import gc
    import sys

    gc.collect()
    arrow = sys.modules.get("pyarrow")  # None in a pool worker, which never loads it (runner.kernels)
    if arrow is not None:
        arrow.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, Windows, musl)
        pass
