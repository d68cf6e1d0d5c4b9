"""Peak memory of a process tree: RSS every tick, PSS (shared pages once) only when asked for."""

from __future__ import annotations

import subprocess
import sys
import time

import psutil
import pytest

from shunde_workbook.runner.memory import PeakMemory

#: A process holding 80 MB of its own (written, so resident), then waiting.
HOLD = "import time; block = b'x' * (80 * 2**20); print('ready', flush=True); time.sleep(30)"


def test_the_peak_takes_in_what_a_process_holds():
    parent = subprocess.Popen(  # noqa: S603 - the tree: a process whose child holds the 80 MB
        [sys.executable, "-c", f"import subprocess, sys; subprocess.run([sys.executable, '-c', {HOLD!r}])"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert parent.stdout.readline().strip() == "ready"
        mem = PeakMemory(parent.pid, interval=0.05, pss_interval=0.05 if sys.platform.startswith("linux") else None)
        with mem:
            time.sleep(0.3)
        assert mem.peak >= 80 * 2**20, "the child's 80 MB are missing from the summed RSS"
        if sys.platform.startswith("linux"):
            assert 80 * 2**20 <= mem.peak_pss <= mem.peak  # its own pages count whole, shared ones in part
    finally:
        for p in psutil.Process(parent.pid).children(recursive=True):
            p.kill()
        parent.kill()
        parent.wait()


def test_no_pss_unless_asked_for():
    with PeakMemory(interval=0.05) as mem:
        time.sleep(0.15)
    assert mem.peak > 0 and mem.peak_pss == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PSS is read from /proc")
def test_pss_of_this_process_is_at_most_its_rss():
    mem = PeakMemory()
    assert 0 < mem.sample_pss() <= mem.sample()
