"""Kernels forked by the zygote (runner.zygote) start as a launched kernel would, and die when told to."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

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

WORKER = """\
import sys, time
from shunde_workbook.runner import kernels
km = kernels.launch(sys.argv[1], sys.argv[2])
print(km.provisioner.pid, flush=True)
time.sleep(120)
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
def server(tmp_path, monkeypatch):
    """A zygote started as the runner starts it, named in this process's environment."""
    monkeypatch.chdir(tmp_path)
    z = zygote.start(kernels.kernel_argv(kernel_name()), kernels.WARM_IMPORTS)
    assert z is not None and os.environ[zygote.ENV]
    yield z
    z.close()
    assert zygote.ENV not in os.environ


@pytest.fixture
def forked(server, tmp_path, monkeypatch):
    """Two kernels launched by the runner's kernel manager, in ``tmp_path``, with a variable set for them."""
    monkeypatch.setenv("SWK_ZYGOTE_PROBE", "from-the-worker")
    started = []
    for i in range(2):
        sockets = tmp_path / f"sockets{i}"
        sockets.mkdir()
        started.append((kernels.launch(kernel_name(), str(sockets)), str(sockets)))
    yield [km for km, _ in started]
    for km, sockets in started:
        kernels.stop(km, sockets)


def test_a_forked_kernel_starts_as_a_launched_one_would(forked, server, tmp_path):
    probes = [_probe(km) for km in forked]
    assert all(isinstance(km.provisioner.process, zygote.ForkedKernel) for km in forked), "not forked"
    for p in probes:
        assert psutil.Process(p["pid"]).ppid() == server.process.pid
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


def test_a_worker_kills_the_kernels_it_was_given(forked):
    procs = [psutil.Process(_probe(km)["pid"]) for km in forked]
    zygote.kill_mine()  # what hygiene.kill_kernels does on a report timeout, SIGTERM or the runner gone
    gone, alive = psutil.wait_procs(procs, timeout=10)
    assert alive == []


def test_a_forked_kernel_exits_when_its_zygote_dies(forked, server):
    proc = psutil.Process(_probe(forked[0])["pid"])
    server.process.kill()  # nothing is left to reap or stop the kernel
    gone, alive = psutil.wait_procs([proc], timeout=10)
    assert alive == [], "an orphaned kernel kept running"


def test_the_zygote_kills_its_kernels_when_the_runner_closes_it(forked, server):
    procs = [psutil.Process(_probe(km)["pid"]) for km in forked]
    server.close()
    gone, alive = psutil.wait_procs(procs, timeout=10)
    assert alive == []


def test_a_forked_kernel_exits_when_its_worker_is_killed(server, tmp_path):
    worker = subprocess.Popen(  # noqa: S603 - a stand-in for a pool worker: it inherits the zygote's name
        [sys.executable, "-c", WORKER, kernel_name(), str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        kernel = psutil.Process(int(worker.stdout.readline()))
        assert kernel.ppid() == server.process.pid
        worker.kill()  # as kill -9 would: the worker cannot kill its kernel itself
        worker.wait(timeout=10)
        gone, alive = psutil.wait_procs([kernel], timeout=10)
        assert alive == [], "the kernel of a killed worker kept running"
    finally:
        worker.kill()


def test_a_process_that_is_not_the_zygotes_child_is_never_signalled():
    # a kernel's id given to another process once the kernel is gone: neither the worker nor the zygote kills it
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # noqa: S603
    try:
        stale = zygote.ForkedKernel(other.pid, zygote=os.getpid() + 1_000_000)
        zygote._MINE[other.pid] = stale.zygote
        assert stale.poll() is not None, "a process that is not the zygote's child was taken for the kernel"
        stale.kill()
        zygote._MINE[other.pid] = stale.zygote
        zygote.kill_mine()
        assert other.poll() is None, "it was killed"
    finally:
        other.kill()
        other.wait()


def test_a_zygote_that_cannot_fork_leaves_the_kernel_to_the_usual_launch(tmp_path, monkeypatch):
    z = zygote.start(kernels.kernel_argv(kernel_name()), ("no_such_module_anywhere",))  # dies importing it
    z.process.wait(timeout=60)
    km = kernels.launch(kernel_name(), str(tmp_path))
    try:
        assert isinstance(km.provisioner.process, subprocess.Popen)
        assert _probe(km)["preloaded"] is False  # a kernel of its own, with nothing imported beforehand
    finally:
        kernels.stop(km, str(tmp_path))
        z.close()


def test_only_ipykernel_launcher_commands_of_the_zygotes_interpreter_are_forked(monkeypatch):
    assert zygote.forkable(["python", "-m", "ipykernel_launcher", "-f", "c.json"])
    assert zygote.forkable(["python", "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "c.json"])
    assert not zygote.forkable(["python", "-m", "other_kernel", "-f", "c.json"])
    assert not zygote.forkable(["python", "-I", "-m", "ipykernel_launcher", "-f", "c.json"])
    monkeypatch.setenv(zygote.ENV, "/nonexistent/zygote.sock")
    monkeypatch.setenv(zygote.ENV_PYTHON, '["python"]')
    assert zygote.spawn(["other-python", "-m", "ipykernel_launcher", "-f", "c.json"], None, None, "log") is None
    monkeypatch.delattr(os, "fork")
    assert not zygote.forkable(["python", "-m", "ipykernel_launcher", "-f", "c.json"])


def test_pid_alive_tells_running_zombie_and_gone_processes_apart():
    assert zygote.pid_alive(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    # the child exits but is not reaped yet: a zombie counts as gone
    for _ in range(600):
        if psutil.Process(child.pid).status() == psutil.STATUS_ZOMBIE:
            break
        time.sleep(0.05)
    assert not zygote.pid_alive(child.pid)
    child.wait()
    assert not zygote.pid_alive(child.pid)


PROBE_CALLS = """
import json, os, sys


def write_process_ids(path):
    ids = {"pid": os.getpid(), "ppid": os.getppid(), "pandas": "pandas" in sys.modules}
    with open(path, "w") as fh:
        json.dump(ids, fh)


def divide_by_zero():
    return 1 / 0
"""


def test_call_runs_a_function_in_a_child_of_the_zygote_and_waits_for_it(server, tmp_path):
    (tmp_path / "probe_calls.py").write_text(PROBE_CALLS)  # in the zygote's working folder, made after it started
    out = tmp_path / "called.json"
    assert zygote.call("probe_calls:write_process_ids", str(out)) is True
    ids = json.loads(out.read_text())  # written before call() returned: it waits for the child
    assert ids["pid"] not in (os.getpid(), server.process.pid)
    assert ids["ppid"] == server.process.pid, "not forked by the zygote"
    assert ids["pandas"], "the child does not have the zygote's imports"
    deadline = time.monotonic() + 10
    while zygote.pid_alive(ids["pid"]) and time.monotonic() < deadline:  # it exits right after answering
        time.sleep(0.02)
    assert not zygote.pid_alive(ids["pid"]), "the child did not exit after its work"
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):  # the child's traceback reaches the caller
        zygote.call("probe_calls:divide_by_zero")
    assert zygote.call("probe_calls:write_process_ids", str(out)), "a failed call left the zygote unusable"


def test_call_without_a_zygote_runs_nothing(monkeypatch, tmp_path):
    monkeypatch.delenv(zygote.ENV, raising=False)
    assert zygote.call("probe_calls:write_process_ids", str(tmp_path / "x.json")) is False
    assert not (tmp_path / "x.json").exists()
