"""A fork server for kernels: one process per run imports what every kernel loads, then forks the kernels.

A kernel started the usual way spends about 1.8 s of CPU before its first cell: 0.4 s to boot
(the interpreter, ipykernel) and 1.4 s to import :data:`~shunde_workbook.runner.kernels.WARM_IMPORTS`.
The *zygote* pays that once per run.  The runner starts it (:func:`start`) before its pool workers, on a
Unix socket named to them in ``SHUNDE_WORKBOOK_ZYGOTE``; it imports those modules and ipykernel, then
waits.  For each kernel a worker asks for (:func:`spawn`), it forks; the child turns itself into the
kernel the kernelspec's command would have started (``python -m ipykernel_launcher -f CONNECTION …``),
with the command's arguments, working folder and environment, and a fresh start for everything that a
new process would not share:

* its own session and process group (as jupyter_client starts kernels), default signal handlers;
* the environment of the request, not the zygote's; ``sys.argv`` and ``sys.path`` as the launcher sets them;
* numpy's global random state drawn afresh from the OS (Python's ``random`` reseeds itself after a fork);
* standard input from ``/dev/null``, standard output and error to the job's ``kernel.log``;
* none of the zygote's sockets or pipes.

The zygote holds no thread when it forks (it checks, and refuses otherwise).  A kernel is the zygote's
child, not its worker's, so each worker remembers the kernels it was given and kills them itself when it
must (``hygiene.kill_kernels``: report timeout, SIGTERM, the runner gone); a kernel also exits when its
worker or the zygote dies, and the zygote kills the kernels it forked when the runner closes it.
Where fork is missing (Windows), outside a run, or for a kernelspec that runs another interpreter or
another launcher, kernels start the usual way.

The runner also hands the zygote the run's own work that needs the heavy libraries (:func:`call`): the
ledgers' validation, the index page's map.  A child forked for it does the work and exits, so the runner
never imports pandas or geopandas and never holds what that work allocated.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

LAUNCHER = ("-m", "ipykernel_launcher")
#: The zygote's socket, and the interpreter command it forks kernels of (JSON), for the pool workers.
ENV, ENV_PYTHON = "SHUNDE_WORKBOOK_ZYGOTE", "SHUNDE_WORKBOOK_ZYGOTE_PYTHON"
#: In a forked kernel: the pool worker it serves (a kernel started the usual way is its worker's child).
ENV_WORKER = "SHUNDE_WORKBOOK_WORKER"

_MINE: dict[int, int] = {}  # the kernels this process was given: pid -> the zygote that forked it


class ForkedKernel:
    """The :class:`subprocess.Popen` methods jupyter_client's provisioner uses, for a forked kernel.

    The kernel is the zygote's child, not ours: the zygote reaps it, so its exit status is not known
    here (:attr:`returncode` is -9 once it is gone).  A process is taken for the kernel only while it is
    the zygote's child: once the kernel is gone its id may be given to another process, never signalled.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int, zygote: int):
        self.pid, self.zygote = pid, zygote
        self.returncode = None

    def poll(self) -> int | None:
        """None while the kernel runs, else :attr:`returncode`."""
        if self.returncode is None and not _ours(self.pid, self.zygote):
            self.returncode = -signal.SIGKILL
            _MINE.pop(self.pid, None)
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
            _signal_group(self.pid, sig)

    def terminate(self) -> None:
        """SIGTERM to the kernel's group."""
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL to the kernel's group."""
        self.send_signal(signal.SIGKILL)


def pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` runs (a zombie, dead but not yet reaped, does not).

    Without psutil: a forked kernel's watch thread calls this, and a kernel should not load it for that.
    """
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # PermissionError: the id now belongs to another user
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):  # no /proc (macOS): os.kill said it exists
        return True


def _ours(pid: int, zygote: int) -> bool:
    """Whether ``pid`` still runs as a child of the process ``zygote`` (a kernel it forked, not a reused id)."""
    if not pid_alive(pid):
        return False
    try:
        import psutil

        return psutil.Process(pid).ppid() == zygote
    except Exception:  # noqa: BLE001 - gone meanwhile, or no psutil: not ours to signal
        return False


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)  # a kernel leads its own process group
    except OSError:
        pass


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
    return hasattr(os, "fork") and hasattr(socket, "AF_UNIX") and _launcher_at(cmd) is not None


# ------------------------------------------------------------------------------------------- the runner's side
class Zygote:
    """A started zygote: its process and socket folder (:func:`start`); :meth:`close` ends it."""

    def __init__(self, process: subprocess.Popen, folder: str):
        self.process, self.folder = process, folder

    def close(self) -> None:
        """End the zygote (it kills the kernels it forked) and forget it in this process's environment."""
        try:
            self.process.stdin.close()
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)
        for name in (ENV, ENV_PYTHON):
            os.environ.pop(name, None)


def start(cmd: list[str], imports: tuple[str, ...]) -> Zygote | None:
    """Start a zygote for the kernel command ``cmd`` and name it in ``os.environ`` (None if ``cmd`` cannot fork).

    The socket is bound here, so a worker may ask for a kernel at once: the zygote answers once it has
    imported ``imports``.  Processes started afterwards (the pool workers) inherit the two variables.
    """
    if not forkable(cmd):
        return None
    python = list(cmd[: _launcher_at(cmd)])  # the interpreter and its options, for the zygote too
    folder = tempfile.mkdtemp(prefix="swz-")
    path = os.path.join(folder, "zygote.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(path)
        listener.listen(16)
        code = f"from shunde_workbook.runner.zygote import serve; serve({list(imports)!r}, {listener.fileno()})"
        process = subprocess.Popen(  # noqa: S603 - the kernelspec's interpreter, our module
            [*python, "-c", code],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(listener.fileno(),),
        )
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return None
    finally:
        listener.close()
    os.environ[ENV], os.environ[ENV_PYTHON] = path, json.dumps(python)
    return Zygote(process, folder)


def call(target: str, *args) -> bool:
    """Run ``module:function(*args)`` in a child forked from the run's zygote and wait for it to end.

    Returns False, having run nothing, when no zygote serves this process (not forkable, outside a run):
    the caller then does the work itself.  ``args`` must be JSON values.  Raises RuntimeError with the
    child's traceback when the function raised, OSError when the zygote could not fork it.
    """
    path = os.environ.get(ENV)
    if not path:
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.connect(path)
        conn.sendall(json.dumps({"call": target, "args": list(args)}).encode() + b"\n")
        reply = json.loads(conn.makefile("rb").readline() or b"{}")  # the child answers when it is done
    if reply.get("done"):
        return True
    if "error" in reply:
        raise RuntimeError(f"{target} failed in the zygote's child:\n{reply['error']}")
    raise OSError(f"the kernel zygote could not run {target}: it ended without an answer")


# ------------------------------------------------------------------------------------------- a worker's side
def spawn(cmd: list[str], env: dict | None, cwd: str | None, log: str) -> ForkedKernel | None:
    """The kernel ``cmd``, forked by the run's zygote; None if there is none for ``cmd``'s interpreter.

    Raises OSError or ValueError when the zygote cannot fork it (the caller then launches it the usual way).
    """
    path, python = os.environ.get(ENV), os.environ.get(ENV_PYTHON)
    if not (path and python and forkable(cmd)) or json.loads(python) != list(cmd[: _launcher_at(cmd)]):
        return None
    at = _launcher_at(cmd)
    request = {"argv": cmd[at + 2 :], "env": dict(os.environ if env is None else env), "cwd": cwd or os.getcwd()}
    request.update(log=log, worker=os.getpid())
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(120)  # the zygote answers once it has imported (seconds), then at once
        conn.connect(path)
        conn.sendall(json.dumps(request).encode() + b"\n")
        reply = json.loads(conn.makefile("rb").readline() or b"{}")
    if "pid" not in reply:
        raise OSError(f"the kernel zygote could not fork: {reply.get('error', 'no answer')}")
    _MINE[reply["pid"]] = reply["zygote"]
    return ForkedKernel(reply["pid"], reply["zygote"])


def kill_mine() -> None:
    """Kill every kernel this process was given (and what each started)."""
    while _MINE:
        pid, zygote = _MINE.popitem()
        if _ours(pid, zygote):
            _signal_group(pid, signal.SIGKILL)


# ------------------------------------------------------------------------------------------- the zygote
def serve(imports: list[str], listener_fd: int) -> None:
    """The zygote: import, then fork one kernel per request on the socket; end when stdin closes."""
    import selectors

    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")  # as the kernel sets it
    for module in [*imports, "ipykernel.kernelapp"]:
        importlib.import_module(module)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the runner, which closes our stdin
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernels are reaped by the system
    listener = socket.socket(fileno=listener_fd)
    events = selectors.DefaultSelector()
    events.register(listener, selectors.EVENT_READ)
    events.register(sys.stdin.buffer, selectors.EVENT_READ)
    forked = []
    while True:
        ready = {key.fileobj for key, _ in events.select()}
        if sys.stdin.buffer in ready and not sys.stdin.buffer.read1(1):  # the runner is done, or gone
            break
        if listener in ready:
            conn, _ = listener.accept()
            with conn:
                pid = _answer(conn, listener, events)
            if pid:
                forked.append(pid)
    for pid in forked:  # the run is over: so are its kernels (those still ours: an id may have been reused)
        if _ours(pid, os.getpid()):
            _signal_group(pid, signal.SIGKILL)
    os._exit(0)  # nothing to flush or save: skip tearing down pandas, matplotlib… (0.3 s the runner waited for)


def _answer(conn: socket.socket, listener: socket.socket, events) -> int | None:
    """Read one request from ``conn``, fork its kernel, answer the kernel's pid; return the pid."""
    try:
        conn.settimeout(10)
        request = json.loads(conn.makefile("rb").readline())
        if threading.active_count() > 1:
            conn.sendall(json.dumps({"error": "a thread is running in the zygote"}).encode() + b"\n")
            return None
        pid = os.fork()
        if pid == 0:
            events.close()
            listener.close()
            if "call" in request:
                _run_call(request, conn)  # never returns
            conn.close()
            _become_kernel(request)  # never returns
        if "call" in request:
            return pid  # the child answers when its work is done
        conn.sendall(json.dumps({"pid": pid, "zygote": os.getpid()}).encode() + b"\n")
        return pid
    except (OSError, ValueError):  # a worker that went away mid-request: nothing to answer
        return None


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
        os.environ[ENV_WORKER] = str(request["worker"])  # the pool worker this kernel serves (not its parent)
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
        threading.Thread(target=_follow, args=(request["worker"],), daemon=True, name="worker-watch").start()
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


def _run_call(request: dict, conn: socket.socket) -> None:
    """In the forked child: run the runner's ``module:function``, answer how it went on ``conn``, exit."""
    reply: dict = {"done": True}
    try:
        os.setsid()  # its own group, as a kernel: the zygote kills it by group if the run ends first
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        module, _, name = request["call"].partition(":")
        importlib.invalidate_caches()  # a module may be newer than the zygote's look at its folder
        getattr(importlib.import_module(module), name)(*request["args"])
    except BaseException:  # noqa: BLE001 - the runner gets the traceback
        import traceback

        reply = {"error": traceback.format_exc()}
    finally:
        try:
            conn.sendall(json.dumps(reply).encode() + b"\n")
        finally:
            os._exit(0)


def _follow(worker: int, interval: float = 0.5) -> None:
    """In a kernel: exit when the worker that asked for it is gone (killed: it cannot kill us itself)."""
    while pid_alive(worker):
        time.sleep(interval)
    os._exit(1)
