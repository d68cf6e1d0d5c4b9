"""Run one report: papermill execution, then both HTML editions, into the job's staging folder.

This function runs inside a worker process of the runner's pool, so each
job has its own process, kernel, ports and working state; nothing here calls
``os.chdir``.
"""

from __future__ import annotations

import errno
import math
import os
import re
import shutil
import sys
import tempfile
import threading
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
    timeout: float = 600
    report_timeout: float | None = None
    warm_next: bool = False  # start the worker's next kernel while this report exports (runner.kernels)


@dataclass
class JobResult:
    """What a job reports back: status, time, staged edition paths or an error summary."""

    name: str
    status: str  # ok | failed
    seconds: float
    files: dict = field(default_factory=dict)
    error: dict | None = None
    phases: dict = field(default_factory=dict)  # seconds per phase: kernel, execute, export (where time goes)


def kernel_name() -> str:
    """The project's kernelspec if setup installed it, else the running interpreter's."""
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().find_kernel_specs()
    return "shunde-workbook" if "shunde-workbook" in specs else "python3"


_PARTIAL: dict[str, Path] = {}  # where the saving engine keeps a partial notebook (one job per process)


def saving_engine():
    """A papermill engine that writes the partly executed notebook when execution stops with an exception.

    papermill itself saves nothing on a timeout or a dead kernel unless it
    saves after every cell, which costs a full notebook write per cell.
    """
    from papermill.engines import NBClientEngine
    from papermill.iorw import write_ipynb

    class SavingEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            try:
                return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
            except BaseException:
                if "path" in _PARTIAL:
                    try:
                        write_ipynb(nb_man.nb, str(_PARTIAL["path"]))
                    except Exception:  # noqa: BLE001, S110 - the original failure matters more
                        pass
                raise

    return SavingEngine


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


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CELL_FRAME = re.compile(r"(?:Cell In ?\[(\d+)\], line (\d+)|Input In \[(\d+)\].*?line (\d+)|<ipython-input-(\d+)-)")
_PACKAGE_FRAME = re.compile(r"^File [^\n]*shunde_workbook[/\\]")


def blame(frames: list[str]) -> dict:
    """Who raised a kernel exception, from its traceback frames (``PapermillExecutionError.traceback``).

    The innermost frame that is either a notebook cell or a module of this package decides:
    ``origin`` is ``"notebook"`` (the notebook's own code, with ``cell`` and ``line``: the user's error)
    or ``"package"`` (a workbook module: a bug unless it raised a WorkbookError); ``traceback`` is the
    traceback as plain text.

    >>> blame(["Cell In[3], line 2", "AssertionError: "])["origin"]
    'notebook'
    """
    text = [_ANSI.sub("", f) for f in frames]
    found: dict = {"origin": None, "traceback": "\n".join(text).strip()[-8000:]}
    for frame in text:
        cell = _CELL_FRAME.match(frame.lstrip())
        if cell:
            numbers = [g for g in cell.groups() if g]
            found.update(origin="notebook", cell=int(numbers[0]), line=int(numbers[1]) if len(numbers) > 1 else None)
            arrow = next((ln for ln in frame.splitlines() if ln.lstrip().startswith("---->")), "")
            found["code"] = re.sub(r"^\s*---->\s*\d+\s?", "", arrow)[:200]
        elif _PACKAGE_FRAME.match(frame.lstrip()):
            found["origin"] = "package"
    return found


def _error_summary(exc: BaseException) -> dict:
    """Cell number, exception name and message from a papermill failure, and who raised it (:func:`blame`)."""
    info = {"exception": type(exc).__name__, "message": str(exc).strip().splitlines()[-1:] or [""]}
    info["message"] = info["message"][0][:500]
    for attr in ("cell_index", "exec_count", "ename", "evalue"):
        if hasattr(exc, attr):
            info[attr] = getattr(exc, attr)
    if "ename" in info:
        info["exception"], info["message"] = info["ename"], str(info.get("evalue", ""))[:500]
    if isinstance(getattr(exc, "traceback", None), list):  # raised in the kernel: the notebook's or ours?
        who = blame(exc.traceback)
        info.update({k: v for k, v in who.items() if k != "traceback"}, kernel_traceback=who["traceback"])
    else:
        info["origin"] = "package"  # raised in the worker itself (execution, export): our code
    if type(exc).__name__ == "DeadKernelError":
        info.update(exception="KernelDied", message="the kernel died while executing (killed or out of memory)")
    return info


def last_started_cell(path: Path) -> tuple[int, str] | None:
    """(1-based position, first line) of the last cell papermill started in a partial notebook."""
    import nbformat

    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception:  # noqa: BLE001 - a damaged partial notebook just gives no cell
        return None
    started = [
        (i, c)
        for i, c in enumerate(nb.cells, 1)
        if c.cell_type == "code" and c.get("metadata", {}).get("papermill", {}).get("status", "pending") != "pending"
    ]
    if not started:
        return None
    i, cell = started[-1]
    first = next((line.strip() for line in cell.source.splitlines() if line.strip()), "")
    return i, first[:120]


def _timeout_message(job: Job, limit: float, kind: str, where: tuple[int, str] | None) -> str:
    cell = f"cell {where[0]} ({where[1]!r})" if where else "a cell"
    flag = "--cell-timeout" if kind == "cell" else "--report-timeout"
    return (
        f"report {job.name}: {cell} was still running when the {kind} time limit of {limit:g} s ran out "
        f"(raise it with {flag})"
    )


def _disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (in the worker or, as a cell error, in the kernel) is a full disk."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return True
    return "[Errno 28]" in str(getattr(exc, "evalue", "")) or "No space left on device" in str(exc)


def _space_message(staged: Path, extra: int) -> str:
    """How much the report had written when the disk filled, and how much is free."""
    try:
        written = sum(p.stat().st_size for p in staged.rglob("*") if p.is_file()) + extra
        free = shutil.disk_usage(staged.parents[2]).free
    except OSError:
        written, free = extra, 0
    return (
        f"the disk holding the outputs folder is full: this report needed more than the "
        f"{written / 2**20:.1f} MB it had written when writing failed, and {free / 2**20:.1f} MB are free. "
        "Nothing of it was kept; free some space (or use --outputs on a larger disk) and run again"
    )


def run_job(job: Job) -> JobResult:
    """Execute ``job.notebook`` with papermill and stage the report for the runner to commit.

    Everything (both HTML editions, the executed notebook, the tables and
    figures the notebook exports) goes to the job's staging folder, which the
    notebook gets as ``output_dir``; the runner moves it into place only when
    the job succeeded, so a failure never replaces a good report.
    """
    import nbformat
    import papermill as pm
    from papermill.engines import papermill_engines

    from shunde_workbook.paths import remove_tree
    from shunde_workbook.publish.browser import PDF_REPORTS
    from shunde_workbook.publish.citation import add_citation
    from shunde_workbook.publish.export import to_html, write_pdf
    from shunde_workbook.report.webfonts import embed_fonts
    from shunde_workbook.runner.commit import stage_dir
    from shunde_workbook.runner.hygiene import kill_kernels
    from shunde_workbook.runner.kernels import launch, prestart, stop, take
    from shunde_workbook.runner.memory import release_memory

    t0 = time.perf_counter()
    out = Path(job.outputs)
    staged = stage_dir(out, job.name)
    rel = {
        "policy": f"reports/{job.name}.html",
        "analyst": f"reports/{job.name}.analyst.html",
        "notebook": f"notebooks/{job.name}.ipynb",
    }
    remove_tree(staged, out)  # the job's own staging folder, checked to lie inside the outputs folder
    executed = staged / rel["notebook"]
    warm = take(job.kernel_name)
    sockets, km = (warm.sockets, warm.manager) if warm else (tempfile.mkdtemp(prefix="swk-"), None)
    phases = {"warm_kernel": warm is not None}
    expired = threading.Event()
    papermill_engines.register("shunde-saving", saving_engine())
    _PARTIAL["path"] = executed

    def _expire():
        expired.set()
        kill_kernels()

    timer = threading.Timer(job.report_timeout, _expire) if job.report_timeout else None
    html = {}
    try:
        executed.parent.mkdir(parents=True, exist_ok=True)
        if timer:
            timer.daemon = True
            timer.start()
        if km is None:
            km = launch(job.kernel_name, sockets)
        t1 = time.perf_counter()
        pm.execute_notebook(
            job.notebook,
            str(executed),
            parameters=job.parameters,
            kernel_name=job.kernel_name,
            progress_bar=False,
            request_save_on_cell_execute=False,
            execution_timeout=max(1, math.ceil(job.timeout)),  # nbclient takes whole seconds
            start_timeout=120,
            km=km,  # ours, so nbclient leaves the kernel running: stop() kills it without the graceful wait
            engine_name="shunde-saving",
        )
        if timer:
            timer.cancel()
        t2 = time.perf_counter()
        stop(km)
        # the next kernel boots and imports while the editions below are written; for a report printed to
        # PDF, once Chromium has exited, so that the two never hold their memory at the same time
        warm_late = job.warm_next and job.name in PDF_REPORTS
        if job.warm_next and not warm_late:
            prestart(job.kernel_name)
        t3 = time.perf_counter()
        nb = nbformat.read(str(executed), as_version=4)
        html = {ed: to_html(nb, ed, job.title, job.language) for ed in ("policy", "analyst")}
        html = {ed: add_citation(t, job.name, job.title, job.outputs, job.language) for ed, t in html.items()}
        both = "".join(html.values())  # one font subset serves both editions
        html = {ed: embed_fonts(text, also=both) for ed, text in html.items()}
        for edition, text in html.items():
            _write_atomic(staged / rel[edition], text)
        pdf = write_pdf(job.name, staged / rel["policy"], job.language)  # the brief's A4 PDF (publish.export)
        if pdf is not None:
            rel["pdf"] = pdf.relative_to(staged).as_posix()
        if warm_late:
            prestart(job.kernel_name)
        phases.update(setup=t1 - t0, execute=t2 - t1, kernel_stop=t3 - t2, export=time.perf_counter() - t3)
    except BaseException as exc:  # noqa: BLE001 - any failure becomes a summary
        if timer:
            timer.cancel()
        error = _error_summary(exc)
        log = Path(sockets) / "kernel.log"
        if log.exists():
            error["kernel_log"] = log.read_text(encoding="utf-8", errors="replace")[-1500:]
        error["traceback"] = traceback.format_exc(limit=3)[-2000:]
        timed_out = "cell" if type(exc).__name__ == "CellTimeoutError" else ("report" if expired.is_set() else None)
        if timed_out:
            where = last_started_cell(executed)
            limit = job.timeout if timed_out == "cell" else job.report_timeout
            error.update(exception="Timeout", message=_timeout_message(job, limit, timed_out, where))
            if where:
                error["cell"], error["first_line"] = where
        if _disk_full(exc):
            error.update(exception="DiskFull", message=_space_message(staged, sum(map(len, html.values()))))
        elif executed.exists():
            kept = out / "failed" / f"{job.name}.ipynb"
            kept.parent.mkdir(parents=True, exist_ok=True)
            os.replace(executed, kept)
            error["partial_notebook"] = str(kept)
        remove_tree(staged, out)  # nothing half-written stays in .work/
        return JobResult(job.name, "failed", time.perf_counter() - t0, error=error)
    finally:
        stop(km, sockets)
        release_memory()  # the pages and the notebook: a worker lives as long as the run
    (out / "failed" / f"{job.name}.ipynb").unlink(missing_ok=True)
    phases = {k: round(v, 3) if isinstance(v, float) else v for k, v in phases.items()}
    return JobResult(job.name, "ok", time.perf_counter() - t0, files=dict(rel), phases=phases)


def as_dict(result: JobResult) -> dict:
    """``result`` as a plain dict."""
    return asdict(result)
