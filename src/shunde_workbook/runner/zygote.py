"""A fork server for kernels: one process per pool worker imports what every kernel loads, then forks kernels.

A kernel started the usual way spends about 1.8 s of CPU before its first cell: 0.4 s to boot
(the interpreter, ipykernel) and 1.4 s to import :data:`~shunde_workbook.runner.kernels.WARM_IMPORTS`.
The *zygote* pays that once per worker: it imports those modules and ipykernel, then waits.  For each
kernel the worker asks for (:func:`spawn`), it forks; the child turns itself into the kernel the
kernelspec's command would have started (``python -m ipykernel_launcher -f CONNECTION …``), with the
command's arguments, working folder and environment, and a fresh start for everything that a new
process would not share:

* its own session and process group (as jupyter_client starts kernels), default signal handlers;
* the environment of the request, not the zygote's; ``sys.argv`` and ``sys.path`` as the launcher sets them;
* numpy's global random state drawn afresh from the OS (Python's ``random`` reseeds itself after a fork);
* standard input from ``/dev/null``, standard output and error to the job's ``kernel.log``.

The zygote holds no thread and no socket when it forks (it checks, and refuses otherwise), and is a child
of its worker: the kernels it forks are the worker's descendants, so the report timeout, Ctrl-C and the
retry of a killed worker find and kill them as before (``hygiene.kill_kernels``).  It exits when its
worker closes the pipe.  Where fork is missing (Windows), or the kernelspec runs another interpreter or
another launcher, kernels start the usual way.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import threading
import time

LAUNCHER = ("-m", "ipykernel_launcher")

_SERVERS: dict[tuple, subprocess.Popen] = {}  # per interpreter command, in this worker


class ForkedKernel:
    """The :class:`subprocess.Popen` methods jupyter_client's provisioner uses, for a forked kernel.

    The kernel is the zygote's child, not ours: the zygote reaps it, so its exit status is not known
    here (:attr:`returncode` is -9 once it is gone).
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode = None

    def poll(self) -> int | None:
        """None while the kernel runs, else :attr:`returncode`."""
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = -signal.SIGKILL
            except PermissionError:  # the id was reused by another user's process: ours is gone
                self.returncode = -signal.SIGKILL
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Wait until the kernel is gone (raises :class:`subprocess.TimeoutExpired` after ``timeout`` s)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        """Signal the kernel's process group (the kernel and what it started)."""
        if self.poll() is None:
            try:
                os.killpg(self.pid, sig)  # the kernel leads its own process group
            except ProcessLookupError:
                pass

    def terminate(self) -> None:
        """SIGTERM to the kernel's group."""
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL to the kernel's group."""
        self.send_signal(signal.SIGKILL)


def _launcher_at(cmd: list[str]) -> int | None:
    """Where ``-m ipykernel_launcher`` starts in a kernel command (after the interpreter and its options)."""
    for i in range(1, len(cmd) - 1):
        if tuple(cmd[i : i + 2]) == LAUNCHER:
            return i
        if not cmd[i].startswith("-X"):
            return None
    return None


def forkable(cmd: list[str]) -> bool:
    """Whether a kernel command can be forked: ``<python> [-X…] -m ipykernel_launcher …``, on a system with fork."""
    return hasattr(os, "fork") and _launcher_at(cmd) is not None


def spawn(cmd: list[str], env: dict | None, cwd: str | None, log: str, imports: tuple[str, ...]) -> ForkedKernel:
    """Fork the kernel ``cmd`` from this worker's zygote for ``cmd[0]`` (started on first use).

    Raises OSError or ValueError when the zygote cannot fork it (the caller then launches it the usual way).
    """
    at = _launcher_at(cmd)
    server = prepare(cmd, imports)
    request = {"argv": cmd[at + 2 :], "env": dict(os.environ if env is None else env), "cwd": cwd or os.getcwd()}
    request["log"] = log
    try:
        server.stdin.write(json.dumps(request).encode() + b"\n")
        server.stdin.flush()
        reply = json.loads(server.stdout.readline() or b"{}")
    except (OSError, ValueError):
        server.kill()
        raise
    if "pid" not in reply:
        server.kill()
        raise OSError(f"the kernel zygote could not fork: {reply.get('error', 'it exited')}")
    return ForkedKernel(reply["pid"])


def prepare(cmd: list[str], imports: tuple[str, ...]) -> subprocess.Popen | None:
    """Start the zygote for the kernel command ``cmd`` unless it runs; return it (None if ``cmd`` cannot fork).

    The zygote imports on its own: a worker starts it first, then does its own imports meanwhile.
    """
    if not forkable(cmd):
        return None
    python = tuple(cmd[: _launcher_at(cmd)])  # the interpreter and its options, for the zygote too
    server = _SERVERS.get(python)
    if server is None or server.poll() is not None:
        server = _SERVERS[python] = _start(python, imports)
    return server


def _start(python: tuple, imports: tuple[str, ...]) -> subprocess.Popen:
    code = f"from shunde_workbook.runner.zygote import serve; serve({list(imports)!r})"
    return subprocess.Popen(  # noqa: S603 - the kernelspec's interpreter, our module
        [*python, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )


def stop_all() -> None:
    """Close every zygote of this worker (each exits when its pipe closes)."""
    while _SERVERS:
        _, server = _SERVERS.popitem()
        try:
            server.stdin.close()
            server.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            server.kill()


# ------------------------------------------------------------------------------------------- the zygote
def serve(imports: list[str]) -> None:
    """The zygote's loop: import, then fork one kernel per request line on stdin; answer its pid on stdout."""
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")  # as the kernel sets it
    for module in [*imports, "ipykernel.kernelapp"]:
        importlib.import_module(module)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the runner; the worker closes our pipe
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernels are reaped by the system
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    forked = []
    for line in iter(requests.readline, b""):
        request = json.loads(line)
        if threading.active_count() > 1:
            answers.write(json.dumps({"error": "a thread is running"}).encode() + b"\n")
            answers.flush()
            continue
        pid = os.fork()
        if pid == 0:
            _become_kernel(request)  # never returns
        forked.append(pid)
        answers.write(json.dumps({"pid": pid}).encode() + b"\n")
        answers.flush()
    for pid in forked:  # the worker is gone or done: so are its kernels
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass


def _become_kernel(request: dict) -> None:
    """In the forked child: set up as a freshly launched kernel would be, run ipykernel, exit."""
    code = 1
    try:
        os.setsid()
        for sig in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_DFL)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ["JPY_PARENT_PID"] = str(os.getppid())
        null = os.open(os.devnull, os.O_RDONLY)
        log = os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(null)
        os.close(log)
        import numpy as np

        np.random.seed()  # a new process draws its own; the zygote's would be shared by every kernel
        from importlib.util import find_spec

        from ipykernel import kernelapp

        # The kernel exits if the zygote goes.  ``IPKernelApp.parent_handle`` took its default from the zygote's
        # environment when the zygote imported ipykernel, so the request's JPY_PARENT_PID is given explicitly.
        parent = f"--IPKernelApp.parent_handle={os.getppid()}"
        sys.argv = [find_spec("ipykernel_launcher").origin, *request["argv"], parent]
        sys.path[0] = request["cwd"]  # what ``python -m`` puts first, in the kernel's working folder
        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - reported in kernel.log; the worker sees the kernel die
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)
