"""Run one report: papermill execution, then both HTML editions, atomically.

This function runs inside a worker process of the runner's pool, so each
job has its own process, kernel, ports and working state; nothing here calls
``os.chdir``.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

# jsonschema (imported by nbformat) builds an RFC 3987 parser at import time when rfc3987_syntax is
# installed, costing seconds in every worker; nbformat never validates the "iri" format it serves, so
# the workers tell jsonschema the module is absent.  Measured: worker imports 5.2-6.0 s -> 1.6-2.0 s.
sys.modules.setdefault("rfc3987_syntax", None)


@dataclass
class Job:
    """One report to build."""

    name: str
    notebook: str
    title: str
    parameters: dict
    language: str
    outputs: str
    kernel_name: str
    timeout: int = 600


@dataclass
class JobResult:
    name: str
    status: str  # ok | failed
    seconds: float
    files: dict = field(default_factory=dict)
    error: dict | None = None


def kernel_name() -> str:
    """The project's kernelspec if setup installed it, else the running interpreter's."""
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().find_kernel_specs()
    return "shunde-workbook" if "shunde-workbook" in specs else "python3"


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
            kw["stderr"] = open(Path(socket_dir) / "kernel.log", "ab")  # noqa: SIM115 - owned by the process
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    return IPCKernelManager


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _error_summary(exc: BaseException) -> dict:
    """Cell number, exception name and message from a papermill failure."""
    info = {"exception": type(exc).__name__, "message": str(exc).strip().splitlines()[-1:] or [""]}
    info["message"] = info["message"][0][:500]
    for attr in ("cell_index", "exec_count", "ename", "evalue"):
        if hasattr(exc, attr):
            info[attr] = getattr(exc, attr)
    if "ename" in info:
        info["exception"], info["message"] = info["ename"], str(info.get("evalue", ""))[:500]
    if type(exc).__name__ == "DeadKernelError":
        info["message"] = "the kernel died while executing (killed or out of memory)"
    return info


def run_job(job: Job) -> JobResult:
    """Execute ``job.notebook`` with papermill and export both editions.

    Outputs are written to temporary files first and moved into place only
    when everything succeeded, so a failure never replaces a good report.
    """
    import nbformat
    import papermill as pm

    from shunde_workbook.build.export import to_html, write_pdf

    t0 = time.perf_counter()
    out = Path(job.outputs)
    final = {
        "policy": out / "reports" / f"{job.name}.html",
        "analyst": out / "reports" / f"{job.name}.analyst.html",
        "notebook": out / "notebooks" / f"{job.name}.ipynb",
    }
    work = out / ".work"
    work.mkdir(parents=True, exist_ok=True)
    executed = work / f"{job.name}.{os.getpid()}.ipynb"
    sockets = tempfile.mkdtemp(prefix="swk-")
    try:
        pm.execute_notebook(
            job.notebook,
            str(executed),
            parameters=job.parameters,
            kernel_name=job.kernel_name,
            progress_bar=False,
            request_save_on_cell_execute=False,
            execution_timeout=job.timeout,
            start_timeout=120,
            kernel_manager_class=ipc_kernel_manager(sockets),
        )
        nb = nbformat.read(str(executed), as_version=4)
        html = {ed: to_html(nb, ed, job.title, job.language) for ed in ("policy", "analyst")}
    except BaseException as exc:  # noqa: BLE001 - any failure becomes a summary
        error = _error_summary(exc)
        log = Path(sockets) / "kernel.log"
        if log.exists():
            error["kernel_log"] = log.read_text(encoding="utf-8", errors="replace")[-1500:]
        error["traceback"] = traceback.format_exc(limit=3)[-2000:]
        if executed.exists():
            kept = out / "failed" / f"{job.name}.ipynb"
            kept.parent.mkdir(parents=True, exist_ok=True)
            os.replace(executed, kept)
            error["partial_notebook"] = str(kept)
        return JobResult(job.name, "failed", time.perf_counter() - t0, error=error)
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    for edition, text in html.items():
        _write_atomic(final[edition], text)
    pdf = write_pdf(job.name, final["policy"], job.language)  # the brief's A4 PDF (build.export)
    if pdf is not None:
        final["pdf"] = pdf
    final["notebook"].parent.mkdir(parents=True, exist_ok=True)
    os.replace(executed, final["notebook"])
    (out / "failed" / f"{job.name}.ipynb").unlink(missing_ok=True)
    files = {k: str(v.relative_to(out)) for k, v in final.items()}
    return JobResult(job.name, "ok", time.perf_counter() - t0, files=files)


def as_dict(result: JobResult) -> dict:
    return asdict(result)
