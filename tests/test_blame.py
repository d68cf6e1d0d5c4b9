"""Errors belong to whoever made them: the notebook's own code, the inputs, the machine, or the workbook."""

from __future__ import annotations

import json
import shutil

import pytest

from shunde_workbook.runner.execute import blame
from shunde_workbook.runner.runner import NOT_A_BUG, _failure_summary, run

from helpers import FIXTURES


def _record(**error) -> dict:
    return {"name": "r", "notebook": "notebooks/r.ipynb", "error": {"message": "boom", "exec_count": 3, **error}}


def test_the_innermost_cell_or_package_frame_decides():
    cell = "Cell In[4], line 7\n      6 x = 1\n----> 7 assert x == 2, 'mine'\n"
    package = "File /a/src/shunde_workbook/metrics/inequality.py:40, in gini(v)\n---> 40 raise KeyError(v)\n"
    library = "File /a/site-packages/pandas/core/frame.py:12, in __getitem__(self, key)\n"
    assert blame([cell, "AssertionError: mine"]) | {"traceback": ""} == {
        "origin": "notebook",
        "cell": 4,
        "line": 7,
        "code": "assert x == 2, 'mine'",
        "traceback": "",
    }
    assert blame([cell, package, "KeyError: 1"])["origin"] == "package"
    assert blame([cell, library, "KeyError: 'col'"])["origin"] == "notebook"  # the cell misused pandas
    assert blame(["\x1b[0;31mCell In[2], line 1\x1b[0m", "NameError"])["cell"] == 2  # colours stripped


def test_the_summary_calls_only_package_exceptions_a_bug():
    mine = _failure_summary(_record(exception="AssertionError", origin="notebook", cell=4, line=7, code="assert x"))
    assert "notebook's own code raised it (cell 4, line 7: assert x)" in mine and "bug" not in mine
    ours = _failure_summary(_record(exception="KeyError", origin="package"))
    assert "bug in the workbook" in ours and "kept notebook" not in ours  # none was kept
    kept = _failure_summary(_record(exception="KeyError", origin="package", partial_notebook="/o/failed/r.ipynb"))
    assert "with the kept notebook" in kept and "/o/failed/r.ipynb" in kept
    for cause in NOT_A_BUG:
        text = _failure_summary(_record(exception=cause, message="the disk is full"))
        assert "bug" not in text and "the disk is full" in text
    assert "bug" not in _failure_summary(_record(exception="LedgerError", origin="package"))


def _notebook(tmp_path, body: str, name: str) -> None:
    nb = json.loads((FIXTURES / "faults" / "fault_step.ipynb").read_text("utf-8"))
    nb["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": body})
    (tmp_path / f"{name}.ipynb").write_text(json.dumps(nb), "utf-8")


@pytest.mark.slow
def test_a_notebook_s_own_failing_cell_is_shown_as_its_error_with_the_traceback(tmp_path, capsys):
    nbdir = tmp_path / "nbs"
    nbdir.mkdir()
    _notebook(nbdir, "def check(v):\n    assert v > 1, 'the student check failed'\n\ncheck(1)\n", "student")
    _notebook(nbdir, "from shunde_workbook.geo.names import town_by_code\ntown_by_code('nowhere')\n", "package")
    out = tmp_path / "out"
    assert run(params_file=None, notebooks_dir=nbdir, outputs=out, jobs=1) == 1
    said = capsys.readouterr().out
    blocks = {b.split(" ", 1)[0]: b for b in said.split("\nFAILED ")[1:]}
    student, package = blocks["student"], blocks["package"]
    assert "AssertionError" in student and "the student check failed" in student
    assert "The notebook's own code raised it (cell 4, line 2: assert v > 1" in student, student
    assert "----> 4 check(1)" in student, "the full traceback (every frame of the cell) is shown"
    assert "bug in the workbook" not in student and "a bug" not in student
    assert "KeyError" in package and "bug in the workbook" in package and "shunde_workbook/geo/names.py" in package
    shutil.rmtree(out)
