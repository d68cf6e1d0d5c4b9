"""Kernels forked by the zygote (runner.zygote) start as a launched kernel would, and die when told to."""

from __future__ import annotations

import json
import os
import subprocess

import psutil
import pytest

from shunde_workbook.runner import kernels, zygote
from shunde_workbook.runner.execute import kernel_name

PROBE = """\
import json, os, sys
import numpy as np
print(json.dumps({
    "pid": os.getpid(), "pgid": os.getpgid(0), "cwd": os.getcwd(), "env": os.environ.get("SWK_ZYGOTE_PROBE"),
    "argv0": sys.argv[0], "path0": sys.path[0], "draw": float(np.random.random()),
    "mpl": os.environ.get("MPLBACKEND"), "preloaded": "geopandas" in sys.modules,
}))
"""

SPAWN = """\
import json, os, subprocess, sys
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
print(json.dumps({"pid": os.getpid(), "child": child.pid}))
"""

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the zygote needs fork")


def _probe(km, code: str = PROBE) -> dict:
    """What ``code`` printed as JSON in the kernel of ``km``."""
    from jupyter_client import BlockingKernelClient

    kc = BlockingKernelClient()
    kc.load_connection_info(km.get_connection_info())
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        out = []
        reply = kc.execute_interactive(code, timeout=60, output_hook=lambda m: out.append(m["content"].get("text", "")))
        assert reply["content"]["status"] == "ok", reply["content"]
        return json.loads("".join(out))
    finally:
        kc.stop_channels()


@pytest.fixture
def forked(tmp_path, monkeypatch):
    """Two kernels launched by the runner's kernel manager, in ``tmp_path``, with a variable set for them."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SWK_ZYGOTE_PROBE", "from-the-worker")
    started = []
    for i in range(2):
        sockets = tmp_path / f"sockets{i}"
        sockets.mkdir()
        started.append((kernels.launch(kernel_name(), str(sockets)), str(sockets)))
    yield [km for km, _ in started]
    for km, sockets in started:
        kernels.stop(km, sockets)
    zygote.stop_all()


def test_a_forked_kernel_starts_as_a_launched_one_would(forked, tmp_path):
    probes = [_probe(km) for km in forked]
    assert all(isinstance(km.provisioner.process, zygote.ForkedKernel) for km in forked), "not forked"
    server = psutil.Process(probes[0]["pid"]).parent()
    assert server.parent().pid == os.getpid(), "the zygote is this process's child"
    for p in probes:
        assert psutil.Process(p["pid"]).ppid() == server.pid
        assert p["pgid"] == p["pid"], "a kernel leads its own process group, as jupyter_client starts them"
        assert p["cwd"] == str(tmp_path) == p["path0"]
        assert p["env"] == "from-the-worker"
        assert p["argv0"].endswith("ipykernel_launcher.py")
        assert p["mpl"] == "module://matplotlib_inline.backend_inline"
        assert p["preloaded"], "the zygote's imports did not reach the kernel"
    assert probes[0]["draw"] != probes[1]["draw"], "two kernels share numpy's random state"


def test_a_forked_kernel_is_killed_with_its_group(forked):
    km = forked[0]
    spawned = _probe(km, SPAWN)  # a process the kernel starts is in the kernel's group
    km.provisioner.process.kill()
    gone, alive = psutil.wait_procs([psutil.Process(spawned["pid"])], timeout=10)
    assert alive == [] and km.provisioner.process.poll() is not None
    assert not psutil.pid_exists(spawned["child"]) or psutil.Process(spawned["child"]).status() == "zombie"


def test_a_forked_kernel_exits_when_its_zygote_dies(forked):
    pid = _probe(forked[0])["pid"]
    server = psutil.Process(pid).parent()
    server.kill()  # as when its worker is killed: nothing is left to reap or stop the kernel
    gone, alive = psutil.wait_procs([psutil.Process(pid)], timeout=10)
    assert alive == [], "an orphaned kernel kept running"


def test_the_zygote_kills_its_kernels_when_its_worker_closes_the_pipe(forked):
    procs = [psutil.Process(_probe(km)["pid"]) for km in forked]
    zygote.stop_all()  # the worker exits: its zygote's pipe closes
    gone, alive = psutil.wait_procs(procs, timeout=10)
    assert alive == []


def test_a_zygote_that_cannot_fork_leaves_the_kernel_to_the_usual_launch(tmp_path, monkeypatch):
    monkeypatch.setattr(kernels, "WARM_IMPORTS", ("no_such_module_anywhere",))  # the zygote dies importing it
    km = kernels.launch(kernel_name(), str(tmp_path))
    try:
        assert isinstance(km.provisioner.process, subprocess.Popen)
        assert _probe(km)["preloaded"] is False  # a kernel of its own, with nothing imported beforehand
    finally:
        kernels.stop(km, str(tmp_path))
        zygote.stop_all()


def test_only_ipykernel_launcher_commands_are_forked(monkeypatch):
    assert zygote.forkable(["python", "-m", "ipykernel_launcher", "-f", "c.json"])
    assert zygote.forkable(["python", "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "c.json"])
    assert not zygote.forkable(["python", "-m", "other_kernel", "-f", "c.json"])
    assert not zygote.forkable(["python", "-I", "-m", "ipykernel_launcher", "-f", "c.json"])
    monkeypatch.delattr(os, "fork")
    assert not zygote.forkable(["python", "-m", "ipykernel_launcher", "-f", "c.json"])
