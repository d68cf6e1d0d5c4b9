"""A run where nothing changed: no heavy library is imported, and the files are still checked.

``benchmarks/run_suite.py`` times this run (mode (c)); its target is under 1 s, which leaves no room for
importing pandas, geopandas, matplotlib, nbconvert, papermill or jupyter_client (together several seconds
of a 1.25 s-per-report budget on this machine).  Each check runs in a fresh interpreter, as the CLI does.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from shunde_workbook.runner.runner import run

from helpers import DEFAULT_PARAMS, ROOT

HEAVY = ("pandas", "geopandas", "matplotlib", "nbconvert", "papermill", "jupyter_client")


def _fresh(script: str, *args: str) -> dict:
    """Run ``script`` in a new interpreter; it prints one JSON line, returned here with the heavy modules loaded."""
    tail = f"; import json as _j; print(_j.dumps({{**out, 'heavy': [m for m in {HEAVY!r} if m in sys.modules]}}))"
    res = subprocess.run(
        [sys.executable, "-c", "import sys\n" + script + tail, *args], capture_output=True, text=True, cwd=ROOT
    )
    assert res.returncode == 0, res.stderr[-2000:]
    return {**json.loads(res.stdout.strip().splitlines()[-1]), "stdout": res.stdout}


def test_checking_the_default_parameters_needs_no_pandas():
    got = _fresh(
        "import yaml; from pathlib import Path; from shunde_workbook.params import coerce, cross_check\n"
        "out = {'problems': cross_check(coerce(yaml.safe_load(Path(sys.argv[1]).read_text(encoding='utf-8'))))}",
        str(DEFAULT_PARAMS),
    )
    assert got["problems"] == [] and got["heavy"] == []


@pytest.mark.slow
def test_a_run_with_nothing_changed_imports_nothing_heavy_and_still_checks_every_file(fixture_notebooks, tmp_path):
    out = tmp_path / "out"
    kw = {"params_file": None, "overrides": [], "only": ["fixture_ok"], "notebooks_dir": fixture_notebooks}
    assert run(outputs=out, jobs=1, **kw) == 0
    again = (
        "from pathlib import Path; from shunde_workbook.runner.runner import run\n"
        "out = {'code': run(params_file=None, overrides=[], only=['fixture_ok'], notebooks_dir=Path(sys.argv[1]), "
        "outputs=Path(sys.argv[2]), jobs=1)}"
    )
    got = _fresh(again, str(fixture_notebooks), str(out))
    assert got["code"] == 0 and "1 unchanged (skipped), 0 to run." in got["stdout"]
    assert got["heavy"] == [], f"a no-change run imported {got['heavy']}"
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["reports"][0]["status"] == "cached"
    assert "reports/fixture_ok.html" in (out / "index.html").read_text("utf-8")
    # A report file edited behind the runner's back is still found out (its hash no longer matches the stamp).
    page = out / "reports" / "fixture_ok.html"
    page.write_bytes(page.read_bytes() + b"<!-- edited -->")
    got = _fresh(again, str(fixture_notebooks), str(out))
    assert got["code"] == 0 and "0 unchanged (skipped), 1 to run" in got["stdout"]
    assert b"edited" not in page.read_bytes()
