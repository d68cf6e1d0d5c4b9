"""The runner on small fixture notebooks: editions, failures, cache, lock, faults."""

from __future__ import annotations

import fcntl
import json
import os
import re

import pytest

from shunde_workbook.runner.runner import run

pytestmark = pytest.mark.slow


def _run(nbdir, out, *sets, only=None, force=False, capsys=None):
    code = run(params_file=None, overrides=list(sets), only=only, notebooks_dir=nbdir, outputs=out, jobs=2, force=force)
    return code, (capsys.readouterr().out if capsys else "")


def _manifest(out):
    return {r["name"]: r for r in json.loads((out / "manifest.json").read_text("utf-8"))["reports"]}


def test_failure_summary_other_reports_finish_and_previous_html_survives(fixture_notebooks, tmp_path, capsys):
    out = tmp_path / "out"
    code, _ = _run(fixture_notebooks, out, "should_fail=false", "message=first", capsys=capsys)
    assert code == 0
    good = (out / "reports/fixture_raises.html").read_bytes()
    assert b"survived" in good

    code, text = _run(fixture_notebooks, out, "should_fail=true", "message=second", capsys=capsys)
    assert code == 1
    assert "FAILED fixture_raises" in text and "ValueError" in text and "deliberate failure" in text
    assert re.search(r"in cell \d+", text)
    kept = out / "failed/fixture_raises.ipynb"
    assert kept.exists() and str(kept) in text
    assert (out / "reports/fixture_raises.html").read_bytes() == good, "a failed run replaced a good report"
    assert "second" in (out / "reports/fixture_ok.html").read_text("utf-8"), "the other report did not finish"
    records = _manifest(out)
    assert records["fixture_raises"]["status"] == "failed" and records["fixture_ok"]["status"] == "ok"
    index = (out / "index.html").read_text("utf-8")
    assert "reports/fixture_ok.html" in index and "reports/fixture_ok.analyst.html" in index
    assert "reports/fixture_raises.html" in index  # still linked: the previous good edition
    assert not list(out.rglob("*.tmp")), "temporary files left behind"


def test_policy_edition_has_no_code_analyst_edition_does(fixture_notebooks, tmp_path):
    out = tmp_path / "out"
    assert _run(fixture_notebooks, out, "message=你好世界", only=["fixture_ok"])[0] == 0
    policy = (out / "reports/fixture_ok.html").read_text("utf-8")
    analyst = (out / "reports/fixture_ok.analyst.html").read_text("utf-8")
    assert "你好世界" in policy  # outputs stay
    code_cell = re.compile(r'class="[^"]*jp-InputArea-editor')
    assert not code_cell.search(policy) and "SECRET_CODE_MARKER" not in policy
    assert code_cell.search(analyst) and "SECRET_CODE_MARKER" in analyst
    assert "to stderr" not in policy and "to stderr" in analyst
    for html in (policy, analyst):  # self-contained: no script or stylesheet from the network
        assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"https?://", html)


def test_unchanged_rerun_is_skipped_and_force_rebuilds(fixture_notebooks, tmp_path, capsys):
    out = tmp_path / "out"
    _run(fixture_notebooks, out, only=["fixture_ok"], capsys=capsys)
    first = _manifest(out)["fixture_ok"]
    code, text = _run(fixture_notebooks, out, only=["fixture_ok"], capsys=capsys)
    assert code == 0 and "1 unchanged" in text
    second = _manifest(out)["fixture_ok"]
    assert second["status"] == "cached" and second["built_at"] == first["built_at"]
    assert second["cache_key"] == first["cache_key"]
    _, text = _run(fixture_notebooks, out, "k=3", only=["fixture_ok"], capsys=capsys)
    assert "0 unchanged" in text, "a parameter change must invalidate the cache"
    _, text = _run(fixture_notebooks, out, "k=3", only=["fixture_ok"], force=True, capsys=capsys)
    assert "0 unchanged" in text and _manifest(out)["fixture_ok"]["status"] == "ok"


def test_manifest_records_run_provenance(fixture_notebooks, tmp_path):
    out = tmp_path / "out"
    _run(fixture_notebooks, out, only=["fixture_ok"])
    run_info = json.loads((out / "manifest.json").read_text("utf-8"))["run"]
    for key in ("parameters", "inputs", "packages", "git_commit", "wall_seconds", "peak_rss_mb", "kernel"):
        assert key in run_info
    assert run_info["packages"]["papermill"] != "not installed"
    assert run_info["peak_rss_mb"] > 50  # the sampler saw at least a kernel


def test_killed_kernel_is_reported_and_run_exits_nonzero(fixture_notebooks, tmp_path, capsys):
    out = tmp_path / "out"
    code, text = _run(fixture_notebooks, out, "kill_kernel=true", only=["fixture_killed", "fixture_ok"], capsys=capsys)
    assert code == 1
    assert "FAILED fixture_killed" in text and "KernelDied" in text and "kernel died" in text
    assert "bug in the workbook" not in text  # a dead kernel is no bug of ours (issue #25)
    assert (out / "reports/fixture_ok.html").exists()
    assert not (out / "reports/fixture_killed.html").exists()


def test_second_run_is_refused_while_one_holds_the_lock(fixture_notebooks, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    with open(out / ".run.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write("pid 12345, started earlier")
        held.flush()
        code, text = _run(fixture_notebooks, out, capsys=capsys)
    assert code == 2 and "Another shunde-workbook run" in text and "Wait for it" in text
    assert not (out / "manifest.json").exists()


def test_unwritable_outputs_folder_gives_clear_error(fixture_notebooks, tmp_path, capsys):
    if os.geteuid() == 0:  # root ignores permission bits: use a folder no one can create
        out = tmp_path.parent / "/proc/shunde-workbook-outputs"
    else:
        locked = tmp_path / "ro"
        locked.mkdir(mode=0o555)
        out = locked / "out"
    code, text = _run(fixture_notebooks, out, capsys=capsys)
    assert code == 2 and "not writable" in text and str(out) in text


def test_unknown_only_name_suggests(fixture_notebooks, tmp_path, capsys):
    code, text = _run(fixture_notebooks, tmp_path / "o", only=["fixture_okk"], capsys=capsys)
    assert code == 2 and "did you mean 'fixture_ok'" in text
