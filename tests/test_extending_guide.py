"""docs/extending.md, step 2, followed literally in a copy of the package: the metric, its export, its test."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from helpers import ROOT

GUIDE = ROOT / "docs" / "extending.md"


def _blocks(section: str, lang: str) -> list[str]:
    return [re.sub(r"(?m)^ {3}", "", b) for b in re.findall(rf"```{lang}\n(.*?)```", section, re.S)]


def test_step_two_of_the_guide_works_as_written(tmp_path):
    text = GUIDE.read_text(encoding="utf-8")
    step = text[text.index("## 2. Add a metric") : text.index("## 3. Add a notebook")]
    function, test = _blocks(step, "python")
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "shunde_workbook", src / "shunde_workbook")
    tests = tmp_path / "tests"
    tests.mkdir()
    shutil.copy(ROOT / "tests" / "test_metrics_inequality.py", tests)
    shutil.copy(ROOT / "tests" / "helpers.py", tests)
    # 1. append the function to metrics/inequality.py
    ineq = src / "shunde_workbook" / "metrics" / "inequality.py"
    ineq.write_text(ineq.read_text(encoding="utf-8") + "\n\n" + function, encoding="utf-8")
    # 2. export it: the import list and __all__ of metrics/__init__.py, as the guide says
    init = src / "shunde_workbook" / "metrics" / "__init__.py"
    code = init.read_text(encoding="utf-8")
    assert "from shunde_workbook.metrics.inequality import (" in step and "__all__" in step
    code = code.replace(
        "from shunde_workbook.metrics.inequality import (",
        "from shunde_workbook.metrics.inequality import (\n    max_min_ratio,",
        1,
    )
    code = code.replace("__all__ = [", '__all__ = [\n    "max_min_ratio",', 1)
    init.write_text(code, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(src)}
    check = _blocks(step, "sh")[0].strip().replace(".venv/bin/python", sys.executable)
    out = subprocess.run(check, shell=True, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "3.3333333333333335", out.stderr
    # 3. the known-answer test, appended to the test module
    module = tests / "test_metrics_inequality.py"
    module.write_text(module.read_text(encoding="utf-8") + "\n\n" + test, encoding="utf-8")
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            "-c",
            os.devnull,
            str(module),
            "-k",
            "max_min_ratio",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert res.returncode == 0 and "1 passed" in res.stdout, res.stdout[-2000:] + res.stderr[-2000:]
    # ... and the module with the pasted test still passes `make lint` (no E402 for a late import).
    shutil.copy(ROOT / "pyproject.toml", tmp_path)  # the project's lint rules, with their per-folder ignores
    ruff = Path(sys.executable).with_name("ruff")
    lint = subprocess.run([str(ruff), "check", "tests"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert lint.returncode == 0, lint.stdout[-2000:]
