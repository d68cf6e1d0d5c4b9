"""Fault tests for a run: interruptions, runaway cells, hostile outputs folders, the check command."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from shunde_workbook.analysis import load_inputs
from shunde_workbook.cli import build_parser
from shunde_workbook.errors import InputError
from shunde_workbook.params import resolve_path
from shunde_workbook.runner.commit import check, commit, stage_dir
from shunde_workbook.runner.hygiene import clean_text
from shunde_workbook.runner.runner import run
from shunde_workbook.runner.session import lock_outputs

from helpers import FIXTURES, cli, default_params

FAULTS = FIXTURES / "faults"
NAMES = ("fault_a", "fault_b", "fault_c")
RUNNER = (
    "import sys; from pathlib import Path; from shunde_workbook.runner.runner import run; "
    "sys.exit(run(params_file=None, overrides=sys.argv[3:], notebooks_dir=Path(sys.argv[1]), "
    "outputs=Path(sys.argv[2]), jobs=2))"
)


@pytest.fixture
def step_notebooks(tmp_path) -> Path:
    """Three copies of the fault_step notebook: each writes a table and its tag, after ``pause`` seconds."""
    nbdir = tmp_path / "nbs"
    nbdir.mkdir()
    for name in NAMES:
        shutil.copy(FAULTS / "fault_step.ipynb", nbdir / f"{name}.ipynb")
    return nbdir


def _start(nbdir: Path, out: Path, *sets: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", RUNNER, str(nbdir), str(out), *sets],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, like a command started from a terminal
    )


def _tree(pid: int) -> set[int]:
    try:
        return {p.pid for p in psutil.Process(pid).children(recursive=True)}
    except psutil.Error:
        return set()


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.add(pid)
        except psutil.Error:
            pass
    return alive


def _tags(out: Path) -> dict[str, str]:
    found = {}
    for name in NAMES:
        html = (out / "reports" / f"{name}.html").read_text("utf-8")
        found[name] = "one" if "TAG=one" in html else "two" if "TAG=two" in html else "?"
    return found


@pytest.mark.slow
def test_interrupted_runs_leave_a_consistent_folder_and_no_process(step_notebooks, tmp_path):
    out = tmp_path / "out"
    first = _start(step_notebooks, out, "tag=one")
    assert first.wait(timeout=240) == 0, first.communicate()
    assert check(out) == []
    rng = random.Random()
    # SIGINT at a random moment from the start; SIGTERM and SIGKILL at a random moment after the
    # first report of the run was committed, so the folder holds reports of both runs (the case).
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        delay = rng.uniform(2.0, 9.0) if sig == signal.SIGINT else rng.uniform(0.0, 2.0)
        t0 = time.time()
        proc = _start(step_notebooks, out, "tag=two", "pause=3")
        seen: set[int] = set()
        deadline = time.monotonic() + (delay if sig == signal.SIGINT else 120)
        while time.monotonic() < deadline and proc.poll() is None:
            seen |= _tree(proc.pid)
            if sig != signal.SIGINT and any(p.stat().st_mtime > t0 for p in (out / ".stamps").glob("*.json")):
                deadline = min(deadline, time.monotonic() + delay)
            time.sleep(0.1)
        if sig == signal.SIGINT:
            os.killpg(proc.pid, sig)  # Ctrl-C reaches the terminal's whole foreground group
        else:
            os.kill(proc.pid, sig)
        stdout, stderr = proc.communicate(timeout=60)
        what = f"{sig.name} after {delay:.1f} s"
        if proc.returncode not in (0, 1):  # the run may have finished before the signal
            assert proc.returncode == {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGKILL: -9}[sig], what
        if sig != signal.SIGKILL and proc.returncode in (130, 143):
            assert f"Stopped by {sig.name}" in stdout and "still the previous good version" in stdout, what
            assert "Traceback" not in stdout + stderr, (what, stderr[-2000:])
            assert check(out) == [], what
            if sig == signal.SIGTERM:  # stopped after a commit: reports of both runs are in the folder
                assert "Finished and saved: 0 " not in stdout, (what, stdout)
        deadline = time.monotonic() + 15
        while _alive(seen) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(seen), f"processes of the run left after {what}: {_alive(seen)}"
        assert not list((out / ".work").glob("stage/*/reports/*.html")) or sig == signal.SIGKILL

        rerun = _start(step_notebooks, out, "tag=one")
        stdout, stderr = rerun.communicate(timeout=240)
        assert rerun.returncode == 0, (what, stdout, stderr)
        if sig == signal.SIGKILL:
            assert "taking over its lock" in stdout, what
        assert _tags(out) == dict.fromkeys(NAMES, "one"), f"a report of the interrupted run survived ({what})"
        for name in NAMES:
            assert (out / "tables" / f"{name}__tag.csv").read_text("utf-8") == "tag\none\n", what
        assert check(out) == [], what
        assert not (out / ".work" / "stage").exists() or not any((out / ".work" / "stage").iterdir())


@pytest.mark.slow
def test_runaway_cell_is_stopped_by_the_cell_timeout(tmp_path, capsys):
    nbdir = tmp_path / "nbs"
    nbdir.mkdir()
    shutil.copy(FAULTS / "fault_spin.ipynb", nbdir / "fault_spin.ipynb")
    out = tmp_path / "out"
    t0 = time.monotonic()
    limit = build_parser().parse_args(["run", "--cell-timeout", "5"]).cell_timeout  # as the command passes it
    code = run(params_file=None, overrides=["spin=true"], notebooks_dir=nbdir, outputs=out, jobs=1, cell_timeout=limit)
    took = time.monotonic() - t0
    text = capsys.readouterr().out
    assert code == 1 and took < 90
    assert "FAILED fault_spin" in text and "time limit of 5 s" in text and "--cell-timeout" in text
    # cell 5 of the executed notebook: markdown, parameters, papermill's injected parameters, x = 1, the loop
    assert "cell 5 ('while spin:  # the runaway cell')" in text
    kept = out / "failed" / "fault_spin.ipynb"
    assert kept.exists() and str(kept) in text
    assert check(out) == ["fault_spin: no built version (failed in the last run)"]

    kept.unlink()
    code = run(params_file=None, overrides=["spin=true"], notebooks_dir=nbdir, outputs=out, jobs=1, report_timeout=6)
    text = capsys.readouterr().out
    assert code == 1 and "report time limit of 6 s" in text and "--report-timeout" in text
    assert "cell 5 ('while spin:" in text and kept.exists()


def test_outputs_path_that_is_a_file_gets_a_message(step_notebooks, tmp_path, capsys):
    target = tmp_path / "outputs"
    target.write_text("not a folder")
    assert run(params_file=None, notebooks_dir=step_notebooks, outputs=target) == 2
    text = capsys.readouterr().out
    assert f"The outputs path {target} is a file, not a folder" in text and "permission" not in text.lower()
    assert target.read_text() == "not a folder"


def test_symlinks_inside_outputs_are_refused(step_notebooks, tmp_path, capsys):
    out = tmp_path / "out"
    (out / "tables").mkdir(parents=True)
    victim = tmp_path / "victim.csv"
    victim.write_text("keep me")
    (out / "tables" / "fault_a__tag.csv").symlink_to(victim)
    assert run(params_file=None, notebooks_dir=step_notebooks, outputs=out) == 2
    text = capsys.readouterr().out
    assert "symbolic links (tables/fault_a__tag.csv)" in text and "remove the links" in text
    assert victim.read_text() == "keep me"


def test_commit_refuses_to_write_through_a_linked_folder(tmp_path):
    out = tmp_path / "out"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out).mkdir()
    (out / "tables").symlink_to(elsewhere, target_is_directory=True)
    staged = stage_dir(out, "r")
    (staged / "tables").mkdir(parents=True)
    (staged / "tables" / "r__x.csv").write_text("x")
    with pytest.raises(OSError, match="symbolic link"):
        commit(out, "r", "key", {"files": {}})
    assert not list(elsewhere.iterdir())


def _built(out: Path, name: str, key: str, text: str) -> dict:
    staged = stage_dir(out, name)
    (staged / "reports").mkdir(parents=True)
    (staged / "tables").mkdir()
    (staged / "reports" / f"{name}.html").write_text(text)
    (staged / "tables" / f"{name}__t.csv").write_text(text)
    files = {"policy": f"reports/{name}.html"}
    commit(out, name, key, {"files": files})
    return {"name": name, "cache_key": key, "files": files, "status": "ok"}


def _write_manifest(out: Path, reports: list[dict]) -> None:
    (out / "manifest.json").write_text(json.dumps({"run": {}, "reports": reports}))


def test_check_passes_on_a_committed_folder_and_lists_each_inconsistency(tmp_path):
    out = tmp_path / "out"
    recs = [_built(out, "a", "k1", "alpha"), _built(out, "b", "k2", "beta")]
    _write_manifest(out, recs)
    assert check(out) == []
    res = cli("check", str(out), timeout=60)
    assert res.returncode == 0 and "every report matches" in res.stdout

    (out / "tables" / "a__t.csv").write_text("changed")
    (out / "reports" / "b.html").unlink()
    recs[1]["cache_key"] = "k-other"
    _write_manifest(out, recs)
    assert check(out) == [
        "a: tables/a__t.csv differs from the file the run built",
        "b: the files on disk were built with another cache key than the manifest says",
        "b: reports/b.html is missing",
    ]
    res = cli("check", str(out), timeout=60)
    assert res.returncode == 1 and "3 problem(s)" in res.stdout and "reports/b.html is missing" in res.stdout


def test_recommit_removes_files_the_new_build_no_longer_makes(tmp_path):
    out = tmp_path / "out"
    _built(out, "a", "k1", "alpha")
    staged = stage_dir(out, "a")
    (staged / "reports").mkdir(parents=True)
    (staged / "reports" / "a.html").write_text("alpha 2")
    stamp = commit(out, "a", "k2", {"files": {"policy": "reports/a.html"}})
    assert set(stamp["hashes"]) == {"reports/a.html"}
    assert not (out / "tables" / "a__t.csv").exists() and not staged.exists()


def test_escape_codes_are_stripped_from_terminal_text():
    hostile = "Org\x1b[2J\x1b[31mRED\x1b]0;title\x07 name\x00\x0b end\n next\tcol"
    assert clean_text(hostile) == "OrgRED name end\n next\tcol"


def test_a_ledger_town_missing_from_the_towns_table_is_an_input_error(tmp_path):
    params = default_params()
    towns = resolve_path(params["towns_path"]).read_text("utf-8-sig").splitlines(keepends=True)
    kept = [line for line in towns if not line.startswith("440606105,")]  # 杏坛镇
    assert len(kept) == len(towns) - 1
    short = tmp_path / "towns.csv"
    short.write_text("".join(kept), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_inputs({**params, "towns_path": str(short)}, boundaries=False)
    text = str(err.value)
    assert "440606105 (杏坛镇)" in text and f"missing from the towns table {short}" in text
    assert "grant(s)" in text and "万元" in text and "silently disappear" in text


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB tmpfs (root only: the test is skipped where mounting is not allowed)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)]).returncode:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.slow
def test_a_full_disk_fails_the_report_with_the_space_and_leaves_nothing_half_written(small_disk, tmp_path, capsys):
    nbdir = tmp_path / "nbs"
    nbdir.mkdir()
    shutil.copy(FAULTS / "fault_step.ipynb", nbdir / "fault_a.ipynb")
    out = small_disk / "out"
    assert run(params_file=None, notebooks_dir=nbdir, outputs=out, jobs=1) == 0
    good = (out / "reports" / "fault_a.html").read_bytes()
    code = run(params_file=None, overrides=["tag=two", "fill=8"], notebooks_dir=nbdir, outputs=out, jobs=1)
    text = capsys.readouterr().out
    assert code == 1 and "DiskFull: the disk holding the outputs folder is full" in text
    assert "MB are free" in text and "The previous good report is still in place" in text
    # The very file written by the first run, left in place (nothing regenerated), so its bytes must not change.
    assert (out / "reports" / "fault_a.html").read_bytes() == good
    assert not list((out / ".work").rglob("*.ipynb")) and not list((out / ".work").rglob("*.bin"))
    assert not (out / "failed" / "fault_a.ipynb").exists()
    assert check(out) == []


@pytest.mark.parametrize(
    "flags",
    [("--cell-timeout", "0"), ("--cell-timeout", "nan"), ("--report-timeout", "inf"), ("--report-timeout", "-1")],
)
def test_timeouts_must_be_finite_and_positive(tmp_path, flags):
    res = cli("run", *flags, "--outputs", str(tmp_path / "o"), timeout=60)
    assert res.returncode == 2 and "--cell-timeout and --report-timeout must be finite positive" in res.stderr
    assert not (tmp_path / "o").exists()
    code = run(params_file=None, outputs=tmp_path / "o", cell_timeout=float("nan"))
    assert code == 2 and not (tmp_path / "o").exists()


def test_a_stale_lock_from_a_dead_runner_is_taken_over_with_a_message(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (out / ".run.lock").write_text(f"pid {dead.pid}, started 2026-01-01T00:00:00")
    handle = lock_outputs(out)
    try:
        text = capsys.readouterr().out
        assert f"a previous run (pid {dead.pid}, started 2026-01-01T00:00:00) ended without finishing" in text
        assert "taking over its lock" in text
        assert (out / ".run.lock").read_text().startswith(f"pid {os.getpid()},")
    finally:
        handle.close()
